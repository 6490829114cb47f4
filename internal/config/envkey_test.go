package config

import (
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// TestEnvKeyIsTheMapOfNames checks envKey against the map it replaced:
// INPCTL_ + each key upper-cased with dots as underscores, the last key
// winning, then the two aliases.
func TestEnvKeyIsTheMapOfNames(t *testing.T) {
	v := viper.New()
	setMailDefaults(v)
	setAccountingDefaults(v)
	setOutputDefaults(v)
	if err := v.MergeConfigMap(builtInRaw()); err != nil {
		t.Fatal(err)
	}
	keys := append(v.AllKeys(), configKeys()...)
	keys = append(keys, "a.b_c", "a_b.c", "été.clé") // two keys that read the same, and a non-ASCII one
	want := map[string]string{}
	for _, k := range keys {
		want["INPCTL_"+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = k
	}
	want["INPCTL_DB"] = "database"
	want["INPCTL_GATEWAY_PAYBOX_HMAC_KEY"] = "gateway.paybox.hmac_key"
	for name, k := range want {
		if got, ok := envKey(name, keys); !ok || got != k {
			t.Errorf("envKey(%s) = %q, %v; want %q", name, got, ok, k)
		}
	}
	for _, name := range []string{"INPCTL_", "INPCTL_DATABAS", "INPCTL_DATABASEX", "INPCTL_database", "INPCTL_GATEWAY.KIND", "INPCTL_NOPE"} {
		if got, ok := envKey(name, keys); ok {
			t.Errorf("envKey(%s) = %q, want none", name, got)
		}
	}
}
