package engine

import (
	"context"
	"flag"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

// lt21Full makes BenchmarkLT2021Network run the whole 25-s protocol of
// scenarios/lt2021_10s_recall.toml instead of its compressed timeline.
var lt21Full = flag.Bool("lt21.full", false, "BenchmarkLT2021Network: the whole 25-s 10s-recall protocol instead of 4 s")

// BenchmarkLT2021Network runs the network of Luboeinski & Tetzlaff (2021)
// (scenarios/lt2021_10s_recall.toml: 2000 LIF neurons, OU background on
// every neuron, about 256,000 luboeinski_tetzlaff_2021 synapses on E→E).
// One iteration is a fresh engine simulating 4 s: background only, the
// three learning pulses at 1.0, 1.5 and 2.0 s and the recall pulse at
// 3.0 s (-lt21.full: the scenario's own 25 s). It reports wall seconds per
// simulated second, synaptic events per wall second and plasticity updates
// per wall second (Stats.PlasticityUpdates: the E→E synapses reached by a
// presynaptic arrival or by a spike of their target, each of which the
// model has to account for).
//
//	go test ./engine -run '^$' -bench 'LT2021Network$' -benchtime 3x -count 5 -cpu 1
func BenchmarkLT2021Network(b *testing.B) {
	sets := []string{
		"simulation.duration=4 s",
		"stimulus.2.start=1 s", "stimulus.2.stop=1.1 s",
		"stimulus.3.start=1.5 s", "stimulus.3.stop=1.6 s",
		"stimulus.4.start=2 s", "stimulus.4.stop=2.1 s",
		"stimulus.5.start=3 s", "stimulus.5.stop=3.1 s",
	}
	if *lt21Full {
		sets = nil
	}
	sc, err := scenario.LoadOverrides("../scenarios/lt2021_10s_recall.toml", sets)
	if err != nil {
		b.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		b.Fatal(err)
	}
	var events, updates int64
	n := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		e, err := New(net, Config{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := e.Run(context.Background(), net.Duration); err != nil {
			b.Fatal(err)
		}
		st := e.Stats()
		events += st.SynapticEvents
		updates += st.PlasticityUpdates
		n++
	}
	el := b.Elapsed().Seconds()
	b.ReportMetric(el/float64(n)/net.Clock.Seconds(net.Duration), "wall-s/sim-s")
	b.ReportMetric(float64(events)/el, "events/s")
	b.ReportMetric(float64(updates)/el, "plasticity-updates/s")
}

// BenchmarkLT2021Consolidation runs the consolidation period of
// scenarios/lt2021_8h_recall.toml with spiking kept on
// (phase.consolidation.mode = "spiking"): background activity only, the
// OU background current on each of the 2000 neurons and the
// luboeinski_tetzlaff_2021 synapses on E→E evolving with it. One engine
// runs the scenario's learning up to the start of the consolidation
// phase (21.35 s); then every iteration simulates the next 10 s, the
// engine keeping its state. No record is attached. It reports processor
// seconds (user and system, of the whole process) per simulated second,
// wall seconds per simulated second and synaptic events per wall second;
// the 8 hours take 28,800 times the first.
//
//	go test ./engine -run '^$' -bench 'LT2021Consolidation$' -benchtime 3x -count 5 -cpu 1
func BenchmarkLT2021Consolidation(b *testing.B) {
	sc, err := scenario.LoadOverrides("../scenarios/lt2021_8h_recall.toml", []string{"phase.consolidation.mode=spiking"})
	if err != nil {
		b.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(net, Config{})
	if err != nil {
		b.Fatal(err)
	}
	warm, err := net.Clock.Ticks(21350)
	if err != nil {
		b.Fatal(err)
	}
	step, err := net.Clock.Ticks(10000)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Run(context.Background(), warm); err != nil {
		b.Fatal(err)
	}
	events := e.Stats().SynapticEvents
	n := 0
	cpu0 := processCPU()
	b.ResetTimer()
	for b.Loop() {
		if err := e.Run(context.Background(), step); err != nil {
			b.Fatal(err)
		}
		n++
	}
	el := b.Elapsed().Seconds()
	cpu := (processCPU() - cpu0).Seconds()
	b.ReportMetric(cpu/float64(n)/net.Clock.Seconds(step), "cpu-s/sim-s")
	b.ReportMetric(el/float64(n)/net.Clock.Seconds(step), "wall-s/sim-s")
	b.ReportMetric(float64(e.Stats().SynapticEvents-events)/el, "events/s")
}
