package stdp

import (
	"math"
	"unsafe"

	"github.com/snnsim/snnsim"
)

// Traces are kept per neuron and updated only at that neuron's spikes. Each
// trace stores the tick of its last update and two values at that tick: the
// value just before the update's increment ("before", the t−ε value) and the
// value after it ("after"). Reading at a later tick t decays "after" by
// exp(−(t−last)·dt/τ); reading at the tick of the last update returns
// "before", so that a spike at tick t never sees increments made at t.
//
// A new trace is at tick 0 with before = after = its initial value (0, or
// κ·τ_hom for the homeostatic trace). An update at the tick of the previous
// update (tick 0 for a fresh trace) keeps "before" and increments "after"
// again, so the first spike at tick 0 needs no special case.

// maxTable is the longest decay table, in entries (128 KiB of float64).
const maxTable = 1 << 14

// tableSpan is the shortest span of a table in time constants (e^-32 ≈
// 1.3e-14), and tableMinMs its shortest span in time: traces are read at
// random times after a neuron's last spike, up to a few interspike
// intervals, so a table covering only 32 τ of a short τ would send many
// reads in a network firing at a few Hz to math.Exp (and mispredict).
const (
	tableSpan  = 32
	tableMinMs = 2000
)

// decay gives exp(−n·dt/τ) for n ticks: from a table of math.Exp values for
// small n (so one load, bit-identical to the closed form) and from math.Exp
// beyond it.
type decay struct {
	rate float64   // dt/τ
	tab  []float64 // tab[n] = math.Exp(-float64(n)*rate)
}

// tableLen returns the table length for the time constants tau [ms] at
// resolution dt [ms]: tableSpan of the longest one or tableMinMs, whichever
// is longer, plus one, and at most maxTable+1 entries.
func tableLen(dt float64, tau ...float64) int {
	n := 2
	for _, tc := range tau {
		m := math.Ceil(max(tableSpan*tc, tableMinMs) / dt)
		if m > maxTable {
			m = maxTable
		}
		if int(m)+1 > n {
			n = int(m) + 1
		}
	}
	return n
}

// newDecay builds the decay of time constant tau [ms] at resolution dt [ms]
// with a table of n entries.
func newDecay(tau, dt float64, n int) decay {
	d := decay{rate: dt / tau, tab: make([]float64, n)}
	for i := range d.tab {
		d.tab[i] = d.exact(snnsim.Time(i))
	}
	return d
}

// exact is the closed form exp(−n·dt/τ).
func (d *decay) exact(n snnsim.Time) float64 { return math.Exp(-float64(n) * d.rate) }

// at returns exp(−n·dt/τ). A negative n means a trace was read before its
// last update: the caller broke the time order, which is a programmer error.
func (d *decay) at(n snnsim.Time) float64 {
	if uint64(n) < uint64(len(d.tab)) {
		return d.tab[n]
	}
	return d.far(n)
}

func (d *decay) far(n snnsim.Time) float64 {
	if n < 0 {
		panic("stdp: trace read before its last update (ticks must not decrease)")
	}
	return d.exact(n)
}

// hot1 is the part of one neuron's trace that a read needs: the tick of the
// last update and the value after it (16 bytes, so an entry never straddles
// cache lines).
type hot1 struct {
	last  snnsim.Time
	after float64
}

// traces1 holds one trace per neuron. The value before the last increment,
// needed only by reads at the tick of that increment, is kept apart so that
// the array the hot loops read stays small.
type traces1 struct {
	hot    []hot1
	before []float64
}

func newTraces1(n int) traces1 {
	return traces1{hot: make([]hot1, n), before: make([]float64, n)}
}

// at returns neuron i's trace at tick t (t−ε: without increments made at
// t). The common case (an update 1 .. len(table)-1 ticks ago) is one table
// load; the rest is in slow. The hot loops repeat this body by hand (Go
// does not inline it) and must stay in step with it.
func (ts *traces1) at(i int32, t snnsim.Time, d *decay) float64 {
	h := &ts.hot[i]
	n := t - h.last
	if tab := d.tab; uint64(n-1) < uint64(len(tab)-1) {
		return h.after * tab[n]
	}
	return ts.slow(i, n, d)
}

// slow is at for n = 0 (the t−ε value) and for n beyond the table.
func (ts *traces1) slow(i int32, n snnsim.Time, d *decay) float64 {
	if n == 0 {
		return ts.before[i]
	}
	return ts.hot[i].after * d.at(n)
}

// add records a spike of neuron i at tick t: +1 (all-to-all) or reset to 1
// (nearest-spike).
func (ts *traces1) add(i int32, t snnsim.Time, d *decay, reset bool) {
	h := &ts.hot[i]
	if n := t - h.last; n != 0 {
		v := h.after * d.at(n)
		h.last, h.after, ts.before[i] = t, v, v
	}
	if reset {
		h.after = 1
	} else {
		h.after++
	}
}

