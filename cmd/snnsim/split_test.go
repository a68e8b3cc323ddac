package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// splitPairs is a network of four neurons whose weights [mV] are known:
//
//	0→1 1   1→0 2   0→2 3   2→3 4   3→2 5   1→3 6   2→0 7
const splitPairs = `source,target,weight [mV]
0,1,1
1,0,2
0,2,3
2,3,4
3,2,5
1,3,6
2,0,7
`

const splitScenario = `
[simulation]
duration   = "10 ms"
resolution = "0.1 ms"

[[population]]
name   = "N"
size   = 4
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[projection]]
name     = "N_to_N"
from     = "N"
to       = "N"
receptor = "exc"
connect  = { rule = "pairs", file = "pairs.csv" }
delay    = "1 ms"

[[record]]
what       = "pathway"
projection = "N_to_N"
interval   = "5 ms"
split      = { a = "0..1", b = "rest" }

[[record]]
what       = "pathway"
projection = "N_to_N"
interval   = "5 ms"
`

// TestSplitPathwayKnownWeights checks the split pathway record on the
// network of splitPairs with sets a = {0, 1} and b = the rest {2, 3}:
// a→a holds 1 and 2 (mean 1.5, s.d. 0.5), a→b 3 and 6 (4.5, 1.5), b→a 7
// alone (7, 0), b→b 4 and 5 (4.5, 0.5); the whole, 1..7, has mean 4 and
// population s.d. 2, which the parts recombine to.
func TestSplitPathwayKnownWeights(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pairs.csv"), []byte(splitPairs), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "split.toml")
	if err := os.WriteFile(sc, []byte(splitScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	runCmd(t, "run", sc, "--out", run, "--progress", "none")
	parts, err := analysis.ReadSplit(run)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name        string
		mean, sd, n float64
	}{{"a->a", 1.5, 0.5, 2}, {"a->b", 4.5, 1.5, 2}, {"b->a", 7, 0, 1}, {"b->b", 4.5, 0.5, 2}}
	if len(parts) != len(want) {
		t.Fatalf("%d parts, want %d: %+v", len(parts), len(want), parts)
	}
	var ps []*analysis.SplitPart
	for i, w := range want {
		p := &parts[i]
		ps = append(ps, p)
		if p.Name() != w.name || p.Var != spikelog.VarWeight || p.Owner != "N_to_N" || p.Kind != "pathway" {
			t.Errorf("part %d: %s %s/%s/%s, want pathway N_to_N/%s/weight", i, p.Kind, p.Owner, p.Name(), p.Var, w.name)
		}
		if len(p.T) != 2 || p.T[0] != 0 || p.T[1] != 50 {
			t.Errorf("%s: ticks %v, want [0 50]", w.name, p.T)
		}
		for k := range p.T {
			if math.Abs(p.Mean[k]-w.mean) > 1e-6 || math.Abs(p.SD[k]-w.sd) > 1e-6 || p.N[k] != w.n {
				t.Errorf("%s at tick %d: mean %g sd %g n %g, want %g %g %g", w.name, p.T[k], p.Mean[k], p.SD[k], p.N[k], w.mean, w.sd, w.n)
			}
		}
	}
	mean, sd, err := analysis.CombineSplit(ps)
	if err != nil {
		t.Fatal(err)
	}
	whole := pathwayWhole(t, filepath.Join(run, LogName), "pathway/N_to_N/weight")
	for k := range mean {
		if math.Abs(mean[k]-4) > 1e-6 || math.Abs(sd[k]-2) > 1e-6 {
			t.Errorf("combined at sample %d: mean %g sd %g, want 4 and 2", k, mean[k], sd[k])
		}
		if math.Abs(mean[k]-whole[0][k]) > 1e-12 || math.Abs(sd[k]-whole[1][k]) > 1e-9 {
			t.Errorf("combined at sample %d: mean %g sd %g; the whole pathway record: %g %g", k, mean[k], sd[k], whole[0][k], whole[1][k])
		}
	}
}

// pathwayWhole returns the mean and sd samples of the pathway series
// base+"/mean" and base+"/sd" of a log.
func pathwayWhole(t *testing.T, path, base string) [2][]float64 {
	t.Helper()
	r, err := spikelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [2][]float64
	for s := range r.Samples(spikelog.SampleFilter{Series: []string{base + "/mean", base + "/sd"}}) {
		k := 0
		if strings.HasSuffix(r.Series()[s.Series].Name, "/sd") {
			k = 1
		}
		out[k] = append(out[k], s.Values[0])
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out[0]) == 0 || len(out[0]) != len(out[1]) {
		t.Fatalf("%s: %d means and %d sds", base, len(out[0]), len(out[1]))
	}
	return out
}

// splitLT2021 is a small network with the Luboeinski–Tetzlaff synapse:
// the assembly 0..9 of 40 neurons (4 inputs each on average) is driven at
// the refractory limit for 0.1 s, which potentiates the synapses from and
// onto it and starts the protein synthesis. Every synapse's h, z and w and every neuron's
// protein are recorded, with the synapses' ends, next to the split
// records.
const splitLT2021 = `
[simulation]
duration   = "1.5 s"
resolution = "0.2 ms"
seed       = 3

[[population]]
name   = "E"
size   = 40
model  = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV",
           v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[projection]]
name          = "E_to_E"
from          = "E"
to            = "E"
receptor      = "exc"
connect       = { rule = "fixed_probability", p = 0.1 }
weight        = "4.2007454 mV"
delay         = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021" }

[[stimulus]]
kind       = "ou_current"
population = "E"
neurons    = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
mean       = "1050.18635 nA"
sigma      = "210.03727 nA"
tau        = "5 ms"
start      = "0.2 s"
stop       = "0.3 s"

[[record]]
what       = "pathway"
projection = "E_to_E"
variables  = ["h", "z", "w"]
interval   = "0.5 s"
final      = true
split      = { core = "0..9", ctrl = "rest" }

[[record]]
what       = "pathway"
projection = "E_to_E"
variables  = ["h", "z", "w"]
interval   = "0.5 s"
final      = true

[[record]]
what       = "neuron_state"
population = "E"
variables  = ["protein"]
interval   = "0.5 s"
final      = true
split      = { core = "0..9", ctrl = "rest" }

[[record]]
what       = "neuron_state"
population = "E"
variables  = ["protein"]
interval   = "0.5 s"
final      = true

[[record]]
what       = "synapses"
projection = "E_to_E"
variables  = ["h", "z", "w"]
interval   = "0.5 s"
final      = true

[[record]]
what       = "weights"
projection = "E_to_E"
sample     = "1 s"
`

// TestSplitLT2021 checks the split records of a consolidating network
// against the per-synapse and per-neuron records of the same run: each
// part's mean, s.d. and count of h, z and w, and the protein inside and
// outside the assembly, computed by hand from the members' values; and
// the parts recombined against the whole pathway record. It also checks
// that the run separates the parts (core→core h well above h0 = 4.20075
// mV after the drive, ctrl→ctrl near it, protein synthesis on), so that
// the comparison is not one of equal numbers. (One 0.1-s pulse takes the
// mean core h of Luboeinski & Tetzlaff's network from 4.20 to 5.69 mV.)
func TestSplitLT2021(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "lt.toml")
	if err := os.WriteFile(sc, []byte(splitLT2021), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	runCmd(t, "run", sc, "--out", run, "--progress", "none")
	parts, err := analysis.ReadSplit(run)
	if err != nil {
		t.Fatal(err)
	}
	// The per-member records.
	r, err := spikelog.Open(filepath.Join(run, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	syn := map[string][][]float64{} // variable → sample → synapse
	var protein [][]float64
	var pre, post []float64
	for s := range r.Samples(spikelog.SampleFilter{}) {
		se := r.Series()[s.Series]
		v := append([]float64(nil), s.Values...)
		switch {
		case strings.HasPrefix(se.Name, spikelog.SynapsesPrefix):
			syn[se.What] = append(syn[se.What], v)
		case se.Name == "neuron_state/E/protein":
			protein = append(protein, v)
		case se.Name == "weights/E_to_E/pre":
			pre = v
		case se.Name == "weights/E_to_E/post":
			post = v
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	core := func(id float64) bool { return id < 10 } // E is the only population: IDs are indices
	groupOf := func(s int) string {
		a, b := "ctrl", "ctrl"
		if core(pre[s]) {
			a = "core"
		}
		if core(post[s]) {
			b = "core"
		}
		return a + "->" + b
	}
	stats := func(x []float64) (mean, sd float64) {
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		for _, v := range x {
			sd += (v - mean) * (v - mean)
		}
		return mean, math.Sqrt(sd / float64(len(x)))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	checked := 0
	for _, v := range []string{"h", "z", "w"} {
		var ps []*analysis.SplitPart
		for _, name := range []string{"core->core", "core->ctrl", "ctrl->core", "ctrl->ctrl"} {
			p := analysis.FindSplit(parts, "pathway", "E_to_E", name, v)
			if p == nil {
				t.Fatalf("no split part %s of %s", name, v)
			}
			ps = append(ps, p)
			if len(p.T) != len(syn[v]) || len(p.T) != 4 { // 0, 0.5, 1 s and the final tick
				t.Fatalf("%s %s: %d samples, the synapses record %d; want 4", name, v, len(p.T), len(syn[v]))
			}
			for k := range p.T {
				var x []float64
				for s, val := range syn[v][k] {
					if groupOf(s) == name {
						x = append(x, val)
					}
				}
				m, sd := stats(x)
				if !close(p.Mean[k], m) || !close(p.SD[k], sd) || p.N[k] != float64(len(x)) {
					t.Errorf("%s %s sample %d: mean %g sd %g n %g; by hand %g %g %d", name, v, k, p.Mean[k], p.SD[k], p.N[k], m, sd, len(x))
				}
				checked++
			}
		}
		mean, sd, err := analysis.CombineSplit(ps)
		if err != nil {
			t.Fatal(err)
		}
		whole := pathwayWhole(t, filepath.Join(run, LogName), "pathway/E_to_E/"+v)
		for k := range mean {
			if !close(mean[k], whole[0][k]) || math.Abs(sd[k]-whole[1][k]) > 1e-9*math.Max(1, whole[1][k]) {
				t.Errorf("%s sample %d: parts combine to mean %g sd %g, the whole is %g %g", v, k, mean[k], sd[k], whole[0][k], whole[1][k])
			}
		}
	}
	for _, set := range []string{"core", "ctrl"} {
		p := analysis.FindSplit(parts, "neuron_state", "E", set, "protein")
		if p == nil || len(p.T) != len(protein) {
			t.Fatalf("protein of %s: %+v, want %d samples", set, p, len(protein))
		}
		for k := range p.T {
			var x []float64
			for i, val := range protein[k] {
				if (i < 10) == (set == "core") {
					x = append(x, val)
				}
			}
			m, sd := stats(x)
			if !close(p.Mean[k], m) || !close(p.SD[k], sd) || p.N[k] != float64(len(x)) {
				t.Errorf("protein %s sample %d: mean %g sd %g n %g; by hand %g %g %d", set, k, p.Mean[k], p.SD[k], p.N[k], m, sd, len(x))
			}
		}
	}
	// The run separates the parts.
	cc := analysis.FindSplit(parts, "pathway", "E_to_E", "core->core", "h")
	tt := analysis.FindSplit(parts, "pathway", "E_to_E", "ctrl->ctrl", "h")
	pc := analysis.FindSplit(parts, "neuron_state", "E", "core", "protein")
	last := len(cc.T) - 1
	if cc.Mean[last] < 5 || math.Abs(tt.Mean[last]-4.20075) > 0.2 || pc.Mean[last] <= 0 {
		t.Errorf("at the end: core→core h %g mV (want > 5), ctrl→ctrl %g (want ≈ 4.2), core protein %g (want > 0)", cc.Mean[last], tt.Mean[last], pc.Mean[last])
	}
	if checked != 3*4*4 {
		t.Errorf("%d comparisons, want 48", checked)
	}
}

// lt2021Small is splitLT2021 as a learn–recall experiment: a learning
// pulse to the assembly 0..9 at 0.5 s and a recall pulse to its first
// half at 4.6 s, so that ScenarioReadout puts the learning window at
// 1.5 s and the recall window at 4.7 s.
func lt2021Small() string {
	s := strings.Replace(splitLT2021, `duration   = "1.5 s"`, `duration   = "5.8 s"`, 1)
	s = strings.Replace(s, `start      = "0.2 s"
stop       = "0.3 s"`, `start      = "0.5 s"
stop       = "0.6 s"`, 1)
	return s + `
[[stimulus]]
kind       = "ou_current"
population = "E"
neurons    = [0, 1, 2, 3, 4]
mean       = "1050.18635 nA"
sigma      = "210.03727 nA"
tau        = "5 ms"
start      = "4.6 s"
stop       = "4.7 s"

[[record]]
what = "spikes"
`
}

// TestFigureLearnRecall reads the learn – consolidate – recall figure back:
// its weight and protein curves are the split records' means (z·h0 as
// w − h), its rates the spikes of the cued, uncued and control neurons
// counted by hand in two bins, its Q and MI those of snnsim recall, and
// snnsim recall --figure writes it.
func TestFigureLearnRecall(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "lt2021_small.toml")
	if err := os.WriteFile(sc, []byte(lt2021Small()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	runCmd(t, "run", sc, "--out", run, "--progress", "none")
	p := figure(t, run, "learn_recall", analysis.PlotOptions{})
	parts, err := analysis.ReadSplit(run)
	if err != nil {
		t.Fatal(err)
	}
	// The axis spans 0 s (1.5 s before the learning window's centre, at
	// least 0) to 5.6 s (0.9 s after the recall window's centre): the
	// samples every 0.5 s up to 5.5 s, not the final one at 5.8 s.
	for _, name := range []string{"core->core", "ctrl->ctrl"} {
		ph := analysis.FindSplit(parts, "pathway", "E_to_E", name, "h")
		pw := analysis.FindSplit(parts, "pathway", "E_to_E", name, "w")
		gh, gz := p.Data["h "+name], p.Data["zh0 "+name]
		if len(ph.T) != 13 || len(gh) != 12 || len(gz) != 12 {
			t.Fatalf("%s: %d h and %d z·h0 points of the record's %d samples, want 12 of 13", name, len(gh), len(gz), len(ph.T))
		}
		for k := range gh {
			if gh[k].X != float64(ph.T[k])*0.2e-3 || gh[k].Y != ph.Mean[k] || math.Abs(gz[k].Y-(pw.Mean[k]-ph.Mean[k])) > 1e-12 {
				t.Errorf("%s point %d: (%g, h %g, z·h0 %g), record (%g s, %g, %g)", name, k, gh[k].X, gh[k].Y, gz[k].Y, float64(ph.T[k])*0.2e-3, ph.Mean[k], pw.Mean[k]-ph.Mean[k])
			}
		}
	}
	pc := analysis.FindSplit(parts, "neuron_state", "E", "core", "protein")
	if g := p.Data["p core"]; len(g) != 12 || g[11].Y != pc.Mean[11] || g[11].Y <= 0 {
		t.Errorf("protein of core: %v, record %v", g, pc.Mean)
	}
	// Rates: the bins [0.5, 0.525) s (the first learning bin) and
	// [4.6, 4.625) s (the first recall bin), counted by hand.
	r, err := spikelog.Open(filepath.Join(run, LogName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var count [2][3]float64 // bin, group (as, ans, ctrl)
	for s := range r.Spikes(spikelog.Filter{}) {
		x := float64(s.T) * 0.2e-3
		b := -1
		switch {
		case x >= 0.5-1e-9 && x < 0.525-1e-9:
			b = 0
		case x >= 4.6-1e-9 && x < 4.625-1e-9:
			b = 1
		}
		if b < 0 {
			continue
		}
		g := 2
		if s.ID < 5 {
			g = 0
		} else if s.ID < 10 {
			g = 1
		}
		count[b][g]++
	}
	size := [3]float64{5, 5, 30}
	for b, at := range []float64{0.5, 4.6} {
		for g, name := range []string{"as", "ans", "ctrl"} {
			want := count[b][g] / size[g] / 0.025
			found := false
			steps := p.Data["rate "+name] // (start, rate), (end, rate) per bin
			for k := 0; k < len(steps); k += 2 {
				if xy := steps[k]; math.Abs(xy.X-at) < 1e-9 {
					found = true
					if math.Abs(xy.Y-want) > 1e-9 {
						t.Errorf("rate of %s in the bin at %g s: %g Hz, by hand %g", name, at, xy.Y, want)
					}
					break
				}
			}
			if !found {
				t.Errorf("rate of %s: no bin starting at %g s", name, at)
			}
		}
	}
	if count[0][0] < 5*10 || count[1][0] < 5*10 {
		t.Errorf("the pulses drove the cued neurons to %v spikes in 25 ms: want the refractory limit (about 11 each)", count)
	}
	// Q and MI agree with snnsim recall.
	out, _ := runCmd(t, "recall", run, "--assembly", "0..9", "--learn", "1.5 s", "--recall", "4.7 s", "--json", "--figure", filepath.Join(dir, "lr.svg"))
	var got recallJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	qm := p.Data["Q, MI"]
	if got.Q == nil || got.MI == nil || len(qm) != 1 || qm[0].X != *got.Q || qm[0].Y != *got.MI {
		t.Errorf("figure Q, MI = %v; snnsim recall: %v, %v", qm, got.Q, got.MI)
	}
	if fi, err := os.Stat(filepath.Join(dir, "lr.svg")); err != nil || fi.Size() < 1000 {
		t.Errorf("recall --figure: %v", err)
	}
}

// TestRecallBatch runs the small learn–recall experiment as a trial batch
// (a table of points naming the scenario and the readout, three seeds)
// and checks snnsim recall --batch: one group of three runs, each run's
// measures in the CSV equal to snnsim recall --json of that run, and the
// printed mean ± s.d. those of the three.
func TestRecallBatch(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "lt2021_small.toml")
	if err := os.WriteFile(sc, []byte(lt2021Small()), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(dir, "trials.csv")
	if err := os.WriteFile(table, []byte("scenario,assembly,learn,recall\n"+sc+",0..9,1.5 s,4.7 s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "trials")
	runCmd(t, "sweep", table, "--seeds", "1..3", "--out", out, "-j", "2", "--quiet")
	csvFile := filepath.Join(dir, "runs.csv")
	text, _ := runCmd(t, "recall", "--batch", out, "--csv", csvFile)
	if !strings.Contains(text, "lt2021_small, assembly 10, recall window at 4.7 s: 3 runs\n") {
		t.Errorf("summary:\n%s", text)
	}
	f, err := os.Open(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	var qs []float64
	for _, row := range rows[1:] {
		js, _ := runCmd(t, "recall", row[0], "--assembly", "0..9", "--learn", "1.5 s", "--recall", "4.7 s", "--json")
		var one recallJSON
		if err := json.Unmarshal([]byte(js), &one); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			want *float64
		}{{"nu_as", one.NuAS}, {"nu_ans", one.NuANS}, {"nu_ctrl", one.NuCtrl}, {"Q", one.Q}, {"MI", one.MI}, {"H_L", one.HL}} {
			got, err := strconv.ParseFloat(row[col(c.name)], 64)
			if err != nil || c.want == nil || got != *c.want {
				t.Errorf("%s: %s = %s in the CSV, %v from recall --json", row[0], c.name, row[col(c.name)], c.want)
			}
		}
		if row[col("nu_inh")] != "NaN" { // the log has no population I
			t.Errorf("nu_inh = %s without an inhibitory population", row[col("nu_inh")])
		}
		qs = append(qs, *one.Q)
	}
	mean := (qs[0] + qs[1] + qs[2]) / 3
	var ss float64
	for _, q := range qs {
		ss += (q - mean) * (q - mean)
	}
	want := fmt.Sprintf("%.4f ± %.4f", mean, math.Sqrt(ss/2))
	if !strings.Contains(text, want) {
		t.Errorf("summary lacks Q = %s:\n%s", want, text)
	}
}
