package archtest

import (
	"sort"
	"strings"
	"testing"
)

// TestAllowedEdgesAreUsed: the layering table says what the design is, not
// what it could be: every project edge it allows is one the package's code
// (bench code included) uses, and every home of a library imports it. A
// package whose last use of a dependency goes loses the edge here, so the
// table never allows more than the code needs.
func TestAllowedEdgesAreUsed(t *testing.T) {
	used := map[string]map[string]bool{} // package → what it imports (rel for ours)
	for _, p := range listPackages(t, "-tags", "bench") {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		used[rel] = map[string]bool{}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, mod) {
				imp = strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")
			}
			used[rel][imp] = true
		}
	}
	for _, rel := range sortedKeys(allowed) {
		imps, ok := used[rel]
		if !ok {
			t.Errorf("%s is in the allowed table but is no package", rel)
			continue
		}
		for _, dep := range allowed[rel] {
			if !imps[dep] {
				t.Errorf("%s may import %s but does not: remove the edge", rel, dep)
			}
		}
	}
	for lib, where := range homes {
		for _, rel := range where {
			found := false
			for imp := range used[rel] {
				if imp == lib || strings.HasPrefix(imp, lib+"/") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s is a home of %s but does not import it: remove it", rel, lib)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
