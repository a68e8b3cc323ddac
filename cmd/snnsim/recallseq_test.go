package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
	"github.com/snnsim/snnsim/sweep"
)

// seqScenario is a [sequence] of two assemblies of 4 of the 10 neurons of
// E, sharing 2 (chain: A1 = 0..3, A2 = 2..5), each cued from its first
// half (A1_cue = 0, 1; A2_cue = 2, 3): learned by one 10-ms pulse at
// 100 ms and 300 ms, cued at 500 ms and 600 ms, so the readout windows
// are centred on 100 and 510 ms (A1), 300 and 610 ms (A2).
const seqScenario = `[simulation]
duration = "1 s"
[[population]]
name = "E"
size = 10
model = "lif_exp_current"
[[population]]
name = "I"
size = 2
model = "lif_exp_current"
[sequence]
population = "E"
n = 2
size = 4
overlap = 0.5
learn = "100 ms"
interval = "200 ms"
pulse = { mean = "1 nA", sigma = "0 nA", tau = "5 ms", width = "10 ms" }
recall = "500 ms"
spacing = "100 ms"
cue_pick = "first"
`

// seqLog writes a log of seqScenario whose 50-ms windows hold:
//
//	E neuron        0 1 2 3 4 5 6..9
//	A1 learning     2 2 2 2 0 0 0      [75, 125) ms
//	A1 recall       3 3 1 0 1 0 0      [485, 535) ms
//	A2 recall       0 0 2 2 1 0 0      [585, 635) ms
//
// and spikes of I, which must not count.
func seqLog(t *testing.T, text string) string {
	t.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Scenario: "seq", Text: text, Populations: []spikelog.Population{
		{Name: "E", First: 0, Size: 10, Kind: spikelog.Neuron},
		{Name: "I", First: 10, Size: 2, Kind: spikelog.Neuron},
	}, Groups: []spikelog.Group{
		{Name: "A1", Population: "E", Neurons: []int{0, 1, 2, 3}},
		{Name: "A2", Population: "E", Neurons: []int{2, 3, 4, 5}},
		{Name: "A1_cue", Population: "E", Neurons: []int{0, 1}},
		{Name: "A2_cue", Population: "E", Neurons: []int{2, 3}},
	}}
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, h, spikelog.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		t   snnsim.Time
		ids []snnsim.NeuronID
	}{
		{800, []snnsim.NeuronID{0, 1, 2, 3, 10}},
		{1000, []snnsim.NeuronID{0, 1, 2, 3, 11}},
		{4900, []snnsim.NeuronID{0, 1, 2, 4, 10}},
		{5000, []snnsim.NeuronID{0, 1}},
		{5100, []snnsim.NeuronID{0, 1}},
		{5900, []snnsim.NeuronID{2, 3, 4}},
		{6000, []snnsim.NeuronID{2, 3, 11}},
	} {
		if err := w.Spikes(x.t, x.ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "spikes.snnlog")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRecallSequence: without --learn and --recall, recall reads out each
// assembly of a [sequence] log. A1: ν_as = 60 Hz, ν_ans = (20 + 0)/2 Hz,
// ν_ctrl = 20/6 Hz (neuron 4 of the 6 others), Q = (10 − 10/3)/60 = 1/9;
// A2: ν_as = 40 Hz, ν_ans = (20 + 0)/2 Hz, ν_ctrl = 0 (neurons 0 and 1
// are silent in A2's window), Q = 1/4. A1 is 0.4 s old with one later
// assembly, A2 0.3 s with none. A1's windows hold the counts of
// TestRecallVerb's, so its MI is that test's 0.380937 bits.
func TestRecallSequence(t *testing.T) {
	path := seqLog(t, seqScenario)
	out, _ := runCmd(t, "recall", path, "--width", "50 ms", "--json")
	var got struct {
		Recalls []seqRecall `json:"recalls"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []struct {
		name             string
		learn, recall    float64
		age              float64
		later            int
		as, ans, ctrl, q float64
	}{
		{"A1", 100, 510, 0.4, 1, 60, 10, 10.0 / 3, 1.0 / 9},
		{"A2", 300, 610, 0.3, 0, 40, 10, 0, 0.25},
	}
	if len(got.Recalls) != len(want) {
		t.Fatalf("%d recalls, want %d:\n%s", len(got.Recalls), len(want), out)
	}
	near := func(p *float64, x float64) bool { return p != nil && math.Abs(*p-x) < 1e-9 }
	for i, w := range want {
		r := got.Recalls[i]
		if r.Assembly != w.name || r.LearnMs != w.learn || r.RecallMs != w.recall || math.Abs(r.AgeS-w.age) > 1e-12 || r.Later != w.later {
			t.Errorf("recall %d: %s learn %g recall %g age %g later %d, want %s %g %g %g %d", i, r.Assembly, r.LearnMs, r.RecallMs, r.AgeS, r.Later, w.name, w.learn, w.recall, w.age, w.later)
		}
		if !near(r.NuAS, w.as) || !near(r.NuANS, w.ans) || !near(r.NuCtrl, w.ctrl) || !near(r.Q, w.q) {
			t.Errorf("%s: nu_as %v nu_ans %v nu_ctrl %v Q %v, want %g %g %g %g", w.name, *r.NuAS, *r.NuANS, *r.NuCtrl, *r.Q, w.as, w.ans, w.ctrl, w.q)
		}
	}
	if mi := got.Recalls[0].MI; mi == nil || math.Abs(*mi-0.380937) > 1e-6 {
		t.Errorf("A1: MI = %v, want 0.380937 bits", mi)
	}
	table, _ := runCmd(t, "recall", path, "--width", "50 ms")
	if !strings.Contains(table, "A1") || !strings.Contains(table, "0.1111") || !strings.Contains(table, "0.25 ") {
		t.Errorf("table:\n%s", table)
	}
	// The batch form groups the runs by assembly and cue.
	batch, _ := runCmd(t, "recall", "--batch", "--width", "50 ms", path)
	// and sums up A1 (one run: no interval, no run without later
	// assemblies to pair with).
	if !strings.Contains(batch, "A1 recalled at 0.51 s (age 400 ms, 1 later): 1 runs") || !strings.Contains(batch, "A2 recalled at 0.61 s") ||
		!strings.Contains(batch, "all runs                  1     1         0.1111 ± NaN            NaN ± NaN      0") {
		t.Errorf("batch:\n%s", batch)
	}
	fig := filepath.Join(t.TempDir(), "cl.png")
	runCmd(t, "recall", "--batch", "--width", "50 ms", "--figure", fig, path)
	if st, err := os.Stat(fig); err != nil || st.Size() == 0 {
		t.Errorf("--figure: %v", err)
	}
}

// TestRecallSequenceErrors: a log without a [sequence] needs the
// windows; flags of the one-assembly readout are refused.
func TestRecallSequenceErrors(t *testing.T) {
	plain := seqLog(t, strings.Replace(seqScenario, "[sequence]", "[sequence_]", 1))
	var out, errb bytes.Buffer
	if code := run([]string{"recall", plain}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "does not decode") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	errb.Reset()
	nothing := seqLog(t, "")
	if code := run([]string{"recall", nothing}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "no [sequence]") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	errb.Reset()
	seq := seqLog(t, seqScenario)
	if code := run([]string{"recall", seq, "--population", "E"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "per-assembly readout") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// TestRecallBatchRunaway: a sweep over three rows of a small [sequence],
// each on two seeds: calm, whose [[guard]] never trips; wild, whose guard
// stops the run at the end of the first 50-ms bin with a spike (A1's
// learning pulse at 100 ms), before any cue; late, whose guard checks its
// first bin at 550 ms, after A1's recall window (485–535 ms) and before
// A2's (585–635 ms). recall --batch measures the calm runs, counts the
// stopped ones as runaways at their scheduled number of later assemblies
// (one: A2 is learned before A1's cue), measures A1 in the late runs (the
// same spikes as the calm ones up to the stop, so the same Q) but not A2,
// and the figure gets the runaway panel.
func TestRecallBatchRunaway(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "seq.toml")
	text := seqScenario + `
[[record]]
what = "spikes"

[[guard]]
population = "E"
max_rate   = "1000000 Hz"
window     = "50 ms"
`
	if err := os.WriteFile(scen, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(rows, []byte("model,kind,guard.0.max_rate,guard.0.window\ncalm,a,1000000 Hz,50 ms\nwild,b,0.001 Hz,50 ms\nlate,c,0.001 Hz,550 ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sweep")
	var so, se bytes.Buffer
	run([]string{"sweep", scen, "--rows", rows, "--seeds", "1..2", "--out", out, "--quiet", "-j", "1"}, &so, &se)
	s, err := sweep.Open(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, se.String())
	}
	for i, p := range s.Manifest.Points {
		st, msg := sweep.PointStatus(s.PointDir(i))
		calm := strings.Contains(p.Name, "calm")
		if !calm && (st != sweep.StoppedByGuard || !strings.Contains(msg, "runaway")) || calm && st != sweep.Done {
			t.Fatalf("point %s: %s %q", p.Name, st, msg)
		}
	}
	fig := filepath.Join(dir, "cl.png")
	text2, _ := runCmd(t, "recall", "--batch", out, "--width", "50 ms", "--by", "model", "--figure", fig)
	if !strings.Contains(text2, "4 runs of a [sequence] were stopped by a [[guard]]") {
		t.Errorf("batch output lacks the count of stopped runs:\n%s", text2)
	}
	want := map[string]*regexp.Regexp{
		"calm": regexp.MustCompile(`model=calm +1 +2 +(\S+) ± \S+ .* (\S+) ± \S+ +0/2\n`),
		"wild": regexp.MustCompile(`model=wild +1 +0 +NaN ± NaN .* NaN ± NaN +2/2\n`),
		"late": regexp.MustCompile(`model=late +1 +2 +(\S+) ± \S+ .* NaN ± NaN +2/2\n`),
	}
	found := map[string][]string{}
	for name, re := range want {
		if found[name] = re.FindStringSubmatch(text2); found[name] == nil {
			t.Errorf("no %s row of the expected form %s:\n%s", name, re, text2)
		}
	}
	if c, l := found["calm"], found["late"]; c != nil && l != nil && c[1] != l[1] {
		t.Errorf("Q of A1: calm %s, late %s: the same spikes up to the stop must give the same Q", c[1], l[1])
	}
	if st, err := os.Stat(fig); err != nil || st.Size() == 0 {
		t.Errorf("--figure: %v", err)
	}
	// --by with two label columns names each curve by both values.
	text3, _ := runCmd(t, "recall", "--batch", out, "--width", "50 ms", "--by", "model,kind")
	if !strings.Contains(text3, "model=calm, kind=a        1     2") || !strings.Contains(text3, "model=wild, kind=b        1     0") {
		t.Errorf("--by model,kind:\n%s", text3)
	}
}
