package neuron

import (
	"fmt"

	"github.com/snnsim/snnsim"
)

func init() {
	models.Register("lif_delta", func() Params { p := DefaultLIFDelta(); return &p })
	models.Register("lif_exp_current", func() Params { p := DefaultLIFExp(); return &p })
	models.Register("lif_exp_cond", func() Params { p := DefaultLIFCond(); return &p })
}

// LIFBase holds the parameters shared by the leaky integrate-and-fire models.
// Defaults are the Vogels–Abbott / Brette et al. (2007) benchmark values.
//
//	name         default   unit  meaning
//	tau_m        20        ms    membrane time constant, > 0
//	c_m          200       pF    membrane capacitance, > 0 (R = tau_m/c_m = 100 MOhm)
//	v_rest       -60       mV    leak reversal potential E_L
//	v_threshold  -50       mV    spike when V > v_threshold after the update
//	v_reset      -60       mV    V after a spike, < v_threshold
//	t_ref        5         ms    absolute refractory period, >= 0
//	i_bias       0         pA    constant input current
type LIFBase struct {
	TauM       float64 `toml:"tau_m" unit:"ms"`       // membrane time constant [ms]
	CM         float64 `toml:"c_m" unit:"pF"`         // membrane capacitance [pF]
	VRest      float64 `toml:"v_rest" unit:"mV"`      // leak reversal potential [mV]
	VThreshold float64 `toml:"v_threshold" unit:"mV"` // threshold [mV]
	VReset     float64 `toml:"v_reset" unit:"mV"`     // reset potential [mV]
	TRef       float64 `toml:"t_ref" unit:"ms"`       // refractory period [ms]
	IBias      float64 `toml:"i_bias" unit:"pA"`      // constant bias current [pA]
}

// DefaultLIFBase returns the Brette et al. (2007) benchmark values.
func DefaultLIFBase() LIFBase {
	return LIFBase{TauM: 20, CM: 200, VRest: -60, VThreshold: -50, VReset: -60, TRef: 5}
}

// R returns the membrane resistance tau_m/c_m [GOhm], so that R·I[pA] is in mV.
func (p LIFBase) R() float64 { return p.TauM / p.CM }

// GL returns the leak conductance c_m/tau_m [nS].
func (p LIFBase) GL() float64 { return p.CM / p.TauM }

// Bias returns i_bias [pA].
func (p LIFBase) Bias() float64 { return p.IBias }

// Refractory returns t_ref [ms].
func (p LIFBase) Refractory() float64 { return p.TRef }

// withUnit formats v with its unit ("20 ms"), or alone if unit is "".
func withUnit(v float64, unit string) string {
	if unit == "" {
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%g %s", v, unit)
}

// check adds the checks of the shared parameters to c.
func (p LIFBase) check(c *snnsim.ParamCheck) {
	c.Positive("tau_m", p.TauM)
	c.Positive("c_m", p.CM)
	c.Finite("v_rest", p.VRest)
	c.Finite("v_threshold", p.VThreshold)
	c.Finite("v_reset", p.VReset)
	c.Finite("i_bias", p.IBias)
	c.NonNegative("t_ref", p.TRef)
	c.Below("v_reset", p.VReset, "v_threshold", p.VThreshold)
}

// checkParams starts the checks of the parameters p of the named model.
func checkParams(model string, p any) *snnsim.ParamCheck {
	return snnsim.CheckParams("neuron", model, p)
}

// LIFDelta is a LIF neuron with delta synapses: each input makes V jump by
// the weight (in mV; inhibitory weights make it fall).
//
//	tau_m dV/dt = -(V - v_rest) + R·i_bias
//	V += w_exc at excitatory input, V -= w_inh at inhibitory input
//	V > v_threshold: spike, V = v_reset, clamped for t_ref
//
// Parameters: those of [LIFBase]. Input arriving during the refractory period
// is discarded (as in NEST's iaf_psc_delta). V is advanced by the exact
// propagator V_inf + (V - V_inf) exp(-T/tau_m), V_inf = v_rest + R·i_bias,
// over one tick or over any gap, so a neuron leaves the active set as soon as
// it is past its refractory clamp with V and V_inf below threshold. Checked
// by TestLIFDeltaClosedForm.
type LIFDelta struct {
	LIFBase
}

// DefaultLIFDelta returns the default delta-synapse LIF parameters.
func DefaultLIFDelta() LIFDelta { return LIFDelta{DefaultLIFBase()} }

// Model returns "lif_delta".
func (LIFDelta) Model() string { return "lif_delta" }

// Validate checks the parameters.
func (p LIFDelta) Validate() error {
	c := checkParams(p.Model(), p)
	p.check(c)
	return c.Err()
}

// WeightUnit returns "mV": a weight is a voltage jump.
func (LIFDelta) WeightUnit() string { return "mV" }

// WeightScale accepts voltage weights only.
func (p LIFDelta) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	if d == snnsim.Voltage {
		return 1, nil
	}
	return 0, fmt.Errorf("a weight onto lif_delta neurons is a voltage jump: give it in mV, not as a %s", d)
}

