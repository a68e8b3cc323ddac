package consolidation

import (
	"math"
	"testing"
)

// metaG is 2m·x + sinh(2m·x): along the solution of d|W_h|/dt =
// −r/cosh²(m|W_h|) it falls linearly, by 4m·r per unit time (integrate
// cosh²(m x) dx = −r dt).
func metaG(m, x float64) float64 { return 2*m*x + math.Sinh(2*m*x) }

// metaSolve returns |W_h(t)| of the closed form: the root x >= 0 of
// metaG(m, x) = metaG(m, x0) − 4m·r·t (metaG is increasing), by
// bisection.
func metaSolve(m, x0, r, t float64) float64 {
	g := metaG(m, x0) - 4*m*r*t
	lo, hi := 0.0, x0
	for range 200 {
		mid := (lo + hi) / 2
		if metaG(m, mid) < g {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// metaDrive applies n equal changes dw to one synapse with W_h = x0 and
// returns W_h.
func metaDrive(t *testing.T, m, x0, dw float64, n int) float64 {
	p := DefaultMetaplastic()
	p.M, p.WHInit = m, x0
	mod := mustNew(t, &p, gridLayout(1, 1, 1, func(int) float32 { return 1 }))
	for range n {
		mod.Signal(0, 0, dw)
	}
	return mod.Get(1, 0)
}

// TestMetaplasticAttenuation: under a constant depressing drive of rate r
// (steps dw = ∓r·h towards zero), |W_h| follows the closed-form solution of
// d|W_h|/dt = −r(1 − tanh²(m|W_h|)), to first order in h (the paper's
// update is Euler's method on that equation): the error is small and
// halves with h.
func TestMetaplasticAttenuation(t *testing.T) {
	cases := []struct {
		name     string
		m, x0, r float64
		T        float64
	}{
		{"positive/m=1.3", 1.3, 1, 1, 1.5},
		{"negative/m=1.3", 1.3, -1, 1, 1.5},
		{"positive/m=3", 3, 0.8, 0.5, 8},
		{"m=0/plain", 0, 1, 1, 0.9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := math.Abs(c.x0) - c.r*c.T // m = 0: no attenuation
			if c.m > 0 {
				want = metaSolve(c.m, math.Abs(c.x0), c.r, c.T)
			}
			var errs [2]float64
			for k, h := range []float64{1e-3, 5e-4} {
				n := int(math.Round(c.T / h))
				dw := -math.Copysign(c.r*h, c.x0)
				got := metaDrive(t, c.m, c.x0, dw, n)
				if math.Signbit(got) != math.Signbit(c.x0) {
					t.Fatalf("h = %g: W_h = %g changed sign", h, got)
				}
				errs[k] = math.Abs(math.Abs(got) - want)
			}
			if c.m == 0 {
				// No attenuation: W_h falls linearly, up to rounding.
				if errs[1] > 1e-9 {
					t.Fatalf("m = 0: |W_h| off the line by %g", errs[1])
				}
				return
			}
			if errs[1] > 2e-3*math.Abs(c.x0) {
				t.Fatalf("|W_h(T)| off the closed form %g by %g", want, errs[1])
			}
			if ratio := errs[0] / errs[1]; ratio < 1.8 || ratio > 2.2 {
				t.Fatalf("error %g at h, %g at h/2: ratio %g, want 2 (first order)", errs[0], errs[1], ratio)
			}
		})
	}
}

// TestMetaplasticPotentiation: updates that increase |W_h| pass
// unattenuated, whatever m; the binary efficacy follows sign(W_h) and the
// hidden one max(W_h, 0).
func TestMetaplasticPotentiation(t *testing.T) {
	for _, x0 := range []float64{0.5, -0.5, 0} {
		dw := 0.01
		if x0 < 0 {
			dw = -0.01
		}
		got := metaDrive(t, 5, x0, dw, 100)
		if want := x0 + 100*dw; math.Abs(got-want) > 1e-12 {
			t.Fatalf("x0 = %g: W_h = %.15g after 100 steps %g, want %g", x0, got, dw, want)
		}
	}
	for _, out := range []string{metaOutBinary, metaOutHidden} {
		p := DefaultMetaplastic()
		p.M, p.WHInit, p.Output = 0, 0.3, out
		mod := mustNew(t, &p, gridLayout(1, 1, 1, func(int) float32 { return 2 }))
		d := newConsDriver(mod)
		for _, c := range []struct{ dw, want float64 }{
			{0, map[string]float64{metaOutBinary: 2, metaOutHidden: 0.6}[out]},
			{-0.5, 0},
			{0.7, map[string]float64{metaOutBinary: 2, metaOutHidden: 1}[out]},
		} {
			mod.Signal(0, 0, c.dw)
			if math.Abs(float64(d.w[0])-c.want) > 1e-6 {
				t.Fatalf("output %s: after dw = %g delivered %g, want %g", out, c.dw, d.w[0], c.want)
			}
		}
	}
}
