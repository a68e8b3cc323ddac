package scenario_test

import (
	"fmt"
	"log"

	"github.com/snnsim/snnsim/scenario"
)

// A scenario round trip: decode a scenario from text, compile it, and look
// at what was built. all_to_all and fixed_indegree make synapse counts that
// do not depend on the seed.
func ExampleDecode() {
	text := `
[simulation]
name     = "tiny"
duration = "500 ms"
seed     = 3

[[population]]
name  = "input"
size  = 20
model = "poisson"
params = { rate = "10 Hz" }

[[population]]
name  = "E"
size  = 8
model = "lif_exp_current"
params = { tau_m = "20 ms", c_m = "200 pF" }
init  = { v = { uniform = ["-70 mV", "-55 mV"] } }

[[projection]]
from     = "input"
to       = "E"
receptor = "exc"
connect  = { rule = "fixed_indegree", k = 5 }
weight   = "100 pA"                          # R = 20 ms / 200 pF = 0.1 GOhm: 10 mV
delay    = "1.5 ms"

[[projection]]
name     = "recurrent"
from     = "E"
to       = "E"
receptor = "inh"
connect  = { rule = "all_to_all" }           # no autapses: 8 × 7
weight   = "2 mV"
delay    = { uniform = ["1 ms", "2 ms"] }

[[record]]
what = "spikes"
`
	s, err := scenario.Decode("tiny.toml", []byte(text))
	if err != nil {
		log.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d ticks of %g ms, seed %d\n", net.Name, net.Duration, net.Clock.DT, net.Seed)
	for _, p := range net.Populations {
		kind := "neurons"
		if p.Source != nil {
			kind = "source " + p.Source.Model()
		}
		fmt.Printf("population %-5s %2d members from ID %2d (%s)\n", p.Name, p.Size, p.Offset, kind)
	}
	for _, p := range net.Projections {
		delays := fmt.Sprintf("every delay %d ticks", p.ConstDelay)
		if p.Delay != nil {
			delays = "delays vary"
		}
		fmt.Printf("projection %-11s %2d synapses, weight[0] = %g, %s\n", p.Name, p.Len(), p.WeightAt(0), delays)
	}
	fmt.Println("records populations", net.Records[0].Populations)
	// Output:
	// tiny: 5000 ticks of 0.1 ms, seed 3
	// population input 20 members from ID  0 (source poisson)
	// population E      8 members from ID 20 (neurons)
	// projection input_to_E  40 synapses, weight[0] = 10, every delay 15 ticks
	// projection recurrent   56 synapses, weight[0] = 2, delays vary
	// records populations [0 1]
}

// Decode reports every problem of a scenario at once, each with its file,
// line and key.
func ExampleErrorList() {
	text := `[simulation]
duration = "1 s"
resolution = "0.1 mV"

[[population]]
name  = "E"
size  = 10
model = "lif_exp_current"
params = { tau_m = "-20 ms", tau_sin = "5 ms" }
`
	_, err := scenario.Decode("bad.toml", []byte(text))
	fmt.Println(err)
	// Output:
	// bad.toml:3: simulation.resolution: "0.1 mV" is a voltage, but a time is needed (e.g. "20 ms")
	// bad.toml:9: population[0].params.tau_sin: unknown key "tau_sin" (did you mean "tau_inh"?); lif_exp_current takes: tau_m, c_m, v_rest, v_threshold, v_reset, t_ref, i_bias, tau_exc, tau_inh
	// bad.toml:9: population[0].params.tau_m: "-20 ms": must be > 0
}
