package stdp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// refP11 is the P11 rule of Zenke, Agnes & Gerstner (2015) computed
// straight from its equations for one synapse, every trace an explicit sum
// over the earlier spikes (refKernel), ν̄ in Hz from times in seconds:
//
//	arrival:   w ← max(w_min, w − A⁻ z⁻ (ν̄/κ)² + δ),  ν̄ = (ν̄₀ τ_h e^{−t/τ_h} + Σ e^{−(t−t_post)/τ_h}) / τ_h
//	post:      w ← min(w_max, max(w_min, w + A⁺ z⁺ z^slow − β (w − w̃(t)) (z⁻)³))
//
// wRef gives w̃ at tick t.
func refP11(p P11Params, dt float64, wRef func(t snnsim.Time) float64) refRule {
	sec := func(ms float64) float64 { return ms / 1000 }
	rate := func(t snnsim.Time, Q []snnsim.Time) float64 { // ν̄ in Hz
		tauH := sec(p.TauHom)
		z := p.RateInit*tauH*math.Exp(-sec(float64(t)*dt)/tauH) + refKernel(Q, t, dt, p.TauHom, false)
		return z / tauH
	}
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			zm := refKernel(Q, t, dt, p.TauMinus, false)
			r := rate(t, Q) / p.Kappa
			return math.Max(p.WMin, w-p.AMinus*zm*r*r+p.Delta)
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			zp := refKernel(P, t, dt, p.TauPlus, false)
			zs := refKernel(Q, t, dt, p.TauSlow, false)
			zm := refKernel(Q, t, dt, p.TauMinus, false)
			v := w + p.APlus*zp*zs - p.Beta*(w-wRef(t))*zm*zm*zm
			return math.Min(p.WMax, math.Max(p.WMin, v))
		},
	}
}

// p11Cases are the P11 variants the reference test runs: the authors'
// values; the same with 50 times larger amplitudes and a 10 times larger
// β, so that weights move far and hit the bounds; and the unstable
// control (β = δ = 0).
func p11Cases() []struct {
	name string
	p    P11Params
} {
	authors := DefaultP11()
	strong := authors
	strong.APlus, strong.AMinus, strong.Delta, strong.Beta = 0.05, 0.05, 1e-3, 0.5
	strong.WMin, strong.WMax = 0.1, 0.6
	control := authors
	if err := control.ApplyPreset(presetZenke2015Unstab); err != nil {
		panic(err)
	}
	fast := strong // a short τ_hom, so that ν̄ moves within the 2 s of the trains
	fast.TauHom, fast.RateInit, fast.Beta, fast.WMin, fast.WMax = 500, 30, 0.05, math.Inf(-1), math.Inf(1)
	return []struct {
		name string
		p    P11Params
	}{{"authors", authors}, {"strong_bounded", strong}, {"unstable_control", control}, {"fast_hom_unbounded", fast}}
}

// runP11 drives rule r over the trains of pr with reference weights ref0
// before tick tSwitch and ref1 from it on (the rule must read the live
// array).
func runP11[W Weight](r *P11[W], pr *proj, tr trains, w []W, ref0, ref1 []float64, tSwitch snnsim.Time) {
	ref := slices.Clone(ref0)
	r.UseReference(ref, 1)
	evs := events(tr, preFirst)
	k := 0
	for k < len(evs) && evs[k].t < tSwitch {
		k++
	}
	apply(r, pr, evs[:k], w)
	copy(ref, ref1)
	apply(r, pr, evs[k:], w)
}

