package invoice

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// batchGC sets the garbage collector for a batch of renders (Batch.Write)
// and returns
// what puts the previous setting back. A PDF allocates about 2.7 MB, most
// of it gopdf's zlib compressors (one per stream), and keeps none of it;
// a batch keeps little else (Batch.Write drops each document once
// rendered). With the default GOGC=100 a collection starts each time the
// heap grows by its live size: every PDF or two, and collecting then costs
// as much as rendering.
//
// During a batch, after each collection, GOGC is set so that the next one
// starts when the heap has grown by gcBudget (64 MiB by default) over what is live,
// or by the live heap when that is larger: memory stays bounded by live
// heap + max(gcBudget, live heap). A GOGC set once from the live heap at
// the start cannot say that when the live heap moves: set from the few MB
// live when a streamed batch starts, it let the heap reach 370 MB. (A
// memory limit with GOGC=off can, but the raw gopdf benchmark then ran 15
// to 35 % slower, as it did with a budget of 128 MiB.) A GOGC given by the
// user that is larger, or off, is kept. The raw gopdf benchmarks run under
// the same setting, so the comparison is fair.
func batchGC(gcBudget int) (restore func()) {
	old := debug.SetGCPercent(100) // read it…
	debug.SetGCPercent(old)        // …and put it back
	if old < 0 {
		return func() {} // GOGC=off: the user wants no collection by size
	}
	var (
		mu   sync.Mutex
		done bool
	)
	tune := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			debug.SetGCPercent(max(old, int(uint64(gcBudget)*100/max(liveHeap(), 1<<20))))
		}
		return !done
	}
	afterEachGC(tune) // until the first collection, GOGC stays as it was
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
		debug.SetGCPercent(old)
	}
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// afterEachGC calls f after each garbage collection until f returns false:
// an unreachable object's finalizer runs after the collection that finds
// it, and sets itself again.
func afterEachGC(f func() bool) {
	// With a pointer, so that it is not from the tiny allocator (whose
	// objects share blocks and may never be finalized).
	type hook struct{ _ *int }
	var fin func(*hook)
	fin = func(h *hook) {
		if f() {
			runtime.SetFinalizer(h, fin)
		}
	}
	runtime.SetFinalizer(&hook{}, fin)
}
