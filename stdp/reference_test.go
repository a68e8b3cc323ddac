package stdp

import (
	"math"
	"slices"

	"github.com/snnsim/snnsim"
)

// This file is the slow reference: each synapse's weight is computed
// straight from the published equations, for each event summing the kernels
// of all earlier spikes explicitly (no traces, no tables, nothing shared
// with the fast code but the parameter structs).

// refKernel returns Σ exp(−(t−s)·dt/τ) over the spikes s in S with s < t
// (strictly earlier: the t−ε rule), or for nearest-spike pairing only the
// term of the latest such s.
func refKernel(S []snnsim.Time, t snnsim.Time, dt, tau float64, nearest bool) float64 {
	sum := 0.0
	last := snnsim.Time(-1)
	for _, s := range S {
		if s >= t {
			break
		}
		sum += math.Exp(-float64(t-s) * dt / tau)
		last = s
	}
	if nearest {
		if last < 0 {
			return 0
		}
		return math.Exp(-float64(t-last) * dt / tau)
	}
	return sum
}

// refUpdate is one weight update of a synapse at tick t, given its
// presynaptic arrival ticks P and postsynaptic spike ticks Q.
type refUpdate func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64

// refRule gives the depression (at a presynaptic arrival) and potentiation
// (at a postsynaptic spike) updates of one rule.
type refRule struct {
	dep, pot refUpdate
}

// refPow is Gütig's (max(d,0))^μ with 0^0 = 1.
func refPow(d, mu float64) float64 {
	if mu == 0 {
		return 1
	}
	return math.Pow(math.Max(d, 0), mu)
}

// refPair: Δw− = −A− (w − w_min)^μ− Σ_post exp(−(t−t_post)/τ−) at each
// presynaptic arrival; Δw+ = +A+ (w_max − w)^μ+ Σ_pre exp(−(t−t_pre)/τ+) at
// each postsynaptic spike (Gütig et al. 2003, Eq. 2), clipped to the bounds.
func refPair(p PairParams, dt float64) refRule {
	nn := p.Pairing == NearestSpike
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			y := refKernel(Q, t, dt, p.TauMinus, nn)
			return math.Max(p.WMin, w-p.AMinus*refPow(w-p.WMin, p.MuMinus)*y)
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			x := refKernel(P, t, dt, p.TauPlus, nn)
			return math.Min(p.WMax, w+p.APlus*refPow(p.WMax-w, p.MuPlus)*x)
		},
	}
}

// refTriplet: at a presynaptic arrival w −= o1 (A2− + A3− r2), at a
// postsynaptic spike w += r1 (A2+ + A3+ o2), each factor the kernel sum
// of the earlier spikes of the other or the same neuron (Pfister &
// Gerstner 2006, Eqs. 3–4).
func refTriplet(p TripletParams, dt float64) refRule {
	nn := p.Pairing == NearestSpike
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			o1 := refKernel(Q, t, dt, p.TauMinus, nn)
			r2 := refKernel(P, t, dt, p.TauX, nn)
			return math.Max(p.WMin, w-o1*(p.A2Minus+p.A3Minus*r2))
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			r1 := refKernel(P, t, dt, p.TauPlus, nn)
			o2 := refKernel(Q, t, dt, p.TauY, nn)
			return math.Min(p.WMax, w+r1*(p.A2Plus+p.A3Plus*o2))
		},
	}
}

// refHomeostatic: the minimal triplet rule with homeostatic depression of
// Zenke, Hennequin & Gerstner (2013). At a presynaptic arrival
// w ← max(w_min, w − η⁻ z⁻ (z^hom)²), at a postsynaptic spike
// w ← min(w_max, w + η A3+ z⁺ z^slow), with z^hom(t) = κ τ_hom e^{−t/τ_hom}
// + Σ_post e^{−(t−t_post)/τ_hom}. η⁻ is computed here in seconds and Hz, as
// Auryn does: A3+ τ+ τ_slow / (τ− κ τ_hom²).
func refHomeostatic(p HomeostaticParams, dt float64) refRule {
	s := func(ms float64) float64 { return ms / 1000 }
	etaMinus := p.Eta * p.A3Plus * s(p.TauPlus) * s(p.TauSlow) / (s(p.TauMinus) * p.Kappa * s(p.TauHom) * s(p.TauHom))
	hom0 := p.Kappa * s(p.TauHom)
	return refRule{
		dep: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			zm := refKernel(Q, t, dt, p.TauMinus, false)
			zh := hom0*math.Exp(-float64(t)*dt/p.TauHom) + refKernel(Q, t, dt, p.TauHom, false)
			return math.Max(p.WMin, w-etaMinus*zm*zh*zh)
		},
		pot: func(w float64, t snnsim.Time, P, Q []snnsim.Time) float64 {
			zp := refKernel(P, t, dt, p.TauPlus, false)
			zs := refKernel(Q, t, dt, p.TauSlow, false)
			return math.Min(p.WMax, w+p.Eta*p.A3Plus*zp*zs)
		},
	}
}

// refRun returns the final weight of one synapse that starts at w0, with
// presynaptic arrivals P and postsynaptic spikes Q (sorted, no repeats):
// events in tick order, depression before potentiation within a tick (the
// engine's order).
func refRun(r refRule, w0 float64, P, Q []snnsim.Time) float64 {
	ticks := slices.Concat(P, Q)
	slices.Sort(ticks)
	ticks = slices.Compact(ticks)
	w := w0
	for _, t := range ticks {
		if _, ok := slices.BinarySearch(P, t); ok {
			w = r.dep(w, t, P, Q)
		}
		if _, ok := slices.BinarySearch(Q, t); ok {
			w = r.pot(w, t, P, Q)
		}
	}
	return w
}
