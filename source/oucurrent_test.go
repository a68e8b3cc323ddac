package source

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// The background input of Luboeinski & Tetzlaff (2021): I_0 = 0.15 nA,
// sigma = 0.5 nA, tau = 5 ms.
var ltBackground = OUParams{Mean: 150, Sigma: 500, Tau: 5}

// moments returns the sample mean and variance of x.
func moments(x []float64) (mean, v float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, y := range x {
		v += (y - mean) * (y - mean)
	}
	return mean, v / float64(len(x)-1)
}

// TestOUMomentsAnyStep checks the distribution of the current across 20000
// independent neurons against the exact solution of the OU equation from a
// start 4σ above the mean,
//
//	E[x(t)] = m + (x0 − m)e^{−t/τ},  Var[x(t)] = σ²(1 − e^{−2t/τ}),
//
// at the same times for resolutions 0.1, 0.2 and 0.4 ms: one step of 2Δ
// must have the distribution of two steps of Δ. The sample mean of N
// Gaussian values has s.d. sqrt(v/N), the sample variance v·sqrt(2/(N−1));
// the bounds are 5 of those (a false alarm about once in 10⁶ per check).
func TestOUMomentsAnyStep(t *testing.T) {
	const n = 20000
	p := ltBackground
	p.Start = p.Mean + 4*p.Sigma
	for _, dt := range []float64{0.1, 0.2, 0.4} {
		o, err := NewOUCurrent(n, p, dt, []OUWindow{{0, snnsim.Never}}, 11, "test/ou")
		if err != nil {
			t.Fatal(err)
		}
		for _, ms := range []float64{0.4, 1.2, 4.8, 50} {
			o.Advance(snnsim.Time(math.Round(ms / dt)))
			wantMean := p.Mean + (p.Start-p.Mean)*math.Exp(-ms/p.Tau)
			wantVar := p.Sigma * p.Sigma * -math.Expm1(-2*ms/p.Tau)
			mean, v := moments(o.Values())
			if d := math.Abs(mean - wantMean); d > 5*math.Sqrt(wantVar/n) {
				t.Errorf("dt %g ms, t %g ms: mean %.2f pA, want %.2f ± %.2f", dt, ms, mean, wantMean, 5*math.Sqrt(wantVar/n))
			}
			if d := math.Abs(v - wantVar); d > 5*wantVar*math.Sqrt(2.0/(n-1)) {
				t.Errorf("dt %g ms, t %g ms: variance %.0f pA², want %.0f ± %.0f", dt, ms, v, wantVar, 5*wantVar*math.Sqrt(2.0/(n-1)))
			}
		}
	}
}

// TestOUAutocorrelation estimates the stationary autocorrelation at lags
// k·Δ (with the known mean and variance) and compares it with e^{−kΔ/τ}.
// For a Gaussian AR(1) sequence with φ = e^{−Δ/τ} and M products, the
// estimate has variance (Bartlett 1946)
//
//	(1/M)·[(1+φ²)/(1−φ²) + (2k+1)φ^{2k} + 2φ^{2k+2}/(1−φ²)];
//
// the bound is 5 standard deviations.
func TestOUAutocorrelation(t *testing.T) {
	const (
		n    = 100
		dt   = 0.2
		burn = 500 // 20 τ
		L    = 20000
	)
	lags := []int{0, 1, 5, 25, 50}
	p := ltBackground
	p.Start = p.Mean
	o, err := NewOUCurrent(n, p, dt, []OUWindow{{0, snnsim.Never}}, 5, "test/ou")
	if err != nil {
		t.Fatal(err)
	}
	o.Advance(burn)
	const ring = 64
	past := make([][ring]float64, n)
	sum := make([]float64, len(lags))
	count := make([]float64, len(lags))
	for s := range L {
		o.Advance(snnsim.Time(burn + s + 1))
		for i, x := range o.Values() {
			y := (x - p.Mean) / p.Sigma
			past[i][s%ring] = y
			for j, k := range lags {
				if s >= k {
					sum[j] += y * past[i][(s-k)%ring]
					count[j]++
				}
			}
		}
	}
	phi := math.Exp(-dt / p.Tau)
	for j, k := range lags {
		r := sum[j] / count[j]
		want := math.Pow(phi, float64(k))
		p2k := math.Pow(phi, float64(2*k))
		sd := math.Sqrt(((1+phi*phi)/(1-phi*phi) + float64(2*k+1)*p2k + 2*p2k*phi*phi/(1-phi*phi)) / count[j])
		if math.Abs(r-want) > 5*sd {
			t.Errorf("lag %d (%.1f ms): autocorrelation %.4f, want e^{-kΔ/τ} = %.4f ± %.4f", k, float64(k)*dt, r, want, 5*sd)
		}
	}
}

