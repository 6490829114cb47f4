// Command gendata writes a fictitious intake as CSV files for the demo and
// the benchmarks: students.csv, codes.csv and plans.csv in the given folder.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/inpctl/inpctl/internal/synth"
)

func main() {
	n := flag.Int("n", 300, "number of students")
	seed := flag.Uint64("seed", 2025, "random seed")
	dir := flag.String("dir", ".", "output folder")
	flag.Parse()
	students := synth.Generate(*n, *seed)
	for name, write := range map[string]func(*os.File) error{
		"students.csv": func(f *os.File) error { return synth.WriteStudents(f, students) },
		"codes.csv":    func(f *os.File) error { return synth.WriteCodes(f, students) },
		"plans.csv":    func(f *os.File) error { return synth.WritePlans(f, students) },
	} {
		f, err := os.Create(filepath.Join(*dir, name))
		if err == nil {
			err = write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gendata:", err)
			os.Exit(1)
		}
	}
}
