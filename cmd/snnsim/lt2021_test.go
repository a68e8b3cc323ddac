package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// lt2021Records records, on top of the LT2021 scenarios, the early weight
// h and the late weight z of every E→E synapse just before and just after
// the 10 s protocol's recall pulse (19.9 and 20.1 s) and at 8 h, inside
// the 8 h protocol's fast-forward, and the synapses' ends (at 0 s).
const lt2021Records = `
[[record]]
what       = "synapses"
projection = "E_to_E"
variables  = ["h", "z"]
interval   = "0.2 s"
window     = [["19.9 s", "20.2 s"], ["28800 s", "28800.1 s"]]

[[record]]
what       = "weights"
projection = "E_to_E"
sample     = "1 s"
window     = ["0 s", "1 s"]
`

// TestLT2021TenSecondRecall runs scenarios/lt2021_10s_recall.toml (one
// seed, up to the end of the recall readout window; its learning run is
// shared with TestLT2021EightHourRecall, see lt2021Runs) and checks the recall
// measures against the 50-trial distribution of Luboeinski & Tetzlaff's
// stand-alone simulator for an assembly of 150 (their own re-run with
// fresh topologies and a random cued half, as the scenario's group "cue";
// mean ± s.d. across trials):
// every measure of this one trial must lie within 4 s.d. of their mean,
// which a trial of the same distribution misses with probability below
// 1e-4 each. Q spreads so widely between trials (0.0307 ± 0.0140) that
// its band includes 0; the rates, MI and H(L) are the sharper checks.
//
// The mean early weight h over all E→E synapses after learning checks the
// plasticity: the authors' stand-alone run, weights at 20.0 s, gives
// core→core 7.124 mV (2,240 synapses), core→control 6.983 (21,607),
// control→core 5.264 (22,117), control→control 4.2513 (209,473), a mean
// of 4.5952 mV, 0.3945 mV above h0. The group sizes vary between
// topologies by about 1/√22,000 ≈ 0.7 %, and the group means, from one
// run, vary with the background activity during learning by an amount the
// reference does not give, so the excess over h0 must match within a
// generous 10 %.
//
// The same run checks the mechanistic fingerprint of that stand-alone run
// (within the ±5 % its single-run values allow): the mean h of each group
// at 19.9 s, every excitatory neuron above the protein threshold
// (Σ|h − h0| > θ_pro = 2.10037 mV), no LTD tag, and the rise of core→core
// h during the recall pulse (7.124 → 7.251 mV from 19.9 to 20.1 s).
func TestLT2021TenSecondRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("2000 neurons, 400,000 synapses, 20.5 s simulated")
	}
	dir := lt2021Runs(t, 1, lt2021Records)[0]

	// The assembly and the random cued half come from the log header's
	// groups.
	r := lt2021Recall(t, dir, "20.1 s")
	if r.Assembly != 150 || r.Cued != 75 {
		t.Errorf("recall found an assembly of %d and a cue of %d in the log; the scenario's groups have 150 and 75", r.Assembly, r.Cued)
	}
	lt2021CheckMeans(t, "10 s", []recallJSON{r})

	out, _ := runCmd(t, "stats", dir, "--from", "19 s", "--to", "19.1 s", "--json")
	var s statsJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	const h0, ref = 4.2007454, 4.5952
	var h *float64
	for _, x := range s.Series {
		if x.Name == "pathway/E_to_E/h/mean" && x.Samples == 1 {
			h = x.Mean
		}
	}
	if h == nil {
		t.Fatalf("no sample of pathway/E_to_E/h/mean at 19 s:\n%s", out)
	}
	if d := (*h - h0) / (ref - h0); d < 0.9 || d > 1.1 {
		t.Errorf("mean E→E h at 19 s = %.4f mV: h − h0 = %.4f mV, want %.4f ± 10 %%", *h, *h-h0, ref-h0)
	}
	t.Logf("mean E→E h at 19 s = %.4f mV (stand-alone at 20 s: %.4f)", *h, ref)

	lt2021CheckFingerprint(t, filepath.Join(dir, "spikes.snnlog"))
}

