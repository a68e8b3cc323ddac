package stdp

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestLazyExpClosedForm checks the lazy copies against the closed form
// val·exp(−(t−t_set)·dt/τ) for values set at different ticks and read over
// many epoch moves (1.2e6 ticks at dt/τ = 0.1/16.8: about 18 rebases).
//
// The tolerance is the analysis, not a fit: each exponent x that the copy
// goes through (at set, at each rebase it lives through, at the read) is
// a product float64(ticks)·rate rounded once, so exp(x) carries a relative
// error of about |x|·2^-53 plus an ulp from math.Exp and one from each
// multiplication; the bound allows twice that. Below 1e-250 only the
// absolute 1e-290 floor of rebase is checked.
func TestLazyExpClosedForm(t *testing.T) {
	const rate = 0.1 / 16.8
	l := newLazyExp(3, rate)
	set := []snnsim.Time{0, 12345, 600001}
	val := []float64{1, 2.5, 1e-3}
	done := make([]bool, 3)
	expo := make([]float64, 3) // |exponents| the copy went through so far
	steps := make([]float64, 3)
	rebases, checked := 0, 0
	var worst float64
	for tk := snnsim.Time(0); tk <= 1_200_000; tk += 97 {
		if l.due(tk) {
			x := float64(tk-l.t0) * rate
			l.rebase(tk)
			rebases++
			for i := range expo {
				if done[i] {
					expo[i] += x
					steps[i] += 2
				}
			}
		}
		f := l.factor(tk)
		for i := range set {
			if !done[i] && tk >= set[i] {
				l.set(int32(i), val[i], tk)
				set[i], done[i] = tk, true
				expo[i], steps[i] = float64(tk-l.t0)*rate, 2
			}
			if !done[i] {
				continue
			}
			want := val[i] * math.Exp(-float64(tk-set[i])*rate)
			got := l.v[i] * f
			n := float64(tk-set[i]) * rate // the closed form's own exponent
			bound := 2 * 0x1p-53 * (expo[i] + float64(tk-l.t0)*rate + n + 2*(steps[i]+3))
			rel := math.Abs(got-want) / want
			switch {
			case want > 1e-250:
				if rel > bound {
					t.Fatalf("value %d at tick %d (set at %d): lazy %.17g, closed form %.17g: relative %.3g > bound %.3g",
						i, tk, set[i], got, want, rel, bound)
				}
				worst = max(worst, rel)
				checked++
			case math.Abs(got-want) > 1e-290+bound*want:
				t.Fatalf("value %d at tick %d: lazy %g, closed form %g: more than the 1e-290 floor apart", i, tk, got, want)
			}
		}
	}
	if rebases < 10 || checked < 1000 {
		t.Fatalf("%d rebases, %d reads checked: the test checks too little", rebases, checked)
	}
	t.Logf("%d rebases, %d reads, largest relative difference %.3g", rebases, checked, worst)
}
