package neuron

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestSettle checks that a neuron leaves the active set once it cannot fire
// without new input, and that it stays while it could.
func TestSettle(t *testing.T) {
	for _, p := range allModels() {
		t.Run("model="+p.Model(), func(t *testing.T) {
			pop := mustNew(t, p, 3, clock01)
			if pop.Active() != 0 {
				t.Fatalf("Active() = %d at rest", pop.Active())
			}
			// A subthreshold input to neuron 1 at tick 10: 2 mV (delta), R·I
			// = 2 mV (exp, peak ≈ 0.3 mV), 0.4 g_L (cond, B2's excitatory
			// weight; cond_ampa_nmda, to g_ampa).
			w := float32(2)
			if isCond(p) {
				w = 0.4
			}
			pop.Deliver(10, Exc, []int32{1}, []float32{w})
			if pop.Active() != 1 {
				t.Fatalf("Active() = %d after Deliver, want 1", pop.Active())
			}
			// Linear models: settled right after the input tick, since the
			// bound max(V, V_inf) + peak response is below threshold and the
			// exact propagator is used on wake-up. Cond: once g_exc <
			// condGTol, after tau_exc·ln(w/condGTol) = 5 ms·ln(0.4e12) = 134 ms
			// = 1340 ticks (+2 for rounding). Cond_ampa_nmda: once g_ampa
			// and g_nmda, its low-pass (100 ms), are below ampaNmdaGTol,
			// about 2.4 s after the input; the tick is found by iterating
			// the conductance updates of Auryn's IFGroup.
			limit := snnsim.Time(10)
			if c, ok := p.(LIFCond); ok {
				limit += snnsim.Time(math.Ceil(c.TauExc*math.Log(float64(w)/condGTol)/0.1)) + 2
			}
			if c, ok := p.(LIFAmpaNmda); ok {
				m := 1 - math.Exp(-0.1/c.TauNmda)
				ga, gn := float64(w), 0.0
				for ga > ampaNmdaGTol || gn > ampaNmdaGTol {
					gn = (gn + m*ga) * (1 - m)
					ga *= math.Exp(-0.1 / c.TauAmpa)
					limit++
				}
				limit += 2
			}
			if c, ok := p.(AIFAmpaNmda); ok {
				// Auryn's AIF2Group order: decay first, then the Euler
				// step of g_nmda with dt/tau_nmda.
				m := 0.1 / c.TauNmda
				ga, gn := float64(w), 0.0
				for ga > ampaNmdaGTol || gn > ampaNmdaGTol {
					ga *= math.Exp(-0.1 / c.TauAmpa)
					gn = (gn + m*ga) * (1 - m)
					limit++
				}
				limit += 2
			}
			var settled snnsim.Time
			for tk := snnsim.Time(10); tk <= limit+100; tk++ {
				pop.Update(tk, nil)
				if pop.Active() == 0 {
					settled = tk
					break
				}
			}
			if settled == 0 || settled > limit {
				t.Fatalf("settled at tick %d, want by %d", settled, limit)
			}
			if isCond(p) && settled < limit-10 {
				t.Errorf("cond neuron settled at %d, before its conductance was negligible (%d)", settled, limit)
			}
		})
	}

	// A neuron whose bound reaches threshold stays active until the bound
	// falls below it. Exp-current at V = -51 mV with a current of R·I = 6 mV:
	// the bound max(V, V_inf) + 6·K* = -51 + 6·0.157 = -50.06 mV is at
	// threshold, so the neuron is kept; as V and I decay the bound drops
	// and the neuron must then leave.
	t.Run("model=lif_exp_current/case=near-threshold", func(t *testing.T) {
		p := DefaultLIFExp()
		pop := mustNew(t, p, 1, clock01)
		pop.SetV(0, 0, -51)
		pop.Deliver(1, Exc, []int32{0}, []float32{6})
		peak := kernelPeak(p.TauM, p.TauExc)
		below := snnsim.Time(0) // first tick with the bound below threshold
		for tk := snnsim.Time(1); tk <= 2000; tk++ {
			if f := pop.Update(tk, nil); len(f) > 0 {
				break // it may fire: then it is refractory, hence active
			}
			v := pop.V(0, tk)
			// I(t) = 6 e^{-t/tau_exc} mV; the bound of lifExpPop.bound.
			i := 6 * math.Exp(-float64(tk-1)*0.1/p.TauExc)
			bound := math.Max(v, p.VRest) + i*peak
			if bound >= p.VThreshold-settleMargin && pop.Active() == 0 {
				t.Fatalf("t=%d: settled with bound %g >= threshold", tk, bound)
			}
			if bound < p.VThreshold-1e-6 && below == 0 {
				below = tk
			}
			// A population whose neurons are all active checks for settling
			// every settleScanEvery ticks (the dense loop), else every tick.
			if below > 0 && tk >= below+settleScanEvery && pop.Active() != 0 {
				t.Fatalf("t=%d: still active, bound below threshold since %d", tk, below)
			}
		}
	})

	t.Run("case=drive-above-threshold-never-settles", func(t *testing.T) {
		for _, p := range benchModels() {
			pop := mustNew(t, p, 4, clock01)
			run(t, pop, 500, nil, true)
			if pop.Active() != 4 {
				t.Errorf("%s: Active() = %d, want 4", p.Model(), pop.Active())
			}
		}
	})
}

