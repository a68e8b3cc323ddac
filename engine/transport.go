package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snnsim/snnsim"
)

// transport is everything the workers of a partitioned run communicate:
// the spikes of each epoch with a small summary of each worker's state
// (partState) and, for populations whose neurons can leave the active
// set, one vote per tick. A run over MPI ranks implements it with an
// allgather of the epoch's spikes and summaries and an allreduce of the
// votes; the engine does not change.
type transport interface {
	// exchange publishes worker w's spikes and state summary of the
	// epoch (already written to its buffers) and returns when every
	// worker's are.
	exchange(w int)
	// vote combines the flags of worker w for tick t with every other
	// worker's: bit 0 is ANDed (every neuron active), bit 1 ORed (some
	// neuron active).
	vote(w int, t snnsim.Time, mine []uint8) []uint8
}

// gate is a counter that goroutines wait to reach a value. A waiter spins
// first, since on dedicated cores the other workers are microseconds
// away and a wake-up through the scheduler costs more than that; past a
// time budget it sleeps until the counter moves, so that more workers than
// free cores (a loaded machine, a sweep running several points, a test
// with many workers) cost little processor time while they wait. The
// budget adapts as an adaptive mutex's does: a wait that has to sleep
// halves it (down to spinMin: the other workers are not running, so
// spinning only takes their processor), a wait that spins through raises
// it by an eighth (up to spinMax, on an idle machine).
type gate struct {
	v        atomic.Int64
	sleepers atomic.Int32
	budget   atomic.Int64 // spin time [ns]
	spin     bool         // more than one processor: spinning can help
	mu       sync.Mutex
	cond     *sync.Cond
	_        [64]byte // keeps the next gate's counter off this one's cache line
}

const (
	spinMin = int64(2 * time.Microsecond)
	spinMax = int64(500 * time.Microsecond)
)

func newGate() *gate {
	g := &gate{spin: runtime.GOMAXPROCS(0) > 1}
	g.cond = sync.NewCond(&g.mu)
	g.budget.Store(spinMax)
	return g
}

// add adds d to the counter and wakes the sleeping waiters.
func (g *gate) add(d int64) int64 {
	v := g.v.Add(d)
	if g.sleepers.Load() > 0 {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	}
	return v
}

// set stores v (which must not be smaller than the counter) and wakes the
// sleeping waiters.
func (g *gate) set(v int64) {
	g.v.Store(v)
	if g.sleepers.Load() > 0 {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	}
}

// wait returns when the counter is at least want.
func (g *gate) wait(want int64) {
	if g.v.Load() >= want {
		return
	}
	if g.spin {
		budget := g.budget.Load()
		start := time.Now()
		for k := 1; ; k++ {
			if g.v.Load() >= want {
				g.budget.Store(min(spinMax, budget+budget/8+spinMin))
				return
			}
			if k&63 == 0 && int64(time.Since(start)) > budget {
				break
			}
		}
		g.budget.Store(max(spinMin, budget/2))
	}
	g.mu.Lock()
	g.sleepers.Add(1)
	for g.v.Load() < want {
		g.cond.Wait()
	}
	g.sleepers.Add(-1)
	g.mu.Unlock()
}

// localTransport is the transport of workers that share memory: a barrier
// per epoch and a gate per worker for the votes.
type localTransport struct {
	n       int
	arrived *gate
	rounds  []int64      // per worker w, at w*8 (its own cache line): its calls of exchange, then of vote
	votes   []*gate      // per worker: the number of its votes
	bits    [][2][]uint8 // per worker, by parity of the vote's number: its flags
	res     [][]uint8    // per worker: its result
}

func newLocalTransport(n, pops int) *localTransport {
	tr := &localTransport{n: n, arrived: newGate(), rounds: make([]int64, n*8)}
	for w := 0; w < n; w++ {
		tr.votes = append(tr.votes, newGate())
		tr.bits = append(tr.bits, [2][]uint8{make([]uint8, pops), make([]uint8, pops)})
		tr.res = append(tr.res, make([]uint8, pops))
	}
	return tr
}

func (tr *localTransport) exchange(w int) {
	tr.rounds[w*8]++
	tr.arrived.add(1)
	tr.arrived.wait(tr.rounds[w*8] * int64(tr.n))
}

// vote numbers the votes: every worker votes at the same ticks, so the
// k-th vote of each is the same tick's, and a worker writes its flags of
// vote k+2 only after every other has voted k+1, that is after it has
// read the flags of vote k.
func (tr *localTransport) vote(w int, t snnsim.Time, mine []uint8) []uint8 {
	tr.rounds[w*8+1]++
	k := tr.rounds[w*8+1]
	copy(tr.bits[w][k&1], mine)
	tr.votes[w].set(k)
	res := tr.res[w][:len(mine)]
	copy(res, mine)
	for v := range tr.votes {
		if v == w {
			continue
		}
		tr.votes[v].wait(k)
		for i, b := range tr.bits[v][k&1][:len(mine)] {
			res[i] = (res[i] & (b | 2)) | (b & 2)
		}
	}
	return res
}
