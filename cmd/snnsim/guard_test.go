package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/spikelog"
)

// TestGuardStopsRunCleanly drives one neuron far above rheobase (it fires
// once per t_ref + dt = 2.1 ms, about 476 Hz) under a guard of 100 Hz per
// 50 ms bin. The run must stop at the end of the first bin, t = 50 ms,
// exit 1 with a message naming the population, its rate and the limit,
// and leave a closed log (end block and run end mark at 50 ms, the
// ⌈50/2.1⌉ = 24 spikes of the bin, 480 Hz) and a summary saying
// completed = false.
func TestGuardStopsRunCleanly(t *testing.T) {
	const text = `
[simulation]
duration = "1 s"
[[population]]
name = "N"
size = 1
model = "lif_exp_cond"
params = { i_bias = "100 nA", t_ref = "2 ms" }
[[record]]
what = "spikes"
populations = ["N"]
[[guard]]
population = "N"
max_rate = "100 Hz"
window = "50 ms"
`
	dir := t.TempDir()
	sc := filepath.Join(dir, "runaway.toml")
	if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var so, se bytes.Buffer
	code := run([]string{"run", sc, "--out", out, "--progress", "none"}, &so, &se)
	msg := se.String()
	for _, want := range []string{`runaway activity: population "N" fired at 480 Hz from 0 ms to 50 ms, above its [[guard]] limit of 100 Hz`,
		"stopped at t = 50 ms of 1 s", "is closed and readable up to there", "completed = false"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var s Summary
	js, err := os.ReadFile(filepath.Join(out, SummaryName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if s.Completed || s.SimulatedS != 0.05 {
		t.Errorf("summary: completed %v at %g s, want false at 0.05 s", s.Completed, s.SimulatedS)
	}
	r, err := spikelog.Open(filepath.Join(out, "spikes.snnlog"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := r.Stats()
	if err != nil {
		t.Fatal(err)
	}
	end := st.Marks[len(st.Marks)-1]
	if !st.Complete || end.Text != spikelog.RunEndMark || end.T != 500 || st.Spikes != 24 {
		t.Errorf("log: complete %v, last mark %q at tick %d, %d spikes; want a closed log ending at tick 500 with 24 spikes", st.Complete, end.Text, end.T, st.Spikes)
	}
}
