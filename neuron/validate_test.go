package neuron

import (
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestValidate checks that each bad parameter is rejected with a message
// naming the model, the parameter, its value and the constraint.
func TestValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		p    Params
		want string
	}{
		{"tau_m=0", func() Params { p := DefaultLIFDelta(); p.TauM = 0; return p }(),
			"neuron: lif_delta.tau_m = 0 ms: must be > 0"},
		{"tau_m=NaN", func() Params { p := DefaultLIFExp(); p.TauM = nan; return p }(),
			"neuron: lif_exp_current.tau_m = NaN ms: must be finite"},
		{"c_m<0", func() Params { p := DefaultLIFExp(); p.CM = -200; return p }(),
			"neuron: lif_exp_current.c_m = -200 pF: must be > 0"},
		{"v_reset=v_threshold", func() Params { p := DefaultLIFCond(); p.VReset = -50; return p }(),
			"neuron: lif_exp_cond.v_reset = -50 mV: must be below v_threshold = -50 mV"},
		{"v_reset>v_threshold", func() Params { p := DefaultLIFDelta(); p.VReset = -40; return p }(),
			"neuron: lif_delta.v_reset = -40 mV: must be below v_threshold = -50 mV"},
		{"t_ref<0", func() Params { p := DefaultLIFDelta(); p.TRef = -1; return p }(),
			"neuron: lif_delta.t_ref = -1 ms: must be >= 0"},
		{"t_ref=NaN", func() Params { p := DefaultLIFCond(); p.TRef = nan; return p }(),
			"neuron: lif_exp_cond.t_ref = NaN ms: must be finite"},
		{"v_rest=NaN", func() Params { p := DefaultLIFExp(); p.VRest = nan; return p }(),
			"neuron: lif_exp_current.v_rest = NaN mV: must be finite"},
		{"v_threshold=NaN", func() Params { p := DefaultLIFDelta(); p.VThreshold = nan; return p }(),
			"neuron: lif_delta.v_threshold = NaN mV: must be finite"},
		{"i_bias=Inf", func() Params { p := DefaultLIFCond(); p.IBias = inf; return p }(),
			"neuron: lif_exp_cond.i_bias = +Inf pA: must be finite"},
		{"tau_exc=0", func() Params { p := DefaultLIFExp(); p.TauExc = 0; return p }(),
			"neuron: lif_exp_current.tau_exc = 0 ms: must be > 0"},
		{"tau_inh<0", func() Params { p := DefaultLIFCond(); p.TauInh = -10; return p }(),
			"neuron: lif_exp_cond.tau_inh = -10 ms: must be > 0"},
		{"e_inh=NaN", func() Params { p := DefaultLIFCond(); p.EInh = nan; return p }(),
			"neuron: lif_exp_cond.e_inh = NaN mV: must be finite"},
		{"tau_nmda=0", func() Params { p := DefaultLIFAmpaNmda(); p.TauNmda = 0; return p }(),
			"neuron: lif_cond_ampa_nmda.tau_nmda = 0 ms: must be > 0"},
		{"tau_thr=Inf", func() Params { p := DefaultLIFAmpaNmda(); p.TauThr = inf; return p }(),
			"neuron: lif_cond_ampa_nmda.tau_thr = +Inf ms: must be finite"},
		{"a_nmda<0", func() Params { p := DefaultLIFAmpaNmda(); p.ANmda = -0.5; return p }(),
			"neuron: lif_cond_ampa_nmda.a_nmda = -0.5: must be >= 0"},
		{"a_ampa=NaN", func() Params { p := DefaultLIFAmpaNmda(); p.AAmpa = nan; return p }(),
			"neuron: lif_cond_ampa_nmda.a_ampa = NaN: must be finite"},
		{"theta_spike<0", func() Params { p := DefaultLIFAmpaNmda(); p.ThetaSpike = -1; return p }(),
			"neuron: lif_cond_ampa_nmda.theta_spike = -1 mV: must be >= 0"},
		{"v_min=v_max", func() Params { p := DefaultLIFAmpaNmda(); p.VMin = 0; return p }(),
			"neuron: lif_cond_ampa_nmda.v_min = 0 mV: must be below v_max = 0 mV"},
		{"v_reset<v_min", func() Params { p := DefaultLIFAmpaNmda(); p.VReset = -90; return p }(),
			"neuron: lif_cond_ampa_nmda.v_reset = -90 mV: must be within [v_min, v_max] = [-80, 0] mV"},
		{"e_exc=NaN", func() Params { p := DefaultLIFAmpaNmda(); p.EExc = nan; return p }(),
			"neuron: lif_cond_ampa_nmda.e_exc = NaN mV: must be finite"},
		{"tau_a1=0", func() Params { p := DefaultAIFAmpaNmda(); p.TauA1 = 0; return p }(),
			"neuron: aif_cond_ampa_nmda.tau_a1 = 0 ms: must be > 0"},
		{"dg_a2<0", func() Params { p := DefaultAIFAmpaNmda(); p.DgA2 = -0.002; return p }(),
			"neuron: aif_cond_ampa_nmda.dg_a2 = -0.002: must be >= 0"},
		{"aif_v_min=v_max", func() Params { p := DefaultAIFAmpaNmda(); p.VMin = 0; return p }(),
			"neuron: aif_cond_ampa_nmda.v_min = 0 mV: must be below v_max = 0 mV"},
	} {
		t.Run("model="+tc.p.Model()+"/case="+tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			// New validates too, and returns the same error.
			if _, err := tc.p.New(3, clock01); err == nil || err.Error() != tc.want {
				t.Fatalf("New() error = %v, want %q", err, tc.want)
			}
		})
	}
	for _, p := range allModels() {
		if err := p.Validate(); err != nil {
			t.Errorf("%s defaults: %v", p.Model(), err)
		}
	}
}

