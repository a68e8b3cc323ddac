package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/stdp"
)

// TestSTPDecode checks the stp table of a projection: the keys reach the
// compiled network with the defaults x0 = 1 and u0 = U, and each mistake is
// reported at its file, line and key.
func TestSTPDecode(t *testing.T) {
	text := head + popP + popE + proj("P", "E", p01, `"0.5 mV"`, `"1 ms"`) +
		"stp = { U = 0.2, tau_d = \"0.15 s\", tau_f = \"600 ms\" }\n" +
		proj("E", "E", p01, `"0.5 mV"`, `"1 ms"`) +
		"stp = { U = 0.2, tau_d = \"150 ms\", tau_f = \"600 ms\", x0 = 0.5, u0 = 0.01 }\n" +
		proj("P", "E", `{ rule = "one_to_one" }`, `"0.5 mV"`, `"1 ms"`) + "name = \"plain\"\n"
	s, err := Decode("stp.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	want := []*stdp.STP{{U: 0.2, TauD: 150, TauF: 600, X0: 1, U0: 0.2}, {U: 0.2, TauD: 150, TauF: 600, X0: 0.5, U0: 0.01}, nil}
	for k, pr := range net.Projections {
		switch {
		case (pr.STP == nil) != (want[k] == nil):
			t.Errorf("projection %d: STP %+v, want %+v", k, pr.STP, want[k])
		case pr.STP != nil && *pr.STP != *want[k]:
			t.Errorf("projection %d: STP %+v, want %+v", k, *pr.STP, *want[k])
		}
	}
	// Lines: head 1-2, popP 3-6, popE 7-10, projection 11-17, stp 18.
	base := head + popP + popE + proj("P", "E", p01, `"0.5 mV"`, `"1 ms"`)
	for _, tc := range []struct{ name, stp, want string }{
		{"missing", `{ U = 0.2, tau_d = "150 ms" }`, `bad.toml:18: projection[0].stp.tau_f: required key is missing`},
		{"U>1", `{ U = 1.5, tau_d = "150 ms", tau_f = "600 ms" }`, `bad.toml:18: projection[0].stp.U: 1.5: must be in (0, 1]`},
		{"dimension", `{ U = 0.2, tau_d = "150 mV", tau_f = "600 ms" }`, `bad.toml:18: projection[0].stp.tau_d: "150 mV" is a voltage, but a time is needed`},
		{"unknown", `{ U = 0.2, tau_d = "150 ms", tau_f = "600 ms", tauf = 1 }`, `bad.toml:18: projection[0].stp.tauf: unknown key "tauf" (did you mean "tau_f"?); stp takes: U, tau_d, tau_f, x0, u0`},
		{"u0", `{ U = 0.2, tau_d = "150 ms", tau_f = "600 ms", u0 = -1 }`, `bad.toml:18: projection[0].stp.u0: -1: must be in [0, 1]`},
		{"not_a_table", `0.2`, `bad.toml:18: projection[0].stp: must be a table, not the float 0.2`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			_, err := Decode("bad.toml", []byte(base+"stp = "+tc.stp+"\n"))
			var list ErrorList
			if !errors.As(err, &list) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("errors:\n%v\nwant one containing:\n%s", err, tc.want)
			}
		})
	}
}

// TestAIFScenario checks that the adaptive neuron is usable from a
// scenario by name, with its parameters.
func TestAIFScenario(t *testing.T) {
	text := head + "[[population]]\nname = \"E\"\nsize = 4\nmodel = \"aif_cond_ampa_nmda\"\n" +
		"params = { dg_a1 = 0.2, tau_a1 = \"0.2 s\", i_bias = \"600 pA\" }\n"
	s, err := Decode("aif.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := net.Populations[0].Neuron.(*neuron.AIFAmpaNmda)
	if !ok {
		t.Fatalf("the population's model is %T", net.Populations[0].Neuron)
	}
	if p.DgA1 != 0.2 || p.TauA1 != 200 || p.IBias != 600 || p.AAmpa != 0.2/1.2 {
		t.Errorf("parameters %+v", *p)
	}
}
