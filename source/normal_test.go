package source

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestZigguratTables checks the layers against their definition: every
// layer of the normal density e^{−x²/2} has area V, the top one included
// (whose edge the recursion does not fix), and the base layer's rectangle
// plus the tail beyond R is V too: ∫_R^∞ e^{−x²/2} dx = √(π/2) erfc(R/√2);
// R and V agree with Marsaglia & Tsang's published digits.
func TestZigguratTables(t *testing.T) {
	z := newZiggurat()
	for i := 1; i < zigLayers; i++ {
		a := z.x[i] * (z.f[i+1] - z.f[i])
		if math.Abs(a-z.v) > 1e-12*z.v {
			t.Errorf("layer %d: area %.15g, want %.15g", i, a, z.v)
		}
	}
	base := z.r*math.Exp(-0.5*z.r*z.r) + math.Sqrt(math.Pi/2)*math.Erfc(z.r/math.Sqrt2)
	if math.Abs(base-z.v) > 1e-12*z.v {
		t.Errorf("base layer and tail: area %.15g, want %.15g", base, z.v)
	}
	// Marsaglia & Tsang (2000): R = 3.442619855899, V = 9.91256303526217e-3
	if math.Abs(z.r-3.442619855899) > 1e-9 || math.Abs(z.v-9.91256303526217e-3) > 1e-12 {
		t.Errorf("R = %.15g, V = %.15g; Marsaglia & Tsang: 3.442619855899, 9.91256303526217e-3", z.r, z.v)
	}
	t.Logf("R = %.15g, V = %.17g", z.r, z.v)
}

// TestNormalDistribution draws 4 million deviates and compares them with
// the standard normal distribution: the Kolmogorov–Smirnov distance
// (√n·D above 2.0 has probability 7e-4 under the null), the first four
// moments (bounds of 5 standard errors: the sample mean's s.d. is 1/√n,
// the variance's √(2/n), the fourth moment's √(96/n)), and the counts
// beyond R (the tail sampler) and beyond 4.5 against their binomial
// expectation within 5 s.d.
func TestNormalDistribution(t *testing.T) {
	const n = 4_000_000
	g := rand.NewPCG(3, 14)
	x := make([]float64, n)
	var m1, m2, m4 float64
	beyondR, beyond45 := 0, 0
	for i := range x {
		v := normal(g)
		x[i] = v
		m1 += v
		m2 += v * v
		m4 += v * v * v * v
		if math.Abs(v) > zig.r {
			beyondR++
		}
		if math.Abs(v) > 4.5 {
			beyond45++
		}
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	se := func(v float64) float64 { return 5 * math.Sqrt(v/n) }
	if math.Abs(m1) > se(1) || math.Abs(m2-1) > se(2) || math.Abs(m4-3) > se(96) {
		t.Errorf("moments: mean %.5f, E[x²] %.5f, E[x⁴] %.4f; want 0, 1, 3 within %.4f, %.4f, %.4f", m1, m2, m4, se(1), se(2), se(96))
	}
	slices.Sort(x)
	d := 0.0
	for i, v := range x {
		c := 0.5 * math.Erfc(-v/math.Sqrt2)
		d = math.Max(d, math.Max(math.Abs(c-float64(i)/n), math.Abs(float64(i+1)/n-c)))
	}
	if k := math.Sqrt(n) * d; k > 2.0 {
		t.Errorf("Kolmogorov–Smirnov: √n·D = %.3f, want <= 2.0", k)
	}
	for _, c := range []struct {
		at  float64
		got int
	}{{zig.r, beyondR}, {4.5, beyond45}} {
		p := math.Erfc(c.at / math.Sqrt2)
		want := p * n
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(float64(c.got)-want) > 5*sd {
			t.Errorf("|x| > %g: %d deviates, want %.1f ± %.1f", c.at, c.got, want, 5*sd)
		}
	}
}

// BenchmarkNormal compares the ziggurat draw with math/rand/v2's
// NormFloat64 on the same generator.
func BenchmarkNormal(b *testing.B) {
	b.Run("ziggurat", func(b *testing.B) {
		g := rand.NewPCG(1, 2)
		s := 0.0
		for b.Loop() {
			s += normal(g)
		}
		_ = s
	})
	b.Run("NormFloat64", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		s := 0.0
		for b.Loop() {
			s += r.NormFloat64()
		}
		_ = s
	})
}

// TestWedgeSqueeze: the squeeze decides every point of every wedge as the
// comparison with math.Exp does, for uniform points (as the draws give
// them) and for points within a few rounding steps of the curve, where a
// margin too small would show.
func TestWedgeSqueeze(t *testing.T) {
	g := rand.New(rand.NewPCG(5, 8))
	for i := uint64(1); i < zigLayers; i++ {
		lo, hi := zig.x[i+1], zig.x[i]
		for k := range 20000 {
			x := lo + g.Float64()*(hi-lo)
			if k%2 == 1 {
				x = -x
			}
			y := zig.f[i] + g.Float64()*(zig.f[i+1]-zig.f[i])
			if k%4 >= 2 { // next to the curve
				y = math.Exp(-0.5 * x * x)
				for range g.IntN(4) {
					y = math.Nextafter(y, 2*float64(g.IntN(2)))
				}
			}
			if got, want := zig.wedge(i, x, y), y < math.Exp(-0.5*x*x); got != want {
				t.Fatalf("layer %d, x = %v, y = %v: squeeze says %v, math.Exp %v", i, x, y, got, want)
			}
		}
	}
	kinds := map[int8]int{}
	for i := 1; i < zigLayers; i++ {
		kinds[zig.sq[i].kind]++
	}
	if kinds[1] == 0 || kinds[-1] == 0 || kinds[0] != 1 {
		t.Errorf("layer kinds %v: want convex and concave layers and one across z = 1", kinds)
	}
}
