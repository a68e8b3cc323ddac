package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestZenke2015UnstableControl runs the control of Zenke, Agnes & Gerstner
// (2015) in which the heterosynaptic term and the transmitter-induced
// change δ are off (the authors' run_unstable_control.sh: β = δ = 0 on
// E→E and input→E) on the full network of zenke2015_orchestrated. Their
// point is that the network is then unstable: with the sliding LTD still
// weak (ν̄ starts at 2 Hz against κ = 10 Hz) the triplet LTP runs away. The
// scenario's guard (E above 20 Hz in a 200 ms bin, Auryn's RateChecker)
// must stop the run well before its 15 s, from a normal start (E below
// 8 Hz in the first second; Auryn's intact network: 5.9 Hz), leaving a
// log that reads up to the stop.
//
// It simulates about 10 s of the 9216-neuron network, some 20 CPU-s, so it
// runs only when SNNSIM_SLOW_TESTS is set (and not with -short).
func TestZenke2015UnstableControl(t *testing.T) {
	if testing.Short() || os.Getenv("SNNSIM_SLOW_TESTS") == "" {
		t.Skip("about 10 s of a 9216-neuron network (20 CPU-s): set SNNSIM_SLOW_TESTS=1 to run it")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "ablation")
	var so, se bytes.Buffer
	code := run([]string{"run", "../../scenarios/zenke2015_orchestrated.toml", "--out", out, "--progress", "none",
		"--set", "simulation.duration=15 s",
		"--set", "projection.E_to_E.plasticity.preset=zenke_2015_unstable_control",
		"--set", "projection.input_to_E.plasticity.preset=zenke_2015_unstable_control"}, &so, &se)
	msg := se.String()
	if code != 1 || !strings.Contains(msg, `runaway activity: population "E" fired at`) || !strings.Contains(msg, "limit of 20 Hz") ||
		!strings.Contains(msg, "is closed and readable up to there") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 with the guard's message on E", code, msg)
	}
	stats := func(from, to string) float64 {
		t.Helper()
		so.Reset()
		if c := run([]string{"stats", out, "--json", "--from", from, "--to", to}, &so, &se); c != 0 {
			t.Fatalf("stats: exit %d: %s", c, se.String())
		}
		var st statsJSON
		if err := json.Unmarshal(so.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		for _, p := range st.Populations {
			if p.Name == "E" && p.RateHz != nil {
				return *p.RateHz
			}
		}
		t.Fatalf("stats %s..%s: no rate of E", from, to)
		return 0
	}
	var sum Summary
	js, err := os.ReadFile(filepath.Join(out, SummaryName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &sum); err != nil {
		t.Fatal(err)
	}
	first := stats("0 s", "1 s")
	t.Logf("stopped at %g s; E at %.2f Hz in the first second", sum.SimulatedS, first)
	if sum.Completed || sum.SimulatedS >= 14 || first > 8 || first < 2 {
		t.Errorf("completed %v at %g s, E %.2f Hz in the first second; want stopped before 14 s from 2-8 Hz", sum.Completed, sum.SimulatedS, first)
	}
}
