package config

import "testing"

// BenchmarkLoadBuiltIn is what every command that reads the config pays:
// the built-in example with one environment override.
func BenchmarkLoadBuiltIn(b *testing.B) {
	env := []string{"INPCTL_OPERATOR=bench", "PATH=/usr/bin"}
	for b.Loop() {
		if _, err := Load("", env); err != nil {
			b.Fatal(err)
		}
	}
}
