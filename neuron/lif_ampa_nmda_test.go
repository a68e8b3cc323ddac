package neuron

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// refIF is an independent, straightforward implementation of the neuron of
// B3 "plastic" (Zenke, Hennequin & Gerstner 2013, as in Auryn's IFGroup),
// with the constants written out, for the tests of lif_cond_ampa_nmda.
type refIF struct {
	tauM                    float64 // 20 ms (E) or 10 ms (I)
	v, gAmpa, gNmda, gGaba  float64
	theta                   float64
	spikes                  []snnsim.Time
	biasMV                  float64 // R·I [mV], an extension (Auryn has no bias)
	thetaSpike, vth, vreset float64
}

func newRefIF(tauM float64) *refIF {
	return &refIF{tauM: tauM, v: -70, thetaSpike: 100, vth: -50, vreset: -70}
}

// step advances one tick of dt = 0.1 ms at tick t, in the order of
// Auryn's IFGroup: currents from the old g and V; then g_nmda, g_ampa, g_gaba and
// theta; then V by Euler, the clip to [-80, 0] mV and the threshold; then the
// input of the tick.
func (r *refIF) step(t snnsim.Time, wAmpa, wGaba float64) {
	const dt = 0.1
	const uRest, eExc, eInh, aA, aN = -70.0, 0.0, -80.0, 0.5, 0.5
	iSyn := -(aA*r.gAmpa+aN*r.gNmda)*(r.v-eExc) - r.gGaba*(r.v-eInh)
	iLeak := -(r.v - uRest - r.biasMV)
	m := 1 - math.Exp(-dt/100)
	r.gNmda = (r.gNmda + m*r.gAmpa) * (1 - m)
	r.gAmpa *= math.Exp(-dt / 5)
	r.gGaba *= math.Exp(-dt / 10)
	r.theta *= math.Exp(-dt / 5)
	r.v += dt / r.tauM * (iSyn + iLeak)
	r.v = math.Min(math.Max(r.v, -80), 0)
	if r.v > r.vth+r.theta {
		r.spikes = append(r.spikes, t)
		r.v = r.vreset
		r.theta = r.thetaSpike
	}
	r.gAmpa += wAmpa
	r.gGaba += wGaba
}

// ampaNmdaState returns the state of neuron i at tick t (at or after its
// last update), as V does for the potential.
func ampaNmdaState(pop Population, i int, t snnsim.Time) (v, ga, gn, gg, th float64) {
	q := pop.(*lifAmpaNmdaPop)
	return q.stateAt(i, q.v[i], q.ga[i], q.gn[i], q.gg[i], q.thr[i], q.stateTick(i), t)
}

// close12 reports whether got is within 1e-12 of want, relative to
// max(|want|, floor).
func close12(got, want, floor float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Max(math.Abs(want), floor)
}

