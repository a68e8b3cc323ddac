package stdp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// testClock is the scenarios' default resolution.
var testClock = snnsim.Clock{DT: 0.1}

// ruleCase is one rule with its parameters and its slow reference.
type ruleCase struct {
	name string
	p    Params
	ref  refRule
	w0   [2]float64 // initial weights are uniform in [w0[0], w0[1])
}

// boundVariants are the weight bounds each rule is run with: none, the
// rule's own, and a narrow band that clipping hits often.
var boundVariants = []struct {
	name       string
	wMin, wMax float64
	w0         [2]float64
}{
	{"none", math.Inf(-1), math.Inf(1), [2]float64{0, 1}},
	{"unit", 0, 1, [2]float64{0, 1}},
	{"narrow", 0.47, 0.53, [2]float64{0.47, 0.53}},
}

// referenceCases lists every rule variant the reference checks: pair STDP
// with four weight dependences, every triplet preset, the homeostatic rule
// (also with η = 20, so that its small updates reach the bounds), each in
// both pairing schemes where the rule has them and with each bound variant.
func referenceCases(dt float64) []ruleCase {
	var cs []ruleCase
	deps := []struct {
		name    string
		mp, mm  float64
		bounded bool
	}{
		{"additive", 0, 0, false}, {"multiplicative", 1, 1, true},
		{"van_rossum", 0, 1, true}, {"power", 0.4, 0.7, true},
	}
	for _, dep := range deps {
		for _, pairing := range []Pairing{AllToAll, NearestSpike} {
			for _, b := range boundVariants {
				if dep.bounded && math.IsInf(b.wMax, 0) {
					continue // soft bounds need finite bounds
				}
				// Amplitudes twice NEST's default λ = 0.01, and the
				// hippocampal time constants, so that swapping τ+ and τ− shows.
				p := PairParams{APlus: 0.02, AMinus: 0.021, TauPlus: 16.8, TauMinus: 33.7,
					MuPlus: dep.mp, MuMinus: dep.mm, Pairing: pairing, WMin: b.wMin, WMax: b.wMax}
				cs = append(cs, ruleCase{fmt.Sprintf("rule=pair/dep=%s/pairing=%s/bounds=%s", dep.name, pairing, b.name),
					&p, refPair(p, dt), b.w0})
			}
		}
	}
	for _, name := range Presets(ruleTriplet) {
		for _, b := range boundVariants {
			p := TripletParams{WMin: b.wMin, WMax: b.wMax}
			if err := p.ApplyPreset(name); err != nil {
				panic(err)
			}
			cs = append(cs, ruleCase{fmt.Sprintf("rule=triplet/preset=%s/bounds=%s", name, b.name), &p, refTriplet(p, dt), b.w0})
		}
	}
	for _, eta := range []float64{1, 20} {
		for _, b := range boundVariants {
			p := DefaultHomeostatic()
			p.Eta, p.WMin, p.WMax = eta, b.wMin, b.wMax
			cs = append(cs, ruleCase{fmt.Sprintf("rule=triplet_homeostatic/eta=%g/bounds=%s", eta, b.name), &p, refHomeostatic(p, dt), b.w0})
		}
	}
	// P11 without the heterosynaptic term (it reads w̃, which these tests
	// do not have: TestP11Reference covers it), with 50 times the authors'
	// amplitudes and a short τ_hom so that weights move and ν̄ changes.
	for _, b := range boundVariants {
		p := DefaultP11()
		p.APlus, p.AMinus, p.Delta, p.Beta, p.TauHom, p.RateInit, p.WMin, p.WMax = 0.05, 0.05, 1e-3, 0, 500, 30, b.wMin, b.wMax
		cs = append(cs, ruleCase{"rule=p11/beta=0/bounds=" + b.name, &p, refP11(p, dt, func(snnsim.Time) float64 { return 0 }), b.w0})
	}
	for _, b := range boundVariants {
		p := DefaultVogels() // ρ0 = 20 Hz: the 10–50 Hz targets of randomTrains lie on both sides
		p.Eta, p.Kappa, p.WMin, p.WMax = 0.01, 20, b.wMin, b.wMax
		cs = append(cs, ruleCase{"rule=istdp_vogels/bounds=" + b.name, &p, refVogels(p, dt), b.w0})
	}
	return cs
}

