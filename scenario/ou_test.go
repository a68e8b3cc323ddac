package scenario

import (
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// TestOUCurrentStimulus decodes and compiles the background and a cue
// pulse of Luboeinski & Tetzlaff (2021) written as ou_current stimuli.
func TestOUCurrentStimulus(t *testing.T) {
	text := head + popE + `
[[stimulus]]
kind = "ou_current"
population = "E"
mean = "0.15 nA"
sigma = "0.5 nA"
tau = "5 ms"
init = "0 pA"

[[stimulus]]
kind = "ou_current"
population = "E"
neurons = [0, 1, 2]
mean = "1050.1875 nA"
sigma = "210.0375 nA"
tau = "5 ms"
start = "100 ms"
stop = "200 ms"
`
	s, err := Decode("ou.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	dt := net.Clock.DT
	want := []netlist.Stimulus{
		{Kind: "ou_current", Mean: 150, Sigma: 500, Tau: 5, Init: 0, Start: 0, Stop: snnsim.Never},
		{Kind: "ou_current", Neurons: []int{0, 1, 2}, Mean: 1050187.5, Sigma: 210037.5, Tau: 5, Init: 1050187.5,
			Start: snnsim.Time(100 / dt), Stop: snnsim.Time(200 / dt)},
	}
	for k, w := range want {
		g := net.Stimuli[k]
		if g.Kind != w.Kind || g.Mean != w.Mean || g.Sigma != w.Sigma || g.Tau != w.Tau || g.Init != w.Init ||
			g.Start != w.Start || g.Stop != w.Stop || len(g.Neurons) != len(w.Neurons) {
			t.Errorf("stimulus %d: %+v, want %+v", k, *g, w)
		}
	}
}

// TestOUCurrentErrors checks that each bad ou_current key is named with
// its line.
func TestOUCurrentErrors(t *testing.T) {
	ou := "[[stimulus]]\nkind = \"ou_current\"\npopulation = \"E\"\n" // lines 7-9
	for _, tc := range []struct{ name, text, want string }{
		{"negative sigma", ou + "mean = \"1 pA\"\nsigma = \"-1 pA\"\ntau = \"5 ms\"\n", `bad.toml:11: stimulus[0].sigma: -1 pA: must be >= 0`},
		{"zero tau", ou + "mean = \"1 pA\"\nsigma = \"1 pA\"\ntau = \"0 ms\"\n", `bad.toml:12: stimulus[0].tau: 0 ms: must be > 0`},
		{"missing mean", ou + "sigma = \"1 pA\"\ntau = \"5 ms\"\n", `stimulus[0].mean: required key is missing`},
		{"sigma dimension", ou + "mean = \"1 pA\"\nsigma = \"1 mV\"\ntau = \"5 ms\"\n", `bad.toml:11: stimulus[0].sigma: "1 mV" is a voltage, but a current is needed`},
		{"amplitude not a key", ou + "mean = \"1 pA\"\nsigma = \"1 pA\"\ntau = \"5 ms\"\namplitude = \"3 pA\"\n", `stimulus[0].amplitude: unknown key`},
		{"unknown kind", "[[stimulus]]\nkind = \"ou\"\npopulation = \"E\"\n", `the kinds are "current_step" and "ou_current"`},
	} {
		_, err := Decode("bad.toml", []byte(head+popE+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant %q", tc.name, err, tc.want)
		}
	}
}