// TestLIFAmpaNmdaReference drives one lif_cond_ampa_nmda neuron (the
// defaults, i.e. B3's E neuron, and tau_m = 10 ms, B3's I neuron) with a
// fixed input sequence and compares V, g_ampa, g_nmda, g_gaba and theta at
// every tick, and the spike ticks, with refIF. The inputs are B3's weights
// (0.16 to g_ampa, 1 to g_gaba) in bursts that make the neuron fire
// several times, a strong inhibition that drives V onto the lower clip, and
// a quiet stretch; the initial V is set by SetV (-60 mV, B3's mean). Five
// neurons get the same input, so that the AVX2 loop (four of them) and
// the Go loop (the fifth) are both checked; they are stepped by the dense
// loop, and by the sparse one (a sixth, idle neuron keeps the population
// from being dense). Before
// the first input it has no conductance and settles, and is brought up to
// date by the exact linear map when the input comes; afterwards its
// conductances never fall below ampaNmdaGTol within the test.
func TestLIFAmpaNmdaReference(t *testing.T) {
	// The input at tick tk, as (AMPA, GABA) weights in g_L.
	input := func(tk snnsim.Time) (float64, float64) {
		switch {
		case tk >= 20 && tk < 400 && tk%3 == 0: // 0.16 every 0.3 ms: fires
			return 0.16, 0
		case tk >= 400 && tk < 700 && tk%7 == 0:
			return 0.16, 1
		case tk == 800:
			return 0, 300 // V is pushed below -80 mV and clipped
		case tk >= 900 && tk < 1500 && tk%2 == 0: // strong drive: theta limits the rate
			return 0.64, 0
		}
		return 0, 0
	}
	const T = 3000
	for _, tc := range []struct {
		name string
		tauM float64
	}{{"E", 20}, {"I", 10}} {
		for _, path := range []string{"dense", "sparse"} {
			t.Run(fmt.Sprintf("case=%s/path=%s", tc.name, path), func(t *testing.T) {
				forEachKernel(t, func(t *testing.T) {
					p := DefaultLIFAmpaNmda()
					p.TauM = tc.tauM
					const driven = 5
					n := driven
					if path == "sparse" {
						n++
					}
					targets := []int32{0, 1, 2, 3, 4}
					pop := mustNew(t, p, n, clock01)
					for i := range driven {
						pop.SetV(0, i, -60)
					}
					ref := newRefIF(tc.tauM)
					ref.v = -60
					var spikes []snnsim.Time
					clipped := false
					for tk := snnsim.Time(1); tk <= T; tk++ {
						wa, wg := input(tk)
						ws := make([]float32, driven)
						if wa > 0 {
							for i := range ws {
								ws[i] = float32(wa)
							}
							pop.Deliver(tk, Exc, targets, ws)
						}
						if wg > 0 {
							for i := range ws {
								ws[i] = float32(wg)
							}
							pop.Deliver(tk, Inh, targets, ws)
						}
						if path == "sparse" && pop.Active() == n {
							t.Fatalf("t=%d: the idle neuron is active", tk)
						}
						if f := pop.Update(tk, nil); len(f) > 0 {
							if len(f) != driven {
								t.Fatalf("t=%d: neurons %v fired, want all of %v", tk, f, targets)
							}
							spikes = append(spikes, tk)
						}
						ref.step(tk, float64(float32(wa)), float64(float32(wg)))
						for i := range driven {
							v, ga, gn, gg, th := ampaNmdaState(pop, i, tk)
							if v == -80 {
								clipped = true
							}
							if !close12(v, ref.v, 1) || !close12(ga, ref.gAmpa, 1e-3) || !close12(gn, ref.gNmda, 1e-3) ||
								!close12(gg, ref.gGaba, 1e-3) || !close12(th, ref.theta, 1e-3) {
								t.Fatalf("t=%d i=%d: (V, g_ampa, g_nmda, g_gaba, theta) = (%.15g, %.15g, %.15g, %.15g, %.15g), want (%.15g, %.15g, %.15g, %.15g, %.15g)",
									tk, i, v, ga, gn, gg, th, ref.v, ref.gAmpa, ref.gNmda, ref.gGaba, ref.theta)
							}
							if got := pop.V(i, tk); got != v {
								t.Fatalf("t=%d: V(%d) = %g, state %g", tk, i, got, v)
							}
						}
					}
					if fmt.Sprint(spikes) != fmt.Sprint(ref.spikes) {
						t.Fatalf("spikes at %v, want %v", spikes, ref.spikes)
					}
					if len(spikes) < 5 || !clipped {
						t.Fatalf("%d spikes, clipped %v: the input does not exercise the model", len(spikes), clipped)
					}
					t.Logf("%d spikes, first at %v", len(spikes), spikes[:3])
				})
			})
		}
	}
}

