package scenario

import (
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// seqHead is a run of 100 s over one population of 100 neurons, lines
// 1-7; a [sequence] follows.
const seqHead = "[simulation]\nduration = \"100 s\"\nseed = 3\n[[population]]\nname = \"E\"\nsize = 100\nmodel = \"lif_exp_current\"\n"

// seqTable is a [sequence] of n assemblies with the given overlap and
// layout, learned from 10 s every 20 s by 3 pulses 0.5 s apart, cued at
// 80 s every 3 s; lines 8-22 of seqHead + seqTable.
func seqTable(n int, overlap, layout string) string {
	return `[sequence]
name       = "A"
population = "E"
n          = ` + itoa(n) + `
size       = 20
overlap    = ` + overlap + `
layout     = "` + layout + `"
learn      = "10 s"
interval   = "20 s"
pulses     = 3
every      = "0.5 s"
pulse      = { mean = "1 nA", sigma = "0.2 nA", tau = "5 ms", width = "0.1 s" }
recall     = "80 s"
spacing    = "3 s"
fast_forward = { after = "2 s", before = "0.4 ms" }
`
}

func itoa(n int) string { return strconv.Itoa(n) }

func seqCompile(t *testing.T, text string, sets ...string) (*Scenario, map[string][]int) {
	t.Helper()
	return compileGroups(t, text, sets...)
}

// intersect counts the members two sorted lists share.
func intersect(a, b []int) int {
	n := 0
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			n++
		}
	}
	return n
}

// TestSequenceChain: consecutive blocks of the population, consecutive
// assemblies sharing round(overlap·size) neurons and assemblies k apart
// size − k·stride, never less than 0; cues a random half of each.
func TestSequenceChain(t *testing.T) {
	for _, tc := range []struct {
		overlap string
		shared  int // round(overlap·20)
	}{{"0", 0}, {"0.1", 2}, {"0.25", 5}, {"0.5", 10}, {"0.72", 14}} {
		_, g := seqCompile(t, seqHead+seqTable(4, tc.overlap, "chain"))
		stride := 20 - tc.shared
		for i := range 4 {
			a := g["A"+itoa(i+1)]
			if len(a) != 20 || a[0] != i*stride || a[19] != i*stride+19 {
				t.Errorf("overlap %s: A%d = %v..., want %d..%d", tc.overlap, i+1, a[:1], i*stride, i*stride+19)
			}
			for j := i + 1; j < 4; j++ {
				if got, want := intersect(a, g["A"+itoa(j+1)]), max(20-(j-i)*stride, 0); got != want {
					t.Errorf("overlap %s: |A%d ∩ A%d| = %d, want %d", tc.overlap, i+1, j+1, got, want)
				}
			}
			c := g["A"+itoa(i+1)+"_cue"]
			if len(c) != 10 || intersect(c, a) != 10 {
				t.Errorf("overlap %s: A%d_cue = %v: want 10 members of A%d", tc.overlap, i+1, c, i+1)
			}
		}
	}
}

// TestSequenceRandom: each assembly has size distinct neurons, exactly
// round(overlap·size) of them in earlier assemblies; the draw depends on
// the seed only.
func TestSequenceRandom(t *testing.T) {
	for _, overlap := range []string{"0", "0.3", "0.9"} {
		text := seqHead + seqTable(4, overlap, "random")
		shared := int(math.Round(mustFloat(overlap) * 20))
		_, g := seqCompile(t, text)
		_, again := seqCompile(t, text)
		_, other := seqCompile(t, text, "simulation.seed=4")
		var union []int
		differs := false
		for i := range 4 {
			name := "A" + itoa(i+1)
			a := g[name]
			if len(a) != 20 || !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != 20 {
				t.Fatalf("overlap %s: %s = %v: want 20 distinct sorted members", overlap, name, a)
			}
			want := shared
			if i == 0 {
				want = 0
			}
			if got := intersect(a, union); got != want {
				t.Errorf("overlap %s: %s shares %d neurons with the earlier assemblies, want %d", overlap, name, got, want)
			}
			union = append(union, a...)
			slices.Sort(union)
			union = slices.Compact(union)
			if !slices.Equal(a, again[name]) {
				t.Errorf("overlap %s: %s differs between two compilations with one seed", overlap, name)
			}
			differs = differs || !slices.Equal(a, other[name])
		}
		if !differs {
			t.Errorf("overlap %s: seeds 3 and 4 draw the same assemblies", overlap)
		}
	}
}

