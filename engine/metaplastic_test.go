package engine

import (
	"context"
	"testing"
)

// TestMetaplasticProtectionScenario runs the one-synapse metaplastic
// example through the engine: 15 s of depressing pairings after 10 s of
// potentiating ones drive a plain hidden weight (m = 0) below zero, so
// the binary efficacy falls to 0, while with m = 3 the attenuation
// 1 − tanh²(m|w_h|) keeps w_h positive and the synapse transmitting.
func TestMetaplasticProtectionScenario(t *testing.T) {
	for _, c := range []struct {
		m       string
		wantEff float64
	}{{"0", 0}, {"3", 1}} {
		e := stcEngine(t, Config{}, "metaplastic_protection.toml", "projection.plastic.consolidation.m="+c.m)
		if err := e.Run(context.Background(), ticksAt(t, e.net, 30e3)); err != nil {
			t.Fatal(err)
		}
		wh, err := e.SynapseState(0, 0, "w_h")
		if err != nil {
			t.Fatal(err)
		}
		eff, err := e.SynapseState(0, 0, "w")
		if err != nil {
			t.Fatal(err)
		}
		if eff != c.wantEff || (eff == 1) != (wh > 0) {
			t.Fatalf("m = %s: w_h = %g, efficacy %g; want efficacy %g", c.m, wh, eff, c.wantEff)
		}
	}
}