// TestNewErrors checks New's own arguments.
func TestNewErrors(t *testing.T) {
	// Forward Euler (lif_cond_ampa_nmda) needs a resolution below tau_m.
	p := DefaultLIFAmpaNmda()
	p.TauM = 0.1
	if _, err := p.New(1, clock01); err == nil || err.Error() != "neuron: lif_cond_ampa_nmda.tau_m = 0.1 ms: forward Euler needs tau_m > resolution 0.1 ms" {
		t.Errorf("lif_cond_ampa_nmda.New with tau_m = dt: %v", err)
	}
	// aif_cond_ampa_nmda steps g_nmda by forward Euler too.
	a := DefaultAIFAmpaNmda()
	a.TauNmda = 0.05
	if _, err := a.New(1, clock01); err == nil || err.Error() != "neuron: aif_cond_ampa_nmda.tau_nmda = 0.05 ms: forward Euler needs tau_nmda > resolution 0.1 ms" {
		t.Errorf("aif_cond_ampa_nmda.New with tau_nmda < dt: %v", err)
	}
	for _, p := range allModels() {
		if _, err := p.New(-1, clock01); err == nil || err.Error() != "neuron: "+p.Model()+" population size -1: must be >= 0" {
			t.Errorf("%s.New(-1): %v", p.Model(), err)
		}
		for _, dt := range []float64{0, -0.1, math.NaN(), math.Inf(1)} {
			if _, err := p.New(1, snnsim.Clock{DT: dt}); err == nil {
				t.Errorf("%s.New with resolution %g: no error", p.Model(), dt)
			}
		}
	}
}

// TestLookup checks the model registry and the weight units.
func TestLookup(t *testing.T) {
	if got, want := Models(), []string{"adex", "aif_cond_ampa_nmda", "lif_cond_ampa_nmda", "lif_delta", "lif_exp_cond", "lif_exp_current"}; !slices.Equal(got, want) {
		t.Fatalf("Models() = %v, want %v", got, want)
	}
	for _, m := range Models() {
		p, ok := Lookup(m)
		if !ok || p.Model() != m {
			t.Fatalf("Lookup(%q) = %v, %v", m, p, ok)
		}
		pop, err := p.New(2, clock01)
		if err != nil || pop.Len() != 2 {
			t.Fatalf("Lookup(%q).New: %v", m, err)
		}
	}
	if _, ok := Lookup("lif"); ok {
		t.Error(`Lookup("lif") found a model`)
	}
	if Exc.String() != "exc" || Inh.String() != "inh" || Receptor(7).String() != "Receptor(7)" {
		t.Error("Receptor.String")
	}
	// B1/B2 weights (Vogels & Abbott 2005; Brette et al. 2007): 0.27 nS·60 mV/10 nS = 1.62 mV is 16.2 pA at
	// R = 100 MOhm; B2's 4 nS is 0.4 g_L with g_L = 10 nS.
	for _, tc := range []struct {
		p     Params
		d     snnsim.Dimension
		scale float64
		ok    bool
	}{
		{DefaultLIFDelta(), snnsim.Voltage, 1, true},
		{DefaultLIFDelta(), snnsim.Current, 0, false},
		{DefaultLIFExp(), snnsim.Voltage, 1, true},
		{DefaultLIFExp(), snnsim.Current, 0.1, true},
		{DefaultLIFExp(), snnsim.Conductance, 0, false},
		{DefaultLIFCond(), snnsim.Conductance, 0.1, true},
		{DefaultLIFCond(), snnsim.Dimensionless, 1, true},
		{DefaultLIFCond(), snnsim.Voltage, 0, false},
		// B3 weights are multiples of g_L; g_L = 200 pF/20 ms = 10 nS.
		{DefaultLIFAmpaNmda(), snnsim.Dimensionless, 1, true},
		{DefaultLIFAmpaNmda(), snnsim.Conductance, 0.1, true},
		{DefaultLIFAmpaNmda(), snnsim.Current, 0, false},
		{DefaultAIFAmpaNmda(), snnsim.Dimensionless, 1, true},
		{DefaultAIFAmpaNmda(), snnsim.Conductance, 0.1, true},
		{DefaultAIFAmpaNmda(), snnsim.Voltage, 0, false},
	} {
		s, err := tc.p.WeightScale(Exc, tc.d)
		if (err == nil) != tc.ok || (tc.ok && math.Abs(s-tc.scale) > 1e-15) {
			t.Errorf("%s.WeightScale(%s) = %g, %v", tc.p.Model(), tc.d, s, err)
		}
	}
}