// TestOUWindowsDeterministic checks the gating against the closed form of
// the noiseless process: in each window the current starts from Start and
// relaxes to the mean, x = m + (S − m)e^{−(k−From)Δ/τ} over the step ending
// at tick k; outside the windows it is 0; touching windows restart.
func TestOUWindowsDeterministic(t *testing.T) {
	p := OUParams{Mean: 100, Sigma: 0, Tau: 5, Start: -40}
	windows := []OUWindow{{10, 20}, {20, 30}, {50, 60}}
	o, err := NewOUCurrent(2, p, 0.5, windows, 1, "test/ou")
	if err != nil {
		t.Fatal(err)
	}
	for k := snnsim.Time(0); k <= 70; k++ {
		o.Advance(k)
		want := 0.0
		for _, w := range windows {
			if k > w.From && k <= w.To {
				want = p.Mean + (p.Start-p.Mean)*math.Exp(-float64(k-w.From)*0.5/p.Tau)
			}
		}
		if got := o.Current(1); math.Abs(got-want) > 1e-12 {
			t.Errorf("tick %d: current %.15g, want %.15g", k, got, want)
		}
		if o.On() != (want != 0) {
			t.Errorf("tick %d: On() = %v", k, o.On())
		}
	}
	for _, tc := range []struct{ t, want snnsim.Time }{{0, 10}, {10, 10}, {25, 25}, {30, 50}, {60, snnsim.Never}} {
		if got := o.NextOn(tc.t); got != tc.want {
			t.Errorf("NextOn(%d) = %d, want %d", tc.t, got, tc.want)
		}
	}
}

// TestLT2021Parameters checks the formulas against the values of the
// authors' code: the stimulus of 25 inputs at 100 Hz with weight
// h0/R = 0.420075 nA has mean 1050.2 nA and s.d. 210.0 nA; the background
// white-noise amplitude 0.05 nA·s^½ with τ = 5 ms gives σ = 0.5 nA.
func TestLT2021Parameters(t *testing.T) {
	st := LT2021Stimulus(420.075, 25, 100, 5)
	if math.Abs(st.Mean-1050187.5) > 1e-6 || math.Abs(st.Sigma-210037.5) > 1e-6 || st.Start != st.Mean || st.Tau != 5 {
		t.Errorf("stimulus %+v, want mean 1050187.5 pA, sigma 210037.5 pA, start at the mean", st)
	}
	if s := OUSigmaFromWhiteNoise(50, 5); math.Abs(s-500) > 1e-9 {
		t.Errorf("background sigma %g pA, want 500", s)
	}
}

// TestOUReproducible: same seed, same trace, whether advanced tick by tick
// or in jumps and whatever the population size; another seed differs.
func TestOUReproducible(t *testing.T) {
	p := ltBackground
	w := []OUWindow{{3, 40}, {55, 90}}
	a, _ := NewOUCurrent(10, p, 0.2, w, 9, "bg/E")
	b, _ := NewOUCurrent(4, p, 0.2, w, 9, "bg/E")
	c, _ := NewOUCurrent(10, p, 0.2, w, 10, "bg/E")
	jumps := []snnsim.Time{1, 7, 2, 13, 30, 1, 1, 25}
	tb := snnsim.Time(0)
	differ := false
	for _, j := range jumps {
		tb += j
		for a.Tick() < tb {
			a.Advance(a.Tick() + 1)
		}
		b.Advance(tb)
		c.Advance(tb)
		for i := range b.Len() {
			if a.Current(i) != b.Current(i) {
				t.Fatalf("tick %d neuron %d: %v stepped, %v in jumps", tb, i, a.Current(i), b.Current(i))
			}
			if a.Current(i) != c.Current(i) {
				differ = true
			}
		}
	}
	if !differ {
		t.Error("seeds 9 and 10 gave the same trace")
	}
}

// TestOUResume: saving at any tick and restoring into a fresh current
// continues bit for bit as the uninterrupted run.
func TestOUResume(t *testing.T) {
	p := ltBackground
	w := []OUWindow{{3, 40}, {40, 90}}
	for _, cut := range []snnsim.Time{0, 2, 3, 17, 40, 95} {
		full, _ := NewOUCurrent(6, p, 0.2, w, 4, "bg")
		half, _ := NewOUCurrent(6, p, 0.2, w, 4, "bg")
		half.Advance(cut)
		state := half.AppendState(nil)
		resumed, _ := NewOUCurrent(6, p, 0.2, w, 4, "bg")
		rest, err := resumed.RestoreState(append(state, 0xAB))
		if err != nil || len(rest) != 1 {
			t.Fatalf("cut %d: restore: %v, %d bytes left", cut, err, len(rest))
		}
		for _, tk := range []snnsim.Time{cut, cut + 1, 41, 60, 100} {
			if tk < cut {
				continue
			}
			full.Advance(tk)
			resumed.Advance(tk)
			for i := range 6 {
				if full.Current(i) != resumed.Current(i) {
					t.Fatalf("cut %d, tick %d, neuron %d: %v resumed, %v uninterrupted", cut, tk, i, resumed.Current(i), full.Current(i))
				}
			}
		}
	}
	// A current whose windows started before the saved tick differ
	// refuses the state; a damaged state is corrupt.
	a, _ := NewOUCurrent(6, p, 0.2, w, 4, "bg")
	a.Advance(20)
	state := a.AppendState(nil)
	for _, ow := range [][]OUWindow{{{3, 30}, {40, 90}}, {{2, 40}, {40, 90}}, {{40, 90}}, {{3, 10}, {12, 40}, {40, 90}}} {
		other, _ := NewOUCurrent(6, p, 0.2, ow, 4, "bg")
		if _, err := other.RestoreState(state); !errors.Is(err, checkpoint.ErrMismatch) {
			t.Errorf("windows %v: %v, want a mismatch", ow, err)
		}
	}
	if _, err := a.RestoreState(state[:len(state)-9]); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Errorf("truncated: %v, want corrupt", err)
	}
}

