package runner

import (
	"runtime/debug"
	"runtime/metrics"
)

// minGCPercent is the lowest collector target that Options.HeapHeadroom
// sets: below it, a large network's collections would come so often that
// their cost could show (each marks the whole live heap).
const minGCPercent = 5

// liveHeap returns the heap that the last collection found live [bytes].
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// gcPercent returns the collector target (GOGC) that lets a live heap of
// live bytes grow by about headroom bytes between collections: at least
// minGCPercent, at most Go's default of 100.
func gcPercent(live, headroom uint64) int {
	if live == 0 {
		return 100
	}
	return int(min(100, max(minGCPercent, (100*headroom+live-1)/live)))
}

// settle runs once the engine is built, before the run (or the restoring
// of its checkpoint): it collects the garbage of compiling and building
// and returns its pages to the system, so that they do not stay resident
// next to the engine's arrays, and, with headroom > 0, lowers the
// collector's target to gcPercent of the live heap, since a simulation's
// live heap is its network, allocated once, and the default target (the
// heap may double before the next collection) would only keep the little
// garbage a run makes resident for long. restore puts the previous
// target back. A program that switched the collector off (GOGC=off) keeps
// it off.
func settle(headroom int64) (restore func()) {
	debug.FreeOSMemory()
	if headroom <= 0 {
		return func() {}
	}
	old := debug.SetGCPercent(gcPercent(liveHeap(), uint64(headroom)))
	if old < 0 {
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() { debug.SetGCPercent(old) }
}
