package neuron

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// later presents a population d ticks later: tick t of the caller is
// tick t + d of the population.
type later struct {
	Population
	d snnsim.Time
}

func (s later) Deliver(t snnsim.Time, r Receptor, tg []int32, w []float32) {
	s.Population.Deliver(t+s.d, r, tg, w)
}
func (s later) Update(t snnsim.Time, f []int32) []int32 { return s.Population.Update(t+s.d, f) }
func (s later) SetBias(t snnsim.Time, i int, b float64) { s.Population.SetBias(t+s.d, i, b) }
func (s later) SetV(t snnsim.Time, i int, v float64)    { s.Population.SetV(t+s.d, i, v) }
func (s later) V(i int, t snnsim.Time) float64          { return s.Population.V(i, t+s.d) }

// TestShift moves every model's population, in the middle of its activity
// (neurons settled and active, refractory, with pending input, bias and
// potential changes), 10^7 ticks later and drives it with the same input
// as an unmoved copy, later by the same amount: both must fire the same
// spikes and have the same potentials at every tick, bit for bit.
func TestShift(t *testing.T) {
	var _ Shifter = (*lifDeltaPop)(nil)
	for _, m := range stateModels() {
		for _, always := range []bool{false, true} {
			t.Run(fmt.Sprintf("model=%s/shortcut=%v", m.name, !always), func(t *testing.T) {
				s := &stateScenario{p: m.p, n: 103, seed: 5, save: 7000, more: 4000, always: always, pending: pendSparse}
				a, _ := s.checkpoint(t)
				b, _ := s.checkpoint(t)
				settled, refractory, pend, _ := coverage(b)
				if (!always && settled == 0) || (stateTRef(s.p) > 0 && refractory == 0) || pend == 0 {
					t.Fatalf("at the shift: %d settled, %d refractory, %d pending operations: the test would prove little", settled, refractory, pend)
				}
				const d = 10_000_000
				sh, ok := b.(Shifter)
				if !ok {
					t.Fatalf("%T is no Shifter", b)
				}
				sh.Shift(d)
				wantS, wantV := s.runTicks(t, a, s.save+1, s.save+s.more)
				gotS, gotV := s.runTicks(t, later{b, d}, s.save+1, s.save+s.more)
				if len(wantS) < 50 {
					t.Errorf("only %d spikes after the shift", len(wantS))
				}
				if !slices.Equal(gotS, wantS) {
					t.Fatalf("later: %d spikes, unmoved %d; first difference %s", len(gotS), len(wantS), firstSpikeDiff(gotS, wantS))
				}
				if !slices.Equal(gotV, wantV) {
					for k := range gotV {
						if gotV[k] != wantV[k] {
							t.Fatalf("V of neuron %d at tick %d: later %v, unmoved %v", k%s.n, s.save+1+snnsim.Time(k/s.n),
								math.Float64frombits(gotV[k]), math.Float64frombits(wantV[k]))
						}
					}
				}
			})
		}
	}
}
