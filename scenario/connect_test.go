package scenario

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/netlist"
)

// compileText decodes and compiles a scenario held in a string.
func compileText(t testing.TB, file, text string) *netlist.Network {
	t.Helper()
	s, err := Decode(file, []byte(text))
	if err != nil {
		t.Fatalf("decode:\n%v", err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatalf("compile:\n%v", err)
	}
	return net
}

// twoPops is a scenario with neuron populations A (nA members) and B (nB
// members) and one projection from from to to with the given connect table.
func twoPops(nA, nB int, from, to, connect string) string {
	return fmt.Sprintf(`[simulation]
duration = "100 ms"
seed = 12345

[[population]]
name = "A"
size = %d
model = "lif_exp_current"

[[population]]
name = "B"
size = %d
model = "lif_exp_current"

[[projection]]
from = %q
to = %q
receptor = "exc"
connect = %s
weight = "1 mV"
delay = "1 ms"
`, nA, nB, from, to, connect)
}

// checkCSR checks the invariants of a compiled projection: row bounds,
// targets in range, delays >= 1 tick, rows ordered by (delay, target).
func checkCSR(t *testing.T, p *netlist.Projection, nFrom, nTo int) {
	t.Helper()
	if len(p.RowStart) != nFrom+1 || p.RowStart[0] != 0 || p.RowStart[nFrom] != int64(len(p.Target)) {
		t.Fatalf("%s: RowStart has length %d (want %d), starts at %d and ends at %d (want %d)",
			p.Name, len(p.RowStart), nFrom+1, p.RowStart[0], p.RowStart[len(p.RowStart)-1], len(p.Target))
	}
	if (p.Weight != nil && len(p.Weight) != len(p.Target)) || (p.Delay != nil && len(p.Delay) != len(p.Target)) {
		t.Fatalf("%s: array lengths differ: %d targets, %d weights, %d delays", p.Name, len(p.Target), len(p.Weight), len(p.Delay))
	}
	if p.Delay == nil && p.ConstDelay < 1 {
		t.Fatalf("%s: constant delay %d ticks", p.Name, p.ConstDelay)
	}
	for i := 0; i < nFrom; i++ {
		a, b := p.RowStart[i], p.RowStart[i+1]
		if b < a {
			t.Fatalf("%s: row %d has negative length", p.Name, i)
		}
		for k := a; k < b; k++ {
			if p.Target[k] < 0 || int(p.Target[k]) >= nTo {
				t.Fatalf("%s: synapse %d targets %d, outside [0, %d)", p.Name, k, p.Target[k], nTo)
			}
			if p.DelayOf(k) < 1 {
				t.Fatalf("%s: synapse %d has delay %d ticks", p.Name, k, p.DelayOf(k))
			}
			if k > a {
				d0, d1 := p.DelayOf(k-1), p.DelayOf(k)
				if d1 < d0 || (d1 == d0 && p.Target[k] < p.Target[k-1]) {
					t.Fatalf("%s: row %d is not ordered by (delay, target) at synapse %d", p.Name, i, k)
				}
			}
		}
	}
}

// degrees returns the out-degree of every source and the in-degree of every target.
func degrees(p *netlist.Projection, nTo int) (out, in []int) {
	out = make([]int, len(p.RowStart)-1)
	in = make([]int, nTo)
	for i := range out {
		out[i] = int(p.RowStart[i+1] - p.RowStart[i])
		for _, j := range p.Target[p.RowStart[i]:p.RowStart[i+1]] {
			in[j]++
		}
	}
	return out, in
}

func meanVar(x []float64) (m, v float64) {
	for _, a := range x {
		m += a
	}
	m /= float64(len(x))
	for _, a := range x {
		v += (a - m) * (a - m)
	}
	return m, v / float64(len(x)-1)
}

func floats(x []int) []float64 {
	f := make([]float64, len(x))
	for i, a := range x {
		f[i] = float64(a)
	}
	return f
}

// checkMoments asserts that the sample mean and variance of x are within 3
// standard errors of mu and sigma2, given the fourth central moment mu4.
// The standard error of the sample variance of N values is
// sqrt((mu4 - sigma^4 (N-3)/(N-1)) / N) (e.g. Cramér, Mathematical Methods
// of Statistics, 27.4).
func checkMoments(t *testing.T, what string, x []float64, mu, sigma2, mu4 float64) {
	t.Helper()
	n := float64(len(x))
	m, v := meanVar(x)
	seM := math.Sqrt(sigma2 / n)
	seV := math.Sqrt((mu4 - sigma2*sigma2*(n-3)/(n-1)) / n)
	if math.Abs(m-mu) > 3*seM {
		t.Errorf("%s: mean %.5g, want %.5g ± %.3g (3 SE)", what, m, mu, 3*seM)
	}
	if math.Abs(v-sigma2) > 3*seV {
		t.Errorf("%s: variance %.5g, want %.5g ± %.3g (3 SE)", what, v, sigma2, 3*seV)
	}
}

// checkBinomial checks degrees against Binomial(n, p): mean np, variance
// np(1-p), fourth central moment 3σ⁴ + σ²(1-6p(1-p)).
func checkBinomial(t *testing.T, what string, deg []int, n int, p float64) {
	t.Helper()
	s2 := float64(n) * p * (1 - p)
	checkMoments(t, what, floats(deg), float64(n)*p, s2, 3*s2*s2+s2*(1-6*p*(1-p)))
}

// pairsIn counts autapses and repeated (source, target) pairs.
func pairsIn(p *netlist.Projection, self bool) (autapses, multapses int) {
	for i := 0; i+1 < len(p.RowStart); i++ {
		row := slices.Clone(p.Target[p.RowStart[i]:p.RowStart[i+1]])
		slices.Sort(row)
		for k, j := range row {
			if self && int(j) == i {
				autapses++
			}
			if k > 0 && row[k-1] == j {
				multapses++
			}
		}
	}
	return autapses, multapses
}

func TestFixedProbabilityDegrees(t *testing.T) {
	for _, tc := range []struct {
		name       string
		nA, nB     int
		from, to   string
		connect    string
		p          float64
		autapses   bool
		nSrc, nTgt int // population sizes of from and to
	}{
		{"between", 1000, 800, "A", "B", `{ rule = "fixed_probability", p = 0.05 }`, 0.05, false, 1000, 800},
		{"recurrent", 1000, 1, "A", "A", `{ rule = "fixed_probability", p = 0.1 }`, 0.1, false, 1000, 1000},
		{"recurrent_autapses", 1000, 1, "A", "A", `{ rule = "fixed_probability", p = 0.1, autapses = true }`, 0.1, true, 1000, 1000},
		{"dense", 300, 400, "A", "B", `{ rule = "fixed_probability", p = 0.9 }`, 0.9, false, 300, 400},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			net := compileText(t, "p.toml", twoPops(tc.nA, tc.nB, tc.from, tc.to, tc.connect))
			p := net.Projections[0]
			checkCSR(t, p, tc.nSrc, tc.nTgt)
			self := tc.from == tc.to
			// Each ordered pair is an independent Bernoulli(p) trial; without
			// autapses a neuron has one candidate partner fewer.
			poolOut, poolIn := tc.nTgt, tc.nSrc
			if self && !tc.autapses {
				poolOut--
				poolIn--
			}
			out, in := degrees(p, tc.nTgt)
			checkBinomial(t, "out-degree", out, poolOut, tc.p)
			checkBinomial(t, "in-degree", in, poolIn, tc.p)
			aut, mult := pairsIn(p, self)
			if mult != 0 {
				t.Errorf("%d repeated pairs; fixed_probability makes none", mult)
			}
			switch {
			case self && !tc.autapses && aut != 0:
				t.Errorf("%d autapses with autapses = false", aut)
			case self && tc.autapses:
				// Autapses are Binomial(n, p): 100 ± 3·9.5 for n = 1000, p = 0.1.
				if sd := math.Sqrt(1000 * 0.1 * 0.9); math.Abs(float64(aut)-100) > 3*sd {
					t.Errorf("%d autapses, want 100 ± %.0f", aut, 3*sd)
				}
			}
		})
	}
}

