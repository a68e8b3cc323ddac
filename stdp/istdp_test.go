package stdp

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// refVogels is the rule of Vogels et al. (2011) from its equations: at a
// presynaptic arrival w ← clip(w + η (Σ_post e^{−(t−t_post)/τ} − α)), at a
// postsynaptic spike w ← clip(w + η Σ_pre e^{−(t−t_pre)/τ}), α = 2 ρ0 τ
// computed in seconds and Hz.
func refVogels(p VogelsParams, dt float64) refRule {
	alpha := 2 * p.Kappa * (p.Tau / 1000)
	clip := func(v float64) float64 { return math.Min(p.WMax, math.Max(p.WMin, v)) }
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			return clip(w + p.Eta*(refKernel(Q, t, dt, p.Tau, false)-alpha))
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			return clip(w + p.Eta*refKernel(P, t, dt, p.Tau, false))
		},
	}
}

// refGlobal is the global-factor rule of Zenke, Agnes & Gerstner (2015)
// from its definition, for a target population of n neurons whose spikes
// (all of them, with repeats for simultaneous ones) are all:
//
//	X(t) = κ n τ_H e^{−t/τ_H} + Σ_{s ∈ all, s < t} e^{−(t−s)/τ_H},  ν_pop = X/(n τ_H),  G = η (ν_pop − κ)/κ
//	arrival: w ← max(w_min, w + G (z⁻ + ξ) − ζ);   post spike: w ← min(w_max, w + G z⁺)
func refGlobal(p GlobalISTDPParams, dt float64, n int, all []snnsim.Time) refRule {
	tauH := p.TauH / 1000 // s
	g := func(t snnsim.Time) float64 {
		x := p.Kappa*float64(n)*tauH*math.Exp(-float64(t)*dt/p.TauH) + refKernel(all, t, dt, p.TauH, false)
		return p.Eta * (x/(float64(n)*tauH) - p.Kappa) / p.Kappa
	}
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			return math.Max(p.WMin, w+g(t)*(refKernel(Q, t, dt, p.TauMinus, false)+p.Xi)-p.Zeta)
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			return math.Min(p.WMax, w+g(t)*refKernel(P, t, dt, p.TauPlus, false))
		},
	}
}

// globalCases are the istdp_global variants of the tests: the authors'
// values, and a fast one (τ_H = 300 ms, κ = 45 Hz, η = 0.01, ζ ≠ 0,
// narrow bounds) whose factor changes sign within the 2 s of the trains.
func globalCases() []struct {
	name string
	p    GlobalISTDPParams
} {
	fast := DefaultGlobalISTDP()
	fast.TauH, fast.Kappa, fast.Eta, fast.Zeta, fast.Xi, fast.TauPlus = 300, 45, 0.01, 1e-4, 0.5, 15
	fast.WMin, fast.WMax = 0.3, 0.7
	return []struct {
		name string
		p    GlobalISTDPParams
	}{{"authors", DefaultGlobalISTDP()}, {"fast", fast}}
}

// TestGlobalISTDPReference runs istdp_global over random trains and
// compares every weight with refGlobal; the population's spikes are those
// of all targets of the projection, each counted without delay or, as the
// authors' code counts them, one axonal delay (count=8: 8 ticks) after it
// was fired: the reference then sums the spike trains shifted by the
// delay.
func TestGlobalISTDPReference(t *testing.T) {
	const nPre, nPost, ticks, delay = 6, 5, 20000, 8
	for _, c := range globalCases() {
		for _, cd := range []snnsim.Time{0, 8} {
			for seed := range uint64(3) {
				t.Run(fmt.Sprintf("%s/count=%d/seed=%d", c.name, cd, seed), func(t *testing.T) {
					globalReference(t, c.p, cd, seed, nPre, nPost, ticks, delay)
				})
			}
		}
	}
}

