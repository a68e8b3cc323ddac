package main

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/snnsim/snnsim/analysis"
)

// TestLT2021FewTrials is the small statistical test of the network of
// Luboeinski & Tetzlaff (2021): three fresh topologies (seeds 2, 3 and 4,
// the trials after the single-seed tests' seed 1), each run through both
// shipped protocols (scenarios/lt2021_10s_recall.toml and
// lt2021_8h_recall.toml, each up to the end of its readout window, from
// one learning run per topology: lt2021Runs).
//
// The bounds are wide but honest: the mean of three trials must lie within
// 4 s.e.m. (4 s.d./√3, with the authors' across-trial s.d.) of the authors'
// 50-trial mean for each protocol (lt2021CheckMeans); and consolidation
// must improve recall, the paired mean of MI(8 h) − MI(10 s) over the
// three topologies being positive, as it is in the authors' batch
// (0.860 → 0.941 bits).
func TestLT2021FewTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("six runs of 2000 neurons and 400,000 synapses")
	}
	seeds := []int{2, 3, 4}
	got := make([][]recallJSON, len(lt2021Protocols)) // [protocol][trial]
	for _, seed := range seeds {
		for i, dir := range lt2021Runs(t, seed, "") {
			got[i] = append(got[i], lt2021Recall(t, dir, lt2021Protocols[i].recall))
		}
	}
	for i, p := range lt2021Protocols {
		lt2021CheckMeans(t, p.name, got[i])
	}
	gain := 0.0
	for k := range seeds {
		gain += (*got[1][k].MI - *got[0][k].MI) / float64(len(seeds))
	}
	if !(gain > 0) {
		t.Errorf("MI(8 h) − MI(10 s), paired mean over %d topologies, = %.4f bits; consolidation should improve recall", len(seeds), gain)
	} else {
		t.Logf("MI(8 h) − MI(10 s), paired mean over %d topologies: %+.4f bits", len(seeds), gain)
	}
}

// lt2021Recall reads the recall measures of the run in dir (assembly and
// cue from the log's groups, learning window at 11 s, recall window at
// recall, ν_inh of population I).
func lt2021Recall(t *testing.T, dir, recall string) recallJSON {
	t.Helper()
	out, _ := runCmd(t, "recall", dir, "--learn", "11 s", "--recall", recall, "--inhibitory", "I", "--json")
	var r recallJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

// lt2021CheckMeans checks that the mean over trials of each recall measure
// lies within 4 s.e.m. (4 s.d./√n, with the across-trial s.d.) of the
// authors' 50-trial mean for an assembly of 150 and the protocol ("10 s"
// or "8 h"; analysis.LT2021Reference). One trial is checked within 4 s.d.
func lt2021CheckMeans(t *testing.T, protocol string, trials []recallJSON) {
	t.Helper()
	ref, ok := analysis.LT2021Reference(150, protocol)
	if !ok {
		t.Fatalf("no reference for protocol %q", protocol)
	}
	n := float64(len(trials))
	for _, name := range analysis.RecallMeasureNames {
		sum := 0.0
		for _, r := range trials {
			v := map[string]*float64{"nu_as": r.NuAS, "nu_ans": r.NuANS, "nu_ctrl": r.NuCtrl, "nu_inh": r.NuInh,
				"Q": r.Q, "MI": r.MI, "H_L": r.HL}[name]
			if v == nil {
				t.Fatalf("%s %s: not computed", protocol, name)
			}
			sum += *v
		}
		c := ref[name]
		mean, sem := sum/n, c.SD/math.Sqrt(n)
		if math.Abs(mean-c.Mean) > 4*sem {
			t.Errorf("%s %s: mean of %d trials %.4g, outside the authors' %.4g ± 4·%.3g", protocol, name, len(trials), mean, c.Mean, sem)
		} else {
			t.Logf("%s %-8s mean of %d trials %8.4g   authors %.4g ± %.3g", protocol, name, len(trials), mean, c.Mean, sem)
		}
	}
}
