package scenario

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim/netlist"
)

// allToAll is a scenario of one population A of n lif_exp_current neurons
// (or model) projecting onto itself all-to-all (with autapses) with the given
// weight and delay, and init as the population's init table ("" for none).
func allToAll(n int, model, weight, delay, init string) string {
	if init != "" {
		init = "init = " + init
	}
	return fmt.Sprintf(`[simulation]
duration = "100 ms"
seed = 1

[[population]]
name = "A"
size = %d
model = %q
%s

[[projection]]
from = "A"
to = "A"
receptor = "exc"
connect = { rule = "all_to_all", autapses = true }
weight = %s
delay = %s
`, n, model, init, weight, delay)
}

func weights(p *netlist.Projection) []float64 {
	w := make([]float64, p.Len())
	for i, x := range p.Weights() {
		w[i] = float64(x)
	}
	return w
}

// Standard normal distribution function, for expected clipped fractions.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// checkFraction asserts that a fraction of n draws is within 3 SE of f.
func checkFraction(t *testing.T, what string, count, n int, f float64) {
	t.Helper()
	got := float64(count) / float64(n)
	se := math.Sqrt(f * (1 - f) / float64(n))
	if math.Abs(got-f) > 3*se {
		t.Errorf("%s: fraction %.5f, want %.5f ± %.4f (3 SE)", what, got, f, 3*se)
	}
}

func TestWeightDistributions(t *testing.T) {
	const n = 200 // 40000 synapses
	t.Run("dist=uniform", func(t *testing.T) {
		net := compileText(t, "w.toml", allToAll(n, "lif_exp_current", `{ uniform = ["0.5 mV", "1.5 mV"] }`, `"1 ms"`, ""))
		w := weights(net.Projections[0])
		// Uniform on [a, b): variance (b-a)²/12, fourth central moment (b-a)⁴/80.
		checkMoments(t, "weight", w, 1, 1.0/12, 1.0/80)
		for _, x := range w {
			if x < 0.5 || x >= 1.5 {
				t.Fatalf("weight %g outside [0.5, 1.5)", x)
			}
		}
	})
	t.Run("dist=normal", func(t *testing.T) {
		net := compileText(t, "w.toml", allToAll(n, "lif_exp_current", `{ normal = ["1 mV", "0.2 mV"] }`, `"1 ms"`, ""))
		// Clipping at 0 is 5 sd away: negligible. Normal: μ4 = 3σ⁴.
		checkMoments(t, "weight", weights(net.Projections[0]), 1, 0.04, 3*0.04*0.04)
	})
	t.Run("dist=normal_clipped_at_0", func(t *testing.T) {
		net := compileText(t, "w.toml", allToAll(n, "lif_exp_current", `{ normal = ["0.1 mV", "1 mV"] }`, `"1 ms"`, ""))
		zeros := 0
		for _, x := range net.Projections[0].Weights() {
			if x < 0 {
				t.Fatalf("negative weight %g", x)
			}
			if x == 0 {
				zeros++
			}
		}
		// P(X < 0) for X ~ N(0.1, 1) is Φ(-0.1) = 0.46017.
		checkFraction(t, "zero weights", zeros, n*n, phi(-0.1))
	})
	t.Run("dist=normal_with_clip", func(t *testing.T) {
		net := compileText(t, "w.toml", allToAll(n, "lif_exp_current", `{ normal = ["1 mV", "0.5 mV"], clip = ["0.5 mV", "2 mV"] }`, `"1 ms"`, ""))
		lo, hi := 0, 0
		for _, x := range net.Projections[0].Weights() {
			if x < 0.5 || x > 2 {
				t.Fatalf("weight %g outside the clip [0.5, 2]", x)
			}
			if x == 0.5 {
				lo++
			}
			if x == 2 {
				hi++
			}
		}
		// Clamped mass: Φ(-1) = 0.15866 at 0.5 mV, 1 - Φ(2) = 0.02275 at 2 mV.
		checkFraction(t, "weights at 0.5 mV", lo, n*n, phi(-1))
		checkFraction(t, "weights at 2 mV", hi, n*n, 1-phi(2))
	})
}

// TestWeightUnits checks the conversion to each model's internal unit with
// the numbers of the COBA benchmark (Brette et al. 2007): with the default
// c_m = 200 pF and tau_m = 20 ms, g_L = 10 nS and R = 100 MOhm, so 4 nS is
// 0.4 g_L and 200 pA is R·I = 20 mV.
func TestWeightUnits(t *testing.T) {
	for _, tc := range []struct {
		model, weight string
		want          float32
	}{
		{"lif_exp_cond", `"4 nS"`, 0.4},
		{"lif_exp_cond", `"51 nS"`, 5.1},
		{"lif_exp_cond", `0.4`, 0.4},
		{"lif_exp_current", `"200 pA"`, 20},
		{"lif_exp_current", `"1.62 mV"`, 1.62},
		{"lif_exp_current", `"0.2 nA"`, 20},
		{"lif_delta", `"1 V"`, 1000},
	} {
		t.Run("model="+tc.model+"/weight="+tc.weight, func(t *testing.T) {
			net := compileText(t, "u.toml", allToAll(2, tc.model, tc.weight, `"1 ms"`, ""))
			for _, w := range net.Projections[0].Weights() {
				if math.Abs(float64(w-tc.want)) > 1e-6*float64(tc.want) {
					t.Fatalf("weight %g, want %g", w, tc.want)
				}
			}
		})
	}
}

