// Package inpctl holds what the binary embeds from the top of the
// repository: the example configuration, used when no config file is found.
package inpctl

import _ "embed"

// ExampleConfig is config.example.yaml, the built-in default configuration.
//
//go:embed config.example.yaml
var ExampleConfig []byte