// TestLIFAmpaNmdaThreshold checks the moving threshold: a spike sets theta
// to theta_spike = 100 mV (set, not added: a second spike finds theta
// decayed and sets it to 100 again), theta decays by exp(-dt/5 ms) per
// tick, and with input strong enough to hold V at the upper clip (0 mV) at
// every tick the neuron fires again exactly when -50 + theta falls below
// 0 mV: at the first k with 100 e^{-k dt/5 ms} < 50, k = 35 (k > 5 ln 2/0.1
// = 34.66), so every interspike interval is 35 ticks. This is the
// refractoriness that emerges from theta (there is no t_ref).
func TestLIFAmpaNmdaThreshold(t *testing.T) {
	pop := mustNew(t, DefaultLIFAmpaNmda(), 1, clock01)
	pt := math.Exp(-0.1 / 5)
	var spikes []snnsim.Time
	for tk := snnsim.Time(1); tk <= 1000; tk++ {
		pop.Deliver(tk, Exc, []int32{0}, []float32{1000})
		f := pop.Update(tk, nil)
		_, _, _, _, th := ampaNmdaState(pop, 0, tk)
		if len(f) > 0 {
			spikes = append(spikes, tk)
			if th != 100 {
				t.Fatalf("t=%d: theta = %g after a spike, want 100", tk, th)
			}
		} else if len(spikes) > 0 {
			k := tk - spikes[len(spikes)-1]
			if want := 100 * math.Pow(pt, float64(k)); !close12(th, want, 1) {
				t.Fatalf("t=%d: theta = %.15g, %d ticks after a spike, want %.15g", tk, th, k, want)
			}
		}
	}
	if len(spikes) < 20 || spikes[0] != 2 {
		t.Fatalf("spikes %v: want the first at tick 2 (input at 1) and many", spikes)
	}
	for j := 1; j < len(spikes); j++ {
		if d := spikes[j] - spikes[j-1]; d != 35 {
			t.Fatalf("interval %d = %d ticks, want 35", j, d)
		}
	}
}

// TestLIFAmpaNmdaClip checks the clip of V to [v_min, v_max] = [-80, 0] mV
// after the membrane update and before the threshold test: a strong GABA
// input makes the Euler step overshoot e_inh = -80 mV and V is exactly
// -80 mV; a strong AMPA input with the threshold out of reach makes it
// overshoot e_exc and V is exactly 0 mV; a V set below the clip by SetV
// (stored as given, like Auryn's initial random_mem) is clipped by the next
// update.
func TestLIFAmpaNmdaClip(t *testing.T) {
	p := DefaultLIFAmpaNmda()
	p.VThreshold = 50 // above v_max: no spike
	pop := mustNew(t, p, 3, clock01)
	pop.Deliver(1, Inh, []int32{0}, []float32{1000})
	pop.Deliver(1, Exc, []int32{1}, []float32{1000})
	pop.SetV(0, 2, -95)
	if got := pop.V(2, 0); got != -95 {
		t.Fatalf("V after SetV(-95) = %g, want -95 (stored as given)", got)
	}
	pop.Update(1, nil)
	if got := pop.V(2, 1); got != -80 {
		t.Fatalf("V(1) after SetV(-95) = %g, want -80 (clipped)", got)
	}
	pop.Update(2, nil)
	if v0, v1 := pop.V(0, 2), pop.V(1, 2); v0 != -80 || v1 != 0 {
		t.Fatalf("V after strong inhibition, excitation = %g, %g; want -80, 0", v0, v1)
	}
	for tk := snnsim.Time(3); tk <= 2000; tk++ {
		pop.Update(tk, nil)
		for i := range 3 {
			if v := pop.V(i, tk); v < -80 || v > 0 {
				t.Fatalf("t=%d: V(%d) = %g outside [-80, 0]", tk, i, v)
			}
		}
	}
}