// lt2021CheckFingerprint checks the E→E early weights that
// lt2021Records records against the authors' stand-alone run.
func lt2021CheckFingerprint(t *testing.T, log string) {
	r, err := spikelog.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var pre, post []int32
	h := map[float64][]float64{} // by time [ms]
	for x := range r.Samples(spikelog.SampleFilter{Series: []string{"weights/E_to_E/pre", "weights/E_to_E/post", "synapses/E_to_E/h"}}) {
		switch r.Series()[x.Series].Name {
		case "weights/E_to_E/pre":
			pre = lt2021IDs(x.Values)
		case "weights/E_to_E/post":
			post = lt2021IDs(x.Values)
		default:
			h[math.Round(float64(x.T)*r.Header().DT)] = append([]float64(nil), x.Values...)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	before, after := h[19900], h[20100]
	if pre == nil || post == nil || before == nil || after == nil {
		t.Fatalf("log lacks the E→E ends or h at 19.9 s and 20.1 s (h at %d times)", len(h))
	}
	core := make([]bool, 1600) // E is the first population: global ID = index
	for i := range 150 {
		core[i] = true
	}
	g, err := analysis.AssemblySynapseMeans(pre, post, before, core)
	if err != nil {
		t.Fatal(err)
	}
	ga, err := analysis.AssemblySynapseMeans(pre, post, after, core)
	if err != nil {
		t.Fatal(err)
	}
	// Each group is compared by its change from h0, the start of every
	// synapse, so that a group that did not change fails. The core groups
	// change by 1–3 mV and are held to 5 % of the stand-alone change; the
	// ctrl→ctrl change (0.05 mV, averaged over sparse, weakly driven
	// synapses) only to within a factor of 2.
	const h0 = 4.2007454
	for _, c := range []struct {
		name string
		got  analysis.GroupMean
		want float64
		tol  float64 // relative tolerance on the change from h0
	}{
		{"core→core h at 19.9 s", g.CoreCore, 7.124, 0.05},
		{"core→ctrl h at 19.9 s", g.CoreCtrl, 6.983, 0.05},
		{"ctrl→core h at 19.9 s", g.CtrlCore, 5.264, 0.05},
		{"ctrl→ctrl h at 19.9 s", g.CtrlCtrl, 4.2513, 0.5},
		{"core→core h at 20.1 s", ga.CoreCore, 7.251, 0.05},
	} {
		if r := (c.got.Mean - h0) / (c.want - h0); math.Abs(r-1) > c.tol && !(c.tol >= 0.5 && r >= 0.5 && r <= 2) {
			t.Errorf("%s = %.4f mV (s.d. %.3f, %d synapses): change from h0 %.4f mV, stand-alone %.4f (tolerance %g)", c.name, c.got.Mean, c.got.SD, c.got.N, c.got.Mean-h0, c.want-h0, c.tol)
		} else {
			t.Logf("%-22s %.4f mV (s.d. %.3f, %d synapses); stand-alone %.4f", c.name, c.got.Mean, c.got.SD, c.got.N, c.want)
		}
	}
	if !(ga.CoreCore.Mean > g.CoreCore.Mean) {
		t.Errorf("core→core h does not rise during the recall pulse: %.4f → %.4f mV", g.CoreCore.Mean, ga.CoreCore.Mean)
	}
	const thetaTag, thetaPro = 0.2 * h0, 0.5 * h0
	sum := make([]float64, len(core))
	ltd := 0
	for s, x := range before {
		sum[post[s]] += math.Abs(x - h0)
		if h0-x > thetaTag {
			ltd++
		}
	}
	low := 0
	for _, x := range sum {
		if !(x > thetaPro) {
			low++
		}
	}
	if low > 0 || ltd > 0 {
		t.Errorf("at 19.9 s: %d excitatory neurons with Σ|h − h0| <= θ_pro, %d LTD tags; stand-alone: none, none", low, ltd)
	}
}

// lt2021IDs converts the neuron IDs of a weights record's pre or post series.
func lt2021IDs(v []float64) []int32 {
	ids := make([]int32, len(v))
	for i, x := range v {
		ids[i] = int32(x)
	}
	return ids
}