// TestShortcutAgrees runs random networks-in-miniature (random biases, some
// above rheobase, random input trains in random target order) with the
// active-set shortcut and an event-driven caller that skips quiet ticks, and
// with every neuron stepped every tick. The spikes must be identical and the
// final potentials equal within 1e-9 relative.
func TestShortcutAgrees(t *testing.T) {
	for _, p := range allModels() {
		for seed := uint64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("model=%s/seed=%d", p.Model(), seed), func(t *testing.T) {
				forEachKernel(t, func(t *testing.T) {
					const n = 41
					T := snnsim.Time(30000)
					rng := rand.New(rand.NewPCG(seed, 99))
					// Sparse input: 0.1 % of the neurons per tick, in bursts
					// of 400 ms with quiet stretches of 200 ms. The cond model
					// gets 1 s of input, then 2 s of quiet: its neurons stay
					// active until the conductances are below condGTol, up
					// to tau_inh·ln(5.1/1e-12) = 290 ms after the last input.
					// Cond_ampa_nmda gets 1 s of input and 8 s of quiet: its
					// g_nmda takes about 2.5 s to fall below ampaNmdaGTol.
					period, on := snnsim.Time(6000), snnsim.Time(4000)
					if _, ok := p.(LIFCond); ok {
						period, on = 30000, 10000
					}
					switch p.(type) {
					case LIFAmpaNmda, AIFAmpaNmda:
						T, period, on = 90000, 90000, 10000
					}
					var inputs []input
					for _, in := range randomInputs(rng, n, T, 0.001, p) {
						if in.t%period < on {
							inputs = append(inputs, in)
						}
					}
					if seed == 4 {
						// Flood: every neuron gets excitation at every tick of
						// the first 500 ms (1 or 2 fifths of the B1/B2 weight),
						// so that all are active and the dense loop with its
						// periodic settle scan runs.
						inputs = inputs[:0]
						we := randomInputs(rng, 1, 1, 1, p)[0].w
						for tk := snnsim.Time(1); tk <= 5000; tk++ {
							for i := range n {
								w := we / 5 * float32(1+rng.IntN(2))
								inputs = append(inputs, input{t: tk, r: Exc, i: int32(i), w: w})
							}
						}
					}
					// Seed 1: biases up to 1.2 × rheobase ((v_threshold -
					// v_rest)/R: 100 pA, 200 pA for cond_ampa_nmda), so some
					// neurons fire on their own and the population is never
					// idle; seeds 2, 3: all below, so the caller also skips
					// whole ticks.
					b := baseOf(p)
					rheo := (b.VThreshold - b.VRest) / b.R()
					maxBias := 0.95 * rheo
					if seed == 1 {
						maxBias = 1.2 * rheo
					}
					biases := make([]float64, n)
					for i := range biases {
						biases[i] = maxBias * rng.Float64()
					}
					var spikes [2][]spike
					var vs [2][]float64
					steps := 0
					for k, always := range []bool{true, false} {
						pop := mustNew(t, p, n, clock01)
						pop.SetAlwaysActive(always)
						for i := range n {
							pop.SetBias(0, i, biases[i])
							pop.SetV(0, i, -60+8*float64(i%5)/5)
						}
						var c int
						spikes[k], c = run(t, pop, T, inputs, !always)
						if !always {
							steps = c
						}
						for i := range n {
							vs[k] = append(vs[k], pop.V(i, T))
						}
					}
					if len(spikes[0]) == 0 {
						t.Fatal("no spikes: the test is vacuous")
					}
					if steps > n*int(T)*3/5 {
						t.Fatalf("the shortcut stepped %d of %d neuron-ticks: the test is weak", steps, n*int(T))
					}
					if !slices.Equal(spikes[0], spikes[1]) {
						t.Fatalf("spikes differ: %d stepped, %d with the shortcut; first difference %v",
							len(spikes[0]), len(spikes[1]), firstDiff(spikes[0], spikes[1]))
					}
					for i := range n {
						if relErr(vs[1][i], vs[0][i]) > 1e-9 {
							t.Errorf("i=%d: V(T) = %.15g with shortcut, %.15g stepped", i, vs[1][i], vs[0][i])
						}
					}
					t.Logf("%d spikes; %d of %d neuron-ticks stepped", len(spikes[0]), steps, n*int(T))
				})
			})
		}
	}
}

