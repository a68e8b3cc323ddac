package stdp

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestWindow checks the pair rule against the analytic STDP window
// (Song, Miller & Abbott 2000): 60 pairings at 1 Hz with Δt = t_post − t_pre in
// [−100, 100] ms on the 0.1 ms grid, for every weight dependence and both
// pairing schemes. Each pairing's weight change must equal
//
//	Δt > 0:  +A+ (w_max − w)^μ+ exp(−Δt/τ+)
//	Δt < 0:  −A− (w − w_min)^μ− exp(+Δt/τ−)
//	Δt = 0:  0
//
// at the weight before that pairing, to 1e-12. Pairs 1 s apart interact
// through kernels of at most A·exp(−900 ms/33.7 ms) ≈ 3e-14, below the
// tolerance. At Δt = 0 the t−ε reads make the first pairing change nothing
// at all, in both schemes: simultaneous spikes do not pair.
func TestWindow(t *testing.T) {
	const (
		pairings = 60    // E6: 60 pairings at 1 Hz
		period   = 10000 // 1 s in ticks of 0.1 ms
		offset   = 2000  // first pairing at 200 ms, clear of tick 0
	)
	deps := []struct {
		name   string
		mp, mm float64
	}{{"additive", 0, 0}, {"multiplicative", 1, 1}, {"van_rossum", 0, 1}, {"power", 0.4, 0.7}}
	for _, dep := range deps {
		for _, pairing := range []Pairing{AllToAll, NearestSpike} {
			// Bounds [0, 2] and w0 = 1 keep 60 additive pairings (at most
			// 60·0.0105 = 0.63) inside the bounds, so no pairing is clipped.
			p := PairParams{APlus: 0.01, AMinus: 0.0105, TauPlus: 16.8, TauMinus: 33.7,
				MuPlus: dep.mp, MuMinus: dep.mm, Pairing: pairing, WMin: 0, WMax: 2}
			t.Run(fmt.Sprintf("dep=%s/pairing=%s", dep.name, pairing), func(t *testing.T) {
				// One rule; Δt = n·0.1 ms uses its own neurons i = j = n+1000,
				// so the 2001 pairs do not interact.
				r, err := NewPair[float64](p, testClock, 2001, 2001)
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for n := snnsim.Time(-1000); n <= 1000; n++ {
					dtMs := testClock.Ms(n)
					w := []float64{1}
					ij := int32(n + 1000)
					tgt, src, syn := []int32{ij}, []int32{ij}, []int32{0}
					for k := range snnsim.Time(pairings) {
						tPre := offset + k*period
						tPost := tPre + n
						before := w[0]
						if n >= 0 { // the engine's order within a tick: Pre, then Post
							r.Pre(tPre, ij, tgt, w)
							r.Post(tPost, ij, src, syn, w)
						} else {
							r.Post(tPost, ij, src, syn, w)
							r.Pre(tPre, ij, tgt, w)
						}
						var want float64
						switch {
						case n > 0:
							want = p.APlus * math.Pow(p.WMax-before, p.MuPlus) * math.Exp(-dtMs/p.TauPlus)
						case n < 0:
							want = -p.AMinus * math.Pow(before-p.WMin, p.MuMinus) * math.Exp(dtMs/p.TauMinus)
						}
						got := w[0] - before
						if n == 0 && k == 0 && got != 0 {
							t.Errorf("Δt = 0, first pairing: Δw = %g, want exactly 0 (t−ε reads)", got)
						}
						d := math.Abs(got - want)
						worst = max(worst, d)
						if !(d <= 1e-12) {
							t.Fatalf("Δt = %g ms, pairing %d: Δw = %.17g, window %.17g, diff %.3g > 1e-12", dtMs, k, got, want, d)
						}
					}
				}
				t.Logf("2001 Δt values × %d pairings: max |Δw − window| = %.3g", pairings, worst)
			})
		}
	}
}

// TestAxonalDelay checks the delay convention at the rule's interface: the
// rule sees a presynaptic spike when it arrives (emission + axonal delay)
// and a postsynaptic spike when it is emitted. With a delay of 0.8 ms, a
// post spike 0.8 ms after the pre emission coincides with the arrival and
// does not pair; 0.9 ms after it, it is a +0.1 ms pair; at the emission it
// is a −0.8 ms pair (post before arrival).
func TestAxonalDelay(t *testing.T) {
	const delay = 8 // 0.8 ms
	p := PairParams{APlus: 0.01, AMinus: 0.0105, TauPlus: 16.8, TauMinus: 33.7, Pairing: AllToAll,
		WMin: math.Inf(-1), WMax: math.Inf(1)}
	for _, tc := range []struct {
		name  string
		tPost snnsim.Time // post spike tick; the pre spike is emitted at tick 100
		want  float64
	}{
		{"post_at_arrival", 100 + delay, 0},
		{"post_one_tick_after_arrival", 100 + delay + 1, 0.01 * math.Exp(-0.1/16.8)},
		{"post_at_emission", 100, -0.0105 * math.Exp(-0.8/33.7)},
		{"post_one_tick_before_emission", 99, -0.0105 * math.Exp(-0.9/33.7)},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			pr := newProj(1, 1, 1, nil)
			tr := trains{pre: [][]snnsim.Time{{100 + delay}}, post: [][]snnsim.Time{{tc.tPost}}}
			r, err := NewPair[float64](p, testClock, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			w := []float64{0}
			drive(r, pr, tr, w, preFirst)
			if d := math.Abs(w[0] - tc.want); !(d <= 1e-15) {
				t.Errorf("Δw = %.17g, want %.17g", w[0], tc.want)
			}
		})
	}
}
