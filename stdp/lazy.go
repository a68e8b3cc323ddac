package stdp

import (
	"math"

	"github.com/snnsim/snnsim"
)

// lazyExp holds one exponentially decaying value per neuron in a form that
// does not change between the neuron's spikes: v[i] = value_i(t)·e^{(t−t0)·rate}
// for any tick t after its last change, where t0 is a common epoch. Reading
// all values at tick t then costs one multiplication each by the common
// factor e^{−(t−t0)·rate}, with no per-neuron tick, no table and no
// exponential: the hot loops read 8 bytes per neuron from a dense array.
// The factors grow with t−t0, so rebase moves the epoch forward from time
// to time; values that fall below 1e-290 there become 0 (subnormal numbers
// are slow, and such a trace contributes nothing a float64 weight can hold).
//
// A read differs from the closed form value·e^{−n·rate} only by the
// rounding of the exponents it went through (each up to rebaseAt): a
// relative 2^-53 times their sum, under 2e-13 (TestLazyExpClosedForm).
type lazyExp struct {
	rate float64     // decay per tick: dt/τ
	t0   snnsim.Time // epoch
	v    []float64
}

// rebaseAt is the exponent (t−t0)·rate at which the epoch moves: e^{±400}
// keeps every stored value and factor far from overflow.
const rebaseAt = 400

func newLazyExp(n int, rate float64) lazyExp { return lazyExp{rate: rate, v: make([]float64, n)} }

// set makes neuron i's value val at tick t.
func (l *lazyExp) set(i int32, val float64, t snnsim.Time) {
	l.v[i] = val * math.Exp(float64(t-l.t0)*l.rate)
}

// factor returns e^{−(t−t0)·rate}: value_i(t) = v[i]·factor(t).
func (l *lazyExp) factor(t snnsim.Time) float64 { return math.Exp(-float64(t-l.t0) * l.rate) }

// due reports whether the epoch should move forward to t.
func (l *lazyExp) due(t snnsim.Time) bool { return float64(t-l.t0)*l.rate > rebaseAt }

// advance moves the epoch forward, while it is due at t, in steps of the
// fixed number of ticks after which it falls due. The epochs are then a
// function of the rate alone, not of the ticks at which the rule happens
// to be called, so that the parts of a projection split among workers
// (each called at the spikes of its own targets) hold the same values, bit
// for bit, as the whole projection.
func (l *lazyExp) advance(t snnsim.Time) {
	step := snnsim.Time(rebaseAt/l.rate) + 1 // the first whole tick past rebaseAt
	for l.due(t) {
		l.rebase(l.t0 + step)
	}
}

// rebase moves the epoch to t.
func (l *lazyExp) rebase(t snnsim.Time) {
	f := l.factor(t)
	for i, x := range l.v {
		x *= f
		if x < 1e-290 {
			x = 0
		}
		l.v[i] = x
	}
	l.t0 = t
}

// potentiateLazy is the potentiation loop of the homeostatic rule, whose
// presynaptic traces are held in a lazyExp: x_i(t−ε)·a = c·xs[i], with
// c = a·factor(t), so the increment of synapse m is c·xs[src[m]]. It works
// in blocks like potentiate, and hands addBlock only the synapses whose
// increment can change their weight.
//
// low, when not nil, is a lower bound of every weight in the column (see
// colBounds): an increment below a quarter of the unit in the last place of
// that bound rounds back to the old weight, so potentiateLazy skips it
// without loading the weight, which is the costly part. In B3 about half of
// the sources have not spiked for a few hundred milliseconds, and their
// increments vanish in the rounding. The weights are the same, bit for bit,
// as with low == nil. When nothing is skipped, *low becomes the minimum of
// the column's new weights. It returns the number of skipped synapses.
func potentiateLazy[W Weight](c, wMax float64, xs []float64, src, syn []int32, w []W, low *W) (skipped int) {
	var thr float64 // increments below thr leave the weight as it is
	if low != nil {
		thr = quarterUlp(*low)
	}
	var (
		inc  [potentiateBlock]float64
		keep [potentiateBlock]int32
	)
	full, lowest := true, W(math.Inf(1))
	for lo := 0; lo < len(src); lo += potentiateBlock {
		hi := min(lo+potentiateBlock, len(src))
		nk := keepLarge(c, thr, xs, src[lo:hi], syn[lo:hi], inc[:], keep[:])
		if nk < hi-lo {
			full = false
			skipped += hi - lo - nk
		}
		lw, _ := addBlock(w, keep[:nk], inc[:nk], wMax)
		lowest = min(lowest, lw)
	}
	if low != nil && full {
		*low = lowest
	}
	return skipped
}

// keepLarge writes to the front of inc and keep the increments
// c·xs[src[m]] that are at least thr and their synapses syn[m], and returns
// how many it kept. It is a function of its own, never inlined, so that the
// compiler keeps its loop in registers.
//
//go:noinline
func keepLarge(c, thr float64, xs []float64, src, syn []int32, inc []float64, keep []int32) int {
	syn, inc, keep = syn[:len(src)], inc[:len(src)], keep[:len(src)]
	nk := 0
	for m, i := range src {
		v := c * xs[i]
		inc[nk], keep[nk] = v, syn[m]
		if v >= thr {
			nk++
		}
	}
	return nk
}
