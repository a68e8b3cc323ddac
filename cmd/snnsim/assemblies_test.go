package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

// assemblyScenario drives 64 neurons one to one from a pattern source
// (each input spike makes its neuron fire), so that the assembly of each
// pattern is the pattern's own members: 0..15 and 16..31. The second phase
// presents cues: halves of the two patterns and a novel pattern.
const assemblyScenario = `[simulation]
duration = "40 s"
seed = 3
[[population]]
name = "E"
size = 64
model = "lif_delta"
params = { tau_m = "10 ms", v_rest = "-70 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms" }
[[population]]
name = "input"
size = 64
model = "pattern"
[population.params]
background = "2 Hz"
rate = "60 Hz"
patterns = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]]
first = "1 s"
on = "1 s"
off = "1 s"
[[population.params.phases]]
at = "30 s"
patterns = [[0, 1, 2, 3, 4, 5, 6, 7], [16, 17, 18, 19, 20, 21, 22, 23], [40, 41, 42, 43]]
on = "0.2 s"
off = "0.5 s"
first = "0.5 s"
[[projection]]
from = "input"
to = "E"
receptor = "exc"
connect = { rule = "one_to_one" }
weight = "20 mV"
delay = "1 ms"
[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.1 }
weight = "0.5 mV"
delay = "1 ms"
[[record]]
what = "spikes"
[[record]]
what = "weights"
projection = "E_to_E"
sample = "10 s"
final = true
`

