package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/spikelog"
)

// consState is the consolidation state in a run directory's checkpoint:
// every variable of every synapse of the projections with a consolidation
// model, and the neurons' variables, restored into a new engine as resume
// does.
type consState struct {
	tick   snnsim.Time
	values []float64            // all of them, in a fixed order
	means  map[string]float64   // "<projection>/<variable>": pathway mean
	neuron map[string][]float64 // "<population>/<variable>"
}

func readConsState(t *testing.T, dir string) consState {
	t.Helper()
	cp, err := runner.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	net, e := cp.Network, cp.Engine
	st := consState{tick: cp.Tick, means: map[string]float64{}, neuron: map[string][]float64{}}
	for k, p := range net.Projections {
		for _, v := range e.SynapseVars(k) {
			sum := 0.0
			for syn := range snnsim.SynapseID(p.Len()) {
				x, err := e.SynapseState(k, syn, v)
				if err != nil {
					t.Fatal(err)
				}
				st.values = append(st.values, x)
				sum += x
			}
			st.means[p.Name+"/"+v] = sum / float64(p.Len())
		}
	}
	for i, p := range net.Populations {
		if p.Source != nil {
			continue
		}
		for _, v := range []string{"protein", "tags"} {
			for j := range p.Size {
				x, err := e.NeuronState(i, j, v)
				if err != nil {
					break // the model has no such variable
				}
				st.values = append(st.values, x)
				st.neuron[p.Name+"/"+v] = append(st.neuron[p.Name+"/"+v], x)
			}
		}
	}
	return st
}

// pathwaySamples returns the ticks and values of one series of a log.
func pathwaySamples(t *testing.T, path, series string) ([]snnsim.Time, []float64) {
	t.Helper()
	r, err := spikelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ticks []snnsim.Time
	var vals []float64
	found := false
	for s := range r.Samples(spikelog.SampleFilter{}) {
		if r.Series()[s.Series].Name != series {
			continue
		}
		found = true
		ticks = append(ticks, s.T)
		vals = append(vals, s.Values[0])
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("%s: no series %q", path, series)
	}
	return ticks, vals
}

// TestConsolidationResumeCLI is the checkpoint requirement for consolidating
// scenarios: 2 h of biological time straight versus 1 h, a checkpoint
// (--stop-at), and 'snnsim resume' in a new process for the second hour,
// which reads only the run directory. The logs (spikes, pathway means of
// the consolidation variables, protein) and the final checkpoints are
// byte-identical, and so is the consolidation state decoded from the final
// checkpoints.
//
// Protocols fall on both sides of the checkpoint. In stc_capture.toml
// (tag-trigger-consolidation) the STET on S1 starts at 39 min 59.5 s, so
// its first two trains come in the first hour and its third runs from
// 59 min 59.5 s to 60 min 0.5 s, across the checkpoint (spikes in flight,
// tags being set, protein synthesis on), and the WTET on S2 comes at
// 65 min, in the resumed process. In stc_ziegler.toml the STET on S1 is at
// 30 min, the dopamine window runs from 59.5 to 60.5 min, across the
// checkpoint, and the WTET on S2 is at 80 min. In both, S2 is captured
// after the checkpoint: the log shows its mean efficacy up in the resumed
// part.
func TestConsolidationResumeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	for _, c := range []struct {
		name, file string
		sets       []string
		s2Up       float64 // S2's mean efficacy rises at least this much after the WTET
	}{
		{"tag_trigger_consolidation", "stc_capture.toml",
			[]string{"simulation.duration=2 h", "population.S1.params.start=2399.5 s", "population.S2.params.start=65 min"}, 0.15},
		{"ziegler_2015", "stc_ziegler.toml",
			[]string{"simulation.duration=2 h", `neuromodulator.0.windows=[["59.5 min", "60.5 min"]]`}, 1.5},
	} {
		t.Run("model="+c.name, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			sc := filepath.Join(dir, c.file)
			text, err := os.ReadFile("../../scenarios/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(sc, text, 0o644)
			common := append([]string{"--progress", "none", "--flush-interval", "0", "--checkpoint-every", "1h"}, oneWorker...)
			for _, s := range c.sets {
				common = append(common, "--set", s)
			}
			runCmd(t, append([]string{"run", sc, "--out", a}, common...)...)
			var out, errb bytes.Buffer
			if code := run(append([]string{"run", sc, "--out", b, "--stop-at", "60m"}, common...), &out, &errb); code != 3 {
				t.Fatalf("--stop-at: exit %d, want 3\n%s", code, errb.String())
			}
			mid := readConsState(t, b)
			os.Remove(sc) // resume must not need the scenario file
			if out, err := exec.Command(bin, append([]string{"resume", b, "--progress", "none"}, oneWorker...)...).CombinedOutput(); err != nil {
				t.Fatalf("resume in a new process: %v\n%s", err, out)
			}

			for _, name := range []string{LogName, CheckpointName} {
				x, _ := os.ReadFile(filepath.Join(a, name))
				y, _ := os.ReadFile(filepath.Join(b, name))
				if len(x) == 0 || !bytes.Equal(x, y) {
					t.Errorf("%s differs between the straight and the resumed run (%d and %d bytes)", name, len(x), len(y))
				}
			}
			sa, sb := readConsState(t, a), readConsState(t, b)
			if sa.tick != sb.tick || sb.tick != 2*mid.tick || len(sa.values) == 0 || !slices.EqualFunc(sa.values, sb.values, func(x, y float64) bool {
				return math.Float64bits(x) == math.Float64bits(y)
			}) {
				t.Errorf("final consolidation state differs: ticks %d and %d, %d and %d values", sa.tick, sb.tick, len(sa.values), len(sb.values))
			}

			// The decoded log: one pathway sample a minute on both sides of
			// the checkpoint (none lost, none repeated), and S2 potentiated
			// by its tetanus in the resumed part.
			series := "pathway/S2_to_N/efficacy/mean"
			ticks, vals := pathwaySamples(t, filepath.Join(b, LogName), series)
			const minute = 60000 // ticks: the scenarios' resolution is 1 ms
			if len(ticks) < 120 {
				t.Fatalf("%s: %d samples in 2 h, want one a minute", series, len(ticks))
			}
			if last := len(ticks) - 1; ticks[last] == 120*minute-1 {
				ticks = ticks[:last] // the final sample (final = true), after the run's last tick
			}
			for k, tk := range ticks {
				if tk != snnsim.Time(k)*minute {
					t.Fatalf("%s: sample %d at tick %d, want %d", series, k, tk, snnsim.Time(k)*minute)
				}
			}
			before, after := vals[59], slices.Max(vals[60:])
			t.Logf("%s: S2 mean efficacy %.3f at 59 min, up to %.3f after the checkpoint; at 2 h: S1 %.3f, S2 %.3f; at 1 h: neuron %v; at 2 h: %v",
				c.name, before, after, sa.means["S1_to_N/efficacy"], sa.means["S2_to_N/efficacy"], mid.neuron, sa.neuron)
			if after-before < c.s2Up {
				t.Errorf("S2's efficacy rose by %.3f after the checkpoint, want >= %g: the tetanus after the checkpoint did not act", after-before, c.s2Up)
			}
			if p := mid.neuron["N/protein"]; len(p) == 0 || p[0] <= 0 {
				t.Errorf("no protein at the checkpoint (%v): the checkpoint does not fall in a consolidating phase", p)
			}
			n := countLog(t, filepath.Join(b, LogName))
			if n["N"] < 300 {
				t.Errorf("%d spikes of N in the resumed log, want >= 300 (the STET)", n["N"])
			}
		})
	}
}