// TestLIFAmpaNmdaFI drives one neuron per bias current and checks the f–I
// curve against the grid prediction: without conductances, after a reset
// to v_reset at tick s, V(s+k) = D + (1 - h)^k (v_reset - D) with D = v_rest
// + R I and h = dt/tau_m (forward Euler), and the threshold is -50 mV +
// 100 mV·e^{-k dt/5 ms}, so the next spike is at the first k where V
// exceeds it (the first spike, from V = v_rest and theta = 0 at tick 0,
// likewise with threshold -50 mV). Every interval must be that k (±1 tick
// where the two sides are within 1e-9 mV). Below the rheobase (v_threshold
// - v_rest)/R = 200 pA there is no spike; the rate grows with the current
// and saturates at 1/3.5 ms, the bound from theta (TestLIFAmpaNmdaThreshold),
// which the two largest currents reach.
func TestLIFAmpaNmdaFI(t *testing.T) {
	currents := []float64{150, 200, 201, 205, 220, 250, 300, 400, 600, 1000, 3000, 1e4, 1e6}
	const T = 20000 // 2 s
	p := DefaultLIFAmpaNmda()
	h, R := 0.1/p.TauM, p.R()
	for _, always := range []bool{false, true} {
		t.Run(fmt.Sprintf("always=%v", always), func(t *testing.T) {
			pop := mustNew(t, p, len(currents), clock01)
			pop.SetAlwaysActive(always)
			for i, I := range currents {
				pop.SetBias(0, i, I)
			}
			spikes, _ := run(t, pop, T, nil, !always)
			by := make([][]snnsim.Time, len(currents))
			for _, s := range spikes {
				by[s.i] = append(by[s.i], s.t)
			}
			// first returns the first k >= 1 at which V from v0 exceeds
			// the threshold with theta starting at th0, and whether the
			// decision was close.
			first := func(D, v0, th0 float64) (snnsim.Time, bool) {
				for k := 1; k < T; k++ {
					v := math.Min(D+math.Pow(1-h, float64(k))*(v0-D), 0)
					th := -50 + th0*math.Exp(-float64(k)*0.1/5)
					if v > th {
						return snnsim.Time(k), math.Abs(v-th) < 1e-9
					}
				}
				return T, false
			}
			prevRate := 0.0
			for i, I := range currents {
				D := p.VRest + R*I
				sp := by[i]
				if I <= 200 {
					if len(sp) != 0 {
						t.Errorf("I=%g pA (not above the rheobase) fired %d times", I, len(sp))
					}
					continue
				}
				if len(sp) < 2 {
					t.Fatalf("I=%g pA: %d spikes", I, len(sp))
				}
				k0, c0 := first(D, p.VRest, 0)
				if d := sp[0] - k0; d != 0 && !(c0 && (d == 1 || d == -1)) {
					t.Errorf("I=%g pA: first spike at %d, want %d", I, sp[0], k0)
				}
				k, c := first(D, p.VReset, p.ThetaSpike)
				for j := 1; j < len(sp); j++ {
					if d := sp[j] - sp[j-1] - k; d != 0 && !(c && (d == 1 || d == -1)) {
						t.Fatalf("I=%g pA: interval %d = %d ticks, want %d", I, j, sp[j]-sp[j-1], k)
					}
				}
				rate := float64(len(sp)-1) / (float64(sp[len(sp)-1]-sp[0]) * 0.1) * 1000 // [Hz]
				if rate < prevRate || rate > 1000/3.5*(1+1e-12) {
					t.Errorf("I=%g pA: rate %.4g Hz, want at least %.4g Hz (previous current) and at most %.4g Hz",
						I, rate, prevRate, 1000/3.5)
				}
				if I >= 1e4 && k != 35 {
					t.Errorf("I=%g pA: interval %d ticks, want the bound of 35 from theta", I, k)
				}
				prevRate = rate
				t.Logf("I = %7g pA: %4d spikes, interval %3d ticks, %.4g Hz", I, len(sp), k, rate)
			}
		})
	}
}
