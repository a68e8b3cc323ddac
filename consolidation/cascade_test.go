package consolidation

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// mcPrintedULP returns the value of a number as printed and half a unit in
// its last printed digit ("9.5e-5" → 9.5e-5, 5e-7).
func mcPrintedULP(s string) (v, half float64) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	dec := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		dec = len(mant) - i - 1
	}
	return v, 0.5 * math.Pow(10, float64(exp-dec))
}

func cascadeChainT(t testing.TB, n int, x float64) MarkovChain {
	t.Helper()
	p := DefaultCascade()
	p.Depth, p.X = n, x
	ch, err := CascadeChain(p)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestCascadeOracleTable checks the Lahiri–Ganguli oracle against the
// cascade memory curves computed from the Lahiri & Ganguli (2013) formula
// (SNR/√N, x = ½, f± = ½) to the printed
// digits; "~0" is taken as < 1e-10.
func TestCascadeOracleTable(t *testing.T) {
	times := []int{0, 1, 10, 100, 1000, 10000, 30000}
	table := []struct {
		n    int
		vals []string // "" where the table is empty
	}{
		{5, []string{"0.40", "0.131", "0.0616", "9.5e-5", "~0", "", ""}},
		{10, []string{"0.20", "0.0667", "0.0367", "0.0082", "7.3e-4", "1.6e-11", ""}},
		{15, []string{"0.133", "0.0444", "0.0245", "0.0055", "8.8e-4", "1.16e-4", "2.9e-5"}},
	}
	for _, row := range table {
		snr, err := cascadeChainT(t, row.n, 0.5).SNR(0.5, times)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range row.vals {
			switch s {
			case "":
				continue
			case "~0":
				if !(math.Abs(snr[i]) < 1e-10) {
					t.Errorf("n=%d t=%d: SNR/√N = %g, table ~0", row.n, times[i], snr[i])
				}
				continue
			}
			v, half := mcPrintedULP(s)
			if math.Abs(snr[i]-v) > half*(1+1e-9) {
				t.Errorf("n=%d t=%d: SNR/√N = %.4g, table %s", row.n, times[i], snr[i], s)
			}
		}
		t.Logf("n=%d: %.4g", row.n, snr)
	}
}

// TestCascadeOracleLongTimes checks the oracle's accuracy for t up to 10⁵:
// the binary-power evaluation equals the step-by-step product to 1e-10
// relative (they differ by 1.3e-11 at t = 10⁵, n = 15), and the
// binary chain's curve equals q(1−q)^t to 1e-10 relative even where it is
// 1e-300 small.
func TestCascadeOracleLongTimes(t *testing.T) {
	ch := cascadeChainT(t, 15, 0.5)
	times := []int{0, 7, 1000, 20000, 100000}
	fast, err := ch.SNR(0.5, times)
	if err != nil {
		t.Fatal(err)
	}
	// step by step, one memory at a time
	steps := make([]int, 100001)
	for i := range steps {
		steps[i] = i
	}
	slow, err := ch.SNR(0.5, steps) // consecutive times: every gap is 1
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range times {
		if d := math.Abs(fast[i] - slow[tt]); d > 1e-10*math.Abs(slow[tt])+1e-300 {
			t.Errorf("t=%d: binary powers %.15g, stepwise %.15g", tt, fast[i], slow[tt])
		}
	}
	p := DefaultBinary()
	p.Q = 0.007
	bc, err := BinaryChain(p)
	if err != nil {
		t.Fatal(err)
	}
	bt := []int{0, 1, 100, 1e4, 1e5}
	got, err := bc.SNR(0.5, bt)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range bt {
		want := p.Q * math.Pow(1-p.Q, float64(tt))
		if math.Abs(got[i]-want) > 1e-10*want {
			t.Errorf("binary q=%g t=%d: oracle %.15g, q(1-q)^t %.15g", p.Q, tt, got[i], want)
		}
	}
}

// TestCascadeStationary checks that the model's own equilibrium occupancy
// (flow balance, used by init = "equilibrium") equals the oracle's p∞ (a
// linear solve), uniform for x = ½.
func TestCascadeStationary(t *testing.T) {
	for _, c := range []struct {
		n int
		x float64
	}{{5, 0.5}, {10, 0.5}, {6, 0.3}, {4, 0.1}} {
		pinf, err := cascadeChainT(t, c.n, c.x).Stationary(0.5)
		if err != nil {
			t.Fatal(err)
		}
		q, pm := cascadeProbs(c.n, c.x)
		occ := cascadeOccupancy(q, pm)
		for i, p := range pinf {
			_, d := cascadeState(i, c.n)
			if math.Abs(p-occ[d]) > 1e-12 {
				t.Errorf("n=%d x=%g state %d: oracle p∞ %.15g, model %.15g", c.n, c.x, i, p, occ[d])
			}
			if c.x == 0.5 && math.Abs(p-1/float64(2*c.n)) > 1e-12 {
				t.Errorf("n=%d: p∞ not uniform: %g", c.n, p)
			}
		}
	}
}

// TestCascadeCurveShape checks the properties of Fusi, Drew & Abbott
// (2005) on
// the oracle: SNR(0) = 2/n per √N; log–log slope over a decade, between t
// and 10t, between −0.6 and −1.0 for 10 <= t, 10t <= 2ⁿ/3 (Fusi, Drew & Abbott
// report a power law of about −0.65 to −0.9 per decade for n = 15); exponential cut-off beyond
// 2ⁿ (local slope below −2 from t = 4·2ⁿ on). The instantaneous slope is
// shallower just after t = 10 (−0.55 at t ≈ 11, −0.6 from t ≈ 16), which
// the test logs.
func TestCascadeCurveShape(t *testing.T) {
	for n := 2; n <= 20; n++ {
		s0, err := cascadeChainT(t, n, 0.5).SNR(0.5, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(s0[0]-2/float64(n)) > 1e-12 {
			t.Errorf("n=%d: SNR(0)/√N = %.15g, want 2/n", n, s0[0])
		}
	}
	for _, n := range []int{10, 12, 15} {
		ch := cascadeChainT(t, n, 0.5)
		top := math.Exp2(float64(n))
		// decade windows [t, 10t] inside [10, 2ⁿ/3], t log-spaced
		var ts []int
		for x := 10.0; 10*x <= top/3; x *= 1.1 {
			ts = append(ts, int(math.Round(x)))
		}
		var tens []int
		for _, x := range ts {
			tens = append(tens, 10*x)
		}
		a, err := ch.SNR(0.5, ts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ch.SNR(0.5, tens)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 0.0, -2.0
		for i := range ts {
			slope := math.Log10(b[i] / a[i])
			lo, hi = min(lo, slope), max(hi, slope)
			if slope < -1.0 || slope > -0.6 {
				t.Errorf("n=%d: slope over [%d, %d] = %.3f, outside [-1.0, -0.6]", n, ts[i], tens[i], slope)
			}
		}
		// instantaneous slopes over ratio-1.2 steps, and the cut-off
		var fine []int
		for x := 10.0; x <= 16*top; x *= 1.2 {
			if v := int(math.Round(x)); len(fine) == 0 || v > fine[len(fine)-1] {
				fine = append(fine, v)
			}
		}
		snr, err := ch.SNR(0.5, fine)
		if err != nil {
			t.Fatal(err)
		}
		ilo, ihi := 0.0, -2.0
		for i := 1; i < len(fine); i++ {
			slope := math.Log(snr[i]/snr[i-1]) / math.Log(float64(fine[i])/float64(fine[i-1]))
			if float64(fine[i]) <= top/3 {
				ilo, ihi = min(ilo, slope), max(ihi, slope)
			}
			if float64(fine[i-1]) >= 4*top && slope > -2 {
				t.Errorf("n=%d t≈%d: local slope %.3f, want < -2 (exponential cut-off)", n, fine[i], slope)
			}
		}
		t.Logf("n=%d: decade slopes in [%.3f, %.3f]; instantaneous slopes for 10 <= t <= 2^n/3 in [%.3f, %.3f]", n, lo, hi, ilo, ihi)
	}
}

// TestCascadeMemoryCurve is E8 for the cascade: the Monte-Carlo curve
// matches the oracle within 3 s.e. (initial SNR 2√N/n). The second case
// starts from the model's own equilibrium initialisation with x ≠ ½
// (non-uniform occupancy), which checks that initialisation and the
// model's transitions against the oracle.
func TestCascadeMemoryCurve(t *testing.T) {
	for _, c := range []struct {
		n, depth int
		x        float64
		start    MemoryStart
		times    []int
		trials   int
	}{
		{10000, 10, 0.5, StartEquilibrium, []int{0, 1, 2, 5, 10, 20, 50, 100, 200}, 12},
		{10000, 5, 0.3, StartModel, []int{0, 1, 3, 10, 30, 60}, 12},
	} {
		t.Run(fmt.Sprintf("depth=%d/x=%g/start=%d", c.depth, c.x, c.start), func(t *testing.T) {
			p := DefaultCascade()
			p.Depth, p.X = c.depth, c.x
			res, err := MemoryCurveConfig{N: c.n, Times: c.times, Trials: c.trials, Seed: 21, Start: c.start}.Run(&p)
			if err != nil {
				t.Fatal(err)
			}
			if c.x == 0.5 {
				if want := 2 * math.Sqrt(float64(c.n)) / float64(c.depth); math.Abs(res.Exact[0]-want) > 1e-9 {
					t.Errorf("exact SNR(0) = %g, want 2√N/n = %g", res.Exact[0], want)
				}
			}
			for i, tt := range res.Times {
				t.Logf("t=%3d  MC %7.3f ± %.3f  exact %7.3f  null %+.2f (s.d. %.2f)", tt, res.SNR[i], res.SE[i], res.Exact[i], res.NullMean[i], res.NullSD[i])
				if d := math.Abs(res.SNR[i] - res.Exact[i]); d > 3*res.SE[i] {
					t.Errorf("t=%d: MC %.3f ± %.3f, oracle %.3f: off by %.1f s.e.", tt, res.SNR[i], res.SE[i], res.Exact[i], d/res.SE[i])
				}
				mcCheckNull(t, res, i)
			}
		})
	}
}

// cascadeLifetime returns the lifetime of a depth-n cascade with N
// synapses (the last t with √N·SNR(t) >= 1, interpolated), from the oracle.
func cascadeLifetime(t *testing.T, n int, N float64) float64 {
	ch := cascadeChainT(t, n, 0.5)
	var ts []int
	for x := 1.0; x < 1e7; x *= 1.05 {
		if v := int(math.Round(x)); len(ts) == 0 || v > ts[len(ts)-1] {
			ts = append(ts, v)
		}
	}
	snr, err := ch.SNR(0.5, ts)
	if err != nil {
		t.Fatal(err)
	}
	ft, y := make([]float64, len(ts)), make([]float64, len(ts))
	for i := range ts {
		ft[i], y[i] = float64(ts[i]), math.Sqrt(N)*snr[i]
	}
	if y[0] < 1 {
		return 0
	}
	return mcCrossing(ft, y, 1)
}

// TestCascadeLifetime reports the cascade's lifetime with the best depth
// for each N (E8: exponent <= ~0.5) and checks it lies in [0.3, 0.6].
func TestCascadeLifetime(t *testing.T) {
	var lx, ly []float64
	for _, N := range []float64{1e3, 1e4, 1e5, 1e6} {
		best, bestN := 0.0, 0
		for n := 2; n <= 24; n++ {
			if lt := cascadeLifetime(t, n, N); lt > best {
				best, bestN = lt, n
			}
		}
		t.Logf("N=%.0e: best depth %d, lifetime %.1f memories", N, bestN, best)
		lx, ly = append(lx, math.Log10(N)), append(ly, math.Log10(best))
	}
	exp := mcFitSlope(lx, ly)
	t.Logf("cascade lifetime exponent (best depth, log t* vs log N, N = 1e3…1e6): %.3f", exp)
	if exp < 0.3 || exp > 0.6 {
		t.Errorf("cascade lifetime exponent %.3f outside [0.3, 0.6]", exp)
	}
}
