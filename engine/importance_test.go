package engine

import (
	"context"
	"math"
	"testing"
)

// TestImportanceAnchorScenario runs the one-synapse importance_si example
// (task boundary at 10 s, depressing pairings until 15 s, silence after)
// through the engine: after the pairings, the weight's distance to its
// anchor decays as exp(−2cΩ·t/τ) (c = 10, τ = 1 s in the scenario), the
// gradient flow of the synaptic-intelligence penalty c·Ω(w − w*)², and
// the task boundary moved the anchor above the depressed weight.
func TestImportanceAnchorScenario(t *testing.T) {
	e := stcEngine(t, Config{}, "importance_si_anchor.toml")
	state := func(name string) float64 {
		x, err := e.SynapseState(0, 0, name)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	run := func(ms float64) {
		if err := e.Run(context.Background(), ticksAt(t, e.net, ms)-e.Now()); err != nil {
			t.Fatal(err)
		}
	}
	run(17e3)
	w17, anchor, omega := state("w"), state("w_anchor"), state("importance")
	if !(omega > 0) || !(w17 < anchor) {
		t.Fatalf("at 17 s: w = %g, w* = %g, Ω = %g: want Ω > 0 and w below its anchor", w17, anchor, omega)
	}
	const c, tau = 10.0, 1000.0
	for _, ms := range []float64{19e3, 27e3, 40e3} {
		run(ms)
		want := anchor + (w17-anchor)*math.Exp(-2*c*omega*(ms-17e3)/tau)
		if got := state("w"); math.Abs(got-want) > 1e-12 {
			t.Fatalf("at %g s: w = %.15g, want %.15g", ms/1e3, got, want)
		}
		if state("w_anchor") != anchor || state("importance") != omega {
			t.Fatalf("at %g s: anchor or importance moved without a task boundary", ms/1e3)
		}
	}
}
