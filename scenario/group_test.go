package scenario

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// groupHead is a scenario of one population of 10 neurons, for the group
// tests; its stimuli and groups follow.
const groupHead = head + "seed = 7\n" + popE // lines 1-7

func compileGroups(t *testing.T, text string, sets ...string) (*Scenario, map[string][]int) {
	t.Helper()
	sc, err := DecodeOverrides("g.toml", []byte(text), sets)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int{}
	for _, g := range net.Groups {
		out[g.Name] = g.Neurons
	}
	return sc, out
}

func TestParseIndices(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  string
	}{
		{"0..4", []int{0, 1, 2, 3, 4}, ""},
		{"7", []int{7}, ""},
		{" 0, 3 , 7..9", []int{0, 3, 7, 8, 9}, ""},
		{"5..5, 2", []int{5, 2}, ""},
		{"", nil, "give indices or ranges"},
		{"3..1", nil, `"3..1" is not a range A..B with B >= A`},
		{"-1", nil, `"-1" is not an index`},
		{"1,,2", nil, `"" is not an index`},
		{"0..x", nil, "is not a range"},
	} {
		got, err := ParseIndices(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseIndices(f *testing.F) {
	for _, s := range []string{"0..149", "1, 2, 5..9", "", "3..1", "9999999999..1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 {
			return
		}
		got, err := ParseIndices(s)
		if err != nil {
			return
		}
		if len(got) == 0 {
			t.Fatalf("%q: no indices and no error", s)
		}
		for _, i := range got {
			if i < 0 {
				t.Fatalf("%q: negative index %d", s, i)
			}
		}
	})
}

// TestGroups: ranges and lists, parts of a group picked first or at
// random, and stimuli that use groups.
func TestGroups(t *testing.T) {
	text := groupHead + `
[[group]]
name       = "core"
population = "E"
neurons    = "0..7"

[[group]]
name     = "half"
of       = "core"
fraction = 0.5

[[group]]
name     = "cue"
of       = "core"
fraction = 0.5
pick     = "random"

[[group]]
name  = "three"
of    = "cue"
count = 3
pick  = "first"

[[group]]
name       = "odd"
population = "E"
neurons    = [9, 3, 5]

[[stimulus]]
kind      = "current_step"
group     = "cue"
amplitude = "1 pA"

[[stimulus]]
kind       = "current_step"
population = "E"
neurons    = "2..3, 8"
amplitude  = "1 pA"
`
	sc, g := compileGroups(t, text)
	if !slices.Equal(g["core"], []int{0, 1, 2, 3, 4, 5, 6, 7}) || !slices.Equal(g["half"], []int{0, 1, 2, 3}) || !slices.Equal(g["odd"], []int{9, 3, 5}) {
		t.Errorf("groups: %v", g)
	}
	cue := g["cue"]
	if len(cue) != 4 || !slices.IsSorted(cue) || slices.Equal(cue, g["half"]) {
		t.Errorf("random half of core: %v (4 members, increasing, and not the first half for this seed)", cue)
	}
	for _, m := range cue {
		if m < 0 || m > 7 {
			t.Errorf("cue member %d is not in core", m)
		}
	}
	if !slices.Equal(g["three"], cue[:3]) {
		t.Errorf("first 3 of cue: %v, cue %v", g["three"], cue)
	}
	net, _ := sc.Compile()
	if !slices.Equal(net.Stimuli[0].Neurons, cue) || !slices.Equal(net.Stimuli[1].Neurons, []int{2, 3, 8}) || net.Stimuli[0].Population != 0 {
		t.Errorf("stimulus neurons %v and %v", net.Stimuli[0].Neurons, net.Stimuli[1].Neurons)
	}
	// The random pick is keyed by the seed and the group's name only: the
	// same with another group in front, another with another seed.
	_, g2 := compileGroups(t, strings.Replace(text, "[[group]]", "[[group]]\nname = \"first\"\npopulation = \"E\"\nneurons = [1]\n\n[[group]]", 1))
	if !slices.Equal(g2["cue"], cue) {
		t.Errorf("cue with another group before it: %v, was %v", g2["cue"], cue)
	}
	differs := false
	for seed := range 5 {
		_, g3 := compileGroups(t, text, "simulation.seed="+string(rune('0'+seed)))
		differs = differs || !slices.Equal(g3["cue"], cue)
	}
	if !differs {
		t.Error("the random cue is the same for 5 other seeds")
	}
}

