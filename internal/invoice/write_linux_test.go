package invoice

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteBackOwnDescriptor: the early sync calls syncfs on a descriptor
// of the folder that it opens for the purpose and closes again.
func TestWriteBackOwnDescriptor(t *testing.T) {
	dir := t.TempDir()
	var want syscall.Stat_t
	if err := syscall.Stat(dir, &want); err != nil {
		t.Fatal(err)
	}
	calls := 0
	b := Batch{syncFS: func(fd int) error {
		calls++
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil || st.Ino != want.Ino || st.Dev != want.Dev {
			t.Errorf("syncfs given fd %d, not the folder (%v)", fd, err)
		}
		return nil
	}}
	open := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := open()
	if err := b.writeBackDir(dir); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("syncfs called %d times", calls)
	}
	if after := open(); after != before {
		t.Errorf("%d descriptors open before writeBack, %d after", before, after)
	}
	if err := b.writeBackDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("writeBack of a missing folder succeeded")
	}
}
