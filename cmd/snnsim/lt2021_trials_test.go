package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

// TestLT2021FewTrials is the small statistical test of the network of
// Luboeinski & Tetzlaff (2021): three fresh topologies (seeds 2, 3 and 4,
// the trials after the single-seed tests' seed 1), each run through both
// shipped protocols (scenarios/lt2021_10s_recall.toml and
// lt2021_8h_recall.toml, the latter up to the end of its readout window).
//
// The bounds are wide but honest: the mean of three trials must lie within
// 4 s.e.m. (4 s.d./√3, with the authors' across-trial s.d.) of the authors'
// 50-trial mean for each protocol; and consolidation must improve recall,
// the paired mean of MI(8 h) − MI(10 s) over the three topologies being
// positive, as it is in the authors' batch (0.860 → 0.941 bits).
func TestLT2021FewTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("six runs of 2000 neurons and 400,000 synapses")
	}
	type ref struct {
		name     string
		get      func(recallJSON) *float64
		mean, sd float64
	}
	nuAS := func(r recallJSON) *float64 { return r.NuAS }
	nuANS := func(r recallJSON) *float64 { return r.NuANS }
	nuCtrl := func(r recallJSON) *float64 { return r.NuCtrl }
	nuInh := func(r recallJSON) *float64 { return r.NuInh }
	q := func(r recallJSON) *float64 { return r.Q }
	mi := func(r recallJSON) *float64 { return r.MI }
	protocols := []struct {
		name, scenario, duration, recall string
		refs                             []ref
	}{
		{"10 s", "lt2021_10s_recall.toml", "20.5 s", "20.1 s", []ref{
			{"nu_as [Hz]", nuAS, 92.58, 0.16},
			{"nu_ans [Hz]", nuANS, 8.72, 1.58},
			{"nu_ctrl [Hz]", nuCtrl, 5.88, 0.55},
			{"nu_inh [Hz]", nuInh, 21.46, 0.78},
			{"Q", q, 0.0307, 0.0140},
			{"MI [bits]", mi, 0.860, 0.066},
		}},
		{"8 h", "lt2021_8h_recall.toml", "28810.5 s", "28810.1 s", []ref{
			{"nu_as [Hz]", nuAS, 92.81, 0.25},
			{"nu_ans [Hz]", nuANS, 10.19, 1.69},
			{"nu_ctrl [Hz]", nuCtrl, 7.04, 0.46},
			{"nu_inh [Hz]", nuInh, 23.23, 0.72},
			{"Q", q, 0.0340, 0.0155},
			{"MI [bits]", mi, 0.941, 0.062},
		}},
	}
	seeds := []int{2, 3, 4}
	got := make([][]recallJSON, len(protocols)) // [protocol][trial]
	tmp := t.TempDir()
	for i, p := range protocols {
		for _, seed := range seeds {
			dir := filepath.Join(tmp, fmt.Sprintf("p%d-seed%d", i, seed))
			runCmd(t, "run", filepath.Join("../../scenarios", p.scenario), "--seed", fmt.Sprint(seed),
				"--out", dir, "--duration", p.duration, "--progress", "none")
			out, _ := runCmd(t, "recall", dir, "--learn", "11 s", "--recall", p.recall, "--inhibitory", "I", "--json")
			var r recallJSON
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got[i] = append(got[i], r)
		}
	}
	n := float64(len(seeds))
	for i, p := range protocols {
		for _, c := range p.refs {
			sum := 0.0
			for _, r := range got[i] {
				v := c.get(r)
				if v == nil {
					t.Fatalf("%s %s: not computed", p.name, c.name)
				}
				sum += *v
			}
			mean, sem := sum/n, c.sd/math.Sqrt(n)
			if math.Abs(mean-c.mean) > 4*sem {
				t.Errorf("%s %s: mean of %d trials %.4g, outside the authors' %.4g ± 4·%.3g (s.e.m.)", p.name, c.name, len(seeds), mean, c.mean, sem)
			} else {
				t.Logf("%s %-12s mean of %d trials %8.4g   authors %.4g ± %.3g (s.e.m.)", p.name, c.name, len(seeds), mean, c.mean, sem)
			}
		}
	}
	gain := 0.0
	for k := range seeds {
		gain += (*got[1][k].MI - *got[0][k].MI) / n
	}
	if !(gain > 0) {
		t.Errorf("MI(8 h) − MI(10 s), paired mean over %d topologies, = %.4f bits; consolidation should improve recall", len(seeds), gain)
	} else {
		t.Logf("MI(8 h) − MI(10 s), paired mean over %d topologies: %+.4f bits", len(seeds), gain)
	}
}