// globalReference is one case of TestGlobalISTDPReference, with the
// target spikes counted cd ticks late.
func globalReference(t *testing.T, p GlobalISTDPParams, cd snnsim.Time, seed uint64, nPre, nPost int, ticks, delay snnsim.Time) {
	rng := rand.New(rand.NewPCG(seed, 0x15))
	pr := newProj(nPre, nPost, 0.7, rng)
	tr := randomTrains(rng, pr, ticks, delay, testClock.DT)
	all := slices.Concat(tr.post...)
	slices.Sort(all)
	counted := make([]snnsim.Time, len(all)) // the ticks at which X counts them
	for k, s := range all {
		counted[k] = s + cd
	}
	ref := refGlobal(p, testClock.DT, nPost, counted)
	n := len(pr.tgt)
	w0 := make([]float64, n)
	for k := range w0 {
		w0[k] = 0.3 + 0.4*rng.Float64()
	}
	r64, err := NewGlobalISTDP[float64](p, testClock, nPre, nPost)
	if err != nil {
		t.Fatal(err)
	}
	r32, _ := NewGlobalISTDP[float32](p, testClock, nPre, nPost)
	r64.SetCountDelay(cd)
	r32.SetCountDelay(cd)
	w := slices.Clone(w0)
	w32 := make([]float32, n)
	for k := range w0 {
		w32[k] = float32(w0[k])
	}
	drive(r64, pr, tr, w, preFirst)
	drive(r32, pr, tr, w32, preFirst)
	var maxDiff, maxDiff32, maxChange float64
	for k := range w {
		want := refRun(ref, w0[k], tr.pre[pr.source(k)], tr.post[pr.tgt[k]])
		d := math.Abs(w[k] - want)
		maxDiff = max(maxDiff, d)
		maxDiff32 = max(maxDiff32, math.Abs(float64(w32[k])-want))
		maxChange = max(maxChange, math.Abs(want-w0[k]))
		if !(d <= 1e-12) {
			t.Errorf("synapse %d: rule %.17g, reference %.17g, diff %.3g", k, w[k], want, d)
		}
	}
	if maxDiff32 > 1e-5 {
		t.Errorf("float32 weights differ from the reference by %.3g > 1e-5", maxDiff32)
	}
	if maxChange == 0 {
		t.Error("no weight changed: the case tests nothing")
	}
	if cd > 0 {
		// The delay must show: the reference without it is
		// farther from the rule than the tolerance.
		undelayed := refGlobal(p, testClock.DT, nPost, all)
		var off float64
		for k := range w {
			off = max(off, math.Abs(w[k]-refRun(undelayed, w0[k], tr.pre[pr.source(k)], tr.post[pr.tgt[k]])))
		}
		if off <= 1e-12 {
			t.Errorf("the reference counting without delay agrees to %.3g: the case cannot tell the delay", off)
		}
	}
	t.Logf("max |rule - reference| = %.3g (float64), %.3g (float32); largest change %.3g; G at the end %.3g",
		maxDiff, maxDiff32, maxChange, r64.Factor(ticks))
}

