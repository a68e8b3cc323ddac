package engine

import (
	"context"
	"testing"
)

// TestSaturated runs three neuron populations for one second: S and G are
// driven by 100 nA and fire once per t_ref + dt (2.1 ms: 476.19 Hz), Q gets
// no drive and stays silent. Only S is reported: G has a [[guard]] (generous
// enough not to stop the run), Q is quiet, and the Poisson source P is no
// neuron population whatever its rate.
func TestSaturated(t *testing.T) {
	net := compileText(t, `
[simulation]
duration = "1 s"
[[population]]
name = "S"
size = 3
model = "lif_exp_cond"
params = { i_bias = "100 nA", t_ref = "2 ms" }
[[population]]
name = "G"
size = 2
model = "lif_exp_cond"
params = { i_bias = "100 nA", t_ref = "2 ms" }
[[population]]
name = "Q"
size = 2
model = "lif_exp_cond"
[[population]]
name = "P"
size = 2
model = "poisson"
params = { rate = "5000 Hz" }
[[guard]]
population = "G"
max_rate = "1000 Hz"
`)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Saturated(); got != nil {
		t.Fatalf("before the run: Saturated() = %v, want nil", got)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	got := e.Saturated()
	if len(got) != 1 || got[0].Population != "S" {
		t.Fatalf("Saturated() = %+v, want population S only", got)
	}
	const mx = 1000 / 2.1 // one spike per 21 ticks of 0.1 ms
	if d := got[0].MaxRateHz - mx; d < -1e-9 || d > 1e-9 {
		t.Errorf("MaxRateHz = %.12g, want %.12g", got[0].MaxRateHz, mx)
	}
	// 10000 ticks hold 476 or 477 intervals of 21 ticks.
	if r := got[0].RateHz; r < 476 || r > 477 {
		t.Errorf("RateHz = %g, want 476 to 477", r)
	}
}
