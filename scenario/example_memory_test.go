package scenario_test

import (
	"fmt"
	"log"

	"github.com/snnsim/snnsim/scenario"
)

// Estimating a scenario's memory before building it: a program that embeds
// snnsim can refuse a scenario too large for its machine, as snnsim run
// does, without allocating it.
func ExampleScenario_Memory() {
	text := `
[simulation]
duration = "1 s"

[[population]]
name  = "P"
size  = 1000
model = "poisson"

[[population]]
name  = "E"
size  = 100000
model = "lif_exp_cond"

[[projection]]
from     = "P"
to       = "E"
receptor = "exc"
connect  = { rule = "fixed_indegree", k = 100 }
weight   = { uniform = ["0.1 nS", "0.5 nS"] }
delay    = "1.5 ms"
`
	s, err := scenario.Decode("mem.toml", []byte(text))
	if err != nil {
		log.Fatal(err)
	}
	m := s.Memory()
	fmt.Println("synapses:", scenario.FormatBytes(m.Synapses))
	fmt.Println("fits in 1 GiB:", m.Total() <= 1<<30)
	// Output:
	// synapses: 124 MiB
	// fits in 1 GiB: true
}
