//go:build !linux

package invoice

import "errors"

// platformSyncFS has no equivalent here: syncBatch fsyncs each file.
func platformSyncFS(int) error { return errors.ErrUnsupported }