func mustFloat(s string) float64 {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return x
}

// TestSequenceSchedule: the learning pulses, the cues (only of assemblies
// learned by the block's onset) and the fast-forward phases between the
// spiking stretches, with the readout times.
func TestSequenceSchedule(t *testing.T) {
	sc, _ := seqCompile(t, seqHead+seqTable(3, "0.1", "chain"), `sequence.recall=["40 s", "80 s"]`)
	type stim struct {
		name, group string
		start       float64
	}
	var got []stim
	for _, s := range sc.Stimuli {
		got = append(got, stim{s.Name, s.Group, s.Start})
		if s.Stop-s.Start != 100 || s.Mean != 1000 || s.Sigma != 200 || s.Tau != 5 {
			t.Errorf("%s: [%g, %g) mean %g sigma %g tau %g, want a 100-ms pulse of 1 nA, 0.2 nA, 5 ms", s.Name, s.Start, s.Stop, s.Mean, s.Sigma, s.Tau)
		}
	}
	want := []stim{
		{"A1_learn1", "A1", 10000}, {"A1_learn2", "A1", 10500}, {"A1_learn3", "A1", 11000},
		{"A2_learn1", "A2", 30000}, {"A2_learn2", "A2", 30500}, {"A2_learn3", "A2", 31000},
		{"A3_learn1", "A3", 50000}, {"A3_learn2", "A3", 50500}, {"A3_learn3", "A3", 51000},
		// at 40 s A1 and A2 are learned, A3 is not
		{"A1_recall1", "A1_cue", 40000}, {"A2_recall1", "A2_cue", 43000},
		{"A1_recall2", "A1_cue", 80000}, {"A2_recall2", "A2_cue", 83000}, {"A3_recall1", "A3_cue", 86000},
	}
	if !slices.Equal(got, want) {
		t.Errorf("stimuli:\n got %v\nwant %v", got, want)
	}
	// Stretches: [10, 11.1), [30, 31.1), [40, 43.1), [50, 51.1), [80, 86.1) s; 2 s after, 0.4 ms before.
	var phases [][2]float64
	for _, p := range sc.Phases {
		if p.Mode != "fast_forward" {
			t.Errorf("phase %s: mode %s", p.Name, p.Mode)
		}
		phases = append(phases, [2]float64{p.Start, p.Stop})
	}
	wantP := [][2]float64{{13100, 29999.6}, {33100, 39999.6}, {45100, 49999.6}, {53100, 79999.6}}
	if len(phases) != len(wantP) {
		t.Fatalf("phases %v, want %v", phases, wantP)
	}
	for k := range wantP {
		if math.Abs(phases[k][0]-wantP[k][0]) > 1e-6 || math.Abs(phases[k][1]-wantP[k][1]) > 1e-6 {
			t.Errorf("phase %d: %v, want %v", k, phases[k], wantP[k])
		}
	}
	ro := sc.SequenceReadout()
	wantR := []struct {
		learn   float64
		recalls []float64
		later   []int
	}{{11000, []float64{40100, 80100}, []int{1, 2}}, {31000, []float64{43100, 83100}, []int{0, 1}}, {51000, []float64{86100}, []int{0}}}
	for i, a := range ro {
		if a.Learn != wantR[i].learn || !slices.Equal(a.Recalls, wantR[i].recalls) {
			t.Errorf("%s: learn %g recalls %v, want %g %v", a.Name, a.Learn, a.Recalls, wantR[i].learn, wantR[i].recalls)
		}
		for k, r := range a.Recalls {
			if got := sc.LearnedBetween(a, r-100); got != wantR[i].later[k] {
				t.Errorf("%s recalled at %g ms: %d later assemblies, want %d", a.Name, r, got, wantR[i].later[k])
			}
		}
	}
}

