// Command inpctl runs tuition-fee billing for Clermont Auvergne INP.
package main

import (
	"os"

	"github.com/inpctl/inpctl/internal/cli"
)

func main() { os.Exit(cli.Main()) }
