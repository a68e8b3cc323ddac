package stdp

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// sjostromData is the frequency dependence of Sjöström, Turrigiano & Nelson
// (2001), Neuron 32:1149 (as tabulated in VH-Lab's
// sjostrom_freq_stdp.m [T]): relative weight change, mean ± s.e.m., after
// pairings at frequency rho with Δt = +10 ms (pre→post) and −10 ms (post→pre).
var sjostromData = []struct {
	rho             float64 // pairing frequency [Hz]
	plus, plusSEM   float64 // Δw/w at Δt = +10 ms, s.e.m.
	minus, minusSEM float64 // Δw/w at Δt = −10 ms, s.e.m.
}{
	{0.1, -0.04, 0.05, -0.29, 0.08},
	{10, 0.14, 0.10, -0.41, 0.11},
	{20, 0.29, 0.14, -0.34, 0.10},
	{40, 0.53, 0.11, 0.56, 0.32},
	{50, 0.56, 0.26, 0.75, 0.19},
}

// sjostromPairings is the number of pairings: the 60 of Pfister &
// Gerstner's fit (2006; Sjöström et al. gave 75).
const sjostromPairings = 60

// sjostromRun returns the summed weight change of one synapse after the E7
// protocol: 60 pairings at rho Hz, the post spike lagging the pre spike by
// lag ticks (negative: post first). The synapse starts at 0 with no bounds,
// so the result is the sum of the increments, which Pfister & Gerstner
// (2006) equate with the relative change Δw/w (one unit of the fit = the initial weight).
func sjostromRun(r Rule[float64], rho float64, lag snnsim.Time) float64 {
	period := snnsim.Time(math.Round(1000 / rho / testClock.DT)) // 1/ρ in ticks
	const start = 1000                                           // 100 ms
	w := []float64{0}
	tgt, src, syn := []int32{0}, []int32{0}, []int32{0}
	for k := range snnsim.Time(sjostromPairings) {
		tPre := start + k*period
		tPost := tPre + lag
		if lag >= 0 {
			r.Pre(tPre, 0, tgt, w)
			r.Post(tPost, 0, src, syn, w)
		} else {
			r.Post(tPost, 0, src, syn, w)
			r.Pre(tPre, 0, tgt, w)
		}
	}
	return w[0]
}