// LIFExp is a LIF neuron with exponentially decaying synaptic currents,
// separate for excitation and inhibition (Brette et al. 2007 benchmark 2, "CUBA").
//
//	tau_m dV/dt = -(V - v_rest) + R·(I_exc - I_inh + i_bias)
//	tau_exc dI_exc/dt = -I_exc,  tau_inh dI_inh/dt = -I_inh
//	I_exc += w at excitatory input, I_inh += w at inhibitory input
//
//	name     default  unit  meaning
//	tau_exc  5        ms    excitatory current decay, > 0
//	tau_inh  10       ms    inhibitory current decay, > 0
//
// plus those of [LIFBase]. Weights are given as a current (pA) or as the
// voltage R·ΔI (mV), as in the Vogels–Abbott benchmark ("1.62 mV"). The state
// is advanced by the exact propagator (Rotter & Diesmann 1999) over one tick
// or over any gap,
//
//	V(t+T) = V_inf + (V - V_inf) e^{-T/tau_m} + R·I_exc K_exc(T) - R·I_inh K_inh(T)
//	K_s(T) = tau_s/(tau_s - tau_m) (e^{-T/tau_s} - e^{-T/tau_m}),
//
// with V_inf = v_rest + R·i_bias; tau_exc or tau_inh equal (or close) to
// tau_m is handled by the limit (T/tau_m) e^{-T/tau_m} (and a cancellation-free
// form). A neuron leaves the active set as soon as V_inf + max(V - V_inf, 0) +
// max(R·I_exc, 0)·max K_exc + max(-R·I_inh, 0)·max K_inh is below threshold.
// Checked by TestLIFExpClosedForm.
type LIFExp struct {
	LIFBase
	TauExc float64 `toml:"tau_exc" unit:"ms"` // excitatory synaptic time constant [ms]
	TauInh float64 `toml:"tau_inh" unit:"ms"` // inhibitory synaptic time constant [ms]
}

// DefaultLIFExp returns the default current-synapse LIF parameters.
func DefaultLIFExp() LIFExp { return LIFExp{DefaultLIFBase(), 5, 10} }

// Model returns "lif_exp_current".
func (LIFExp) Model() string { return "lif_exp_current" }

// Validate checks the parameters.
func (p LIFExp) Validate() error {
	c := checkParams(p.Model(), p)
	p.check(c)
	c.Positive("tau_exc", p.TauExc)
	c.Positive("tau_inh", p.TauInh)
	return c.Err()
}

// WeightUnit returns "mV": a weight is the voltage R·ΔI.
func (LIFExp) WeightUnit() string { return "mV" }

// WeightScale accepts currents (pA) and voltages R·ΔI (mV); the internal unit is mV.
func (p LIFExp) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	switch d {
	case snnsim.Voltage:
		return 1, nil
	case snnsim.Current:
		return p.R(), nil
	}
	return 0, fmt.Errorf("a weight onto lif_exp_current neurons is a current (pA) or a voltage R·I (mV), not a %s", d)
}

