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
// The result equals the closed form value·e^{−n·rate} to a relative 1e-13
// (the exponent's rounding at |t−t0|·rate up to rebaseAt).
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

// potentiateLazy is potentiate for presynaptic traces held in a lazyExp:
// x_i(t−ε) = xs[i]·c/a, so the increment of synapse m is c·xs[src[m]], with
// c = a·factor(t). Everything else (skipping increments below the rounding
// of the column's bound, the touch pass, clipping at wMax, setting *low
// after a full pass) is as in potentiate.
//
//go:noinline
func potentiateLazy[W Weight](c, wMax float64, xs []float64, src, syn []int32, w []W, low *W) (touched float64, skipped int) {
	var thr float64
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
		blkSyn := syn[lo:hi]
		nk := 0
		for m, i := range src[lo:hi] {
			v := c * xs[i]
			inc[nk], keep[nk] = v, blkSyn[m]
			if v >= thr {
				nk++
			}
		}
		if nk < len(blkSyn) {
			full = false
			skipped += len(blkSyn) - nk
		}
		var touch W
		for _, k := range keep[:nk] {
			touch += w[k]
		}
		touched += float64(touch)
		for q, k := range keep[:nk] {
			v := float64(w[k]) + inc[q]
			if v > wMax {
				v = wMax
			}
			nw := W(v)
			w[k] = nw
			lowest = min(lowest, nw)
		}
	}
	if low != nil && full {
		*low = lowest
	}
	return touched, skipped
}
