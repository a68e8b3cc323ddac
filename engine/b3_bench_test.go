package engine

import (
	"context"
	"testing"

	"github.com/snnsim/snnsim"
)

// BenchmarkB3 runs the plastic benchmark network B3 (scenarios/plastic_b3.toml,
// anchors.md: 25,000 neurons, 33.75 M synapses, homeostatic triplet STDP on
// E→E): 2 s of priming with plasticity off (not timed), then one simulated
// second with plasticity on per iteration. It reports wall seconds per
// simulated second (Auryn: 2.16 on one core; floor ≈ 1.1), synaptic events
// and postsynaptic plasticity updates per wall second.
//
//	go test ./engine -run '^$' -bench B3 -benchtime 3x -count 3 -cpu 1
func BenchmarkB3(b *testing.B) {
	net := loadNet(b, "../scenarios/plastic_b3.toml", 0)
	e, err := New(net, Config{}) // the engine's own weight copy, in huge pages on Linux
	if err != nil {
		b.Fatal(err)
	}
	second := snnsim.Time(net.Clock.TicksPerSecond())
	if err := e.Run(context.Background(), 2*second); err != nil {
		b.Fatal(err)
	}
	ee := -1
	for k, p := range net.Projections {
		if p.Plasticity != nil {
			ee = k
		}
	}
	inE := float64(e.projs[ee].Len()) / float64(net.Populations[net.Projections[ee].To].Size)
	st0 := e.Stats()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := e.Run(context.Background(), second); err != nil {
			b.Fatal(err)
		}
		n++
	}
	el := b.Elapsed().Seconds()
	st := e.Stats()
	postUpdates := float64(st.Spikes[net.Projections[ee].To]-st0.Spikes[net.Projections[ee].To]) * inE
	b.ReportMetric(el/float64(n), "wall-s/sim-s")
	b.ReportMetric(float64(st.SynapticEvents-st0.SynapticEvents)/el, "events/s")
	b.ReportMetric(postUpdates/el, "post-updates/s")
}
