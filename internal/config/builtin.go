package config

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"sync"

	"github.com/inpctl/inpctl"
)

// The built-in example is the configuration of most runs, and parsing it
// (Viper reads the YAML, checkKeys reads it again, mapstructure decodes it)
// cost 3 ms of every command, a tenth of "account show" (issue 8). So
// builtin_gen.go holds it already decoded: builtInConfig() is what
// loadViper decodes from config.example.yaml before the environment,
// written as Go by "go test ./internal/config -run TestBuiltInGenerated
// -update". It is only used while config.example.yaml is the very file it
// was generated from (builtInSHA256); TestBuiltInGenerated fails when it
// is stale, and a stale copy is never used, only slower.

// loadBuiltIn is Load("", environ) without Viper, before Validate. It
// reports false, and the caller takes the Viper path, whenever it cannot
// give exactly what that path gives: a stale generated copy, or an INPCTL_
// variable that does not name a text key (a number, a duration or a list
// is decoded by mapstructure; an unknown name is an error reported there).
func loadBuiltIn(environ []string) (Config, bool) {
	if !builtInCurrent() {
		return Config{}, false
	}
	c := builtInConfig()
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "INPCTL_") || envNotKeys[name] {
			continue
		}
		// As decode does for a text key set from the environment: the
		// value as it is (setEnvText knows only the text keys).
		if !setEnvText(&c, name, val) {
			return Config{}, false
		}
	}
	c.Source = BuiltIn
	return c, true
}

var builtInCurrent = sync.OnceValue(func() bool {
	sum := sha256.Sum256(inpctl.ExampleConfig)
	return hex.EncodeToString(sum[:]) == builtInSHA256
})

// envNotKeys are the INPCTL_ variables that are not config keys.
var envNotKeys = map[string]bool{"INPCTL_NOW": true, "INPCTL_CONFIG": true, "INPCTL_TEST_CRASH": true}

// envKeys maps each INPCTL_ variable to its config key, as applyEnv does
// for the built-in example (whose keys are all struct keys, plus the two
// catalogue lists).
func envKeys(fileKeys []string) map[string]string {
	keys := map[string]string{}
	for _, k := range append(fileKeys, structKeys(reflect.TypeOf(Config{}), "")...) {
		keys["INPCTL_"+strings.ToUpper(strings.NewReplacer(".", "_").Replace(k))] = k
	}
	keys["INPCTL_DB"] = "database"
	keys["INPCTL_GATEWAY_PAYBOX_HMAC_KEY"] = "gateway.paybox.hmac_key"
	return keys
}
