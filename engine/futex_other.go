//go:build !linux

package engine

import (
	"sync"
	"sync/atomic"
)

// Without a futex, the waiters of every gate share one condition
// variable: a wake-up wakes them all, and each checks its own word.
var (
	futexMu   sync.Mutex
	futexCond = sync.NewCond(&futexMu)
)

// futexWait sleeps while *addr == val, or until futexWake (a spurious
// return is possible: callers check their condition again).
func futexWait(addr *atomic.Uint32, val uint32) {
	futexMu.Lock()
	for addr.Load() == val {
		futexCond.Wait()
	}
	futexMu.Unlock()
}

// futexWake wakes the threads sleeping in futexWait.
func futexWake(*atomic.Uint32) {
	futexMu.Lock()
	futexCond.Broadcast()
	futexMu.Unlock()
}
