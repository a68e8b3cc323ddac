package neuron

import (
	"fmt"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// The analytic solutions below are written out independently of the
// implementation (no call to kernel, decay or the propagator tables):
//
//	tau_m dV/dt = -(V - v_rest) + R·i_bias + J(t)
//
// is linear, so V is the relaxation of the initial condition towards
// V_inf = v_rest + R·i_bias plus one response per input. A delta input w at
// tick s adds w·exp(-(t-s)/tau_m); an exponential current of R·I0 = w
// (tau_s) starting at s adds w·K(t-s) with
//
//	K(T) = tau_s/(tau_s - tau_m) (exp(-T/tau_s) - exp(-T/tau_m))
//
// (Rotter & Diesmann 1999), and T/tau_m exp(-T/tau_m)
// when tau_s = tau_m.

// refKernel evaluates K(T) for the test. Near tau_s = tau_m it uses the
// series exp(-T/tau_m)/tau_m · T · sum_k (T d)^k/(k+1)!, d = 1/tau_m - 1/tau_s,
// which has no cancellation.
func refKernel(T, tauM, tauS float64) float64 {
	if tauS == tauM {
		return T / tauM * math.Exp(-T/tauM)
	}
	d := (tauS - tauM) / (tauM * tauS)
	if math.Abs(T*d) < 1e-3 {
		sum, term := 0.0, T
		for k := 1; k < 30; k++ {
			sum += term
			term *= T * d / float64(k+1)
		}
		return math.Exp(-T/tauM) / tauM * sum
	}
	return tauS / (tauS - tauM) * (math.Exp(-T/tauS) - math.Exp(-T/tauM))
}

// closedCase is one subthreshold experiment for a single neuron of a
// population of 6 (so that the assembly kernel's block of 4 and the Go tail
// both run; every neuron gets the same drive).
type closedCase struct {
	name   string
	v0     float64 // V at tick 0 [mV]
	bias   float64 // [pA]
	inputs []input // i is ignored: every neuron gets them
	ticks  []snnsim.Time
}

// closedCases are shared by the delta and exp-current tests. The biases keep
// V_inf = v_rest + R·I below threshold (R = 100 MOhm: 50 pA -> +5 mV); the
// inputs are small enough that V stays below -50 mV, which
// checkClosed verifies by requiring no spike. Long gaps (1e5 ticks = 10 s)
// test the wake-up path.
func closedCases() []closedCase {
	return []closedCase{
		{name: "bias", v0: -60, bias: 50, ticks: []snnsim.Time{1, 2, 3, 10, 100, 1000, 12345, 100000}},
		{name: "relax-from-above", v0: -51, bias: -20, ticks: []snnsim.Time{1, 7, 200, 5000, 100000}},
		{name: "single-exc", v0: -60, inputs: []input{{t: 10, r: Exc, w: 3}},
			ticks: []snnsim.Time{9, 10, 11, 12, 30, 100, 400, 2000, 100000}},
		{name: "single-inh", v0: -60, bias: 30, inputs: []input{{t: 25, r: Inh, w: 2.5}},
			ticks: []snnsim.Time{24, 25, 26, 40, 300, 5000, 100000}},
		{name: "wake-after-gap", v0: -58, bias: 20, inputs: []input{
			{t: 5, r: Exc, w: 2}, {t: 5, r: Inh, w: 1}, {t: 60000, r: Exc, w: 4}, {t: 60003, r: Inh, w: 0.5}},
			ticks: []snnsim.Time{4, 5, 6, 50, 1000, 59999, 60000, 60001, 60010, 60100, 100000}},
	}
}

// checkClosed runs c on pop in both engine modes and compares V with want
// within 1e-9 relative.
func checkClosed(t *testing.T, p Params, c closedCase, want func(tk snnsim.Time) float64) {
	const n = 6
	for _, always := range []bool{false, true} {
		t.Run(fmt.Sprintf("always=%v", always), func(t *testing.T) {
			pop := mustNew(t, p, n, clock01)
			pop.SetAlwaysActive(always)
			var inputs []input
			for _, in := range c.inputs {
				for i := range n {
					in.i = int32(i)
					inputs = append(inputs, in)
				}
			}
			for i := range n {
				pop.SetV(0, i, c.v0)
				pop.SetBias(0, i, c.bias)
			}
			last := snnsim.Time(0)
			for _, tk := range c.ticks {
				// Advance to tk like an event-driven engine (skip quiet
				// ticks unless always), then read V without mutating.
				var seg []input
				for _, in := range inputs {
					if in.t > last && in.t <= tk {
						seg = append(seg, input{t: in.t - last, r: in.r, i: in.i, w: in.w})
					}
				}
				spikes, _ := run(t, &shifted{pop, last}, tk-last, seg, !always)
				if len(spikes) > 0 {
					t.Fatalf("unexpected spikes %v", spikes)
				}
				last = tk
				w := want(tk)
				for i := range n {
					if got := pop.V(i, tk); relErr(got, w) > 1e-9 {
						t.Fatalf("t=%d i=%d: V = %.15g, want %.15g (rel err %.2g)", tk, i, got, w, relErr(got, w))
					}
				}
			}
			// Also read ahead without stepping (the exact jump of V).
			if always {
				return
			}
			for _, ahead := range []snnsim.Time{1, 10, 777, 250000} {
				tk := last + ahead
				if got, w := pop.V(0, tk), want(tk); relErr(got, w) > 1e-9 {
					t.Fatalf("read-ahead t=%d: V = %.15g, want %.15g", tk, got, w)
				}
			}
		})
	}
}

// shifted offsets the ticks of a Population, so that run (which starts at
// tick 1) can continue a population at tick off+1.
type shifted struct {
	Population
	off snnsim.Time
}

// Deliver delivers at tick t+off.
func (s *shifted) Deliver(t snnsim.Time, r Receptor, targets []int32, weights []float32) {
	s.Population.Deliver(t+s.off, r, targets, weights)
}

// Update updates at tick t+off.
func (s *shifted) Update(t snnsim.Time, fired []int32) []int32 {
	return s.Population.Update(t+s.off, fired)
}

// TestLIFDeltaClosedForm checks lif_delta against the analytic solution.
func TestLIFDeltaClosedForm(t *testing.T) {
	p := DefaultLIFDelta()
	forEachKernel(t, func(t *testing.T) {
		for _, c := range closedCases() {
			t.Run("case="+c.name, func(t *testing.T) {
				vinf := p.VRest + p.TauM/p.CM*c.bias // R = tau_m/c_m [GOhm]
				checkClosed(t, p, c, func(tk snnsim.Time) float64 {
					ms := float64(tk) * 0.1
					v := vinf + (c.v0-vinf)*math.Exp(-ms/p.TauM)
					for _, in := range c.inputs {
						if in.t <= tk {
							w := float64(in.w)
							if in.r == Inh {
								w = -w
							}
							v += w * math.Exp(-float64(tk-in.t)*0.1/p.TauM)
						}
					}
					return v
				})
			})
		}
	})
}

// TestLIFExpClosedForm checks lif_exp_current against the analytic solution,
// for synaptic time constants below, equal to, within 1e-7 of, and above
// tau_m = 20 ms.
func TestLIFExpClosedForm(t *testing.T) {
	for _, taus := range [][2]float64{
		{5, 10},                    // Brette et al. (2007) CUBA values
		{20, 20},                   // tau_s = tau_m: the limit form
		{20 * (1 + 1e-7), 19.9999}, // nearly equal: the stable form
		{40, 3},
	} {
		p := DefaultLIFExp()
		p.TauExc, p.TauInh = taus[0], taus[1]
		t.Run(fmt.Sprintf("tau_exc=%g/tau_inh=%g", taus[0], taus[1]), func(t *testing.T) {
			forEachKernel(t, func(t *testing.T) {
				for _, c := range closedCases() {
					t.Run("case="+c.name, func(t *testing.T) {
						vinf := p.VRest + p.TauM/p.CM*c.bias
						checkClosed(t, p, c, func(tk snnsim.Time) float64 {
							ms := float64(tk) * 0.1
							v := vinf + (c.v0-vinf)*math.Exp(-ms/p.TauM)
							for _, in := range c.inputs {
								if in.t <= tk {
									T := float64(tk-in.t) * 0.1
									if in.r == Exc {
										v += float64(in.w) * refKernel(T, p.TauM, p.TauExc)
									} else {
										v -= float64(in.w) * refKernel(T, p.TauM, p.TauInh)
									}
								}
							}
							return v
						})
					})
				}
			})
		})
	}
}

// TestKernel checks the stable propagator kernel against the series and
// direct forms of refKernel around tau_s = tau_m.
func TestKernel(t *testing.T) {
	for _, tc := range []struct{ T, tauM, tauS float64 }{
		{0.1, 20, 5}, {0.1, 20, 20}, {0.1, 20, 20 * (1 + 1e-12)}, {0.1, 20, 20 * (1 - 1e-9)},
		{25, 20, 20 * (1 + 1e-6)}, {1e4, 20, 5}, {1e4, 20, 19.99}, {3, 1, 1e-3}, {2e4, 20, 400},
	} {
		got, want := kernel(tc.T, tc.tauM, tc.tauS), refKernel(tc.T, tc.tauM, tc.tauS)
		if relErr(got, want) > 1e-12 && math.Abs(got-want) > 1e-300 {
			t.Errorf("kernel(%g, %g, %g) = %.17g, want %.17g", tc.T, tc.tauM, tc.tauS, got, want)
		}
	}
	// The peak bound used for settling must bound the kernel from above.
	for _, ts := range []float64{0.5, 5, 19.999999, 20, 20.000001, 40, 500} {
		pk := kernelPeak(20, ts)
		for T := 0.0; T < 2000; T += 0.05 {
			if k := refKernel(T, 20, ts); k > pk {
				t.Fatalf("tau_s=%g: K(%g) = %.17g > peak %.17g", ts, T, k, pk)
			}
		}
	}
}
