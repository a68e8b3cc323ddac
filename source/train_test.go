package source

import (
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// pulseTicks returns the analytic ticks start + k·every + j·step for k <
// trains, j < pulses, all in ticks (exact integers here).
func pulseTicks(start, every, step snnsim.Time, trains, pulses int) []snnsim.Time {
	var ts []snnsim.Time
	for k := range trains {
		for j := range pulses {
			ts = append(ts, start+snnsim.Time(k)*every+snnsim.Time(j)*step)
		}
	}
	return ts
}

// TestTrainProtocols checks the stimulation protocols of Frey & Morris (1997,
// Nature 385:533) and Shetty et al. (2025) (WTET, STET, WLFS, SLFS,
// with the burst period of 1.15 s of Luboeinski & Tetzlaff 2021), and regular trains,
// against their analytic spike ticks. Every firing must include every member.
func TestTrainProtocols(t *testing.T) {
	const min30 = 30 * 60e3          // 30 min [ms]
	const tick30 = snnsim.Time(18e6) // 30 min at 0.1 ms
	cases := []struct {
		name  string
		p     Params
		clock snnsim.Clock
		want  []snnsim.Time
	}{
		{
			// 3 trains × 100 pulses at 100 Hz (100 ticks), onsets 10 min (6e6 ticks) apart.
			name:  "model=tetanus/case=STET",
			p:     Tetanus{Trains: 3, Pulses: 100, Rate: 100, Interval: 10 * 60e3, Start: min30},
			clock: dt01,
			want:  pulseTicks(tick30, 6e6, 100, 3, 100),
		},
		{
			name:  "model=tetanus/case=WTET",
			p:     Tetanus{Trains: 1, Pulses: 21, Rate: 100, Interval: 10 * 60e3, Start: min30},
			clock: dt01,
			want:  pulseTicks(tick30, 0, 100, 1, 21),
		},
		{
			// At 1 ms resolution a 100 Hz pulse period is 10 ticks.
			name:  "model=tetanus/case=WTET_dt=1ms",
			p:     Tetanus{Trains: 1, Pulses: 21, Rate: 100, Interval: 0, Start: 60e3},
			clock: snnsim.Clock{DT: 1},
			want:  pulseTicks(60000, 0, 10, 1, 21),
		},
		{
			// 900 pulses at 1 Hz (1e4 ticks).
			name:  "model=tetanus/case=WLFS",
			p:     Tetanus{Trains: 1, Pulses: 900, Rate: 1, Interval: 0, Start: min30},
			clock: dt01,
			want:  pulseTicks(tick30, 0, 1e4, 1, 900),
		},
		{
			name:  "model=regular/case=WLFS",
			p:     Regular{Rate: 1, Start: min30, Stop: min30 + 900e3},
			clock: dt01,
			want:  pulseTicks(tick30, 0, 1e4, 1, 900),
		},
		{
			// 900 bursts of 3 pulses at 20 Hz (500 ticks), one burst per second (1e4 ticks).
			name:  "model=burst/case=SLFS",
			p:     Burst{Bursts: 900, Pulses: 3, Rate: 20, Period: 1000, Start: min30},
			clock: dt01,
			want:  pulseTicks(tick30, 1e4, 500, 900, 3),
		},
		{
			// Luboeinski & Tetzlaff's code: burst period 1.15 s (11500 ticks).
			name:  "model=burst/case=SLFS_1.15s",
			p:     Burst{Bursts: 900, Pulses: 3, Rate: 20, Period: 1150, Start: 0},
			clock: dt01,
			want:  pulseTicks(0, 11500, 500, 900, 3),
		},
		{
			// 10 Hz from 0 with stop at 1 s: the spike at exactly 1 s is excluded.
			name:  "model=regular/case=10Hz_stop_on_spike",
			p:     Regular{Rate: 10, Start: 0, Stop: 1000},
			clock: dt01,
			want:  pulseTicks(0, 0, 1000, 1, 10),
		},
		{
			// 3 Hz: the period 333.33 ms is 3333.33 ticks; k/rate rounds to
			// 0, 3333, 6667, 10000 ticks (hand computation: 6666.67 -> 6667);
			// stop 1000.1 ms is tick 10001, so the spike at 1 s is included.
			name:  "model=regular/case=3Hz_off_grid",
			p:     Regular{Rate: 3, Start: 0, Stop: 1000.1},
			clock: dt01,
			want:  []snnsim.Time{0, 3333, 6667, 10000},
		},
		{
			// Off-grid start 0.27 ms + k·142.857 ms at 7 Hz, each sum rounded:
			// 2.7, 1431.27, 2859.84, 4288.41 ticks -> 3, 1431, 2860, 4288
			// (hand computation; the next, 5716.99, is after stop = 5000).
			name:  "model=regular/case=7Hz_off_grid_start",
			p:     Regular{Rate: 7, Start: 0.27, Stop: 500},
			clock: dt01,
			want:  []snnsim.Time{3, 1431, 2860, 4288},
		},
		{
			// Pulses exactly one tick apart: 10 kHz at 0.1 ms.
			name:  "model=burst/case=one_tick_apart",
			p:     Burst{Bursts: 2, Pulses: 5, Rate: 1e4, Period: 0.5, Start: 0.3},
			clock: dt01,
			want:  []snnsim.Time{3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 100 // one pathway of 100 synchronous fibres, as in the code of Clopath et al. (2008)
			s := mustNew(t, c.p, n, c.clock, nil)
			f := jump(t, s, snnsim.Never)
			if got := ticksOf(f); !slices.Equal(got, c.want) {
				t.Fatalf("%d spike ticks, want %d; first/last got %v, want %v / %v",
					len(got), len(c.want), endsOf(got), c.want[0], c.want[len(c.want)-1])
			}
			for _, x := range f {
				if len(x.members) != n {
					t.Fatalf("tick %d: %d members fired, want all %d", x.t, len(x.members), n)
				}
			}
			t.Logf("%d spike ticks, first %d, last %d", len(f), f[0].t, f[len(f)-1].t)
		})
	}
}

func endsOf(ts []snnsim.Time) []snnsim.Time {
	if len(ts) == 0 {
		return nil
	}
	return []snnsim.Time{ts[0], ts[len(ts)-1]}
}

// TestRegularUnbounded: a regular train without stop keeps going, far
// beyond float rounding trouble, with exact ticks for an on-grid period.
func TestRegularUnbounded(t *testing.T) {
	s := mustNew(t, DefaultRegular(), 2, dt01, nil) // 10 Hz: every 1000 ticks
	buf := []int32{}
	for k := range snnsim.Time(100000) {
		if s.Next() != k*1000 {
			t.Fatalf("spike %d at tick %d, want %d", k, s.Next(), k*1000)
		}
		buf = s.Fire(s.Next(), buf[:0])
	}
}

// TestStepEveryTick: for every deterministic model, calling Fire at every
// tick gives the same spikes as jumping from Next to Next.
func TestStepEveryTick(t *testing.T) {
	cases := []struct {
		name string
		p    Params
	}{
		{"model=regular", Regular{Rate: 30, Start: 1.7, Stop: 900}},
		{"model=tetanus", Tetanus{Trains: 4, Pulses: 7, Rate: 100, Interval: 200, Start: 3}},
		{"model=burst", Burst{Bursts: 5, Pulses: 3, Rate: 20, Period: 160, Start: 0}},
		{"model=spike_times", SpikeTimes{Times: []float64{5, 0, 0, 999.9, 3}, Neurons: []int{1, 2, 0, 1, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const until = 10000
			a := jump(t, mustNew(t, c.p, 3, dt01, nil), until)
			b := stepEvery(t, mustNew(t, c.p, 3, dt01, nil), until)
			if len(a) == 0 || !equalFirings(a, b) {
				t.Errorf("jumping: %v\nstepping: %v", a, b)
			}
		})
	}
}

// TestFireLatePanics: Fire after a pending spike it skipped is an engine bug
// and panics, for every model.
func TestFireLatePanics(t *testing.T) {
	pois := DefaultPoisson()
	pois.Rate = 1e6 // fires at tick 0
	for _, p := range []Params{pois, DefaultRegular(), DefaultTetanus(), DefaultBurst(), SpikeTimes{Times: []float64{0}}} {
		t.Run("model="+p.Model(), func(t *testing.T) {
			s := mustNew(t, p, 2, dt01, seeded(1))
			if s.Next() != 0 {
				t.Fatalf("Next() = %d, want 0", s.Next())
			}
			defer func() {
				if recover() == nil {
					t.Errorf("Fire(1) with a spike pending at 0 did not panic")
				}
			}()
			s.Fire(1, nil)
		})
	}
}
