package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const testHexKey = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

// TestHMACKeyDisablesCoreDumps: once the key is loaded the process has no
// core-dump limit left and is not dumpable.
func TestHMACKeyDisablesCoreDumps(t *testing.T) {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: unix.RLIM_INFINITY}); err != nil {
		t.Skip("cannot set RLIMIT_CORE here:", err)
	}
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
	var c Config
	c.Gateway.Paybox.HMACKey = testHexKey
	if k, err := c.HMACKey(); err != nil || k != testHexKey {
		t.Fatalf("HMACKey: %v", err)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil || lim.Cur != 0 || lim.Max != 0 {
		t.Errorf("RLIMIT_CORE after loading the key: %+v %v", lim, err)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Errorf("dumpable after loading the key: %d %v", d, err)
	}
}

// TestKeyFileOfAnotherUserRefused: mode 0600 is not enough, the key file
// must belong to the user running inpctl (the test chowns, so needs root).
func TestKeyFileOfAnotherUserRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "paybox.key")
	if err := os.WriteFile(p, []byte(testHexKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c Config
	c.Gateway.Paybox.HMACKeyFile = p
	if k, err := c.HMACKey(); err != nil || k != testHexKey {
		t.Fatalf("own key file: %q %v", k, err)
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	if err := os.Chown(p, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	_, err := c.HMACKey()
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 4242)") {
		t.Fatalf("key file of another user: %v", err)
	}
}