// TestP11Reference compares the P11 rule with refP11 on a fixed set of
// trains written by hand and on random trains (with the edge cases of
// randomTrains: bursts, simultaneous arrivals and post spikes, spikes at
// tick 0), with w̃ changed half way. float64 weights must agree to 1e-12;
// float32 weights to their rounding.
func TestP11Reference(t *testing.T) {
	const nPre, nPost, ticks, delay = 6, 4, 20000, 8
	fixed := trains{
		pre:  [][]snnsim.Time{{100, 500, 501, 502, 3000, 3010}, {0, 8, 600, 2999}},
		post: [][]snnsim.Time{{0, 200, 500, 502, 520, 3005, 3006, 3007}, {9, 600, 601, 602, 603, 4000}},
	}
	for _, c := range p11Cases() {
		for seed := range uint64(4) {
			name := fmt.Sprintf("%s/trains=random%d", c.name, seed)
			if seed == 3 {
				name = c.name + "/trains=fixed"
			}
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 0x11))
				var pr *proj
				var tr trains
				if seed == 3 {
					pr = newProj(2, 2, 1, nil)
					tr = fixed
				} else {
					pr = newProj(nPre, nPost, 0.7, rng)
					tr = randomTrains(rng, pr, ticks, delay, testClock.DT)
				}
				n := len(pr.tgt)
				w0, ref0, ref1 := make([]float64, n), make([]float64, n), make([]float64, n)
				lo, hi := max(c.p.WMin, 0), min(c.p.WMax, 1)
				for k := range w0 {
					w0[k] = lo + (hi-lo)*rng.Float64()
					ref0[k], ref1[k] = 0.5*rng.Float64(), rng.Float64()
				}
				const tSwitch = ticks / 2
				r64, err := NewP11[float64](c.p, testClock, pr.nPre, pr.nPost)
				if err != nil {
					t.Fatal(err)
				}
				r32, _ := NewP11[float32](c.p, testClock, pr.nPre, pr.nPost)
				w := slices.Clone(w0)
				w32 := make([]float32, n)
				for k := range w0 {
					w32[k] = float32(w0[k])
				}
				runP11(r64, pr, tr, w, ref0, ref1, tSwitch)
				runP11(r32, pr, tr, w32, ref0, ref1, tSwitch)
				var maxDiff, maxDiff32, maxChange float64
				for k := range w {
					wRef := func(tk snnsim.Time) float64 {
						if tk < tSwitch {
							return ref0[k]
						}
						return ref1[k]
					}
					want := refRun(refP11(c.p, testClock.DT, wRef), w0[k], tr.pre[pr.source(k)], tr.post[pr.tgt[k]])
					d := math.Abs(w[k] - want)
					maxDiff = max(maxDiff, d)
					maxDiff32 = max(maxDiff32, math.Abs(float64(w32[k])-want)/max(1, math.Abs(want)))
					maxChange = max(maxChange, math.Abs(want-w0[k]))
					if !(d <= 1e-12) {
						t.Errorf("synapse %d: rule %.17g, reference %.17g, diff %.3g > 1e-12", k, w[k], want, d)
					}
				}
				if maxDiff32 > 1e-5 {
					t.Errorf("float32 weights differ from the reference by %.3g > 1e-5", maxDiff32)
				}
				if maxChange == 0 {
					t.Errorf("no weight changed: the case tests nothing")
				}
				t.Logf("max |rule - reference| = %.3g (float64), %.3g (float32); largest change %.3g", maxDiff, maxDiff32, maxChange)
			})
		}
	}
}