// TestGlobalISTDPExternal checks that istdp_global given the population's
// spike counts from outside (CountExternally, PopulationSpikes) changes
// the weights as when it counts the spikes of Post itself, bit for bit,
// whether the counts of each tick come right after it or in batches of
// the count delay (as the workers of a parallel run pass them, at the end
// of each communication epoch), and that its state is the same.
func TestGlobalISTDPExternal(t *testing.T) {
	const nPre, nPost, ticks, delay = 6, 5, 20000, 8
	for _, c := range globalCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 0x15))
			pr := newProj(nPre, nPost, 0.7, rng)
			evs := events(randomTrains(rng, pr, ticks, delay, testClock.DT), preFirst)
			counts := map[snnsim.Time]int{}
			for _, e := range evs {
				if e.post {
					counts[e.t]++
				}
			}
			w0 := make([]float64, len(pr.tgt))
			for k := range w0 {
				w0[k] = 0.3 + 0.4*rng.Float64()
			}
			run := func(external bool, batch snnsim.Time) ([]float64, []byte) {
				r, err := NewGlobalISTDP[float64](c.p, testClock, nPre, nPost)
				if err != nil {
					t.Fatal(err)
				}
				r.SetCountDelay(delay)
				if external {
					r.CountExternally()
				}
				w := slices.Clone(w0)
				fed := snnsim.Time(0) // the counts of the ticks before fed are passed
				feed := func(to snnsim.Time) {
					for ; fed < to; fed++ {
						r.PopulationSpikes(fed, counts[fed])
					}
				}
				for _, e := range evs {
					if external && e.t/batch*batch > fed {
						feed(e.t / batch * batch)
					}
					if e.post {
						r.Post(e.t, e.n, pr.colSrc[e.n], pr.colSyn[e.n], w)
					} else {
						a, b := pr.rowStart[e.n], pr.rowStart[e.n+1]
						r.Pre(e.t, e.n, pr.tgt[a:b], w[a:b])
					}
				}
				if external {
					feed(evs[len(evs)-1].t + 1)
				}
				return w, r.AppendState(nil)
			}
			want, wantState := run(false, 0)
			if slices.Equal(want, w0) {
				t.Fatal("no weight changed: nothing is compared")
			}
			for _, batch := range []snnsim.Time{1, delay} {
				got, state := run(true, batch)
				for k := range got {
					if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
						t.Fatalf("counts in batches of %d ticks: synapse %d: %v, counted by Post: %v", batch, k, got[k], want[k])
					}
				}
				if !bytes.Equal(state, wantState) {
					t.Errorf("counts in batches of %d ticks: the state differs from the rule's that counts by Post", batch)
				}
			}
		})
	}
}

// TestGlobalFactor checks G against its definition for a population of n
// neurons that all fire regularly with period T from tick T: before the
// m-th volley (t = m T, t−ε) X = κ n τ_H q^m + n q (1 − q^{m−1})/(1 − q)
// with q = e^{−T/τ_H}, and G = η (X/(n τ_H) − κ)/κ, which starts at 0
// and tends to η (ν − κ)/κ for the volleys' rate ν (up to the discreteness
// of the train, ν T/(2 τ_H)).
func TestGlobalFactor(t *testing.T) {
	for _, hz := range []float64{1, 4, 10} {
		t.Run(fmt.Sprintf("rate=%gHz", hz), func(t *testing.T) {
			p := DefaultGlobalISTDP()
			const n = 7
			r, err := NewGlobalISTDP[float64](p, testClock, 1, n)
			if err != nil {
				t.Fatal(err)
			}
			if g := r.Factor(0); g != 0 {
				t.Fatalf("G(0) = %g, want 0 (X starts at κ N τ_H)", g)
			}
			if nu := r.PopulationRate(0); math.Abs(nu-4) > 1e-12 {
				t.Fatalf("ν_pop(0) = %g Hz, want 4 Hz", nu)
			}
			period := snnsim.Time(math.Round(1000 / hz / testClock.DT))
			tauH := p.TauH / 1000
			q := math.Exp(-float64(period) * testClock.DT / p.TauH)
			var tk snnsim.Time
			for m := 1; m <= int(30*p.TauH/1000*hz); m++ {
				tk = snnsim.Time(m) * period
				qm := math.Pow(q, float64(m))
				x := p.Kappa*n*tauH*qm + n*q*(1-qm/q)/(1-q)
				want := p.Eta * (x/(n*tauH) - p.Kappa) / p.Kappa
				if got := r.Factor(tk); math.Abs(got-want) > 1e-12*p.Eta {
					t.Fatalf("volley %d: G = %.15g, definition %.15g", m, got, want)
				}
				for j := range int32(n) {
					r.TracePost(tk, j)
				}
			}
			limit := p.Eta * (hz - p.Kappa) / p.Kappa
			g := r.Factor(tk + period)
			if math.Abs(g-limit) > p.Eta*hz*float64(period)*testClock.DT/p.TauH/p.Kappa {
				t.Errorf("G after 30 τ_H = %.9g, want η(ν − κ)/κ = %.9g", g, limit)
			}
		})
	}
}