func TestFixedDegreeExact(t *testing.T) {
	for _, tc := range []struct {
		name      string
		from, to  string
		connect   string
		indegree  bool
		multapses bool
		nSrc      int
		nTgt      int
		k         int
	}{
		{"indegree", "A", "B", `{ rule = "fixed_indegree", k = 50 }`, true, false, 1000, 800, 50},
		{"indegree_recurrent", "A", "A", `{ rule = "fixed_indegree", k = 50 }`, true, false, 1000, 1000, 50},
		{"indegree_all", "A", "A", `{ rule = "fixed_indegree", k = 999 }`, true, false, 1000, 1000, 999},
		{"indegree_multapses", "A", "B", `{ rule = "fixed_indegree", k = 50, multapses = true }`, true, true, 1000, 800, 50},
		{"outdegree", "A", "B", `{ rule = "fixed_outdegree", k = 40 }`, false, false, 1000, 800, 40},
		{"outdegree_recurrent", "A", "A", `{ rule = "fixed_outdegree", k = 40 }`, false, false, 1000, 1000, 40},
		{"outdegree_multapses", "A", "B", `{ rule = "fixed_outdegree", k = 40, multapses = true }`, false, true, 1000, 800, 40},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			net := compileText(t, "k.toml", twoPops(1000, 800, tc.from, tc.to, tc.connect))
			p := net.Projections[0]
			checkCSR(t, p, tc.nSrc, tc.nTgt)
			out, in := degrees(p, tc.nTgt)
			exact, free := in, out
			poolFree := tc.nTgt // the partners the free side draws from
			if !tc.indegree {
				exact, free = out, in
				poolFree = tc.nSrc
			}
			for i, d := range exact {
				if d != tc.k {
					t.Fatalf("neuron %d has degree %d, want exactly %d", i, d, tc.k)
				}
			}
			self := tc.from == tc.to
			aut, mult := pairsIn(p, self)
			if aut != 0 {
				t.Errorf("%d autapses with autapses = false", aut)
			}
			if !tc.multapses && mult != 0 {
				t.Errorf("%d repeated pairs with multapses = false", mult)
			}
			if tc.multapses && mult == 0 {
				// k = 50 draws from 1000 collide about C(50,2)/1000 = 1.2 times per neuron.
				t.Errorf("no repeated pairs with multapses = true")
			}
			// On the other side each neuron is one of the k partners of each
			// of the poolFree neurons with probability k/pool, independently.
			pool := len(free)
			if self {
				pool--
				poolFree--
			}
			if !tc.multapses && tc.k < pool {
				checkBinomial(t, "free-side degree", free, poolFree, float64(tc.k)/float64(pool))
			}
		})
	}
}