func TestDelayDistributions(t *testing.T) {
	const n = 200
	t.Run("dist=const", func(t *testing.T) {
		p := compileText(t, "d.toml", allToAll(n, "lif_delta", `"1 mV"`, `"0.8 ms"`, "")).Projections[0]
		if p.Delay != nil || p.ConstDelay != 8 {
			t.Errorf("0.8 ms at 0.1 ms: Delay %v, ConstDelay %d; want nil, 8", p.Delay != nil, p.ConstDelay)
		}
	})
	t.Run("dist=uniform_rounds_to_one_value", func(t *testing.T) {
		p := compileText(t, "d.toml", allToAll(n, "lif_delta", `"1 mV"`, `{ uniform = ["0.8 ms", "0.84 ms"] }`, "")).Projections[0]
		if p.Delay != nil || p.ConstDelay != 8 {
			t.Errorf("Delay %v, ConstDelay %d; want nil, 8", p.Delay != nil, p.ConstDelay)
		}
	})
	t.Run("dist=uniform", func(t *testing.T) {
		p := compileText(t, "d.toml", allToAll(n, "lif_delta", `"1 mV"`, `{ uniform = ["1 ms", "3 ms"] }`, "")).Projections[0]
		checkCSR(t, p, n, n)
		d := make([]float64, p.Len())
		for k := range d {
			d[k] = float64(p.Delay[k])
			if p.Delay[k] < 10 || p.Delay[k] > 30 {
				t.Fatalf("delay %d ticks outside [10, 30]", p.Delay[k])
			}
		}
		// round(U[10, 30)) in ticks: mean 20, variance 20²/12 + 1/12 (the
		// rounding error, uniform on ±0.5 and independent of the fractional
		// part's position); fourth moment ≈ 20⁴/80.
		checkMoments(t, "delay [ticks]", d, 20, 400.0/12+1.0/12, 160000.0/80)
	})
	t.Run("dist=uniform_wide", func(t *testing.T) {
		// A span of 1991 ticks: rows are sorted by comparison, not counting.
		p := compileText(t, "d.toml", allToAll(n, "lif_delta", `"1 mV"`, `{ uniform = ["1 ms", "200 ms"] }`, "")).Projections[0]
		checkCSR(t, p, n, n)
	})
	t.Run("dist=normal_clipped_at_one_tick", func(t *testing.T) {
		p := compileText(t, "d.toml", allToAll(n, "lif_delta", `"1 mV"`, `{ normal = ["0.3 ms", "0.5 ms"] }`, "")).Projections[0]
		checkCSR(t, p, n, n)
		ones := 0
		for _, x := range p.Delay {
			if x == 1 {
				ones++
			}
		}
		// One tick when x < 0.15 ms (rounding to the 0.1 ms grid, then the
		// clip at 1 tick): Φ((0.15-0.3)/0.5) = Φ(-0.3) = 0.38209.
		checkFraction(t, "one-tick delays", ones, n*n, phi(-0.3))
	})
}

func TestInitDistributions(t *testing.T) {
	const n = 20000
	t.Run("dist=const", func(t *testing.T) {
		net := compileText(t, "i.toml", allToAll(2, "lif_exp_cond", `"1 nS"`, `"1 ms"`, `{ v = "-65 mV" }`))
		if v := net.Populations[0].InitV; len(v) != 2 || v[0] != -65 || v[1] != -65 {
			t.Errorf("InitV = %v, want [-65 -65]", v)
		}
	})
	t.Run("dist=none", func(t *testing.T) {
		net := compileText(t, "i.toml", allToAll(2, "lif_exp_cond", `"1 nS"`, `"1 ms"`, ""))
		if v := net.Populations[0].InitV; v != nil {
			t.Errorf("InitV = %v, want nil (v_rest)", v)
		}
	})
	t.Run("dist=uniform", func(t *testing.T) {
		s, err := Decode("i.toml", []byte(allToAll(n, "lif_exp_current", `"1 mV"`, `"1 ms"`, `{ v = { uniform = ["-60 mV", "-50 mV"] } }`)))
		if err != nil {
			t.Fatal(err)
		}
		s.Projections = nil // 4e8 synapses are not needed here
		net, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		checkMoments(t, "V", net.Populations[0].InitV, -55, 100.0/12, 10000.0/80)
	})
	t.Run("dist=normal_clip", func(t *testing.T) {
		s, err := Decode("i.toml", []byte(allToAll(n, "lif_exp_current", `"1 mV"`, `"1 ms"`,
			`{ v = { normal = ["-60 mV", "10 mV"], clip = ["-70 mV", "-50 mV"] } }`)))
		if err != nil {
			t.Fatal(err)
		}
		s.Projections = nil
		net, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 0, 0
		for _, v := range net.Populations[0].InitV {
			if v < -70 || v > -50 {
				t.Fatalf("V = %g outside the clip [-70, -50]", v)
			}
			if v == -70 {
				lo++
			}
			if v == -50 {
				hi++
			}
		}
		// ±1 sd: Φ(-1) = 0.15866 of the values on each bound.
		checkFraction(t, "V at -70 mV", lo, n, phi(-1))
		checkFraction(t, "V at -50 mV", hi, n, phi(-1))
	})
}