// potentiate is the additive potentiation loop of the pair and triplet
// rules: for each incoming synapse m of a postsynaptic neuron,
// w[syn[m]] += a·x(t−ε) of its source src[m], clipped at wMax, where x is
// the presynaptic trace pre with decay d (the lookup of traces1.at, written
// out for the hot loop). It works in blocks: the increments of a block
// first, from the presynaptic traces (in cache), then addBlock. The
// homeostatic rule has its own loop, potentiateLazy.
func potentiate[W Weight](t snnsim.Time, a, wMax float64, pre *traces1, d *decay, src, syn []int32, w []W) {
	hot, tab := pre.hot, d.tab
	var inc [potentiateBlock]float64
	for lo := 0; lo < len(src); lo += potentiateBlock {
		hi := min(lo+potentiateBlock, len(src))
		for m, i := range src[lo:hi] {
			h := &hot[i]
			var x float64
			if n := t - h.last; uint64(n-1) < uint64(len(tab)-1) {
				x = h.after * tab[n]
			} else {
				x = pre.slow(i, n, d)
			}
			inc[m] = a * x
		}
		addBlock(w, syn[lo:hi], inc[:hi-lo], wMax)
	}
}

// addBlock adds inc[q] to the weight w[syn[q]] of each synapse of a block,
// clipped at wMax, and returns the smallest new weight. The synapses'
// weights lie anywhere in the weight array, a cache miss each, so it works
// in two passes: the first only touches the weights, a sum of loads that
// depend on nothing else, so that the processor keeps many cache misses in
// flight at once; the second updates the weights, whose cache lines the
// first brought in (BenchmarkB3 measures the gain over updating each
// weight as it is loaded).
// addBlock also returns the sum of the touched weights, which no caller
// needs: returning it from a function that is never inlined keeps the
// compiler from dropping the touching loads, without a store anywhere.
//
//go:noinline
func addBlock[W Weight](w []W, syn []int32, inc []float64, wMax float64) (lowest W, touched float64) {
	inc = inc[:len(syn)]
	var touch W
	for _, k := range syn {
		touch += w[k]
	}
	lowest = W(math.Inf(1))
	for q, k := range syn {
		v := float64(w[k]) + inc[q]
		if v > wMax {
			v = wMax
		}
		nw := W(v)
		w[k] = nw
		lowest = min(lowest, nw)
	}
	return lowest, float64(touch)
}

// quarterUlp returns a quarter of the unit in the last place of b, for a
// positive, finite, normal b of type W, and 0 otherwise. If 0 ≤ inc <
// quarterUlp(b) and w ≥ b, then W(float64(w) + inc) == w: the float64 sum
// is at most a quarter unit of w above w, and rounding to W takes it back.
func quarterUlp[W Weight](b W) float64 {
	if !(b > 0) {
		return 0
	}
	if unsafe.Sizeof(b) == 4 {
		e := math.Float32bits(float32(b)) & 0x7f800000
		if e == 0 || e == 0x7f800000 {
			return 0
		}
		return float64(math.Float32frombits(e)) * 0x1p-25
	}
	e := math.Float64bits(float64(b)) & 0x7ff0000000000000
	if e == 0 || e == 0x7ff0000000000000 {
		return 0
	}
	return math.Float64frombits(e) * 0x1p-54
}

// potentiateBlock is the number of synapses potentiate and potentiateLazy
// handle per pass: the cache lines of a block's weights (16 KB) fit in the
// first-level cache.
const potentiateBlock = 256

// colBounds keeps, for a rule that owns its weights ([WeightOwner]), a lower
// bound of the weights of each target's incoming synapses, and knows that
// none of them is above w_max. low[j] = −Inf means "unknown": the next
// potentiation of j updates every synapse and sets the bound. Depression
// lowers the bound when it lowers a weight below it; potentiation only
// raises weights, so the bound stays valid. low is nil until OwnWeights.
type colBounds[W Weight] struct {
	low     []W
	skipped int64 // synapses whose update was skipped, for tests
}

// own allocates the bounds of n targets, all unknown.
func (b *colBounds[W]) own(n int) {
	b.low = make([]W, n)
	b.changed(-1)
}

// changed forgets the bound of target j, or of every target if j < 0.
func (b *colBounds[W]) changed(j int32) {
	if b.low == nil {
		return
	}
	if j >= 0 {
		b.low[j] = W(math.Inf(-1))
		return
	}
	for k := range b.low {
		b.low[k] = W(math.Inf(-1))
	}
}

// of returns a pointer to target j's bound, or nil if the rule does not own
// its weights.
func (b *colBounds[W]) of(j int32) *W {
	if b.low == nil {
		return nil
	}
	return &b.low[j]
}
