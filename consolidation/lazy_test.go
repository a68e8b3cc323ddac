package consolidation

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestBennaFusiCurrentWeight checks LazyDelivery for benna_fusi: after a
// charge Δ into u_1 at tick 0 the delivery array keeps Unit·(base + Δ)
// until the synapse's next arrival, while u_1 decays as the chain's
// impulse response (Benna & Fusi 2016; BennaFusiImpulse). CurrentWeight
// at tick t must be Unit·(base + Δ·u_1(t)), the weight Pre writes for an
// arrival at t, bit for bit, and reading it must leave the delivery array
// and the state as they were.
func TestBennaFusiCurrentWeight(t *testing.T) {
	p := DefaultBennaFusi()
	p.Base, p.Delta = 2, 0.5
	for _, c := range []struct {
		unit  float32
		units float64 // time units after the charge
	}{
		{1, 0.5}, {1, 10}, {3, 1}, {3, 1000}, {0.25, 1e5},
	} {
		t.Run(fmt.Sprintf("unit%g/%gunits", c.unit, c.units), func(t *testing.T) {
			l := mkLayout(2, 1, 1) // 1000 ticks per time unit
			l.Unit[0], l.Unit[1] = c.unit, c.unit
			tk := snnsim.Time(c.units * p.TimeUnit)
			imp, err := BennaFusiImpulse(p, []float64{c.units})
			if err != nil {
				t.Fatal(err)
			}
			read := mustNew(t, &p, l)
			lazy, ok := read.(LazyDelivery)
			if !ok {
				t.Fatal("benna_fusi is not LazyDelivery")
			}
			w := make([]float32, 2)
			read.Bind(w)
			read.Signal(0, 0, 1)
			read.Signal(0, 1, 1)
			cache := w[0]
			read.Advance(tk)
			got := []float32{lazy.CurrentWeight(0, tk), lazy.CurrentWeight(1, tk)}

			arrival := mustNew(t, &p, l)
			sent := make([]float32, 2)
			arrival.Bind(sent)
			arrival.Signal(0, 0, 1)
			arrival.Signal(0, 1, 1)
			arrival.Pre(tk, 0, 0, 2)

			want := float64(c.unit) * (p.Base + p.Delta*imp[0])
			t.Logf("current %.7g, transmitted %.7g, Unit·(base + Δ u_1) %.7g, delivery array %.7g", got[0], sent[0], want, cache)
			if got[0] != sent[0] || got[1] != sent[1] {
				t.Errorf("CurrentWeight %v; Pre writes %v", got, sent)
			}
			if math.Abs(float64(got[0])-want) > 1e-6*want {
				t.Errorf("CurrentWeight %.9g, Unit·(base + Δ u_1(%g)) = %.9g", got[0], c.units, want)
			}
			if w[0] != cache || w[1] != cache {
				t.Errorf("reading changed the delivery array to %v (was %g)", w, cache)
			}
			if u := read.Get(1, 0); math.Abs(u-p.Delta*imp[0]) > 1e-9 {
				t.Errorf("after the read u_1 = %.12g, want %.12g", u, p.Delta*imp[0])
			}
		})
	}
}

// TestLT2021CurrentWeight checks LazyDelivery for
// luboeinski_tetzlaff_2021 (Luboeinski & Tetzlaff 2021) on one synapse
// without noise, with each late phase and both switchings: a train of
// presynaptic spikes drives h up (c above θ_p), and then, at ticks while
// c is still above a threshold, while the synapse is quiet and tagged, and
// after it has relaxed, CurrentWeight must be the weight that Pre writes
// for an arrival at that tick plus the grid lag (the step ending at the
// read tick included), bit for bit, and reading must change neither the
// delivery array nor what a later arrival transmits.
func TestLT2021CurrentWeight(t *testing.T) {
	for _, late := range lateNames {
		for _, sw := range []string{"exact", "grid"} {
			for _, ms := range []float64{95, 160, 3000, 600e3} {
				t.Run(fmt.Sprintf("%s/%s/%gms", late, sw, ms), func(t *testing.T) {
					p := LT2021SingleSynapse()
					p.SigmaPl, p.Switching, p.Late = 0, sw, late
					l := mkLayout(1, 0.2, 1)
					lag := snnsim.Time(0)
					if sw == "grid" {
						lag = 1
					}
					tk := snnsim.Time(ms / 0.2)
					build := func() Model {
						m, err := New(&p, l)
						if err != nil {
							t.Fatal(err)
						}
						return m
					}
					drive := func(m Model) { // the events before the read
						for k := range 10 { // 100 Hz from 10 ms
							if pre := snnsim.Time(50 + 50*k); pre < tk {
								m.Pre(pre, 0, 0, 1)
							}
							if post := snnsim.Time(60 + 50*k); post < tk {
								m.Post(post, 0)
							}
						}
					}
					read := build()
					w := make([]float32, 1)
					read.Bind(w)
					drive(read)
					read.Advance(tk)
					cache := w[0]
					got := read.(LazyDelivery).CurrentWeight(0, tk)

					arrival := build()
					sent := make([]float32, 1)
					arrival.Bind(sent)
					drive(arrival)
					arrival.Pre(tk+lag, 0, 0, 1)
					t.Logf("current %.7g, transmitted %.7g, delivery array %.7g", got, sent[0], cache)
					if got != sent[0] {
						t.Errorf("CurrentWeight %.9g; Pre at tick %d writes %.9g (delivery array %.9g)", got, tk+lag, sent[0], cache)
					}
					if w[0] != cache {
						t.Errorf("reading changed the delivery array from %g to %g", cache, w[0])
					}
					// Nor the state: an arrival after the read transmits
					// what it transmits without the read.
					read.Pre(tk+lag, 0, 0, 1)
					if w[0] != sent[0] {
						t.Errorf("after the read an arrival at tick %d transmits %.9g, without it %.9g", tk+lag, w[0], sent[0])
					}
				})
			}
		}
	}
}
