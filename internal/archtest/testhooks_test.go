package archtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoTestHookInProduction: no production file reads an INPCTL_TEST_
// variable (issue 21): a test hook (the crash points, pay simulate's wait)
// is installed by the test binary's inpctl (cli's TestMain), so inpctl
// itself has none. config only names them, so that an environment that
// sets one for the test binary is not refused as unknown keys. storetest
// reads INPCTL_TEST_PG to give tests a PostgreSQL database; it is test
// support, and TestImportRules keeps it out of every production package
// (none may import it).
func TestNoTestHookInProduction(t *testing.T) {
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.ToSlash(path) == "../../internal/config/config.go" ||
			filepath.ToSlash(path) == "../../internal/store/storetest/storetest.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `"INPCTL_TEST_`) {
			t.Errorf("%s reads an INPCTL_TEST_ variable: install the hook from the test binary (cli's TestMain) instead", strings.TrimPrefix(filepath.ToSlash(path), "../../"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