func TestGroupErrors(t *testing.T) {
	core := "[[group]]\nname = \"core\"\npopulation = \"E\"\nneurons = \"0..7\"\n" // lines 8-11 after groupHead
	for _, tc := range []struct {
		name, text, want string
	}{
		{"out of range", groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\nneurons = \"5..10\"\n",
			`g.toml:11: group[0].neurons: 10 (entry 5 of the list) is out of range: E has 10 members (0..9)`},
		{"twice", groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\nneurons = [1, 2, 1]\n", `group[0].neurons: 1 is listed twice`},
		{"bad range", groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\nneurons = \"1..x\"\n", `g.toml:11: group[0].neurons: "1..x": "1..x" is not a range`},
		{"no population", groupHead + "[[group]]\nname = \"g\"\npopulation = \"X\"\nneurons = [1]\n", `g.toml:10: group[0].population: undefined population "X"`},
		{"both", groupHead + core + "[[group]]\nname = \"g\"\nof = \"core\"\nneurons = [1]\n", `g.toml:14: group[1].of: a group has either neurons or of`},
		{"neither", groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\n", `group "g" needs neurons = "0..149"`},
		{"unknown parent", groupHead + core + "[[group]]\nname = \"g\"\nof = \"kore\"\nfraction = 0.5\n", `g.toml:14: group[1].of: no group "kore" defined above this one (did you mean "core"?)`},
		{"fraction range", groupHead + core + "[[group]]\nname = \"g\"\nof = \"core\"\nfraction = 1.5\n", `g.toml:15: group[1].fraction: 1.5: must be in (0, 1]`},
		{"count too big", groupHead + core + "[[group]]\nname = \"g\"\nof = \"core\"\ncount = 9\n", `group[1].count: 9: group "core" has only 8 neurons`},
		{"no size", groupHead + core + "[[group]]\nname = \"g\"\nof = \"core\"\n", `give fraction (e.g. 0.5) or count`},
		{"bad pick", groupHead + core + "[[group]]\nname = \"g\"\nof = \"core\"\ncount = 2\npick = \"rand\"\n", `g.toml:16: group[1].pick: "rand": use "first"`},
		{"duplicate", groupHead + core + core, `group[1].name: duplicate group name "core"`},
		{"numeric name", groupHead + "[[group]]\nname = \"1\"\npopulation = \"E\"\nneurons = [1]\n", `g.toml:9: group[0].name: "1": a group name must not be a number`},
		{"stimulus group unknown", groupHead + core + "[[stimulus]]\nkind = \"current_step\"\ngroup = \"cor\"\namplitude = \"1 pA\"\n",
			`g.toml:14: stimulus[0].group: no group "cor" (did you mean "core"?)`},
		{"stimulus group and neurons", groupHead + core + "[[stimulus]]\nkind = \"current_step\"\ngroup = \"core\"\nneurons = [1]\namplitude = \"1 pA\"\n",
			`stimulus[0].neurons: a stimulus takes neurons or a group, not both`},
		{"pick without of", groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\nneurons = [1]\npick = \"first\"\n", `group[0].pick: pick is for a group that is a part of another`},
		{"set out of range", groupHead + core, "--set group.core.neurons: group[0].neurons: 10 (entry 10 of the list) is out of range"},
		{"stimulus name a number", groupHead + "[[stimulus]]\nname = \"3\"\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"1 pA\"\n",
			`g.toml:9: stimulus[0].name: "3": a stimulus name must not be a number`},
		{"stimulus names twice", groupHead + strings.Repeat("[[stimulus]]\nname = \"s\"\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"1 pA\"\n", 2),
			`g.toml:14: stimulus[1].name: duplicate stimulus name "s" (stimulus[0] has it too)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sets []string
			if strings.HasPrefix(tc.name, "set ") {
				sets = []string{"group.core.neurons=0..10"}
			}
			_, err := DecodeOverrides("g.toml", []byte(tc.text), sets)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %q", err, tc.want)
			}
		})
	}
}

// TestLT2021Groups: the shipped 10s-recall scenario sets N_CA and the cue
// in its groups: 150 and 75 by default, and --set of the core's neurons
// gives learning pulses on 250 neurons and a recall pulse on 125 of them.
func TestLT2021Groups(t *testing.T) {
	text, err := os.ReadFile("../scenarios/lt2021_10s_recall.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sets           []string
		core, cue      int
		cueIsFirstHalf bool
	}{
		{nil, 150, 75, false},
		{[]string{"group.core.neurons=0..249"}, 250, 125, false},
		{[]string{"group.cue.pick=first"}, 150, 75, true},
		{[]string{"group.cue.fraction=0.2"}, 150, 30, false},
	} {
		sc, err := DecodeOverrides("lt2021_10s_recall.toml", text, tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		net, err := sc.Compile()
		if err != nil {
			t.Fatal(err)
		}
		var learn, recall [][]int
		for _, st := range net.Stimuli {
			switch {
			case st.Neurons == nil:
			case st.Start < 15000*5: // ticks of 0.2 ms: before 15 s
				learn = append(learn, st.Neurons)
			default:
				recall = append(recall, st.Neurons)
			}
		}
		if len(learn) != 3 || len(recall) != 1 {
			t.Fatalf("%v: %d learning and %d recall pulses", tc.sets, len(learn), len(recall))
		}
		for _, l := range learn {
			if len(l) != tc.core || l[0] != 0 || l[tc.core-1] != tc.core-1 {
				t.Errorf("%v: a learning pulse on %d neurons, want 0..%d", tc.sets, len(l), tc.core-1)
			}
		}
		cue := recall[0]
		first := true
		for k, m := range cue {
			if m < 0 || m >= tc.core {
				t.Errorf("%v: cued neuron %d outside the core", tc.sets, m)
			}
			first = first && m == k
		}
		if len(cue) != tc.cue || first != tc.cueIsFirstHalf {
			t.Errorf("%v: recall pulse on %d neurons (the first ones: %v), want %d (%v)", tc.sets, len(cue), first, tc.cue, tc.cueIsFirstHalf)
		}
	}
}

// TestRecordGroup: a v or neuron_state record samples a group's members,
// in increasing order.
func TestRecordGroup(t *testing.T) {
	text := groupHead + "[[group]]\nname = \"g\"\npopulation = \"E\"\nneurons = [7, 2, 4]\n\n" +
		"[[record]]\nwhat = \"v\"\ngroup = \"g\"\nsample = \"1 ms\"\n\n" +
		"[[record]]\nwhat = \"rate\"\ngroup = \"g\"\nsample = \"1 ms\"\n"
	_, err := DecodeOverrides("g.toml", []byte(text), nil)
	if err == nil || !strings.Contains(err.Error(), `g.toml:20: record[1].group: a group chooses the neurons of a "v" or "neuron_state" record, not of a "rate" record`) {
		t.Errorf("a rate record with a group: %v", err)
	}
	sc, err := DecodeOverrides("g.toml", []byte(text[:strings.LastIndex(text, "[[record]]")]), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if r := net.Records[0]; !slices.Equal(r.Neurons, []int{2, 4, 7}) || !slices.Equal(r.Populations, []int{0}) {
		t.Errorf("v record of group g: populations %v, neurons %v", r.Populations, r.Neurons)
	}
}
