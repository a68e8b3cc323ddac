package scenario

import (
	"errors"
	"math"
	"testing"

	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/stdp"
)

// TestZenke2015Keys decodes the rules and the consolidation preset of
// Zenke, Agnes & Gerstner (2015) from a scenario: the preset first, then
// the table's keys; and refuses an unknown preset, a preset of a model
// without presets, and a bad w_ref_init, each at its line and key.
func TestZenke2015Keys(t *testing.T) {
	good := head + popE + popP +
		cproj("P", "E", `{ model = "zenke_2015", preset = "sim_rc_p11", tau_cons = "1 h" }`) +
		"plasticity = { rule = \"p11\", beta = 0.1 }\n" +
		proj("E", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) +
		"plasticity = { rule = \"istdp_global\", kappa = \"3 Hz\" }\n" +
		"[[neuromodulator]]\npopulation = \"E\"\nname = \"consolidation\"\nschedule = [{ at = \"10 s\", level = 0 }]\n"
	s, err := Decode("good.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	z, ok := s.Projections[0].Consolidation.(*consolidation.ZenkeParams)
	if !ok {
		t.Fatalf("consolidation %T", s.Projections[0].Consolidation)
	}
	if math.Abs(z.P-0.1/0.005859375) > 1e-12 || z.WRefInit != "lower" || z.Beta != 0 || z.TauCons != 3.6e6 {
		t.Errorf("zenke_2015 with preset sim_rc_p11 and tau_cons = 1 h: %+v", *z)
	}
	if p, ok := s.Projections[0].Plasticity.(*stdp.P11Params); !ok || p.Beta != 0.1 || p.TauHom != 600e3 {
		t.Errorf("p11: %+v", s.Projections[0].Plasticity)
	}
	if p, ok := s.Projections[1].Plasticity.(*stdp.GlobalISTDPParams); !ok || p.Kappa != 3 || p.Eta != 2e-5 {
		t.Errorf("istdp_global: %+v", s.Projections[1].Plasticity)
	}
	// p11 with beta = 0 needs no consolidation.
	if _, err := Decode("ok.toml", []byte(head+popE+popP+proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`)+
		"plasticity = { rule = \"p11\", beta = 0 }\n")); err != nil {
		t.Errorf("p11 with beta = 0 and no consolidation: %v", err)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"unknown_preset", head + popE + popP + cproj("P", "E", `{ model = "zenke_2015", preset = "sim_rc_p1" }`),
			`bad.toml:18: projection[0].consolidation.preset: unknown preset "sim_rc_p1" for model zenke_2015 (did you mean "sim_rc_p11"?) (known: sim_rc_p11)`},
		{"no_presets", head + popE + popP + cproj("P", "E", `{ model = "trivial", preset = "sim_rc_p11" }`),
			`bad.toml:18: projection[0].consolidation.preset: the consolidation model trivial has no presets`},
		{"w_ref_init", head + popE + popP + cproj("P", "E", `{ model = "zenke_2015", w_ref_init = "upper" }`),
			`bad.toml:18: projection[0].consolidation.w_ref_init: "upper": must be one of "weight", "lower"`},
		{"p11_without_model", head + popE + popP + proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) +
			"plasticity = { rule = \"p11\" }\n",
			`bad.toml:18: projection[0].plasticity: the rule p11 reads the reference weights w̃ of a consolidation model (its beta > 0): add consolidation = { model = "zenke_2015", preset = "sim_rc_p11" } to the projection, or set beta = 0`},
		{"p11_twice", head + popE + popP + cproj("P", "E", `{ model = "zenke_2015" }`) + "plasticity = { rule = \"p11\" }\n",
			`bad.toml:18: projection[0].consolidation: the rule p11 applies the heterosynaptic term, and the model zenke_2015 would apply it again: set the model's beta = 0 (its preset "sim_rc_p11" does)`},
		{"p11_trivial", head + popE + popP + cproj("P", "E", `{ model = "trivial" }`) + "plasticity = { rule = \"p11\" }\n",
			`bad.toml:18: projection[0].consolidation: the model trivial keeps no reference weights, which the rule p11 reads (its beta > 0): use the model zenke_2015, or set the rule's beta = 0`},
		{"vogels_unknown_key", head + popE + popP + proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) +
			"plasticity = { rule = \"istdp_vogels\", tau_plus = \"20 ms\" }\n",
			`bad.toml:18: projection[0].plasticity.tau_plus: unknown key "tau_plus"...`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			_, err := Decode("bad.toml", []byte(tc.text))
			var list ErrorList
			if !errors.As(err, &list) || !hasError(list, tc.want) {
				t.Errorf("errors:\n%v\nwant one that is:\n%s", err, tc.want)
			}
		})
	}
}