// randomTrains draws presynaptic emission trains and postsynaptic trains
// for pr over [0, n) ticks, with the edge cases the reference must cover:
// spikes at tick 0, bursts with one-tick gaps, postsynaptic spikes exactly at
// a presynaptic arrival (simultaneous at the synapse) and exactly one delay
// before it (at the presynaptic emission). Arrivals are emissions + delay.
func randomTrains(rng *rand.Rand, pr *proj, n, delay snnsim.Time, dt float64) trains {
	emit := make([][]snnsim.Time, pr.nPre)
	post := make([][]snnsim.Time, pr.nPost)
	for i := range emit {
		emit[i] = poissonTicks(rng, 10+40*rng.Float64(), dt, 0, n)
	}
	for j := range post {
		post[j] = poissonTicks(rng, 10+40*rng.Float64(), dt, 0, n)
	}
	emit[0] = append(emit[0], 0) // a presynaptic emission at tick 0 (arrives at the delay)
	post[0] = append(post[0], 0) // a postsynaptic spike at tick 0
	for i := range emit {
		// A burst: five spikes one tick apart.
		b := snnsim.Time(rng.IntN(int(n - 10)))
		for k := range snnsim.Time(5) {
			emit[i] = append(emit[i], b+k)
		}
		for _, e := range emit[i] {
			switch rng.IntN(4) {
			case 0: // a post spike exactly at the arrival
				j := rng.IntN(pr.nPost)
				post[j] = append(post[j], e+delay)
			case 1: // a post spike at the emission, one delay before the arrival
				j := rng.IntN(pr.nPost)
				post[j] = append(post[j], e)
			}
		}
	}
	tr := trains{pre: make([][]snnsim.Time, pr.nPre), post: make([][]snnsim.Time, pr.nPost)}
	for i, s := range emit {
		for _, e := range s {
			tr.pre[i] = append(tr.pre[i], e+delay)
		}
	}
	copy(tr.post, post)
	for _, s := range [][][]snnsim.Time{tr.pre, tr.post} {
		for k := range s {
			slices.Sort(s[k])
			s[k] = slices.Compact(s[k])
		}
	}
	return tr
}

// TestFastMatchesReference runs every rule variant over random spike trains
// on a small random projection and compares each final weight with the slow
// reference, which sums the kernels of all earlier spikes explicitly
// (reference_test.go). Float64 weights must agree to 1e-12; float32 weights
// (what the engine stores) to the float32 rounding of the updates.
func TestFastMatchesReference(t *testing.T) {
	const (
		nPre, nPost = 6, 4
		ticks       = 20000 // 2 s at 0.1 ms
		delay       = 8     // 0.8 ms, the B3 delay
		seeds       = 3
	)
	for _, rc := range referenceCases(testClock.DT) {
		t.Run(rc.name, func(t *testing.T) {
			var maxDiff, maxDiff32, maxChange float64
			for seed := range uint64(seeds) {
				rng := rand.New(rand.NewPCG(seed, 0x5eed)) // fixed seeds
				pr := newProj(nPre, nPost, 0.7, rng)
				tr := randomTrains(rng, pr, ticks, delay, testClock.DT)
				w0 := make([]float64, len(pr.tgt))
				for k := range w0 {
					w0[k] = rc.w0[0] + (rc.w0[1]-rc.w0[0])*rng.Float64()
				}
				r64, err := New[float64](rc.p, testClock, nPre, nPost)
				if err != nil {
					t.Fatal(err)
				}
				r32, err := New[float32](rc.p, testClock, nPre, nPost)
				if err != nil {
					t.Fatal(err)
				}
				w := slices.Clone(w0)
				w32 := make([]float32, len(w0))
				for k := range w0 {
					w32[k] = float32(w0[k])
				}
				drive(r64, pr, tr, w, preFirst)
				drive(r32, pr, tr, w32, preFirst)
				for k := range w {
					want := refRun(rc.ref, w0[k], tr.pre[pr.source(k)], tr.post[pr.tgt[k]])
					d := math.Abs(w[k] - want)
					maxDiff = max(maxDiff, d)
					maxDiff32 = max(maxDiff32, math.Abs(float64(w32[k])-want)/max(1, math.Abs(want)))
					maxChange = max(maxChange, math.Abs(want-w0[k]))
					if !(d <= 1e-12) {
						t.Errorf("seed %d synapse %d (%d→%d): fast %.17g, reference %.17g, diff %.3g > 1e-12",
							seed, k, pr.source(k), pr.tgt[k], w[k], want, d)
					}
				}
			}
			// float32 rounding: 2^-24 relative per update, some hundred updates.
			if maxDiff32 > 1e-5 {
				t.Errorf("float32 weights differ from the reference by %.3g > 1e-5 (relative to max(1, |w|))", maxDiff32)
			}
			if maxChange == 0 {
				t.Errorf("no weight changed: the case tests nothing")
			}
			t.Logf("max |fast - reference| = %.3g (float64), %.3g (float32, relative to max(1, |w|)); largest weight change %.3g", maxDiff, maxDiff32, maxChange)
		})
	}
}