func TestAllToAllAndOneToOne(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to string
		connect  string
		want     int // synapses
		nSrc     int
		nTgt     int
	}{
		{"all_between", "A", "B", `{ rule = "all_to_all" }`, 30 * 20, 30, 20},
		{"all_recurrent", "A", "A", `{ rule = "all_to_all" }`, 30 * 29, 30, 30},
		{"all_recurrent_autapses", "A", "A", `{ rule = "all_to_all", autapses = true }`, 30 * 30, 30, 30},
		{"one_to_one", "A", "A", `{ rule = "one_to_one", autapses = true }`, 30, 30, 30},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			net := compileText(t, "a.toml", twoPops(30, 20, tc.from, tc.to, tc.connect))
			p := net.Projections[0]
			checkCSR(t, p, tc.nSrc, tc.nTgt)
			if p.Len() != tc.want {
				t.Fatalf("%d synapses, want %d", p.Len(), tc.want)
			}
			_, mult := pairsIn(p, false)
			if mult != 0 {
				t.Errorf("%d repeated pairs", mult)
			}
			if tc.name == "one_to_one" {
				for i := range tc.nSrc {
					if p.RowStart[i+1]-p.RowStart[i] != 1 || p.Target[p.RowStart[i]] != int32(i) {
						t.Fatalf("row %d is %v, want [%d]", i, p.Target[p.RowStart[i]:p.RowStart[i+1]], i)
					}
				}
			}
		})
	}
	// one_to_one between distinct populations of equal size.
	net := compileText(t, "o.toml", twoPops(25, 25, "A", "B", `{ rule = "one_to_one" }`))
	if p := net.Projections[0]; p.Len() != 25 || p.Target[24] != 24 {
		t.Errorf("one_to_one A->B: %d synapses, last target %d", p.Len(), p.Target[p.Len()-1])
	}
}