// TestSequenceLT2021: one assembly learned at 10 s and cued at 28810 s
// with the authors' margins is the 8h-recall protocol of
// lt2021_8h_recall.toml: the same pulses, the same fast-forward phase.
func TestSequenceLT2021(t *testing.T) {
	data, err := os.ReadFile("../scenarios/cl_sequence.toml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := DecodeOverrides("cl_sequence.toml", data, []string{"sequence.n=1", "sequence.cue_pick=\"first\""})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := LoadOverrides("../scenarios/lt2021_8h_recall.toml", []string{"group.cue.pick=\"first\""})
	if err != nil {
		t.Fatal(err)
	}
	times := func(s *Scenario) (out [][2]float64) {
		for _, st := range s.Stimuli {
			if st.Group != "" {
				out = append(out, [2]float64{st.Start, st.Stop})
			}
		}
		return out
	}
	if a, b := times(sc), times(ref); !slices.Equal(a, b) {
		t.Errorf("pulses %v, lt2021_8h_recall's %v", a, b)
	}
	if len(sc.Phases) != 1 || len(ref.Phases) != 1 || sc.Phases[0].Start != ref.Phases[0].Start || math.Abs(sc.Phases[0].Stop-ref.Phases[0].Stop) > 1e-6 {
		t.Errorf("phases %+v, lt2021_8h_recall's %+v", sc.Phases[0], ref.Phases[0])
	}
	a := sc.SequenceReadout()[0]
	if a.Learn != 11000 || !slices.Equal(a.Recalls, []float64{28810100}) {
		t.Errorf("readout at %g and %v ms, the authors' at 11000 and 28810100", a.Learn, a.Recalls)
	}
	ga, _ := sc.resolved.find("A1")
	gr, _ := ref.resolved.find("core")
	gc, _ := sc.resolved.find("A1_cue")
	gq, _ := ref.resolved.find("cue")
	if !slices.Equal(ga.Neurons, gr.Neurons) || !slices.Equal(gc.Neurons, gq.Neurons) {
		t.Errorf("A1 and its cue differ from lt2021_8h_recall's core and cue")
	}
}

// TestSequenceErrors: each mistake is reported at its file, line and key.
func TestSequenceErrors(t *testing.T) {
	base := seqHead + seqTable(3, "0.1", "chain")
	for _, tc := range []struct {
		name, text string
		sets       []string
		line       int
		key, want  string
	}{
		{"overlap", base, []string{"sequence.overlap=1"}, 0, "sequence.overlap", "[0, 1)"},
		{"layout", strings.Replace(base, `"chain"`, `"chian"`, 1), nil, 14, "sequence.layout", `unknown layout "chian"`},
		{"interval", strings.Replace(base, `"20 s"`, `"1 s"`, 1), nil, 16, "sequence.interval", "must start after it"},
		{"recall early", strings.Replace(base, `recall     = "80 s"`, `recall     = "5 s"`, 1), nil, 20, "sequence.recall", "no assembly to cue"},
		{"recall overlaps", strings.Replace(base, `recall     = "80 s"`, `recall     = "49 s"`, 1), nil, 20, "sequence.recall", "overlaps the learning of A3"},
		{"too big", base, []string{"sequence.n=6"}, 0, "sequence", "end at neuron 109: E has 100"},
		{"too big random", strings.Replace(base, `"chain"`, `"random"`, 1), []string{"sequence.n=6"}, 0, "sequence", "need 110 distinct neurons"},
		{"unknown key", strings.Replace(base, "spacing", "spaceing", 1), nil, 21, "sequence.spaceing", `unknown key "spaceing"`},
		{"missing pulse", strings.Replace(base, "pulse      =", "plse =", 1), nil, 19, "sequence.plse", "unknown key"},
		{"clash", seqHead + "[[group]]\nname = \"A2\"\npopulation = \"E\"\nneurons = \"0..3\"\n" + seqTable(3, "0.1", "chain"), nil, 12, "sequence", `the group "A2" that [sequence] makes: duplicate group name`},
		{"stimulus in phase", base + "[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"1 pA\"\nstart = \"20 s\"\n", nil, 27, "stimulus[0].start", `inside phase "A_ff1"`},
		{"too many", base, []string{"sequence.n=101"}, 0, "sequence.n", "more than the neurons of the largest population (100)"},
		{"first random", strings.Replace(base, `"chain"`, `"random"`, 1) + "", []string{"sequence.first=3"}, 0, "sequence.first", "chain layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeOverrides("s.toml", []byte(tc.text), tc.sets)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v, want an ErrorList", err)
			}
			for _, e := range list {
				if e.Key == tc.key && strings.Contains(e.Error(), tc.want) && (tc.line == 0 || e.Line == tc.line) && e.File == "s.toml" {
					return
				}
			}
			t.Errorf("errors:\n%v\nwant line %d, key %s: ...%s...", err, tc.line, tc.key, tc.want)
		})
	}
}

