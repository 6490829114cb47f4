// Package inpctl holds what is embedded from the top of the repository:
// the example configuration. The binary does not read it: the built-in
// configuration is internal/config/builtin_raw.go, which
// TestBuiltInRawIsTheExample keeps equal to it.
package inpctl

import _ "embed"

// ExampleConfig is config.example.yaml, the built-in default configuration
// as written (see internal/config.builtInRaw for the value commands use).
//
//go:embed config.example.yaml
var ExampleConfig []byte