// TestP11OneUpdate checks the authors' order on one postsynaptic spike
// computed by hand: LTP and the heterosynaptic term come from the same old
// weight and the sum is clipped once. Here LTP alone would pass w_max, so
// applying LTP (clipped) and then the heterosynaptic term would give
// another weight.
func TestP11OneUpdate(t *testing.T) {
	p := DefaultP11()
	p.APlus, p.Beta, p.WMax = 0.5, 1, 1
	r, err := NewP11[float64](p, testClock, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := []float64{0.2}
	r.UseReference(ref, 1)
	w := []float64{0.9}
	r.Post(0, 0, []int32{0}, []int32{0}, w) // z^slow, z⁻ = 1 from here
	r.Pre(10, 0, []int32{0}, w)             // z⁺ = 1 from here
	w[0] = 0.9
	const tk = 20
	r.Post(tk, 0, []int32{0}, []int32{0}, w)
	zp := math.Exp(-10 * 0.1 / 20)  // pre arrival 1 ms earlier, τ+ = 20 ms
	zs := math.Exp(-20 * 0.1 / 100) // post spike 2 ms earlier, τ_slow = 100 ms
	zm := math.Exp(-20 * 0.1 / 20)  // τ− = 20 ms
	want := 0.9 + 0.5*zp*zs - (0.9-0.2)*zm*zm*zm
	sequential := 1 - (1-0.2)*zm*zm*zm // LTP clipped at 1 first
	if math.Abs(w[0]-want) > 1e-15 {
		t.Errorf("w = %.17g, want %.17g (one update from the old weight)", w[0], want)
	}
	if math.Abs(want-sequential) < 1e-3 {
		t.Fatalf("the case does not separate the orders: %g vs %g", want, sequential)
	}
}

// TestP11RateClosedForm checks ν̄ for a regular train of rate ν from tick
// 0: before spike n (t = n T, t−ε) the rate trace is the geometric sum
// z^h = ν̄₀ τ_h q^n + q (1 − q^n)/(1 − q) with q = e^{−T/τ_h}, so that ν̄ =
// z^h/τ_h, which tends to q/((1 − q) τ_h) ≈ ν.
func TestP11RateClosedForm(t *testing.T) {
	for _, tc := range []struct {
		hz     float64
		tauHom float64 // [ms]
	}{{2, 600e3}, {10, 600e3}, {37, 10e3}, {5, 1e3}} {
		t.Run(fmt.Sprintf("rate=%gHz/tau_hom=%gms", tc.hz, tc.tauHom), func(t *testing.T) {
			p := DefaultP11()
			p.TauHom = tc.tauHom
			r, err := NewP11[float64](p, testClock, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			period := snnsim.Time(math.Round(1000 / tc.hz / testClock.DT)) // ticks
			if got := r.Rate(0, 0); got != 2 {
				t.Fatalf("ν̄(0) = %g Hz, want 2 Hz", got)
			}
			tau := tc.tauHom / 1000 // s
			q := math.Exp(-float64(period) * testClock.DT / tc.tauHom)
			n := 0
			maxRel := 0.0
			for tk := snnsim.Time(0); tk < 20*snnsim.Time(tc.tauHom/testClock.DT); tk += period {
				if n%97 == 0 || n < 3 {
					qn := math.Pow(q, float64(n))
					want := (2*tau*qn + q*(1-qn)/(1-q)) / tau
					got := r.Rate(0, tk)
					rel := math.Abs(got-want) / want
					maxRel = max(maxRel, rel)
					if rel > 1e-12 {
						t.Fatalf("spike %d (t = %g s): ν̄ = %.15g Hz, closed form %.15g Hz", n, float64(tk)*testClock.DT/1000, got, want)
					}
				}
				r.TracePost(tk, 0)
				n++
			}
			// After 20 τ_hom the estimate is the train's rate up to the
			// discreteness of the train, ν·T/(2 τ_h) at most.
			nu := 1000 / (float64(period) * testClock.DT)
			got := r.Rate(0, snnsim.Time(n)*period)
			if math.Abs(got-nu) > nu*float64(period)*testClock.DT/tc.tauHom {
				t.Errorf("ν̄ after 20 τ_hom = %.9g Hz, train rate %.9g Hz", got, nu)
			}
			t.Logf("%d spikes, max relative error %.3g", n, maxRel)
		})
	}
}

// TestP11NeedsReference checks that a rule with β > 0 reads reference
// weights and refuses to run a postsynaptic pass without them, and that
// with β = 0 it reads none.
func TestP11NeedsReference(t *testing.T) {
	p := DefaultP11()
	r, _ := NewP11[float32](p, testClock, 1, 1)
	if !r.ReadsReference() {
		t.Fatal("β = 0.05: ReadsReference() = false")
	}
	w := []float32{0.5}
	r.Post(0, 0, []int32{0}, []int32{0}, w) // z⁻ = 0 at the first spike: no term, no read
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Post with z⁻ > 0, β > 0 and no reference weights did not panic")
			}
		}()
		r.Post(10, 0, []int32{0}, []int32{0}, w)
	}()
	p.Beta = 0
	r, _ = NewP11[float32](p, testClock, 1, 1)
	if r.ReadsReference() {
		t.Error("β = 0: ReadsReference() = true")
	}
	r.Post(0, 0, []int32{0}, []int32{0}, w)
	r.Post(10, 0, []int32{0}, []int32{0}, w)
}

