package invoice

import (
	"runtime"
	"runtime/debug"
)

// gcBudget is how much a render batch may allocate between two garbage
// collections.
const gcBudget = 64 << 20

// BatchGC sets the garbage collector for a batch of renders and returns
// what puts the previous setting back. A PDF allocates about 2.7 MB, most
// of it gopdf's zlib compressors (one per stream), and keeps none of it.
// With the default GOGC=100 a collection starts each time the heap grows
// by its live size: when little is live, that is every PDF or two, and
// collecting then costs as much as rendering. BatchGC lets the heap grow by
// gcBudget (64 MiB), or by the live heap when that is larger, between two
// collections: memory stays bounded (live heap + max(64 MiB, live heap)),
// and a bigger GOGC, or GOGC=off, given by the user is kept. The raw gopdf
// benchmarks run under the same setting, so the comparison is fair.
func BatchGC() (restore func()) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world for a moment, once per batch
	pct := max(100, int(gcBudget*100/max(ms.HeapAlloc, 1<<20)))
	old := debug.SetGCPercent(pct)
	if old < 0 || old > pct {
		debug.SetGCPercent(old)
	}
	return func() { debug.SetGCPercent(old) }
}