// TestVogelsWindow checks the published window of Vogels et al. (2011,
// Fig. 1): one presynaptic arrival and one postsynaptic spike Δt apart, in
// either order, change the weight by η (e^{−|Δt|/τ} − α), symmetric in Δt;
// at Δt = 0 they do not pair (t−ε), leaving −ηα.
func TestVogelsWindow(t *testing.T) {
	p := DefaultVogels()
	alpha := 2 * p.Kappa / 1000 * p.Tau
	if math.Abs(alpha-0.12) > 1e-15 || math.Abs(p.Alpha()-0.12) > 1e-15 {
		t.Fatalf("α = %g, Alpha() = %g, want 2 · 3 Hz · 20 ms = 0.12", alpha, p.Alpha())
	}
	const t0 = 5000
	for _, dtMs := range []float64{-100, -40, -20, -5, -0.1, 0, 0.1, 5, 20, 40, 100} {
		d := snnsim.Time(math.Round(dtMs / testClock.DT))
		r, err := NewVogels[float64](p, testClock, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		w := []float64{1}
		pre := func(tk snnsim.Time) { r.Pre(tk, 0, []int32{0}, w) }
		post := func(tk snnsim.Time) { r.Post(tk, 0, []int32{0}, []int32{0}, w) }
		if d >= 0 {
			pre(t0)
			post(t0 + d)
		} else {
			post(t0 + d)
			pre(t0)
		}
		want := p.Eta * (math.Exp(-math.Abs(dtMs)/p.Tau) - alpha)
		if d == 0 {
			want = -p.Eta * alpha
		}
		if got := w[0] - 1; math.Abs(got-want) > 1e-15 {
			t.Errorf("Δt = %g ms: Δw = %.12g, want %.12g", dtMs, got, want)
		}
	}
}

// TestGlobalISTDPState checks checkpoint and resume of istdp_global (the
// traces and X) at every split, and the RestoreState contract.
func TestGlobalISTDPState(t *testing.T) {
	for _, c := range globalCases() {
		rc := ruleCase{name: "rule=istdp_global/" + c.name, p: &c.p, w0: [2]float64{0.3, 0.7}}
		s := newStateSetup(rc, 5)
		for _, sp := range splits(t, s.evs) {
			t.Run(fmt.Sprintf("%s/split=%s", rc.name, sp.name), func(t *testing.T) { resume[float32](t, rc.p, s, sp) })
		}
		r := mustRule[float64](t, rc.p, testClock, stateNPre, stateNPost)
		apply(r, s.pr, s.evs[:len(s.evs)/2], slices.Clone(s.w0))
		checkpointtest.Run(t, checkpointtest.Case{
			Name:  rc.name,
			State: r.AppendState(nil),
			New: func(tb testing.TB) checkpoint.Stater {
				return mustRule[float64](tb, rc.p, testClock, stateNPre, stateNPost)
			},
		})
	}
}

// TestGlobalISTDPStateVersion2 restores a frame of version 2 (before the
// counts pending for X were saved) into istdp_global: it holds no pending
// count, and the rule then saves what it read, with none pending.
func TestGlobalISTDPStateVersion2(t *testing.T) {
	p := DefaultGlobalISTDP()
	rc := ruleCase{name: "istdp_global", p: &p, w0: [2]float64{0.3, 0.7}}
	s := newStateSetup(rc, 5)
	r := mustRule[float64](t, &p, testClock, stateNPre, stateNPost).(*ISTDP[float64])
	apply(r, s.pr, s.evs[:len(s.evs)/2], slices.Clone(s.w0))
	r.flush(r.h.cur + 1) // nothing pending, as in a frame of version 2
	id := r.ident()
	payload := id.append(nil)
	payload = appendTraces(payload, &r.pre)
	payload = appendTraces(payload, &r.post)
	payload = appendTraces(payload, &r.pop)
	payload = r.h.appendTo(payload)
	old := checkpointtest.Frame(tagOf(ruleGlobalISTDP), stateVersion, payload)
	q := mustRule[float64](t, &p, testClock, stateNPre, stateNPost)
	rest, err := q.RestoreState(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left after the frame", len(rest))
	}
	if !bytes.Equal(q.AppendState(nil), r.AppendState(nil)) {
		t.Error("the state restored from version 2 differs from the rule's")
	}
}
