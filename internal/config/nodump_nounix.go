//go:build !unix

package config

// noCoreDumps does nothing where there are no Unix resource limits.
func noCoreDumps() error { return nil }
