package engine

import (
	"context"
	"testing"

	"github.com/snnsim/snnsim"
)

// runWindow runs scenarios/stdp_window.toml (21 synapses, pair STDP, one
// pre/post pairing a second at Δt from −100 to +100 ms) with overrides and
// returns the engine after the run.
func runWindow(t *testing.T, sets ...string) *Engine {
	t.Helper()
	e := stcEngine(t, Config{}, "stdp_window.toml", sets...)
	if err := e.Run(context.Background(), e.net.Duration); err != nil {
		t.Fatal(err)
	}
	return e
}

// A rule feeding the trivial model is the rule alone: the model receives
// the rule's changes as signals and adds them up, bit for bit.
func TestRuleFeedsTrivialModel(t *testing.T) {
	plain := runWindow(t)
	fed := runWindow(t, `projection.plastic.consolidation={ model = "trivial" }`)
	want, _ := plain.Weights(0)
	got, _ := fed.Weights(0)
	changed := 0
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("synapse %d: weight %v through the trivial model, %v without", i, got[i], want[i])
		}
		if want[i] != 1 {
			changed++
		}
		if w, err := fed.SynapseState(0, snnsim.SynapseID(i), "w"); err != nil || float32(w) != want[i] {
			t.Errorf("synapse %d: model state w = %v (%v), want %v", i, w, err, want[i])
		}
	}
	if changed < 20 {
		t.Fatalf("only %d of 21 weights changed: the protocol did not exercise the rule", changed)
	}
}

// Signals set tags (tag-trigger-consolidation with induction "signal"):
// synapses whose pairing potentiates (Δt > 0) get h tags, those whose
// pairing depresses get l tags, and the unpaired far ends too rarely to
// matter. With tag_scale = 1e3 the per-pairing probability is
// min(1, 1e3·|Δw|), near 1 for |Δt| <= 20 ms.
func TestRuleFeedsTagModel(t *testing.T) {
	e := runWindow(t, `projection.plastic.consolidation={ model = "tag_trigger_consolidation", induction = "signal", tag_scale = 1e3, init_up = 0 }`,
		"projection.plastic.plasticity.w_min=-2")
	// Synapse k pairs with Δt = (k − 10)·10 ms; k = 11, 12 potentiate
	// strongly, k = 8, 9 depress strongly.
	for _, c := range []struct {
		syn  snnsim.SynapseID
		h, l float64
	}{{11, 1, 0}, {12, 1, 0}, {9, 0, -1}, {8, 0, -1}} {
		h, _ := e.SynapseState(0, c.syn, "h")
		l, _ := e.SynapseState(0, c.syn, "l")
		if h != c.h || l != c.l {
			t.Errorf("synapse %d: h = %g, l = %g; want %g, %g", c.syn, h, l, c.h, c.l)
		}
	}
}