// TestOURestoreOtherFuture: the windows that start at or after the saved
// tick are not history. A current restored with other future windows
// (moved, removed, added) continues exactly as a current built with those
// windows from tick 0, since neither drew anything in them.
func TestOURestoreOtherFuture(t *testing.T) {
	p := ltBackground
	old := []OUWindow{{3, 40}, {60, 90}}
	for _, future := range [][]OUWindow{{{3, 40}}, {{3, 40}, {45, 50}}, {{3, 40}, {40, 41}, {70, 120}}, {{3, 40}, {60, 90}}} {
		for _, cut := range []snnsim.Time{40, 41, 45} {
			half, _ := NewOUCurrent(4, p, 0.2, old, 4, "bg")
			half.Advance(cut)
			state := half.AppendState(nil)
			if !slices.Equal(startedBefore(future, cut), startedBefore(old, cut)) {
				continue // this future changes a window that had started: refused above
			}
			resumed, _ := NewOUCurrent(4, p, 0.2, future, 4, "bg")
			if _, err := resumed.RestoreState(state); err != nil {
				t.Fatalf("future %v, cut %d: %v", future, cut, err)
			}
			fresh, _ := NewOUCurrent(4, p, 0.2, future, 4, "bg")
			fresh.Advance(cut)
			for tk := cut; tk <= 130; tk++ {
				resumed.Advance(tk)
				fresh.Advance(tk)
				for i := range 4 {
					if resumed.Current(i) != fresh.Current(i) {
						t.Fatalf("future %v, cut %d, tick %d, neuron %d: %v restored, %v from tick 0", future, cut, tk, i, resumed.Current(i), fresh.Current(i))
					}
				}
			}
		}
	}
}

// TestNewOUCurrentRefuses checks the parameter errors.
func TestNewOUCurrentRefuses(t *testing.T) {
	ok := ltBackground
	for _, tc := range []struct {
		name string
		n    int
		p    OUParams
		dt   float64
		w    []OUWindow
		msg  string
	}{
		{"neurons", -1, ok, 0.1, nil, "-1 neurons"},
		{"dt", 1, ok, 0, nil, "resolution 0 ms"},
		{"tau", 1, OUParams{Sigma: 1, Tau: 0}, 0.1, nil, "tau = 0 ms"},
		{"sigma", 1, OUParams{Sigma: -1, Tau: 5}, 0.1, nil, "sigma = -1 pA"},
		{"mean", 1, OUParams{Mean: math.NaN(), Tau: 5}, 0.1, nil, "must be finite"},
		{"empty window", 1, ok, 0.1, []OUWindow{{5, 5}}, "window 0 [5, 5) is empty"},
		{"overlap", 1, ok, 0.1, []OUWindow{{0, 10}, {9, 12}}, "window 1 [9, 12) starts before window 0 ends at 10"},
	} {
		_, err := NewOUCurrent(tc.n, tc.p, tc.dt, tc.w, 1, "x")
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
}

// FuzzOURestoreState: any bytes restore or fail cleanly, never panic.
func FuzzOURestoreState(f *testing.F) {
	o, _ := NewOUCurrent(3, ltBackground, 0.2, []OUWindow{{0, 50}}, 2, "bg")
	o.Advance(7)
	f.Add(o.AppendState(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, _ := NewOUCurrent(3, ltBackground, 0.2, []OUWindow{{0, 50}}, 2, "bg")
		if _, err := r.RestoreState(b); err == nil {
			r.Advance(r.Tick() + 3)
		}
	})
}

// BenchmarkOUAdvanceTick advances the background current of the 2000
// neurons of Luboeinski & Tetzlaff (2021) by one 0.2-ms tick per
// iteration, as an engine does while spiking.
func BenchmarkOUAdvanceTick(b *testing.B) {
	o, err := NewOUCurrent(2000, ltBackground, 0.2, []OUWindow{{0, snnsim.Never}}, 1, "bg")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		o.Advance(o.Tick() + 1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/draw")
}
