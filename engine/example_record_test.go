package engine_test

import (
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/scenario"
)

// AttachRecords sets up the [[record]] tables of a scenario: here the
// membrane potential of a neuron that receives one 10 mV input at 2 ms and
// relaxes (tau_m = 20 ms), sampled every 5 ms, and the rate of the input.
// declare is where a program creates each series (in snnsim run, in the
// log); the returned function receives the samples.
func ExampleEngine_AttachRecords() {
	sc, err := scenario.Decode("example.toml", []byte(`
[simulation]
duration = "20 ms"

[[population]]
name = "in"
size = 1
model = "spike_times"
params = { times = ["1 ms"] }

[[population]]
name = "cell"
size = 1
model = "lif_delta"
params = { v_rest = "-70 mV", tau_m = "20 ms" }

[[projection]]
from = "in"
to = "cell"
receptor = "exc"
connect = { rule = "all_to_all" }
weight = "10 mV"
delay = "1 ms"

[[record]]
what = "v"
populations = ["cell"]
sample = "5 ms"

[[record]]
what = "rate"
populations = ["in"]
sample = "10 ms"
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	net, _ := sc.Compile()
	e, _ := engine.New(net, engine.Config{})
	err = e.AttachRecords(net.Records, nil, func(s engine.Series) (engine.SampleFunc, error) {
		return func(t snnsim.Time, v []float64) error {
			fmt.Printf("%-9s t = %4.1f ms: %.3f %s\n", s.Name, net.Clock.Ms(t), v[0], s.Unit)
			return nil
		}, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		fmt.Println(err)
	}
	// Output:
	// v/cell    t =  0.0 ms: -70.000 mV
	// v/cell    t =  5.0 ms: -61.393 mV
	// rate/in   t =  0.0 ms: 100.000 Hz
	// v/cell    t = 10.0 ms: -63.297 mV
	// v/cell    t = 15.0 ms: -64.780 mV
	// rate/in   t = 10.0 ms: 0.000 Hz
}
