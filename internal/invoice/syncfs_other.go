//go:build !linux

package invoice

import "errors"

// syncFS has no equivalent here: syncBatch fsyncs each file.
var syncFS = func(int) error { return errors.ErrUnsupported }
