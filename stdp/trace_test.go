package stdp

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestDecayTable checks that the decay factors equal the closed form
// math.Exp(−n·(dt/τ)) bit for bit, inside the table and beyond it (so the
// table changes no result), that this agrees with exp(−n·dt/τ) evaluated
// the other way round to rounding (relative 1e-15 per e-fold), and that the
// table spans the longer of 32 τ and 2 s, up to its cap.
func TestDecayTable(t *testing.T) {
	for _, tc := range []struct {
		tau, dt float64
		n       int
	}{
		{16.8, 0.1, maxTable + 1}, // 2 s = 20000 ticks, capped
		{114, 0.1, maxTable + 1},
		{10e3, 0.1, maxTable + 1},
		{20, 1, 2001},  // 2 s > 32 τ = 640 ms
		{100, 1, 3201}, // 32 τ = 3.2 s > 2 s
		{16.8, 0.5, 4001},
	} {
		n := tableLen(tc.dt, tc.tau)
		if n != tc.n {
			t.Errorf("tau %g ms at %g ms: table length %d, want %d", tc.tau, tc.dt, n, tc.n)
		}
		d := newDecay(tc.tau, tc.dt, n)
		rate := tc.dt / tc.tau
		for k := range snnsim.Time(n + 100) {
			if got, want := d.at(k), math.Exp(-float64(k)*rate); got != want {
				t.Fatalf("tau %g ms: decay over %d ticks = %.17g, want exactly %.17g", tc.tau, k, got, want)
			}
		}
		for _, k := range []snnsim.Time{0, 1, 2, 17, snnsim.Time(n - 1), snnsim.Time(n), snnsim.Time(n + 1), 3 * snnsim.Time(n), 1 << 20} {
			x := float64(k) * tc.dt / tc.tau
			want := math.Exp(-x)
			if got := d.at(k); math.Abs(got-want) > 1e-15*max(1, x)*want {
				t.Errorf("tau %g ms: decay over %d ticks = %.17g, want %.17g", tc.tau, k, got, want)
			}
		}
	}
}

// TestTraceEpsilon checks the t−ε reads of a single trace, all-to-all and
// nearest-spike, against values worked out by hand: a read at the tick of
// an increment sees the value before it.
func TestTraceEpsilon(t *testing.T) {
	const dt, tau = 0.1, 20.0
	d := newDecay(tau, dt, tableLen(dt, tau))
	e := func(ticks float64) float64 { return math.Exp(-ticks * dt / tau) }
	for _, tc := range []struct {
		name  string
		reset bool
		want  [5]float64 // reads at ticks 0, 10, 10 (after the spike at 10), 30, 30 (after)
	}{
		// spikes at ticks 0, 10 and 30
		{"all_to_all", false, [5]float64{0, e(10), e(10), (e(10) + 1) * e(20), (e(10) + 1) * e(20)}},
		{"nearest_spike", true, [5]float64{0, e(10), e(10), e(20), e(20)}},
	} {
		t.Run("pairing="+tc.name, func(t *testing.T) {
			s := newTraces1(2) // neuron 1 is read; neuron 0 stays at 0
			var got [5]float64
			got[0] = s.at(1, 0, &d)
			s.add(1, 0, &d, tc.reset)
			got[1] = s.at(1, 10, &d)
			s.add(1, 10, &d, tc.reset)
			got[2] = s.at(1, 10, &d)
			got[3] = s.at(1, 30, &d)
			s.add(1, 30, &d, tc.reset)
			got[4] = s.at(1, 30, &d)
			if v := s.at(0, 30, &d); v != 0 {
				t.Errorf("neuron 0, never spiking, reads %g", v)
			}
			for k := range got {
				if math.Abs(got[k]-tc.want[k]) > 1e-15 {
					t.Errorf("read %d: %.17g, want %.17g", k, got[k], tc.want[k])
				}
			}
			// After the last spike the trace is 1 + the t−ε value (all-to-all) or 1.
			after := s.at(1, 31, &d) / e(1)
			wantAfter := 1.0
			if !tc.reset {
				wantAfter += tc.want[4]
			}
			if math.Abs(after-wantAfter) > 1e-15 {
				t.Errorf("value after the spike at 30: %.17g, want %.17g", after, wantAfter)
			}
		})
	}
}

// TestTraceBackwardsPanics checks that reading a trace before its last
// update (a broken time order in the caller) panics instead of returning a
// grown value.
func TestTraceBackwardsPanics(t *testing.T) {
	d := newDecay(20, 0.1, tableLen(0.1, 20))
	s := newTraces1(1)
	s.add(0, 100, &d, false)
	defer func() {
		if recover() == nil {
			t.Error("reading at tick 99 after an update at 100 did not panic")
		}
	}()
	s.at(0, 99, &d)
}
