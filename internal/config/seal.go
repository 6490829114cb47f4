package config

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
)

// Seal configures the seal of the books (db check --seal, --against).
type Seal struct {
	// KeyFile holds the Ed25519 key that signs seals: a file of its own,
	// readable only by its owner (chmod 600), never the database's folder.
	KeyFile string `mapstructure:"key_file" json:"key_file" yaml:"key_file"`
}

// SealKey reads the seal key from seal.key_file, refusing a file others
// can read or another user owns (as the Paybox key file). When the file
// does not exist and create is set, a new key is made and written there
// (mode 0600, never over an existing file), and created says so. The key
// goes to the caller only; as for the Paybox key, core dumps are given up
// first.
func (c Config) SealKey(create bool) (key ed25519.PrivateKey, created bool, err error) {
	path := c.Seal.KeyFile
	if path == "" {
		return nil, false, fault.New(fault.Usage, "no seal key: seal.key_file is not set").
			WithHint("set seal.key_file (or INPCTL_SEAL_KEY_FILE) to a file of its own outside the database's folder; db check --seal creates it")
	}
	if err := noCoreDumps(); err != nil {
		return nil, false, fault.Wrap(fault.Failure, err, "disable core dumps before loading the seal key")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && create {
		key, err := writeSealKey(path)
		return key, err == nil, err
	}
	b, err := readPrivateFile(path, "seal key file")
	if err != nil {
		return nil, false, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, false, fault.New(fault.Usage, "seal key file %s does not hold a seal key (%d hex digits)", path, 2*ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), false, nil
}

// writeSealKey makes a new seal key and writes its seed, in hex, to a new
// file at path.
func writeSealKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fault.Wrap(fault.Failure, err, "make a seal key")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "create seal key file %s", path)
	}
	_, err = f.WriteString(hex.EncodeToString(key.Seed()) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fault.Wrap(fault.Failure, err, "write seal key file %s", path)
	}
	return key, nil
}
