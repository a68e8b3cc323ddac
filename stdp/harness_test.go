package stdp

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/snnsim/snnsim"
)

// proj is a small projection in compressed sparse rows, with the transposed
// index, as the engine holds it.
type proj struct {
	nPre, nPost int
	rowStart    []int     // synapses of source i: rowStart[i] .. rowStart[i+1]-1
	tgt         []int32   // target of each synapse
	colSrc      [][]int32 // per target: sources of its incoming synapses
	colSyn      [][]int32 // per target: indices of its incoming synapses
}

// newProj connects each (i, j) with probability p (all pairs for p >= 1).
func newProj(nPre, nPost int, p float64, rng *rand.Rand) *proj {
	pr := &proj{nPre: nPre, nPost: nPost, rowStart: []int{0},
		colSrc: make([][]int32, nPost), colSyn: make([][]int32, nPost)}
	for i := range nPre {
		for j := range nPost {
			if p >= 1 || rng.Float64() < p {
				pr.colSrc[j] = append(pr.colSrc[j], int32(i))
				pr.colSyn[j] = append(pr.colSyn[j], int32(len(pr.tgt)))
				pr.tgt = append(pr.tgt, int32(j))
			}
		}
		pr.rowStart = append(pr.rowStart, len(pr.tgt))
	}
	return pr
}

// source returns the source of synapse k.
func (pr *proj) source(k int) int {
	i, _ := slices.BinarySearch(pr.rowStart, k+1)
	return i - 1
}

// trains holds presynaptic ARRIVAL ticks per source and postsynaptic spike
// ticks per target, each sorted without repeats.
type trains struct {
	pre, post [][]snnsim.Time
}

// order says which call runs first when arrivals and post spikes share a tick.
type order int

const (
	preFirst  order = iota // the engine's order
	postFirst              // the reverse, for TestSameTickOrder
)

// drive runs rule r over the trains, calling Pre for each source arriving at
// a tick and Post for each target firing at it, in the given order.
func drive[W Weight](r Rule[W], pr *proj, tr trains, w []W, ord order) {
	apply(r, pr, events(tr, ord), w)
}

// event is one call of a rule: Pre for source n (post false) or Post for
// target n at tick t.
type event struct {
	t    snnsim.Time
	post bool
	n    int32
}

// events lists the calls for the trains in the engine's order: by tick,
// then (in order ord) arrivals and post spikes, then by neuron.
func events(tr trains, ord order) []event {
	var evs []event
	for i, s := range tr.pre {
		for _, t := range s {
			evs = append(evs, event{t, false, int32(i)})
		}
	}
	for j, s := range tr.post {
		for _, t := range s {
			evs = append(evs, event{t, true, int32(j)})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		pa, pb := a.post == (ord == postFirst), b.post == (ord == postFirst)
		switch {
		case pa && !pb:
			return -1
		case !pa && pb:
			return 1
		}
		return int(a.n - b.n)
	})
	return evs
}

// apply makes the calls evs on r.
func apply[W Weight](r Rule[W], pr *proj, evs []event, w []W) {
	for _, e := range evs {
		if e.post {
			r.Post(e.t, e.n, pr.colSrc[e.n], pr.colSyn[e.n], w)
		} else {
			a, b := pr.rowStart[e.n], pr.rowStart[e.n+1]
			r.Pre(e.t, e.n, pr.tgt[a:b], w[a:b])
		}
	}
}

// poissonTicks draws a Poisson train of rate hz on the tick grid (one
// Bernoulli trial of probability hz·dt per tick, via geometric gaps) in
// [start, end).
func poissonTicks(rng *rand.Rand, hz, dtMs float64, start, end snnsim.Time) []snnsim.Time {
	var out []snnsim.Time
	if hz <= 0 {
		return out
	}
	p := hz * dtMs / 1000
	t := start - 1
	for {
		t += geometric(rng, p)
		if t >= end {
			return out
		}
		out = append(out, t)
	}
}

// geometric returns the number of Bernoulli(p) trials up to and including
// the first success (>= 1).
func geometric(rng *rand.Rand, p float64) snnsim.Time {
	if p >= 1 {
		return 1
	}
	// Inverse transform: P(G > k) = (1-p)^k.
	u := 1 - rng.Float64() // (0, 1]
	return snnsim.Time(math.Floor(math.Log(u)/math.Log1p(-p))) + 1
}
