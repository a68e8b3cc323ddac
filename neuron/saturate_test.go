package neuron

import (
	"fmt"
	"github.com/snnsim/snnsim/checkpoint"
	"testing"

	"github.com/snnsim/snnsim"
)

// saturate builds n neurons of model p driven by a bias of 100 nA, far above
// rheobase for every model, so that each fires as soon as its refractory
// period ends: once every R+1 ticks.
func saturate(t testing.TB, p Params, n int) Population {
	pop, err := p.New(n, snnsim.Clock{DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		pop.SetBias(0, i, 1e5)
	}
	return pop
}

// TestRefractoryListSaturated checks the size of the refractory list of a
// population firing at its maximum rate 1/(t_ref + dt): each neuron is in
// the list at most once, and only while it is clamped. The list must not
// grow with the number of spikes, whatever the run length, and neither may
// the population's checkpoint.
func TestRefractoryListSaturated(t *testing.T) {
	const n, ticks = 16, 20000
	for _, p := range refractoryModels() {
		t.Run(fmt.Sprintf("model=%s", p.Model()), func(t *testing.T) {
			pop := saturate(t, p, n)
			b := popBase(pop)
			R := int(b.rTick)
			fired := make([]int32, 0, n)
			spikes := 0
			count := make([]int, n)
			var midState int
			for tick := snnsim.Time(1); tick <= ticks; tick++ {
				fired = pop.Update(tick, fired[:0])
				spikes += len(fired)
				if tick == ticks/2 {
					midState = len(pop.(checkpoint.Stater).AppendState(nil))
				}
				clear(count)
				for _, j := range b.refr {
					count[j]++
					if count[j] > 1 {
						t.Fatalf("tick %d: neuron %d is %d times in the refractory list", tick, j, count[j])
					}
				}
				if len(b.refr) > n {
					t.Fatalf("tick %d: refractory list has %d entries for %d neurons", tick, len(b.refr), n)
				}
			}
			// Saturation: a neuron firing first at tick s then every R+1
			// ticks fires 1 + (ticks-s)/(R+1) times in ticks 1..ticks.
			most := n * (1 + (ticks-1)/(R+1))
			if spikes < most-n || spikes > most {
				t.Errorf("%d spikes in %d ticks, want %d to %d (one per R+1 = %d ticks per neuron)", spikes, ticks, most-n, most, R+1)
			}
			if end := len(pop.(checkpoint.Stater).AppendState(nil)); end != midState {
				t.Errorf("state is %d bytes after %d ticks, %d bytes after %d", midState, ticks/2, end, ticks)
			}
			if len(b.refr) != n {
				t.Errorf("refractory list holds %d entries at the end, want %d (every neuron clamped)", len(b.refr), n)
			}
		})
	}
}

// BenchmarkSaturated runs a population of lif_exp_cond neurons firing at
// their maximum rate (see saturate) for 10 to 80 s of simulated time. The
// cost per simulated second (ns/sim-s) must not depend on the run length:
// the refractory list stays at one entry per clamped neuron.
//
//	go test ./neuron/ -run '^$' -bench Saturated -benchtime 3x
func BenchmarkSaturated(b *testing.B) {
	const n = 100
	for _, sec := range []int{10, 20, 40, 80} {
		b.Run(fmt.Sprintf("sim=%ds", sec), func(b *testing.B) {
			ticks := snnsim.Time(sec) * 10000 // dt = 0.1 ms
			fired := make([]int32, 0, n)
			for b.Loop() {
				pop := saturate(b, DefaultLIFCond(), n)
				for tick := snnsim.Time(1); tick <= ticks; tick++ {
					fired = pop.Update(tick, fired[:0])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sec), "ns/sim-s")
		})
	}
}

// TestMaxRate checks MaxRate against 1/((R+1) dt) with R = ceil(t_ref/dt)
// ticks, the shortest interspike interval of the refractory convention.
func TestMaxRate(t *testing.T) {
	clock := snnsim.Clock{DT: 0.1}
	cond := DefaultLIFCond()
	cond.TRef = 2
	delta := DefaultLIFDelta()
	delta.TRef = 0.05 // off the grid: rounded up to one tick
	adex := DefaultAdEx()
	adex.TRef = 0
	for _, tc := range []struct {
		p    Params
		want float64
	}{
		{cond, 1000 / 2.1},
		{&cond, 1000 / 2.1},
		{delta, 1000 / 0.2},
		{adex, 1000 / 0.1},
		{nil, 0},
	} {
		got := MaxRate(tc.p, clock)
		if d := got - tc.want; d < -1e-9 || d > 1e-9 {
			t.Errorf("MaxRate(%T) = %.12g Hz, want %.12g", tc.p, got, tc.want)
		}
	}
}