// TestP11PostFactors checks PostFactors and PreFactors against Post and
// Pre: two rules see the same random pre and post spikes; one updates with
// Pre and Post, the other with PreFactors and PostFactors and the updates
// PreFactorer and PostFactorer document, written out here (with a
// stride-2 reference array, as a consolidation model keeps it); weights
// and traces must agree bit for bit, for each parameter set of p11Cases
// (bounded, unbounded, β = δ = 0).
func TestP11PostFactors(t *testing.T) {
	for _, c := range p11Cases() {
		t.Run(c.name, func(t *testing.T) {
			const nPre, nPost = 6, 4
			clock := snnsim.Clock{DT: 0.1}
			r1, err := NewP11[float32](c.p, clock, nPre, nPost)
			if err != nil {
				t.Fatal(err)
			}
			r2, _ := NewP11[float32](c.p, clock, nPre, nPost)
			rng := rand.New(rand.NewPCG(1, 2))
			n := nPre * nPost // synapse k = i·nPost + j
			w1, w2 := make([]float32, n), make([]float32, n)
			ref := make([]float64, 2*n) // w̃ of synapse k at 2k+1
			for k := range n {
				w1[k] = float32(0.1 + 0.3*rng.Float64())
				w2[k] = w1[k]
				ref[2*k+1] = 0.4 * rng.Float64()
			}
			r1.UseReference(ref[1:], 2)
			r2.UseReference(ref[1:], 2)
			changed, changedPre := 0, 0
			for tick := snnsim.Time(0); tick < 20000; tick++ {
				for i := range int32(nPre) {
					if rng.Float64() < 0.004 {
						tgt := make([]int32, nPost)
						for j := range tgt {
							tgt[j] = int32(j)
						}
						lo := int(i) * nPost
						r1.Pre(tick, i, tgt, w1[lo:lo+nPost])
						c, delta, wMin, q := r2.PreFactors(tick, i)
						for k, j := range tgt {
							v := float64(w2[lo+k]) - c*q[j] + delta
							if v < wMin {
								v = wMin
							}
							if float32(v) != w2[lo+k] {
								changedPre++
							}
							w2[lo+k] = float32(v)
						}
					}
				}
				for j := range int32(nPost) {
					if rng.Float64() >= 0.01 {
						continue
					}
					var src, syn []int32
					for i := range int32(nPre) {
						src, syn = append(src, i), append(syn, i*nPost+j)
					}
					r1.Post(tick, j, src, syn, w1)
					a, b, zp := r2.PostFactors(tick, j)
					if a == 0 && b == 0 {
						continue
					}
					wMin, wMax := r2.WeightBounds()
					for m, k := range syn {
						x := float64(w2[k])
						v := x + a*zp[src[m]]
						if b != 0 {
							v -= b * (x - ref[2*k+1])
						}
						if v > wMax {
							v = wMax
						}
						if v < wMin {
							v = wMin
						}
						if float32(v) != w2[k] {
							changed++
						}
						w2[k] = float32(v)
					}
				}
				for k := range n {
					if math.Float32bits(w1[k]) != math.Float32bits(w2[k]) {
						t.Fatalf("tick %d: synapse %d: %v with PostFactors, %v with Post", tick, k, w2[k], w1[k])
					}
				}
			}
			for j := range int32(nPost) {
				m1, s1, h1 := r1.PostTraces(j, 20000)
				m2, s2, h2 := r2.PostTraces(j, 20000)
				if m1 != m2 || s1 != s2 || h1 != h2 {
					t.Fatalf("target %d: traces %v %v %v with PostFactors, %v %v %v with Post", j, m2, s2, h2, m1, s1, h1)
				}
			}
			for i := range int32(nPre) {
				if z1, z2 := r1.PreTrace(i, 20000), r2.PreTrace(i, 20000); z1 != z2 {
					t.Fatalf("source %d: z⁺ %v with PreFactors, %v with Pre", i, z2, z1)
				}
			}
			if changed == 0 {
				t.Fatal("no postsynaptic update changed a weight")
			}
			if changedPre == 0 {
				t.Fatal("no presynaptic update changed a weight")
			}
		})
	}
}
