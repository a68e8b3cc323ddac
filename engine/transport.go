package engine

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/snnsim/snnsim"
)

// transport is everything the workers of a partitioned run communicate:
// the spikes of each epoch with a small summary of each worker's state
// (partState) and, for populations whose neurons can leave the active
// set, one vote per tick. A run over MPI ranks implements it with an
// allgather of the epoch's spikes and summaries and an allreduce of the
// votes; the engine does not change. Once the run has failed
// (fence.trip), exchange and vote panic with errAborted instead of waiting
// for the failed worker.
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
// first, when every worker can have a processor of its own, since then the
// others are microseconds away and a wake-up costs more than that (in a
// virtual machine, waking a thread on an idle virtual processor costs tens
// of microseconds); past a time budget it sleeps on the counter's futex
// until the counter moves. The sleep is a futex wait in the worker's own
// OS thread (workers keep theirs), so the waker wakes that thread directly
// rather than the Go scheduler handing the goroutine from thread to
// thread.
//
// The budget follows the waits, up to spinMax, about what a wake-up
// costs (spinning longer than a wake-up costs is not worth it: a spin
// cut short at that length costs at most twice the best choice). In a
// virtual machine a wake-up is not the futex call alone: an idle virtual
// processor has been halted, and the hypervisor must schedule it again,
// so the wake-up that ends a sleeping wait comes hundreds of
// microseconds late, longer than the imbalance of a plastic network's
// epochs (the post-spike work falls on the workers that own the neurons
// that fire), which a spin of that length absorbs. A wait
// that slept and still ended within spinMax would have ended in a spin of
// twice its length, which costs no wake-up: after shortRun such waits in
// a row (on a loaded machine short and long waits alternate, and there
// spinning costs more than it saves) the budget grows to that. A wait
// that slept longer (the partner's processor was taken away by the
// operating system or the hypervisor, or the machine has fewer free
// processors than workers) halves it, down to spinMin, so that spinning
// does not take the processor from the workers it waits for (a thread
// that spins also loses its share of a loaded processor to the others).
// Halving alone, as an adaptive mutex does, is a trap: once both sides
// sleep, every wait costs a wake-up and so outlasts a small budget, which
// then never grows back.
type gate struct {
	v        atomic.Int64
	seq      atomic.Uint32 // the futex word: moves with every change of v
	sleepers atomic.Int32
	budget   atomic.Int64 // spin time [ns]
	short    atomic.Int32 // waits in a row that slept and ended within spinMax
	spin     bool         // every worker can run at once: spinning can help
	f        *fence       // the run's failure flag
	_        [64]byte     // keeps the next gate's counter off this one's cache line
}

const (
	shortRun = 4
	spinMin  = int64(2 * time.Microsecond)
	spinMax  = int64(500 * time.Microsecond)
)

// fence is the failure flag of a parallel run: when one worker panics,
// every wait of the others on the run's gates, pending or later, panics
// with errAborted, so that they leave instead of waiting for it.
type fence struct {
	failed atomic.Bool
	gates  []*gate
}

// errAborted is the panic of a wait on a gate of a run that failed.
var errAborted = abortedError{}

type abortedError struct{}

func (abortedError) Error() string { return "engine: another worker of the run failed" }

// trip marks the run failed and wakes every sleeping waiter.
func (f *fence) trip() {
	f.failed.Store(true)
	for _, g := range f.gates {
		g.seq.Add(1)
		if g.sleepers.Load() > 0 {
			futexWake(&g.seq)
		}
	}
}

// newGate returns a gate of the run with failure flag f, for n workers.
func (f *fence) newGate(n int) *gate {
	g := &gate{spin: n > 1 && runtime.GOMAXPROCS(0) >= n, f: f}
	g.budget.Store(spinMax)
	f.gates = append(f.gates, g)
	return g
}

// add adds d to the counter and wakes the sleeping waiters.
func (g *gate) add(d int64) int64 {
	v := g.v.Add(d)
	g.seq.Add(1)
	if g.sleepers.Load() > 0 {
		futexWake(&g.seq)
	}
	return v
}

// set stores v (which must not be smaller than the counter) and wakes the
// sleeping waiters.
func (g *gate) set(v int64) {
	g.v.Store(v)
	g.seq.Add(1)
	if g.sleepers.Load() > 0 {
		futexWake(&g.seq)
	}
}

// wait returns when the counter is at least want. It panics with
// errAborted when the run has failed.
func (g *gate) wait(want int64) {
	if g.v.Load() >= want {
		return
	}
	var start time.Time
	if g.spin {
		start = time.Now()
		budget := time.Duration(g.budget.Load())
		// No PAUSE in the loop: virtual machines that trap it (pause-loop
		// exiting) make each one cost a trip to the hypervisor.
		for k := 1; ; k++ {
			if g.v.Load() >= want {
				return
			}
			if k&511 == 0 { // a clock reading costs as much as hundreds of loads
				if g.f.failed.Load() {
					panic(errAborted)
				}
				if time.Since(start) > budget {
					break
				}
			}
		}
		defer func() { g.adapt(int64(time.Since(start))) }()
	}
	// The waiter counts itself before it reads the futex word and the
	// counter, and a waker changes both before it reads the count of
	// sleepers (all sequentially consistent): either the waker sees the
	// sleeper and wakes it, or the sleeper sees the new value (the futex
	// wait returns at once when the word has moved).
	g.sleepers.Add(1)
	defer g.sleepers.Add(-1)
	for {
		s := g.seq.Load()
		if g.v.Load() >= want {
			return
		}
		if g.f.failed.Load() {
			panic(errAborted)
		}
		futexWait(&g.seq, s)
	}
}

// adapt sets the spin budget after a wait of w ns that slept.
func (g *gate) adapt(w int64) {
	if w < spinMax {
		if g.short.Add(1) >= shortRun {
			g.budget.Store(min(spinMax, max(g.budget.Load(), 2*w)))
		}
	} else {
		g.short.Store(0)
		g.budget.Store(max(spinMin, g.budget.Load()/2))
	}
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

func newLocalTransport(n, pops int, f *fence) *localTransport {
	tr := &localTransport{n: n, arrived: f.newGate(n), rounds: make([]int64, n*8)}
	for w := 0; w < n; w++ {
		tr.votes = append(tr.votes, f.newGate(n))
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