func TestPairsFile(t *testing.T) {
	dir := t.TempDir()
	csv := `source,target,weight [pA],delay [ms]
# pairs of A (5 members) onto B (5 members)
2,1,100,1.0
0,3,50,2.5
2,0,200,0.5
2, 4 ,100,0.5
2,1,30,1.0
`
	if err := os.WriteFile(filepath.Join(dir, "pairs.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	text := twoPops(5, 5, "A", "B", `{ rule = "pairs", file = "pairs.csv" }`)
	text = text[:len(text)-len("weight = \"1 mV\"\ndelay = \"1 ms\"\n")]
	net := compileText(t, filepath.Join(dir, "pairs.toml"), text)
	p := net.Projections[0]
	checkCSR(t, p, 5, 5)
	// Rows by source; within a row by (delay, target), equal pairs in file
	// order. Weights in mV: R = tau_m/c_m = 20 ms/200 pF = 0.1 GOhm (model
	// defaults), so 100 pA is 10 mV.
	wantStart := []int64{0, 1, 1, 5, 5, 5}
	wantTarget := []int32{3, 0, 4, 1, 1}
	wantWeight := []float32{5, 20, 10, 10, 3}
	wantDelay := []int32{25, 5, 5, 10, 10}
	if !slices.Equal(p.RowStart, wantStart) || !slices.Equal(p.Target, wantTarget) || !slices.Equal(p.Delay, wantDelay) {
		t.Errorf("got rows %v targets %v delays %v\nwant rows %v targets %v delays %v",
			p.RowStart, p.Target, p.Delay, wantStart, wantTarget, wantDelay)
	}
	for k := range wantWeight {
		if math.Abs(float64(p.Weight[k]-wantWeight[k])) > 1e-5 {
			t.Errorf("weight %d = %g, want %g", k, p.Weight[k], wantWeight[k])
		}
	}

	// Errors in the file are reported at the file's lines.
	bad := "source,target\n0,1\n7,1\n0,x\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	text = twoPops(5, 5, "A", "B", `{ rule = "pairs", file = "bad.csv" }`)
	_, err := Decode(filepath.Join(dir, "bad.toml"), []byte(text))
	for _, want := range []string{
		filepath.Join(dir, "bad.csv") + ":3: projection[0].connect.file: source 7 is out of range: the population has 5 members",
		filepath.Join(dir, "bad.csv") + `:4: projection[0].connect.file: target "x": must be a non-negative integer`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors:\n%v\nwant one containing\n%s", err, want)
		}
	}

	// A weight column and a weight key is an error.
	text = twoPops(5, 5, "A", "B", `{ rule = "pairs", file = "pairs.csv" }`)
	if _, err := Decode(filepath.Join(dir, "both.toml"), []byte(text)); err == nil || !strings.Contains(err.Error(), "has a weight column") {
		t.Errorf("weight column and key: %v", err)
	}
}
