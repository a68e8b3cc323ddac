package stdp

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/paramtest"
)

// TestValidate checks that each bad parameter is rejected with a message
// naming the rule, the key, the value and the constraint.
func TestValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	pair := func(f func(*PairParams)) Params { p := DefaultPair(); f(&p); return &p }
	trip := func(f func(*TripletParams)) Params { p := DefaultTriplet(); f(&p); return &p }
	hom := func(f func(*HomeostaticParams)) Params { p := DefaultHomeostatic(); f(&p); return &p }
	p11 := func(f func(*P11Params)) Params { p := DefaultP11(); f(&p); return &p }
	glob := func(f func(*GlobalISTDPParams)) Params { p := DefaultGlobalISTDP(); f(&p); return &p }
	vog := func(f func(*VogelsParams)) Params { p := DefaultVogels(); f(&p); return &p }
	for _, tc := range []struct {
		name string
		p    Params
		want string
	}{
		{"a_plus<0", pair(func(p *PairParams) { p.APlus = -0.01 }), "stdp: pair.a_plus = -0.01: must be >= 0"},
		{"a_minus=NaN", pair(func(p *PairParams) { p.AMinus = nan }), "stdp: pair.a_minus = NaN: must be finite"},
		{"tau_plus=0", pair(func(p *PairParams) { p.TauPlus = 0 }), "stdp: pair.tau_plus = 0 ms: must be > 0"},
		{"tau_minus=Inf", pair(func(p *PairParams) { p.TauMinus = inf }), "stdp: pair.tau_minus = +Inf ms: must be finite"},
		{"mu_plus<0", pair(func(p *PairParams) { p.MuPlus = -1 }), "stdp: pair.mu_plus = -1: must be >= 0"},
		{"pairing", pair(func(p *PairParams) { p.Pairing = "nearest" }),
			`stdp: pair.pairing = "nearest": must be one of "all_to_all", "nearest_spike"`},
		{"pairing_empty", pair(func(p *PairParams) { p.Pairing = "" }),
			`stdp: pair.pairing = "": must be one of "all_to_all", "nearest_spike"`},
		{"w_max=w_min", pair(func(p *PairParams) { p.WMax = 0 }), "stdp: pair.w_max = 0: must be above w_min = 0"},
		{"w_min=NaN", pair(func(p *PairParams) { p.WMin = nan }), "stdp: pair.w_min = NaN: must be a number below w_max (-Inf is allowed)"},
		{"w_max=-Inf", pair(func(p *PairParams) { p.WMax = -inf }), "stdp: pair.w_max = -Inf: must be a number above w_min (+Inf is allowed)"},
		{"soft_w_max=Inf", pair(func(p *PairParams) { p.MuPlus = 1; p.WMax = inf }),
			"stdp: pair.w_max = +Inf: must be finite when mu_plus > 0 (soft upper bound)"},
		{"soft_w_min=-Inf", pair(func(p *PairParams) { p.MuMinus = 0.5; p.WMin = -inf }),
			"stdp: pair.w_min = -Inf: must be finite when mu_minus > 0 (soft lower bound)"},
		{"a3_plus<0", trip(func(p *TripletParams) { p.A3Plus = -1e-3 }), "stdp: triplet.a3_plus = -0.001: must be >= 0"},
		{"a3_minus=Inf", trip(func(p *TripletParams) { p.A3Minus = inf }), "stdp: triplet.a3_minus = +Inf: must be finite"},
		{"tau_x=0", trip(func(p *TripletParams) { p.TauX = 0 }), "stdp: triplet.tau_x = 0 ms: must be > 0"},
		{"tau_y<0", trip(func(p *TripletParams) { p.TauY = -114 }), "stdp: triplet.tau_y = -114 ms: must be > 0"},
		{"triplet_pairing", trip(func(p *TripletParams) { p.Pairing = "all-to-all" }),
			`stdp: triplet.pairing = "all-to-all": must be one of "all_to_all", "nearest_spike"`},
		{"triplet_w_max<w_min", trip(func(p *TripletParams) { p.WMin, p.WMax = 1, 0.5 }), "stdp: triplet.w_max = 0.5: must be above w_min = 1"},
		{"kappa=0", hom(func(p *HomeostaticParams) { p.Kappa = 0 }), "stdp: triplet_homeostatic.kappa = 0 Hz: must be > 0"},
		{"tau_hom=NaN", hom(func(p *HomeostaticParams) { p.TauHom = nan }), "stdp: triplet_homeostatic.tau_hom = NaN ms: must be finite"},
		{"tau_slow=0", hom(func(p *HomeostaticParams) { p.TauSlow = 0 }), "stdp: triplet_homeostatic.tau_slow = 0 ms: must be > 0"},
		{"eta<0", hom(func(p *HomeostaticParams) { p.Eta = -1 }), "stdp: triplet_homeostatic.eta = -1: must be >= 0"},
		{"hom_w_min=Inf", hom(func(p *HomeostaticParams) { p.WMin = inf }), "stdp: triplet_homeostatic.w_min = +Inf: must be a number below w_max (-Inf is allowed)"},
		{"p11_beta<0", p11(func(p *P11Params) { p.Beta = -0.05 }), "stdp: p11.beta = -0.05: must be >= 0"},
		{"p11_delta=NaN", p11(func(p *P11Params) { p.Delta = nan }), "stdp: p11.delta = NaN: must be finite"},
		{"p11_rate_init<0", p11(func(p *P11Params) { p.RateInit = -2 }), "stdp: p11.rate_init = -2 Hz: must be >= 0"},
		{"p11_tau_hom=0", p11(func(p *P11Params) { p.TauHom = 0 }), "stdp: p11.tau_hom = 0 ms: must be > 0"},
		{"p11_kappa=0", p11(func(p *P11Params) { p.Kappa = 0 }), "stdp: p11.kappa = 0 Hz: must be > 0"},
		{"p11_w_max<w_min", p11(func(p *P11Params) { p.WMax = -1 }), "stdp: p11.w_max = -1: must be above w_min = 0"},
		{"global_kappa=0", glob(func(p *GlobalISTDPParams) { p.Kappa = 0 }), "stdp: istdp_global.kappa = 0 Hz: must be > 0"},
		{"global_tau_h<0", glob(func(p *GlobalISTDPParams) { p.TauH = -1 }), "stdp: istdp_global.tau_h = -1 ms: must be > 0"},
		{"global_xi=Inf", glob(func(p *GlobalISTDPParams) { p.Xi = inf }), "stdp: istdp_global.xi = +Inf: must be finite"},
		{"global_eta<0", glob(func(p *GlobalISTDPParams) { p.Eta = -1 }), "stdp: istdp_global.eta = -1: must be >= 0"},
		{"vogels_tau=0", vog(func(p *VogelsParams) { p.Tau = 0 }), "stdp: istdp_vogels.tau = 0 ms: must be > 0"},
		{"vogels_kappa<0", vog(func(p *VogelsParams) { p.Kappa = -3 }), "stdp: istdp_vogels.kappa = -3 Hz: must be > 0"},
	} {
		t.Run("rule="+tc.p.Rule()+"/case="+tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if err == nil || err.Error() != tc.want {
				t.Errorf("Validate() = %v\nwant       %s", err, tc.want)
			}
			if _, err := New[float32](tc.p, testClock, 2, 2); err == nil || err.Error() != tc.want {
				t.Errorf("New() error = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestPresets checks every preset: it validates, keeps the weight bounds,
// sets the published values (spot checks against Pfister & Gerstner 2006,
// Tables 3 and 4), and an
// unknown name is an error that wraps ErrUnknownPreset and lists the names.
func TestPresets(t *testing.T) {
	wantNames := map[string][]string{
		"pair": {"additive", "multiplicative", "song_abbott_2000", "van_rossum"},
		"triplet": {"hippocampal_all_to_all_full", "hippocampal_all_to_all_minimal",
			"hippocampal_nearest_spike_full", "hippocampal_nearest_spike_minimal",
			"visual_cortex_all_to_all_full", "visual_cortex_all_to_all_minimal",
			"visual_cortex_nearest_spike_full", "visual_cortex_nearest_spike_minimal"},
		"triplet_homeostatic": {"zenke_2013"},
		"p11":                 {"zenke_2015", "zenke_2015_unstable_control"},
		"istdp_global":        {"zenke_2015"},
		"istdp_vogels":        {"vogels_2011"},
	}
	for _, rule := range Rules() {
		if got := Presets(rule); !slices.Equal(got, wantNames[rule]) {
			t.Errorf("Presets(%q) = %v, want %v", rule, got, wantNames[rule])
		}
		for _, name := range Presets(rule) {
			t.Run("rule="+rule+"/preset="+name, func(t *testing.T) {
				p, _ := Lookup(rule)
				setBounds(p, -2, 3)
				if err := p.ApplyPreset(name); err != nil {
					t.Fatal(err)
				}
				if err := p.Validate(); err != nil {
					t.Fatal(err)
				}
				if lo, hi := bounds(p); lo != -2 || hi != 3 {
					t.Errorf("bounds after the preset: [%g, %g], want [-2, 3] (kept)", lo, hi)
				}
			})
		}
		p, _ := Lookup(rule)
		err := p.ApplyPreset("visual_cortex")
		if !errors.Is(err, ErrUnknownPreset) || !strings.Contains(err.Error(), `"visual_cortex"`) ||
			!strings.Contains(err.Error(), strings.Join(Presets(rule), ", ")) {
			t.Errorf("rule %s: ApplyPreset(unknown) = %v; want ErrUnknownPreset naming it and listing %v", rule, err, Presets(rule))
		}
	}
	p := DefaultPair()
	want := `stdp: unknown preset "nearest" for rule pair: use one of additive, multiplicative, song_abbott_2000, van_rossum`
	if err := p.ApplyPreset("nearest"); err == nil || err.Error() != want {
		t.Errorf("ApplyPreset(nearest) = %v\nwant %s", err, want)
	}
	// Spot checks against Pfister & Gerstner (2006), Tables 3 and 4.
	for _, tc := range []struct {
		name               string
		a2p, a3p, a2m, a3m float64
		tx, ty             float64
		pairing            Pairing
	}{
		{"visual_cortex_all_to_all_full", 5e-10, 6.2e-3, 7e-3, 2.3e-4, 101, 125, AllToAll},
		{"visual_cortex_all_to_all_minimal", 0, 6.5e-3, 7.1e-3, 0, 101, 114, AllToAll},
		{"visual_cortex_nearest_spike_full", 8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3, 714, 40, NearestSpike},
		{"visual_cortex_nearest_spike_minimal", 0, 5.2e-2, 8e-3, 0, 714, 40, NearestSpike},
		{"hippocampal_all_to_all_full", 6.1e-3, 6.7e-3, 1.6e-3, 1.4e-3, 946, 27, AllToAll},
		{"hippocampal_all_to_all_minimal", 5.3e-3, 8e-3, 3.5e-3, 0, 946, 40, AllToAll},
		{"hippocampal_nearest_spike_full", 4.6e-3, 9.1e-3, 3e-3, 7.5e-9, 575, 47, NearestSpike},
		{"hippocampal_nearest_spike_minimal", 4.6e-3, 9.1e-3, 3e-3, 0, 575, 48, NearestSpike},
	} {
		var p TripletParams
		if err := p.ApplyPreset(tc.name); err != nil {
			t.Fatal(err)
		}
		want := TripletParams{tc.a2p, tc.a3p, tc.a2m, tc.a3m, 16.8, 33.7, tc.tx, tc.ty, tc.pairing, 0, 0}
		if p != want {
			t.Errorf("preset %s = %+v, want %+v", tc.name, p, want)
		}
	}
}

func setBounds(p Params, lo, hi float64) {
	switch q := p.(type) {
	case *PairParams:
		q.WMin, q.WMax = lo, hi
	case *TripletParams:
		q.WMin, q.WMax = lo, hi
	case *HomeostaticParams:
		q.WMin, q.WMax = lo, hi
	case *P11Params:
		q.WMin, q.WMax = lo, hi
	case *GlobalISTDPParams:
		q.WMin, q.WMax = lo, hi
	case *VogelsParams:
		q.WMin, q.WMax = lo, hi
	}
}

func bounds(p Params) (float64, float64) {
	switch q := p.(type) {
	case *PairParams:
		return q.WMin, q.WMax
	case *TripletParams:
		return q.WMin, q.WMax
	case *HomeostaticParams:
		return q.WMin, q.WMax
	case *P11Params:
		return q.WMin, q.WMax
	case *GlobalISTDPParams:
		return q.WMin, q.WMax
	case *VogelsParams:
		return q.WMin, q.WMax
	}
	return math.NaN(), math.NaN()
}

// TestLookup checks that every rule name gives valid defaults whose Rule()
// is that name, that unknown names are refused, and that every parameter
// field carries a TOML key and, if dimensioned, a known unit tag.
func TestLookup(t *testing.T) {
	if got, want := Rules(), []string{"istdp_global", "istdp_vogels", "p11", "pair", "triplet", "triplet_homeostatic"}; !slices.Equal(got, want) {
		t.Errorf("Rules() = %v, want %v", got, want)
	}
	for _, rule := range Rules() {
		p, ok := Lookup(rule)
		if !ok || p.Rule() != rule {
			t.Fatalf("Lookup(%q) = %v, %v", rule, p, ok)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("defaults of %s: %v", rule, err)
		}
		typ := reflect.TypeOf(p).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := f.Tag.Get("toml")
			if key == "" {
				t.Errorf("%s.%s has no toml tag", typ.Name(), f.Name)
			}
			if u, ok := f.Tag.Lookup("unit"); ok {
				if _, known := snnsim.ParseDimension(u); !known {
					t.Errorf("%s.%s has unknown unit tag %q", typ.Name(), f.Name, u)
				}
			} else if strings.HasPrefix(key, "tau") || key == "kappa" {
				t.Errorf("%s.%s (%s) is dimensioned but has no unit tag", typ.Name(), f.Name, key)
			}
		}
		for _, bad := range []struct {
			clock       snnsim.Clock
			nPre, nPost int
			want        string
		}{
			{snnsim.Clock{DT: 0}, 1, 1, "resolution 0 ms: must be > 0"},
			{testClock, -1, 1, "-1 source neurons"},
			{testClock, 1, -1, "-1 target neurons"},
		} {
			if r, err := New[float32](p, bad.clock, bad.nPre, bad.nPost); err == nil || r != nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("New(%s, %v, %d, %d) = %v, %v; want nil and an error containing %q", rule, bad.clock, bad.nPre, bad.nPost, r, err, bad.want)
			}
		}
	}
	if p, ok := Lookup("stdp"); ok || p != nil {
		t.Errorf(`Lookup("stdp") = %v, %v; want nil, false`, p, ok)
	}
	if Presets("stdp") != nil {
		t.Errorf(`Presets("stdp") is not nil`)
	}
	var nilPair *PairParams
	if r, err := New[float64](nilPair, testClock, 1, 1); err == nil || r != nil {
		t.Errorf("New(nil *PairParams) = %v, %v; want an error", r, err)
	}
}

// TestRegistry walks the rule table: every rule validates its defaults,
// refuses a wrong value of each parameter with a ParamError naming the key,
// lists presets that ApplyPreset accepts, and stays valid under each.
func TestRegistry(t *testing.T) {
	paramtest.Registry(t, paramtest.Table[Params]{Pkg: "stdp", Names: Rules(), Lookup: Lookup, Model: Params.Rule})
	for _, rule := range Rules() {
		p, _ := Lookup(rule)
		if _, ok := p.(presetLister); !ok {
			t.Errorf("%s: parameters of type %T list no presets", rule, p)
		}
		if len(Presets(rule)) == 0 {
			t.Errorf("%s: no presets", rule)
		}
		for _, name := range Presets(rule) {
			if err := p.ApplyPreset(name); err != nil {
				t.Errorf("%s: ApplyPreset(%q) = %v for a listed preset", rule, name, err)
			} else if err := p.Validate(); err != nil {
				t.Errorf("%s: preset %s does not validate: %v", rule, name, err)
			}
		}
	}
}