// LIFCond is a LIF neuron with exponentially decaying conductances and
// reversal potentials (Brette et al. 2007 benchmark 1, "COBA").
//
//	tau_m dV/dt = -(V - v_rest) - g_exc (V - e_exc) - g_inh (V - e_inh) + R·i_bias
//	tau_exc dg_exc/dt = -g_exc,  tau_inh dg_inh/dt = -g_inh   (g in units of g_L = c_m/tau_m)
//	g_exc += w at excitatory input, g_inh += w at inhibitory input
//
//	name     default  unit  meaning
//	tau_exc  5        ms    excitatory conductance decay, > 0
//	tau_inh  10       ms    inhibitory conductance decay, > 0
//	e_exc    0        mV    excitatory reversal potential
//	e_inh    -80      mV    inhibitory reversal potential
//
// plus those of [LIFBase]. Weights are conductances (nS) or dimensionless
// multiples of g_L, and must not be negative. The conductances decay
// exactly; V is advanced per tick by the exponential-Euler scheme with the
// conductances taken at the middle of the tick, g_m = g(t-1) e^{-dt/(2 tau_s)}:
//
//	V(t) = V_inf + (V(t-1) - V_inf) e^{-(1 + g_exc,m + g_inh,m) dt/tau_m}
//	V_inf = (v_rest + R·i_bias + g_exc,m e_exc + g_inh,m e_inh)/(1 + g_exc,m + g_inh,m)
//
// This is exact for constant conductances and second order in the tick
// otherwise (about 2e-4 mV after 8 g_L of input at dt = 0.1 ms). The step is
// evaluated to 1e-12 relative without a division or math.Exp, as
// V + φ(a)(b - a(V - e_exc)) with φ(a) = (1 - e^{-a})/a a polynomial, for
// total conductances below 69 g_L at dt/tau_m = 0.005; larger ones take the
// form above with e^{-a} from tables (Go) or a range-reduced polynomial
// (AVX2 loop). A neuron
// leaves the active set when its conductances are below 1e-12 g_L and V and
// V_inf are below threshold; it is then advanced by the exact linear
// propagator. So a neuron stays active for tau_s·ln(g/1e-12) after its last
// input (about 290 ms after 5.1 g_L of inhibition). Checked against a
// fine-step Runge–Kutta reference by TestLIFCondReference.
type LIFCond struct {
	LIFBase
	TauExc float64 `toml:"tau_exc" unit:"ms"` // excitatory conductance time constant [ms]
	TauInh float64 `toml:"tau_inh" unit:"ms"` // inhibitory conductance time constant [ms]
	EExc   float64 `toml:"e_exc" unit:"mV"`   // excitatory reversal potential [mV]
	EInh   float64 `toml:"e_inh" unit:"mV"`   // inhibitory reversal potential [mV]
}

// DefaultLIFCond returns the default conductance-synapse LIF parameters.
func DefaultLIFCond() LIFCond { return LIFCond{DefaultLIFBase(), 5, 10, 0, -80} }

// Model returns "lif_exp_cond".
func (LIFCond) Model() string { return "lif_exp_cond" }

// Validate checks the parameters.
func (p LIFCond) Validate() error {
	c := checkParams(p.Model(), p)
	p.check(c)
	c.Positive("tau_exc", p.TauExc)
	c.Positive("tau_inh", p.TauInh)
	c.Finite("e_exc", p.EExc)
	c.Finite("e_inh", p.EInh)
	return c.Err()
}

// WeightUnit returns "g_L": a weight is a multiple of the leak conductance.
func (LIFCond) WeightUnit() string { return "g_L" }

// WeightScale accepts conductances (nS, divided by g_L) and dimensionless multiples of g_L.
func (p LIFCond) WeightScale(r Receptor, d snnsim.Dimension) (float64, error) {
	switch d {
	case snnsim.Dimensionless:
		return 1, nil
	case snnsim.Conductance:
		return 1 / p.GL(), nil
	}
	return 0, fmt.Errorf("a weight onto lif_exp_cond neurons is a conductance (nS) or a multiple of g_L (a plain number), not a %s", d)
}
