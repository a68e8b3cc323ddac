package engine

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// TestZenke2015Scenario compiles scenarios/zenke2015_orchestrated.toml and
// runs its first second, with the first pattern brought forward to 0.5 s:
// the pattern source marks its phase and the onset, and the E and I rates
// lie around the ones the authors' code gives for the fresh network on
// Auryn with the same receptive-field recipe (Zenke, Agnes & Gerstner 2015;
// E 5.9 Hz, I 13 Hz in its first 10 s), within a factor of about 2.5 since
// one second of one realisation is a coarse estimate.
func TestZenke2015Scenario(t *testing.T) {
	if testing.Short() {
		t.Skip("one second of a 9216-neuron network")
	}
	sc, err := scenario.LoadOverrides("../scenarios/zenke2015_orchestrated.toml",
		[]string{"population.input.params.first=0.5 s", "simulation.duration=1 s"})
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.Attach(&r, []int{1, 2})
	var marks []string
	e.OnMark(func(at snnsim.Time, text string) error {
		marks = append(marks, fmt.Sprintf("%d %s", at, text))
		return nil
	})
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	if len(marks) < 2 || marks[0] != "0 "+spikelog.PatternMark(spikelog.PatternPhase, "input", 0) ||
		!strings.HasPrefix(marks[1], "5000 "+strings.TrimSuffix(spikelog.PatternMark(spikelog.PatternOn, "input", 0), "0")) {
		t.Fatalf("marks %v: want the phase at tick 0 and an onset at tick 5000", marks)
	}
	for _, c := range []struct {
		pop            int
		low, high, ref float64
	}{{1, 2.5, 15, 5.9}, {2, 5, 32, 13}} {
		rate, _ := activity(&r, net, c.pop, 0)
		t.Logf("%s: %.2f Hz", net.Populations[c.pop].Name, rate)
		if math.IsNaN(rate) || rate < c.low || rate > c.high {
			t.Errorf("%s: %.2f Hz, want %g–%g Hz (Auryn: %g Hz)", net.Populations[c.pop].Name, rate, c.low, c.high, c.ref)
		}
	}
	for i, p := range net.Projections {
		w, _ := e.Weights(i)
		for _, x := range w {
			if math.IsNaN(float64(x)) || x < -1e-3 || x > 5+1e-3 {
				t.Fatalf("%s: weight %g outside [0, 5]", p.Name, x)
			}
		}
	}
}
