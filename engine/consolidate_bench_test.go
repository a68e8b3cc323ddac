package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
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
				s, err := scenario.Decode("bench.toml", []byte(stcBenchScenario(n, protocol)))
				if err != nil {
					b.Fatal(err)
				}
				net, err := s.Compile()
				if err != nil {
					b.Fatal(err)
				}
				benchRuns(b, net)
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

// BenchmarkRuleDriven reports the wall time of 10 s of the Song & Abbott
// (2000) competition network (scenarios/song_abbott_competition.toml) with
// 20 target neurons, 20 000 plastic synapses whose pair rule drives a
// consolidation model: "none" is the rule alone, on the projection's own
// weights; trivial, zenke_2015 and binary take the rule's changes from
// their rule buffer.
func BenchmarkRuleDriven(b *testing.B) {
	for _, cons := range []string{"none", "trivial", "zenke_2015", "binary"} {
		b.Run("model="+cons, func(b *testing.B) {
			sets := []string{"simulation.duration=10 s", "population.out.size=20"}
			if cons != "none" {
				sets = append(sets, fmt.Sprintf("projection.input_to_out.consolidation={ model = %q }", cons))
			}
			benchRuns(b, stcNet(b, "song_abbott_competition.toml", sets...))
		})
	}
}

// benchRuns runs net to its end b.N times, each time on a new engine built
// outside the timer.
func benchRuns(b *testing.B, net *netlist.Network) {
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
}
