package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"time"

	"github.com/inpctl/inpctl/internal/atomicfile"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
)

// runDBSeal checks the books and, when they are consistent, writes their
// seal to path, signed with the seal key.
func runDBSeal(ctx context.Context, env *Env, db *store.DB, now time.Time, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fault.New(fault.Conflict, "%s already exists: a seal never overwrites a file", path).WithHint("choose a new file name")
	}
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	key, created, err := cfg.SealKey(true)
	if err != nil {
		return err
	}
	if filepath.Dir(absPath(cfg.Seal.KeyFile)) == filepath.Dir(absPath(db.Path())) {
		env.Warnf("the seal key %s is in the database's folder: whoever copies the folder can sign seals; move it", cfg.Seal.KeyFile)
	}
	if created {
		env.Infof("created a new seal key in %s (public key %s): keep a copy of it off this machine",
			cfg.Seal.KeyFile, hex.EncodeToString(key.Public().(ed25519.PublicKey)))
	}
	findings, state, err := db.CheckBooks(ctx, now, nil)
	if err != nil {
		return err
	}
	if err := reportFindings(env, db, findings); err != nil {
		return fault.Wrap(fault.Conflict, err, "%s: nothing was sealed", err).WithHint("seal only books that pass db check")
	}
	seal := store.NewSeal(state, filepath.Base(db.Path()), now.In(cfg.Location))
	seal.Sign(key)
	b, err := seal.Marshal()
	if err != nil {
		return err
	}
	if err := writeNewFile(path, b); err != nil {
		return err
	}
	env.Infof("✓ db check: the books are consistent (%d warning(s)); sealed %d series into %s", len(findings), len(seal.Series), path)
	return nil
}

// runDBAgainst checks the books, then that nothing the seal at path
// covers was changed or removed.
func runDBAgainst(ctx context.Context, env *Env, db *store.DB, now time.Time, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fault.Wrap(fault.Usage, err, "read seal %s", path)
	}
	seal, err := store.ParseSeal(b)
	if err != nil {
		return fault.Wrap(fault.Usage, err, "seal %s", path)
	}
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	key, _, err := cfg.SealKey(false)
	if err != nil {
		return err
	}
	findings, state, err := db.CheckBooks(ctx, now, seal.SealMarks())
	if err != nil {
		return err
	}
	if bad := store.VerifySeal(seal, key.Public().(ed25519.PublicKey)); bad != nil {
		findings = append(bad, findings...)
	} else {
		findings = append(seal.Against(state), findings...)
	}
	if err := reportFindings(env, db, findings); err != nil {
		return err
	}
	env.Infof("✓ db check: the books are consistent (%d warning(s)) and nothing sealed on %s (%s) was changed or removed",
		len(findings), seal.SealedAt, path)
	return nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// writeNewFile writes b to path through a temporary file in the same
// folder, never over an existing file: a failed write leaves nothing.
func writeNewFile(path string, b []byte) error {
	err := atomicfile.WriteBytes(path, atomicfile.Options{Mode: 0o644, NoReplace: true, SyncDir: true}, b)
	if fault.KindOf(err) == fault.Conflict {
		return fault.New(fault.Conflict, "%s already exists: a seal never overwrites a file", path)
	}
	return err
}
