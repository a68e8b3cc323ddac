package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/snnsim/snnsim/netlist"
)

// stcBenchScenario is one pathway of 1000 fibres onto n AdEx neurons, all
// to all (1000·n tag-trigger-consolidation synapses), stimulated with
// protocol at 1 min (or never, for "none").
func stcBenchScenario(n int, protocol string) string {
	return fmt.Sprintf(`
[simulation]
duration   = "1 h"
resolution = "1 ms"
seed       = 1

[[population]]
name  = "N"
size  = %d
model = "adex"

[[population]]
name   = "S"
size   = 1000
model  = "stc_protocol"
params = { protocol = %q, start = "1 min" }

[[projection]]
from          = "S"
to            = "N"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "0.1 mV"
delay         = "1 ms"
consolidation = { model = "tag_trigger_consolidation" }
`, n, protocol)
}

// BenchmarkConsolidationHour reports the wall time of one simulated hour
// with 1e3, 1e5 and 1e6 consolidating synapses: "quiet" (no stimulation:
// every synapse at rest) and "wtet" (a weak tetanus at 1 min tags about a
// third of the synapses, whose tags then decay during the hour and whose
// late phase is stepped on the 1 s slow clock while tagged).
func BenchmarkConsolidationHour(b *testing.B) {
	for _, protocol := range []string{"none", "WTET"} {
		for _, n := range []int{1, 100, 1000} {
			name := "quiet"
			if protocol != "none" {
				name = "wtet"
			}
			b.Run(fmt.Sprintf("%s/synapses=%d", name, 1000*n), func(b *testing.B) {
				s, err := netlist.Decode("bench.toml", []byte(stcBenchScenario(n, protocol)))
				if err != nil {
					b.Fatal(err)
				}
				net, err := s.Compile()
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					e, err := New(net, Config{})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := e.Run(context.Background(), net.Duration); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "wall-s/sim-h")
			})
		}
	}
}

// BenchmarkSTCCapture runs scenarios/stc_capture.toml (10 h, STET on S1,
// WTET on S2) without recording.
func BenchmarkSTCCapture(b *testing.B) {
	net := stcNet(b, "stc_capture.toml")
	for range b.N {
		e, err := New(net, Config{})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Run(context.Background(), net.Duration); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "wall-s/run")
}

// ruleBenchScenario is the Song & Abbott (2000) competition network with
// n target neurons (1000·n plastic synapses, pair STDP) whose synapses feed
// the consolidation model cons ("" for none: the rule alone), for 10 s.
func ruleBenchScenario(n int, cons string) string {
	s := fmt.Sprintf(`
[simulation]
duration   = "10 s"
resolution = "0.1 ms"
seed       = 1

[[population]]
name   = "input"
size   = 1000
model  = "poisson"
params = { rate = "15 Hz" }

[[population]]
name   = "out"
size   = %d
model  = "lif_exp_cond"
params = { tau_m = "10 ms", v_rest = "-74 mV", v_threshold = "-54 mV", v_reset = "-60 mV", t_ref = "0 ms",
           tau_exc = "5 ms", e_exc = "0 mV" }
init   = { v = "-74 mV" }

[[projection]]
from       = "input"
to         = "out"
receptor   = "exc"
connect    = { rule = "all_to_all" }
weight     = { uniform = [0, 0.01] }
delay      = "0.1 ms"
plasticity = { rule = "pair", preset = "song_abbott_2000", a_plus = 1e-4, a_minus = 1.05e-4, w_min = 0, w_max = 0.01 }
`, n)
	if cons != "" {
		s += fmt.Sprintf("consolidation = { model = %q }\n", cons)
	}
	return s
}

// BenchmarkRuleDriven reports the wall time of 10 s of a plastic network
// of 20 000 synapses whose rule drives a consolidation model: "none" is the
// rule alone, on the projection's own weights; trivial, zenke_2015 and
// binary take the rule's changes from their rule buffer.
func BenchmarkRuleDriven(b *testing.B) {
	for _, cons := range []string{"", "trivial", "zenke_2015", "binary"} {
		name := cons
		if name == "" {
			name = "none"
		}
		b.Run("model="+name, func(b *testing.B) {
			s, err := netlist.Decode("bench.toml", []byte(ruleBenchScenario(20, cons)))
			if err != nil {
				b.Fatal(err)
			}
			net, err := s.Compile()
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				b.StopTimer()
				e, err := New(net, Config{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := e.Run(context.Background(), net.Duration); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