// TestSjostrom runs the frequency protocol of Sjöström et al. (2001) with the
// visual-cortex all-to-all minimal triplet rule (Pfister & Gerstner 2006,
// Table 3) and requires every model point within 2 s.e.m. of the data
// and the qualitative pattern: LTD at −10 ms for ρ ≤ 20 Hz, LTP for both
// signs at ρ ≥ 40 Hz, and +10 ms changes increasing with ρ.
func TestSjostrom(t *testing.T) {
	p := DefaultTriplet() // visual_cortex_all_to_all_minimal
	p.WMin, p.WMax = math.Inf(-1), math.Inf(1)
	var prevPlus = math.Inf(-1)
	for _, d := range sjostromData {
		for _, side := range []struct {
			lag       snnsim.Time
			data, sem float64
		}{{100, d.plus, d.plusSEM}, {-100, d.minus, d.minusSEM}} {
			r, err := NewTriplet[float64](p, testClock, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			got := sjostromRun(r, d.rho, side.lag)
			z := (got - side.data) / side.sem
			name := fmt.Sprintf("rho=%gHz/dt=%+gms", d.rho, testClock.Ms(side.lag))
			t.Logf("%-20s model %+.4f  data %+.2f ± %.2f  (%+.2f s.e.m.)", name, got, side.data, side.sem, z)
			if math.Abs(z) > 2 {
				t.Errorf("%s: model %+.4f is %.2f s.e.m. from the data %+.2f ± %.2f (limit 2)", name, got, math.Abs(z), side.data, side.sem)
			}
			switch {
			case side.lag < 0 && d.rho <= 20 && !(got < 0):
				t.Errorf("%s: %+.4f, want LTD", name, got)
			case d.rho >= 40 && !(got > 0):
				t.Errorf("%s: %+.4f, want LTP", name, got)
			case side.lag > 0:
				if !(got > prevPlus) {
					t.Errorf("%s: %+.4f, not above the change at the lower frequency (%+.4f)", name, got, prevPlus)
				}
				prevPlus = got
			}
		}
	}
}

// TestSjostromPairControl is the negative control of Pfister & Gerstner
// (2006): pair
// STDP with the same window (τ+ = 16.8 ms, τ− = 33.7 ms) cannot reproduce
// the data. With the minimal triplet rule's amplitudes used as pair
// amplitudes (A+ = A3+ = 6.5e-3, A− = A2− = 7.1e-3) pairing at −10 ms stays
// LTD at 40 and 50 Hz, where the data show LTP. Beyond that one choice, the
// pair rule is linear in (A+, A−) when additive and unbounded, so the test
// measures the protocol's LTP and LTD sums once with the fast rule and
// scans a grid of A+, A− in [0, 0.05]: no point of it fits all ten data
// within 2 s.e.m.
func TestSjostromPairControl(t *testing.T) {
	base := PairParams{TauPlus: 16.8, TauMinus: 33.7, Pairing: AllToAll, WMin: math.Inf(-1), WMax: math.Inf(1)}
	run := func(aPlus, aMinus, rho float64, lag snnsim.Time) float64 {
		p := base
		p.APlus, p.AMinus = aPlus, aMinus
		r, err := NewPair[float64](p, testClock, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		return sjostromRun(r, rho, lag)
	}
	type point struct {
		ltp, ltd  float64 // Δw for A+ = 1, A− = 0 and for A+ = 0, A− = 1
		data, sem float64
		name      string
	}
	var pts []point
	fails := 0
	for _, d := range sjostromData {
		for _, side := range []struct {
			lag       snnsim.Time
			data, sem float64
		}{{100, d.plus, d.plusSEM}, {-100, d.minus, d.minusSEM}} {
			name := fmt.Sprintf("rho=%gHz/dt=%+gms", d.rho, testClock.Ms(side.lag))
			got := run(6.5e-3, 7.1e-3, d.rho, side.lag)
			z := (got - side.data) / side.sem
			if math.Abs(z) > 2 {
				fails++
			}
			t.Logf("%-20s pair model %+.4f  data %+.2f ± %.2f  (%+.2f s.e.m.)", name, got, side.data, side.sem, z)
			if side.lag < 0 && d.rho >= 40 && got > 0 {
				t.Errorf("%s: pair rule gives LTP %+.4f; the control expects none", name, got)
			}
			pts = append(pts, point{run(1, 0, d.rho, side.lag), -run(0, 1, d.rho, side.lag), side.data, side.sem, name})
		}
	}
	if fails == 0 {
		t.Errorf("the pair rule fits every point within 2 s.e.m.: the negative control failed")
	}
	best, bestMiss := [2]float64{}, math.MaxInt
	for a := 0; a <= 100; a++ {
		for b := 0; b <= 100; b++ {
			ap, am := 0.0005*float64(a), 0.0005*float64(b)
			miss := 0
			for _, q := range pts {
				if math.Abs(ap*q.ltp-am*q.ltd-q.data) > 2*q.sem {
					miss++
				}
			}
			if miss == 0 {
				t.Errorf("pair rule with A+ = %g, A− = %g fits every point within 2 s.e.m.", ap, am)
			}
			if miss < bestMiss {
				best, bestMiss = [2]float64{ap, am}, miss
			}
		}
	}
	t.Logf("grid A± in [0, 0.05] step 5e-4: the best pair rule (A+ = %g, A− = %g) misses %d of 10 points", best[0], best[1], bestMiss)
}