// TestAssembliesCommand runs the scenario and measures it: the derived
// assemblies are the patterns' members, every cue of a pattern makes its
// assembly the most active during the cue, the block means are the one
// weight of E_to_E, and the figures are written; the assemblies written to
// a .pat file and read back give the same recall.
func TestAssembliesCommand(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "asm.toml")
	if err := os.WriteFile(scen, []byte(assemblyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	var so, se bytes.Buffer
	if code := run(append([]string{"run", scen, "--out", out, "--progress", "none"}, oneWorker...), &so, &se); code != 0 {
		t.Fatalf("run: exit %d: %s", code, se.String())
	}
	pat := filepath.Join(dir, "asm.pat")
	measure := func(args ...string) assembliesJSON {
		t.Helper()
		so.Reset()
		se.Reset()
		if code := run(append([]string{"assemblies", out, "--json"}, args...), &so, &se); code != 0 {
			t.Fatalf("assemblies %v: exit %d: %s", args, code, se.String())
		}
		var got assembliesJSON
		if err := json.Unmarshal(so.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := measure("--classes", "0,1,-", "--names", "a,b", "--write", pat)
	span := func(lo, hi int) []int {
		var s []int
		for i := lo; i < hi; i++ {
			s = append(s, i)
		}
		return s
	}
	if len(got.Assemblies) != 2 || !slices.Equal(got.Assemblies[0].Neurons, span(0, 16)) || !slices.Equal(got.Assemblies[1].Neurons, span(16, 32)) {
		t.Fatalf("assemblies %+v, want 0..15 and 16..31", got.Assemblies)
	}
	if d := got.Derived; d == nil || d.Phase != 0 || d.OnsetsMs != [2]float64{0, 30000} {
		t.Errorf("derived from %+v, want phase 0, onsets in [0, 30 s)", d)
	}
	if got.Projection != "E_to_E" || len(got.BlockMeans) != 3 || *got.BlockMeans[0][1] != 0.5 {
		t.Errorf("block means of %q: %v, want E_to_E at 0.5 everywhere", got.Projection, got.BlockMeans)
	}
	rc := got.Recall
	if rc == nil || rc.Phase != 1 || len(rc.Classes) != 3 {
		t.Fatalf("recall %+v: want phase 1 with classes -, a, b", rc)
	}
	total := 0
	for _, c := range rc.Classes {
		total += c.N
		if c.Class != "-" && (c.N == 0 || c.HitsEvoked != c.N) {
			t.Errorf("class %s: %d of %d cues made their assembly the most active", c.Class, c.HitsEvoked, c.N)
		}
	}
	if total < 10 || len(got.Plots) != 3 {
		t.Errorf("%d cues, %d figures; want >= 10 and 3", total, len(got.Plots))
	}
	for _, p := range got.Plots {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("figure %s: %v", p, err)
		}
	}
	again := measure("--assemblies", pat, "--classes", "0,1,-", "--plots", "none")
	if again.Derived != nil || !slices.Equal(again.Assemblies[1].Neurons, span(16, 32)) || again.Recall.Classes[2].HitsEvoked != rc.Classes[2].HitsEvoked {
		t.Errorf("from the written file: %+v", again)
	}
	// inspect shortens the long list of switch marks unless --marks.
	so.Reset()
	if code := run([]string{"inspect", out}, &so, &se); code != 0 {
		t.Fatalf("inspect: exit %d", code)
	}
	short := strings.Count(so.String(), "pattern ")
	so.Reset()
	run([]string{"inspect", out, "--marks"}, &so, &se)
	all := strings.Count(so.String(), "pattern ")
	if all <= maxMarksShown || short != headMarks+tailMarks-2 { // "run start" is the first, "run end" the last
		t.Errorf("inspect lists %d of %d pattern marks, want %d", short, all, headMarks+tailMarks-2)
	}
	// Errors name the flag.
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--cue-phase", "5"}, "--cue-phase 5"},
		{[]string{}, "--classes: the cue phase has 3 cue patterns and there are 2 assemblies"},
		{[]string{"--classes", "0,7,-"}, "--classes: entry 1"},
		{[]string{"--population", "X"}, `--population: no population "X"`},
		{[]string{"--classes", "0,1,-", "--plots", "", "--bin", "0 s"}, "--bin 0 s: must be longer than one step"},
		{[]string{"--classes", "0,1,-", "--delay-phase", "4"}, "--delay-phase 4: the log has phases 0..1"},
	} {
		se.Reset()
		if code := run(append([]string{"assemblies", out, "--plots", "none"}, c.args...), &so, &se); code == 0 || !strings.Contains(se.String(), c.msg) {
			t.Errorf("%v: exit %d, %q; want an error with %q", c.args, code, se.String(), c.msg)
		}
	}
}

// TestValidateWriteMtx writes the compiled projections as Matrix Market
// files and reads one back into a scenario as format = "mtx": the same
// synapses and weights.
func TestValidateWriteMtx(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "asm.toml")
	if err := os.WriteFile(scen, []byte(assemblyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := run([]string{"validate", scen, "--write-mtx", dir}, &so, &se); code != 0 || !strings.Contains(so.String(), "E_to_E.mtx (") {
		t.Fatalf("validate --write-mtx: exit %d: %s%s", code, so.String(), se.String())
	}
	again := strings.Replace(assemblyScenario, `connect = { rule = "fixed_probability", p = 0.1 }
weight = "0.5 mV"`, `connect = { rule = "pairs", format = "mtx", file = "E_to_E.mtx", scale = "1 mV" }`, 1)
	if again == assemblyScenario {
		t.Fatal("the scenario's E_to_E projection was not replaced")
	}
	a, err := scenario.Decode(scen, []byte(assemblyScenario))
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.Decode(scen, []byte(again))
	if err != nil {
		t.Fatal(err)
	}
	na, err := a.Compile()
	if err != nil {
		t.Fatal(err)
	}
	nb, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := na.Projections[1], nb.Projections[1]
	if pa.Len() < 100 || !slices.Equal(pa.RowStart, pb.RowStart) || !slices.Equal(pa.Target, pb.Target) {
		t.Fatalf("E_to_E read back differs: %d and %d synapses", pa.Len(), pb.Len())
	}
	for k := range int64(pa.Len()) {
		if pa.WeightAt(k) != pb.WeightAt(k) {
			t.Fatalf("synapse %d: weight %g read back as %g", k, pa.WeightAt(k), pb.WeightAt(k))
		}
	}
}

// TestAssembliesDelayPhase adds a phase of 0.2 s presentations of the two
// patterns before the cues. By default it is scored as the delay phase
// (the phase before the cues, not the one the assemblies come from). Each
// input spike makes its neuron fire, so during a presentation the
// assembly fires at the input's 60 + 2 Hz less what the 2 ms refractory
// period takes (62/(1 + 62·0.002) ≈ 55 Hz) and the other at the 2 Hz
// background; without recurrent drive there is no delay activity, so
// after the presentation both fall back to about 2 Hz.
func TestAssembliesDelayPhase(t *testing.T) {
	text := strings.Replace(assemblyScenario, `duration = "40 s"`, `duration = "50 s"`, 1)
	text = strings.Replace(text, `[[population.params.phases]]
at = "30 s"`, `[[population.params.phases]]
at = "30 s"
on = "0.2 s"
off = "0.5 s"
first = "0.5 s"
[[population.params.phases]]
at = "40 s"`, 1)
	dir := t.TempDir()
	scen := filepath.Join(dir, "asm3.toml")
	if err := os.WriteFile(scen, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	var so, se bytes.Buffer
	if code := run(append([]string{"run", scen, "--out", out, "--progress", "none"}, oneWorker...), &so, &se); code != 0 {
		t.Fatalf("run: exit %d: %s", code, se.String())
	}
	so.Reset()
	if code := run([]string{"assemblies", out, "--json", "--plots", "none", "--classes", "0,1,-"}, &so, &se); code != 0 {
		t.Fatalf("assemblies: exit %d: %s", code, se.String())
	}
	var got assembliesJSON
	if err := json.Unmarshal(so.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	da := got.DelayActivity
	if da == nil || da.Phase != 1 || got.Recall == nil || got.Recall.Phase != 2 || len(da.Classes) != 2 {
		t.Fatalf("delay activity %+v, recall phase %+v: want phase 1 (patterns 0, 1) and the cues in phase 2", da, got.Recall)
	}
	for a, c := range da.Classes {
		own, other := deref(c.EvokedHz[a]), deref(c.EvokedHz[1-a])
		if c.N < 5 || c.HitsEvoked != c.N || own < 45 || own > 65 || other > 6 || math.Abs(deref(c.SelEvokedHz)-(own-other)) > 1e-9 {
			t.Errorf("pattern %s: %d presentations, %d hits, evoked %g Hz own, %g Hz other, selectivity %g; want >= 5, all, 45..65, < 6, own - other",
				c.Class, c.N, c.HitsEvoked, own, other, deref(c.SelEvokedHz))
		}
		for b, v := range c.DelayHz {
			if deref(v) > 6 {
				t.Errorf("pattern %s: assembly %d at %g Hz after the presentation, want background (< 6 Hz)", c.Class, b, deref(v))
			}
		}
	}
	if cs := got.Contrast; cs == nil || deref(cs.WithinMin) != 0.5 || deref(cs.BetweenMax) != 0.5 {
		t.Errorf("contrast %+v: want 0.5 within and between (one fixed weight)", cs)
	}
	// The weights sampled at 10 s (every 10 s, and the final sample at the
	// last tick, 49999.9 ms) for --weights-at 15 s, the final ones by
	// default.
	if got.WeightsMs == nil || *got.WeightsMs != 49999.9 {
		t.Errorf("weights at %v ms, want the final sample at 49999.9", deref(got.WeightsMs))
	}
	so.Reset()
	if code := run([]string{"assemblies", out, "--json", "--plots", "none", "--classes", "0,1,-", "--weights-at", "15 s"}, &so, &se); code != 0 {
		t.Fatalf("--weights-at: exit %d: %s", code, se.String())
	}
	var at assembliesJSON
	if err := json.Unmarshal(so.Bytes(), &at); err != nil || at.WeightsMs == nil || *at.WeightsMs != 10000 {
		t.Errorf("--weights-at 15 s: weights at %v ms (%v), want 10000", deref(at.WeightsMs), err)
	}
	// "none" and an explicit phase; a bad value names the flag.
	for _, c := range []struct {
		arg   string
		phase int
		msg   string
	}{{"none", -1, ""}, {"0", 0, ""}, {"x", 0, `--delay-phase "x"`}, {"7", 0, "--delay-phase 7: the log has phases 0..2"}} {
		so.Reset()
		se.Reset()
		code := run([]string{"assemblies", out, "--json", "--plots", "none", "--classes", "0,1,-", "--delay-phase", c.arg}, &so, &se)
		if c.msg != "" {
			if code == 0 || !strings.Contains(se.String(), c.msg) {
				t.Errorf("--delay-phase %s: exit %d, %q; want an error with %q", c.arg, code, se.String(), c.msg)
			}
			continue
		}
		var g assembliesJSON
		if code != 0 || json.Unmarshal(so.Bytes(), &g) != nil || (g.DelayActivity == nil) != (c.phase < 0) || (c.phase >= 0 && g.DelayActivity.Phase != c.phase) {
			t.Errorf("--delay-phase %s: exit %d, delay activity %+v; want phase %d", c.arg, code, g.DelayActivity, c.phase)
		}
	}
}
