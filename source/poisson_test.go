package source

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// gridP is the per-tick spike probability of a Poisson process of the given
// rate on a grid of dt ms: p = 1 - exp(-rate·dt) (the definition in the
// Poisson doc comment; the grid rate p/dt is slightly below rate).
func gridP(rate, dt float64) float64 { return -math.Expm1(-rate * dt / 1000) }

// counts within 3 standard errors: a count of Bernoulli(p) successes in m
// trials has mean m·p and standard deviation sqrt(m·p·(1-p)).
func checkCount(t *testing.T, what string, count int, trials, p float64) {
	t.Helper()
	mean := trials * p
	se := math.Sqrt(trials * p * (1 - p))
	if math.Abs(float64(count)-mean) > 3*se {
		t.Errorf("%s: %d spikes, want %.1f ± 3·%.1f", what, count, mean, se)
	}
}

// TestPoissonRateAndCV checks the rate and the inter-spike-interval CV of
// stationary Poisson sources against the geometric law of the grid process:
// each member spikes in a tick with probability p = 1 - exp(-rate·dt), so the
// count over m member-ticks is Binomial(m, p) and the ISI is geometric with
// CV = sqrt(1-p) (mean 1/p, variance (1-p)/p²), which is 1 - p/2 ≈ 1 for small p.
// Each case has about 2e5 spikes (SE of the count ≈ 0.2 %; SE of the CV of
// exponential-like ISIs ≈ 1/sqrt(N) ≈ 0.002).
func TestPoissonRateAndCV(t *testing.T) {
	cases := []struct {
		rate    float64 // [Hz]
		n       int
		seconds float64
		nearOne bool // p small: the CV must also be within 0.02 of 1
	}{
		{1, 1000, 200, true},
		{5, 1000, 40, true},
		{20, 1000, 10, true},
		{100, 1000, 2, true},
		// p = 0.18 at 0.1 ms: far from the continuous limit, CV = 0.905.
		{2000, 100, 1, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("model=poisson/rate=%gHz", c.rate), func(t *testing.T) {
			p := DefaultPoisson()
			p.Rate = c.rate
			s := mustNew(t, p, c.n, dt01, seeded(uint64(c.rate)))
			until := snnsim.Time(c.seconds * dt01.TicksPerSecond())
			f := jump(t, s, until)

			count := 0
			last := make([]snnsim.Time, c.n)
			for i := range last {
				last[i] = -1
			}
			var isiN, isiSum, isiSq float64
			for _, x := range f {
				count += len(x.members)
				for _, m := range x.members {
					if last[m] >= 0 {
						d := float64(x.t - last[m])
						isiN++
						isiSum += d
						isiSq += d * d
					}
					last[m] = x.t
				}
			}
			pt := gridP(c.rate, dt01.DT)
			checkCount(t, "count", count, float64(c.n)*float64(until), pt)
			mean := isiSum / isiN
			cv := math.Sqrt(isiSq/isiN-mean*mean) / mean
			wantCV := math.Sqrt(1 - pt)
			if math.Abs(cv-wantCV) > 0.02 {
				t.Errorf("ISI CV = %.4f, want sqrt(1-p) = %.4f ± 0.02", cv, wantCV)
			}
			if c.nearOne && math.Abs(cv-1) > 0.02 {
				t.Errorf("ISI CV = %.4f, want 1 ± 0.02", cv)
			}
			rate := float64(count) / (float64(c.n) * c.seconds)
			t.Logf("rate %.4f Hz (set %g, grid %.4f), CV %.4f (grid %.4f), %d spikes, %.0f ISIs",
				rate, c.rate, pt/dt01.DT*1000, cv, wantCV, count, isiN)
		})
	}
}