// TestSameTickOrder checks the t−ε rule: when presynaptic arrivals and
// postsynaptic spikes share ticks, running Post before Pre gives the same
// weights as the engine's order (Pre before Post) to 1e-12, for every
// additive rule without bounds. With weight dependence or clipping the
// second call sees the weight left by the first, so the order is part of the
// definition there; the test logs how much it matters.
func TestSameTickOrder(t *testing.T) {
	const nPre, nPost, ticks, delay = 6, 4, 20000, 8
	for _, rc := range referenceCases(testClock.DT) {
		additive := true
		switch p := rc.p.(type) {
		case *PairParams:
			additive = p.MuPlus == 0 && p.MuMinus == 0 && math.IsInf(p.WMin, -1) && math.IsInf(p.WMax, 1)
		case *TripletParams:
			additive = math.IsInf(p.WMin, -1) && math.IsInf(p.WMax, 1)
		case *HomeostaticParams:
			additive = math.IsInf(p.WMin, -1) && math.IsInf(p.WMax, 1)
		case *P11Params:
			additive = math.IsInf(p.WMin, -1) && math.IsInf(p.WMax, 1)
		case *VogelsParams:
			additive = math.IsInf(p.WMin, -1) && math.IsInf(p.WMax, 1)
		}
		t.Run(rc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 0x0bde)) // fixed seed
			pr := newProj(nPre, nPost, 1, rng)
			tr := randomTrains(rng, pr, ticks, delay, testClock.DT)
			var ws [2][]float64
			shared := 0
			for o, ord := range []order{preFirst, postFirst} {
				r, err := New[float64](rc.p, testClock, nPre, nPost)
				if err != nil {
					t.Fatal(err)
				}
				ws[o] = make([]float64, len(pr.tgt))
				for k := range ws[o] {
					ws[o][k] = (rc.w0[0] + rc.w0[1]) / 2
				}
				drive(r, pr, tr, ws[o], ord)
			}
			for _, s := range tr.post {
				for _, q := range s {
					for _, p := range tr.pre {
						if _, ok := slices.BinarySearch(p, q); ok {
							shared++
						}
					}
				}
			}
			if shared == 0 {
				t.Fatal("no tick has both an arrival and a post spike: the test tests nothing")
			}
			maxDiff := 0.0
			for k := range ws[0] {
				maxDiff = max(maxDiff, math.Abs(ws[0][k]-ws[1][k]))
			}
			if additive && !(maxDiff <= 1e-12) {
				t.Errorf("order changes the weights by %.3g > 1e-12 (%d shared ticks)", maxDiff, shared)
			}
			t.Logf("additive=%v: %d shared (source, tick) pairs, max |preFirst - postFirst| = %.3g", additive, shared, maxDiff)
		})
	}
}