func firstDiff(a, b []spike) string {
	for k := range min(len(a), len(b)) {
		if a[k] != b[k] {
			return fmt.Sprintf("at %d: %v vs %v", k, a[k], b[k])
		}
	}
	return "one is a prefix of the other"
}

// TestSettlingBound checks Part.Settling of the AMPA/NMDA models, whose
// answer comes from a bound on g_ampa, in both directions. Sound: whenever
// every neuron is active and Settling(k) is false, every neuron stays
// active through the next k Updates. Tight: where g_ampa is what keeps the
// neurons active, Settling(k) turns true no earlier than the bound's own
// allowance before the first neuron leaves, k ticks plus the ticks in
// which g_ampa halves (the factor 2 the bound keeps for rounding) plus the
// lag of g_nmda, a low-pass of g_ampa, behind it (ln(τ_ampa/(τ_ampa −
// τ_nmda)) τ_ampa). The populations get random input for 2 s, then none,
// so that they settle; k runs from 1 to 512 ticks. Each model runs with
// its defaults, where g_nmda outlasts g_ampa (sound only), and with a slow
// g_ampa (50 ms), a fast g_nmda (1 ms) and, for the AIF neuron, a fast
// adaptation (10 ms), where g_ampa is the last to decay (sound and
// tight).
func TestSettlingBound(t *testing.T) {
	const n, silence = 40, 20000
	ks := []snnsim.Time{1, 8, 64, 512}
	lif, aif := DefaultLIFAmpaNmda(), DefaultAIFAmpaNmda()
	lif.TauAmpa, lif.TauNmda = 50, 1
	aif.TauAmpa, aif.TauNmda, aif.TauA1 = 50, 1, 10
	for i, c := range []struct {
		p     Params
		tight bool
		tauA  float64 // ms
		tauN  float64 // ms
	}{
		{DefaultLIFAmpaNmda(), false, 0, 0},
		{DefaultAIFAmpaNmda(), false, 0, 0},
		{lif, true, lif.TauAmpa, lif.TauNmda},
		{aif, true, aif.TauAmpa, aif.TauNmda},
	} {
		t.Run(fmt.Sprintf("model=%s/%d", c.p.Model(), i), func(t *testing.T) {
			pop := mustNew(t, c.p, n, clock01)
			part := pop.(Part)
			rng := rand.New(rand.NewPCG(3, 4))
			tgt := make([]int32, n)
			w := make([]float32, n)
			for i := range tgt {
				tgt[i] = int32(i)
			}
			var kept, settling int
			promise := snnsim.Time(-1)                                // every neuron stays active up to this tick
			first := map[snnsim.Time]snnsim.Time{}                    // k -> the first tick of the silence at which Settling(k) is true
			leave := snnsim.Time(-1)                                  // the tick whose Update first lets a neuron go in the silence
			for tk := snnsim.Time(1); tk < 60000 && leave < 0; tk++ { // NMDA settles about 2.4 s after the last input
				if tk < silence && rng.IntN(3) == 0 { // input to everyone, then silence
					for i := range w {
						w[i] = float32(0.05 * rng.Float64())
					}
					pop.Deliver(tk, Exc, tgt, w)
				}
				if pop.Active() == n {
					for _, k := range ks {
						if !part.Settling(k) {
							promise = max(promise, tk+k-1)
							kept++
							continue
						}
						settling++
						if _, seen := first[k]; !seen && tk >= silence {
							first[k] = tk
						}
					}
				}
				pop.Update(tk, nil)
				if tk <= promise && pop.Active() != n {
					t.Fatalf("tick %d: %d of %d neurons active after Settling was false with a promise up to tick %d", tk, pop.Active(), n, promise)
				}
				if tk >= silence && pop.Active() != n {
					leave = tk
				}
			}
			if kept == 0 || settling == 0 {
				t.Fatalf("Settling false %d times, true %d times, with every neuron active: both must occur", kept, settling)
			}
			if leave < 0 {
				t.Fatal("no neuron settled in the silence")
			}
			if !c.tight {
				return
			}
			dt := clock01.DT
			allow := (math.Ln2+math.Log(c.tauA/(c.tauA-c.tauN)))*c.tauA/dt + 2
			for _, k := range ks {
				t0, ok := first[k]
				if !ok {
					t.Fatalf("Settling(%d) never true in the silence before tick %d", k, leave)
				}
				if early := float64(leave - (t0 + k)); early < 0 || early > allow {
					t.Errorf("Settling(%d) turned true at tick %d, %g ticks before the k ticks ahead of the first neuron leaving (tick %d); the bound allows [0, %.0f]",
						k, t0, early, leave, allow)
				}
			}
			t.Logf("Settling false %d times, true %d times; first neuron gone at tick %d", kept, settling, leave)
		})
	}
}