// TestPoissonSchedule checks a piecewise-constant schedule with start and
// stop: the count in each piece matches its rate within 3 SE, and the silent
// pieces (before start, rate 0, after stop) have no spike at all.
func TestPoissonSchedule(t *testing.T) {
	p := DefaultPoisson()
	p.Rate = 10
	p.Start = 200
	p.Stop = 6000
	p.Times = []float64{1000, 3000, 4000}
	p.Rates = []float64{50, 0, 20}
	const n = 2000
	s := mustNew(t, p, n, dt01, seeded(7))
	f := jump(t, s, 80000)
	if s.Next() != snnsim.Never {
		t.Errorf("after stop, Next() = %d, want Never", s.Next())
	}
	pieces := []struct {
		from, to snnsim.Time // [ticks at 0.1 ms]
		rate     float64     // [Hz], from the schedule above
	}{
		{0, 2000, 0},       // before start
		{2000, 10000, 10},  // start .. times[0]: the base rate
		{10000, 30000, 50}, // rates[0]
		{30000, 40000, 0},  // rates[1]
		{40000, 60000, 20}, // rates[2] until stop
		{60000, 80000, 0},  // after stop
	}
	for _, pc := range pieces {
		count := 0
		for _, x := range f {
			if x.t >= pc.from && x.t < pc.to {
				count += len(x.members)
			}
		}
		what := fmt.Sprintf("ticks [%d,%d) at %g Hz", pc.from, pc.to, pc.rate)
		if pc.rate == 0 {
			if count != 0 {
				t.Errorf("%s: %d spikes, want 0", what, count)
			}
			continue
		}
		checkCount(t, what, count, float64(n)*float64(pc.to-pc.from), gridP(pc.rate, dt01.DT))
		t.Logf("%s: %d spikes (%.3f Hz)", what, count, float64(count)/n/(float64(pc.to-pc.from)/1e4))
	}
}

// TestPoissonStartStopExact uses a rate so high (rate·dt = 100, p = 1 - e^-100)
// that every member fires in every tick: the first spike is exactly at the
// start tick and the last exactly one tick before stop.
func TestPoissonStartStopExact(t *testing.T) {
	cases := []struct {
		name        string
		clock       snnsim.Clock
		start, stop float64 // [ms]
		first, last snnsim.Time
	}{
		{"dt=0.1", dt01, 12.3, 15, 123, 149},
		{"dt=0.025", snnsim.Clock{DT: 0.025}, 1, 2.5, 40, 99},
		{"dt=1", snnsim.Clock{DT: 1}, 7, 8, 7, 7},
	}
	for _, c := range cases {
		t.Run("model=poisson/case="+c.name, func(t *testing.T) {
			p := DefaultPoisson()
			p.Rate = 1e6 / c.clock.DT
			p.Start, p.Stop = c.start, c.stop
			s := mustNew(t, p, 3, c.clock, seeded(1))
			f := jump(t, s, snnsim.Never)
			if want := int(c.last - c.first + 1); len(f) != want {
				t.Fatalf("%d firing ticks, want %d", len(f), want)
			}
			for i, x := range f {
				if x.t != c.first+snnsim.Time(i) || len(x.members) != 3 {
					t.Fatalf("firing %d = %v, want all 3 members at tick %d", i, x, c.first+snnsim.Time(i))
				}
			}
		})
	}
}

// TestPoissonExtremeRates checks the geometric sampler at both ends: a rate
// so small that the first spike is beyond any run (no overflow), and one so
// large that every tick fires.
func TestPoissonExtremeRates(t *testing.T) {
	tiny := DefaultPoisson()
	tiny.Rate = 1e-300 // rate·dt = 1e-304: the draw exceeds the tick counter
	s := mustNew(t, tiny, 10, dt01, seeded(2))
	if s.Next() != snnsim.Never {
		t.Errorf("rate 1e-300 Hz: Next() = %d, want Never", s.Next())
	}
	small := DefaultPoisson()
	small.Rate = 1e-9 // mean first spike at 1e13 ticks (31 years): well past 1e10, before Never
	s = mustNew(t, small, 10, dt01, seeded(3))
	if next := s.Next(); next < 1e10 || next == snnsim.Never {
		t.Errorf("rate 1e-9 Hz: Next() = %d, want a tick far in the future", next)
	}
	huge := DefaultPoisson()
	huge.Rate = 1e300
	s = mustNew(t, huge, 4, dt01, seeded(4))
	f := jump(t, s, 1000)
	if len(f) != 1000 {
		t.Errorf("rate 1e300 Hz: %d firing ticks in 1000, want every tick", len(f))
	}
	// A schedule that switches a tiny rate off: members must wait for the
	// change and then be removed, not overflow.
	sched := DefaultPoisson()
	sched.Rate = 1e-300
	sched.Times = []float64{100, 200}
	sched.Rates = []float64{1e300, 0}
	s = mustNew(t, sched, 2, dt01, seeded(5))
	f = jump(t, s, snnsim.Never)
	if len(f) != 1000 || f[0].t != 1000 || f[999].t != 1999 {
		t.Errorf("tiny, huge, 0: %d firing ticks, want 1000 from tick 1000 to 1999", len(f))
	}
}

