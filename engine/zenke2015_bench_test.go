package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

// BenchmarkZenke2015 runs the network of Zenke, Agnes & Gerstner (2015)
// (scenarios/zenke2015_orchestrated.toml: 4096 AIF E, 1024 I, 4096 pattern
// inputs, about 0.75e6 input→E and 0.84e6 E→E p11 synapses with zenke_2015
// consolidation) on the workers of -bench.workers. One engine is built and
// warmed up for 2 s (the first pattern at 1 s), then every iteration
// simulates the next 2 s of the learning phase; the engine keeps its
// state, so slow-clock steps of w̃ (every 1.2 s) fall into every
// iteration. It reports wall seconds per simulated second, processor
// seconds (user and system, of the whole process) per simulated second,
// which a loaded machine inflates less than wall time, synaptic events per
// wall second and, on several workers, the split of each communication
// epoch (as BenchmarkB3; -bench.threadcpu measures it in thread CPU time).
//
//	go test ./engine -run '^$' -bench 'Zenke2015$' -benchtime 3x -count 5 -cpu 1
//	go test ./engine -run '^$' -bench 'Zenke2015$' -benchtime 3x -count 5 -args -bench.workers 1,2
func BenchmarkZenke2015(b *testing.B) {
	for _, workers := range benchWorkers(b) {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchZenke2015(b, workers) })
	}
}

func benchZenke2015(b *testing.B, workers int) {
	sc, err := scenario.LoadOverrides("../scenarios/zenke2015_orchestrated.toml",
		[]string{"population.input.params.first=1 s"})
	if err != nil {
		b.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(net, Config{Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	if n, why := e.Workers(); n != workers {
		b.Fatalf("%d workers asked: runs on %d (%s)", workers, n, why)
	}
	step, err := net.Clock.Ticks(2000)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Run(context.Background(), step); err != nil {
		b.Fatal(err)
	}
	defer benchClock()()
	events := e.Stats().SynapticEvents
	ep0 := e.EpochTimes()
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
	sim := float64(n) * net.Clock.Seconds(step)
	reportCPU(b, cpu0, sim)
	b.ReportMetric(el/sim, "wall-s/sim-s")
	b.ReportMetric(float64(e.Stats().SynapticEvents-events)/el, "events/s")
	reportEpochs(b, ep0, e.EpochTimes())
}