// TestSequenceTasks: with late = "importance" (a model that reads the
// level "task") the sequence makes the level, stepping to i at the end
// of A_i's last pulse plus task_boundary (default fast_forward.after);
// with the default late phase it makes none; a boundary after the next
// learning's onset is an error at task_boundary; the file's own level
// "task" wins.
func TestSequenceTasks(t *testing.T) {
	data, err := os.ReadFile("../scenarios/cl_sequence.toml")
	if err != nil {
		t.Fatal(err)
	}
	short := []string{"sequence.n=3", `sequence.interval="20 s"`, `sequence.recall="100 s"`, `sequence.fast_forward.after="2 s"`, `simulation.duration="110 s"`}
	si := append(slices.Clone(short), `projection.E_to_E.consolidation.late="importance"`)
	sc, err := DecodeOverrides("cl_sequence.toml", data, si)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Neuromodulators) != 1 || !sc.Sequence.TaskLevel {
		t.Fatalf("neuromodulators %v, want the level task", sc.Neuromodulators)
	}
	n := sc.Neuromodulators[0]
	// A_i's pulses at 10 + 20(i−1) + {0, 0.5, 1} s, 0.1 s long: the last ends 11.1 s after its onset
	want := []LevelStep{{At: 13100, Level: 1}, {At: 33100, Level: 2}, {At: 53100, Level: 3}}
	if n.Name != TaskLevelName || n.Population != "E" || len(n.Schedule) != 3 {
		t.Fatalf("level %+v", n)
	}
	for i, st := range n.Schedule {
		if math.Abs(st.At-want[i].At) > 1e-6 || st.Level != want[i].Level {
			t.Errorf("step %d: %+v, want %+v", i, st, want[i])
		}
	}
	sc, err = DecodeOverrides("cl_sequence.toml", data, append(slices.Clone(si), `sequence.task_boundary="5 s"`))
	if err != nil {
		t.Fatal(err)
	}
	if at := sc.Neuromodulators[0].Schedule[1].At; math.Abs(at-36100) > 1e-6 {
		t.Errorf("task_boundary 5 s: A2's boundary at %g ms, want 36100", at)
	}
	sc, err = DecodeOverrides("cl_sequence.toml", data, short)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Neuromodulators) != 0 || sc.Sequence.TaskLevel {
		t.Errorf("late = stc: neuromodulators %v", sc.Neuromodulators)
	}
	_, err = DecodeOverrides("cl_sequence.toml", data, append(slices.Clone(si), `sequence.task_boundary="19 s"`))
	var list ErrorList
	if !errors.As(err, &list) || !slices.ContainsFunc([]*ParseError(list), func(e *ParseError) bool {
		return e.Key == "sequence.task_boundary" && strings.Contains(e.Error(), "after the learning of A2 begins")
	}) {
		t.Errorf("task_boundary after the next learning: %v", err)
	}
	own := strings.Replace(string(data), "\n[sequence]\n", "\n[[neuromodulator]]\npopulation = \"E\"\nname = \"task\"\nschedule = [{ at = \"50 s\", level = 7 }]\n\n[sequence]\n", 1)
	sc, err = DecodeOverrides("cl_sequence.toml", []byte(own), si)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Neuromodulators) != 1 || sc.Neuromodulators[0].Schedule[0].Level != 7 || sc.Sequence.TaskLevel {
		t.Errorf("the file's own level: %+v", sc.Neuromodulators)
	}
}