// TestPoissonDeterministic: the same seed gives the same spikes, another seed
// different ones.
func TestPoissonDeterministic(t *testing.T) {
	p := DefaultPoisson()
	p.Rate = 20
	p.Times = []float64{500}
	p.Rates = []float64{5}
	run := func(seed uint64) []firing {
		return jump(t, mustNew(t, p, 300, dt01, snnsim.NewRand(seed, "source/P")), 20000)
	}
	a, b, c := run(1), run(1), run(2)
	if len(a) == 0 || !equalFirings(a, b) {
		t.Errorf("seed 1 twice: %d and %d firing ticks, or different spikes", len(a), len(b))
	}
	if equalFirings(a, c) {
		t.Errorf("seeds 1 and 2 give identical spikes")
	}
}

// TestPoissonChunking: calling Fire at every tick gives exactly the spikes
// of jumping from Next to Next, with a schedule, start and stop in play.
func TestPoissonChunking(t *testing.T) {
	p := DefaultPoisson()
	p.Rate = 30
	p.Start = 50
	p.Stop = 1800
	p.Times = []float64{400, 700, 1200}
	p.Rates = []float64{0, 200, 60}
	const until = 20000 // 2 s at 0.1 ms
	a := jump(t, mustNew(t, p, 60, dt01, seeded(11)), until)
	b := stepEvery(t, mustNew(t, p, 60, dt01, seeded(11)), until)
	if len(a) < 1000 || !equalFirings(a, b) {
		t.Errorf("jumping gives %d firing ticks, stepping %d (or different spikes)", len(a), len(b))
	}
}

// TestPoissonFireAllocs: Fire does not allocate once the output slice has room.
func TestPoissonFireAllocs(t *testing.T) {
	p := DefaultPoisson()
	p.Rate = 50
	s := mustNew(t, p, 1000, dt01, seeded(12))
	buf := make([]int32, 0, 1000)
	allocs := testing.AllocsPerRun(1000, func() {
		buf = s.Fire(s.Next(), buf[:0])
	})
	if allocs != 0 {
		t.Errorf("Fire: %g allocations per call, want 0", allocs)
	}
}

// BenchmarkPoissonFire measures spike generation through Next and Fire, as
// the engine drives an idle source:
//
//	go test ./source/ -run '^$' -bench PoissonFire -benchtime 2s
func BenchmarkPoissonFire(b *testing.B) {
	for _, c := range []struct {
		n    int
		rate float64 // [Hz]
	}{{2500, 2}, {10000, 10}} {
		b.Run(fmt.Sprintf("n=%d/rate=%gHz", c.n, c.rate), func(b *testing.B) {
			p := DefaultPoisson()
			p.Rate = c.rate
			s := mustNew(b, p, c.n, dt01, seeded(1))
			buf := make([]int32, 0, c.n)
			spikes := 0
			b.ReportAllocs()
			for b.Loop() {
				buf = s.Fire(s.Next(), buf[:0])
				spikes += len(buf)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(spikes)/sec, "spikes/s")
			b.ReportMetric(sec*1e9/float64(spikes), "ns/spike")
		})
	}
}
