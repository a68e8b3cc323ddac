package scenario

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/consolidation"
)

// Building blocks of memory-curve scenarios; line numbers in the
// expectations count from 1 at the start of the concatenated text.
const (
	mcHead   = "[simulation]\nseed = 1\n"                                                                              // lines 1-2
	mcTable  = "[memory_curves]\nsynapses = 100\nmemories = [0, 1, 10]\ntrials = 4\n"                                  // 4 lines
	mcBinary = "[[memory_curves.model]]\nmodel = \"binary\"\n"                                                         // 2 lines
	mcFull   = mcHead + mcTable + mcBinary + "[[memory_curves.model]]\nmodel = \"cascade\"\nparams = { depth = 10 }\n" // lines 1-11
)

// mcWith returns the memory_curves table with key replaced by line (or
// removed when line is ""), followed by one binary model: 6 lines.
func mcWith(key, line string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(mcTable, "\n") {
		if strings.HasPrefix(l, key+" =") {
			if line != "" {
				b.WriteString(line + "\n")
			}
			continue
		}
		b.WriteString(l)
	}
	return b.String() + mcBinary
}

// TestMemoryCurvesErrors lists one broken memory-curve scenario per row
// with the exact text of one of its errors, or its prefix when want ends
// in "...".
func TestMemoryCurvesErrors(t *testing.T) {
	const noNet = "a scenario with [memory_curves] has no [[%s]] tables: the experiment drives the synapse models directly, without neurons; move the network to a scenario of its own"
	for _, tc := range []struct {
		name, text, want string
	}{
		// The scenario around the table.
		{"duration", "[simulation]\nduration = \"1 s\"\n" + mcTable + mcBinary,
			`bad.toml:2: simulation.duration: a scenario with [memory_curves] has no duration: its time is counted in memories (memory_curves.memories); remove this key`},
		{"resolution", mcHead + "resolution = \"1 ms\"\n" + mcTable + mcBinary,
			`bad.toml:3: simulation.resolution: a scenario with [memory_curves] has no resolution: ...`},
		{"population", mcHead + mcTable + mcBinary + popE,
			`bad.toml:9: population: ` + strings.Replace(noNet, "%s", "population", 1)},
		{"record", mcHead + mcTable + mcBinary + "[[record]]\nwhat = \"spikes\"\n",
			`bad.toml:9: record: ` + strings.Replace(noNet, "%s", "record", 1)},
		{"not_a_table", "memory_curves = 3\n" + mcHead,
			`bad.toml:1: memory_curves: must be a table, not the integer 3`},
		{"unknown_key", mcHead + mcTable + "trails = 4\n" + mcBinary,
			`bad.toml:7: memory_curves.trails: unknown key "trails" (did you mean "trials"?); valid keys here: synapses, memories, trials, start, burn_in, model`},

		// The table's keys.
		{"synapses_missing", mcHead + mcWith("synapses", ""),
			`bad.toml:3: memory_curves.synapses: required key is missing`},
		{"synapses_one", mcHead + mcWith("synapses", "synapses = 1"),
			`bad.toml:4: memory_curves.synapses: 1: must be >= 2`},
		{"synapses_type", mcHead + mcWith("synapses", "synapses = \"many\""),
			`bad.toml:4: memory_curves.synapses: must be an integer, not the string "many"`},
		{"synapses_huge", mcHead + mcWith("synapses", "synapses = 1e12"),
			`bad.toml:4: memory_curves.synapses: must be an integer, not the float 1e+12`},
		{"memories_missing", mcHead + mcWith("memories", ""),
			`bad.toml:3: memory_curves.memories: required key is missing: give the ages t to measure at, e.g. memories = [0, 10, 100]`},
		{"memories_empty", mcHead + mcWith("memories", "memories = []"),
			`bad.toml:5: memory_curves.memories: is empty: give the ages t to measure at, e.g. memories = [0, 10, 100]`},
		{"memories_unsorted", mcHead + mcWith("memories", "memories = [0, 10,\n  5]"),
			`bad.toml:6: memory_curves.memories[2]: 5: must be greater than the age before it (10): give the ages in increasing order, each once`},
		{"memories_repeated", mcHead + mcWith("memories", "memories = [0, 0]"),
			`bad.toml:5: memory_curves.memories[1]: 0: must be greater than the age before it (0)...`},
		{"memories_negative", mcHead + mcWith("memories", "memories = [-1, 0]"),
			`bad.toml:5: memory_curves.memories[0]: -1: must be >= 0 (t is the number of memories stored after the tracked one)`},
		{"memories_not_integers", mcHead + mcWith("memories", "memories = [0, \"10\"]"),
			`bad.toml:5: memory_curves.memories[1]: must be an integer, not the string "10"`},
		{"trials_one", mcHead + mcWith("trials", "trials = 1"),
			`bad.toml:6: memory_curves.trials: 1: must be >= 2 (a standard error needs two trials)`},
		{"trials_missing", mcHead + mcWith("trials", ""),
			`bad.toml:3: memory_curves.trials: required key is missing`},
		{"start_unknown", mcHead + mcTable + "start = \"equilibrum\"\n" + mcBinary,
			`bad.toml:7: memory_curves.start: unknown start "equilibrum" (did you mean "equilibrium"?): use "equilibrium" (a draw from the stationary distribution) or "model" (the state the model is built with)`},
		{"burn_in_negative", mcHead + mcTable + "burn_in = -3\n" + mcBinary,
			`bad.toml:7: memory_curves.burn_in: -3: must be >= 0`},

		// The model tables.
		{"no_model", mcHead + mcTable,
			`bad.toml:3: memory_curves.model: the experiment has no [[memory_curves.model]] table; it needs at least one`},
		{"model_not_array", mcHead + mcTable + "[memory_curves.model]\nmodel = \"binary\"\n",
			`bad.toml:7: memory_curves.model: must be an array of tables: write [[model]], not [model]`},
		{"model_missing", mcHead + mcTable + "[[memory_curves.model]]\nname = \"x\"\n",
			`bad.toml:7: memory_curves.model[0].model: required key is missing`},
		{"model_unknown", mcHead + mcTable + "[[memory_curves.model]]\nmodel = \"binar\"\nparams = { q = 0.1 }\n",
			`bad.toml:8: memory_curves.model[0].model: unknown consolidation model "binar" (did you mean "binary"?); models with a memory curve: benna_fusi, binary, cascade`},
		{"model_without_curve", mcHead + mcTable + "[[memory_curves.model]]\nmodel = \"fake_plain\"\n",
			`bad.toml:8: memory_curves.model[0].model: fake_plain has no memory-curve setup; models with one: benna_fusi, binary, cascade`},
		{"model_unknown_key", mcHead + mcTable + mcBinary + "q = 0.1\n",
			`bad.toml:9: memory_curves.model[0].q: unknown key "q"; valid keys here: name, model, params`},
		{"param_unknown", mcHead + mcTable + mcBinary + "params = { qq = 0.1 }\n",
			`bad.toml:9: memory_curves.model[0].params.qq: unknown key "qq" (did you mean "q"?); binary takes: q, w_low, w_high, init`},
		{"param_invalid", mcHead + mcTable + mcBinary + "params = {\n  q = 2 }\n",
			`bad.toml:10: memory_curves.model[0].params.q: 2: must be in (0, 1]`},
		{"param_unit", mcHead + mcTable + "[[memory_curves.model]]\nmodel = \"benna_fusi\"\nparams = { time_unit = \"1 mV\" }\n",
			`bad.toml:9: memory_curves.model[0].params.time_unit: "1 mV" is a voltage, but a time is needed (e.g. "20 ms")`},
		{"param_type", mcHead + mcTable + "[[memory_curves.model]]\nmodel = \"cascade\"\nparams = { depth = 2.5 }\n",
			`bad.toml:9: memory_curves.model[0].params.depth: must be an integer, not the float 2.5`},
		{"duplicate_default_names", mcHead + mcTable + mcBinary + mcBinary,
			`bad.toml:9: memory_curves.model[1].name: duplicate model name "binary" (memory_curves.model[0] has it too): name one of them`},
		{"duplicate_names", mcHead + mcTable + mcBinary + "name = \"a\"\n" + mcBinary + "name = \"a\"\n",
			`bad.toml:12: memory_curves.model[1].name: duplicate model name "a" (memory_curves.model[0] has it too): name one of them`},
		{"bad_name", mcHead + mcTable + mcBinary + "name = \"a b\"\n",
			`bad.toml:9: memory_curves.model[0].name: "a b": a name may hold only letters, digits, '_', '-' and '.'`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			s, err := Decode("bad.toml", []byte(tc.text))
			if err == nil {
				t.Fatalf("no error; decoded %+v", s)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
			}
			want, prefix := strings.CutSuffix(tc.want, "...")
			for _, e := range list {
				if got := e.Error(); got == want || (prefix && strings.HasPrefix(got, want)) {
					return
				}
			}
			t.Errorf("errors:\n%v\nwant one that reads:\n%s", err, tc.want)
		})
	}
}

// TestMemoryCurvesOverrideErrors checks that an error on a value that
// --set wrote names the --set key.
func TestMemoryCurvesOverrideErrors(t *testing.T) {
	for _, tc := range []struct {
		set, want string
	}{
		{"memory_curves.trials=0", "bad.toml: --set memory_curves.trials: memory_curves.trials: 0: must be >= 2 (a standard error needs two trials)"},
		{"memory_curves.model.1.params.depth=1", "bad.toml: --set memory_curves.model.1.params.depth: memory_curves.model[1].params.depth: 1: must be an integer in [2, ..."},
		{"memory_curves.model.cascade.params.depth=3", `bad.toml: --set memory_curves.model.cascade.params.depth: no [[memory_curves.model]] table is named "cascade" (none has a name; or give an index from 0 to 1)`},
		{"memory_curves.model.'binary_q0.1'.params.q=2", `bad.toml: --set memory_curves.model.'binary_q0.1'.params.q: memory_curves.model[0].params.q: 2: must be in (0, 1]`},
	} {
		text := mcFull
		if strings.Contains(tc.set, "binary_q0.1") {
			text = mcHead + mcTable + mcBinary + "name = \"binary_q0.1\"\nparams = { q = 0.1 }\n"
		}
		_, err := DecodeOverrides("bad.toml", []byte(text), []string{tc.set})
		if err == nil {
			t.Errorf("--set %s: no error", tc.set)
			continue
		}
		want, prefix := strings.CutSuffix(tc.want, "...")
		if got := err.Error(); got != want && !(prefix && strings.HasPrefix(got, want)) {
			t.Errorf("--set %s:\n got %s\nwant %s", tc.set, got, tc.want)
		}
	}
}

// TestMemoryCurvesRoundTrip decodes the scenario file, checks every field,
// decodes its recorded text (with overrides) again to the same spec, and
// checks compiling, re-validation and the seeds of Config.
func TestMemoryCurvesRoundTrip(t *testing.T) {
	s, err := Load("../scenarios/memory_curves.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := s.MemoryCurves
	if m == nil || s.Name != "memory_curves" || s.Seed != 1 || s.Duration != 0 || len(s.Populations) != 0 {
		t.Fatalf("scenario: %+v", s)
	}
	if m.Synapses != 10000 || m.Trials < 2 || m.Start != consolidation.StartEquilibrium || m.BurnIn != 0 ||
		!reflect.DeepEqual(m.Memories, []int{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}) {
		t.Errorf("spec: %+v", m)
	}
	b, c, bf := consolidation.DefaultBinary(), consolidation.DefaultCascade(), consolidation.DefaultBennaFusi()
	b.Q, c.Depth, bf.Variables = 0.1, 10, 12
	want := []*MemoryCurveModel{
		{Name: "binary_q0.1", Model: "binary", Params: &b},
		{Name: "cascade_10", Model: "cascade", Params: &c},
		{Name: "benna_fusi_12", Model: "benna_fusi", Params: &bf},
	}
	if len(m.Models) != len(want) {
		t.Fatalf("%d models, want %d", len(m.Models), len(want))
	}
	for i, w := range want {
		g := m.Models[i]
		if g.Name != w.Name || g.Model != w.Model || !reflect.DeepEqual(g.Params, w.Params) {
			t.Errorf("model %d: got %s %s %+v, want %s %s %+v", i, g.Name, g.Model, g.Params, w.Name, w.Model, w.Params)
		}
	}

	// The recorded text with its overrides decodes to the same spec as the
	// file with the overrides.
	sets := []string{"memory_curves.trials=3", "memory_curves.start=model", "memory_curves.burn_in=7",
		"memory_curves.model.'binary_q0.1'.params.q=0.05", "simulation.seed=9"}
	o, err := LoadOverrides("../scenarios/memory_curves.toml", sets)
	if err != nil {
		t.Fatal(err)
	}
	if o.MemoryCurves.Trials != 3 || o.MemoryCurves.Start != consolidation.StartModel || o.MemoryCurves.BurnIn != 7 || o.Seed != 9 ||
		o.MemoryCurves.Models[0].Params.(*consolidation.BinaryParams).Q != 0.05 {
		t.Errorf("overrides not applied: %+v, seed %d", o.MemoryCurves, o.Seed)
	}
	again, err := DecodeOverrides("again.toml", []byte(o.RecordedText()), o.Overrides)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.MemoryCurves, o.MemoryCurves) {
		t.Errorf("recorded text decodes to\n%+v\nnot\n%+v", again.MemoryCurves, o.MemoryCurves)
	}

	// Compile gives an empty network; Compile validates again.
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if len(net.Populations) != 0 || len(net.Projections) != 0 || net.Duration != 0 || net.Name != "memory_curves" {
		t.Errorf("network: %+v", net)
	}
	s.Populations = append(s.Populations, &PopulationSpec{Name: "E", Size: 1})
	s.Duration = 1000
	if _, err := s.Compile(); err == nil || !strings.Contains(err.Error(), "population: a scenario with [memory_curves] has no [[population]] tables") ||
		!strings.Contains(err.Error(), "simulation.duration: a scenario with [memory_curves] has no duration") {
		t.Errorf("Compile of a memory-curve scenario with a population and a duration: %v", err)
	}

	// Config: the spec's settings, and a seed per model name that does not
	// depend on the other models.
	cfg := m.Config(1, 1)
	if cfg.N != 10000 || cfg.Trials != m.Trials || !reflect.DeepEqual(cfg.Times, m.Memories) || cfg.Start != m.Start {
		t.Errorf("Config: %+v", cfg)
	}
	if cfg.Seed == m.Config(1, 0).Seed || cfg.Seed == m.Config(2, 1).Seed || cfg.Seed != m.Config(1, 1).Seed {
		t.Error("Config seeds: not one per model and scenario seed")
	}
	reordered := mcHead + mcTable + "[[memory_curves.model]]\nmodel = \"cascade\"\nname = \"cascade_10\"\n"
	r, err := Decode("r.toml", []byte(reordered))
	if err != nil {
		t.Fatal(err)
	}
	if r.MemoryCurves.Config(1, 0).Seed != cfg.Seed {
		t.Error("a model's seed depends on the other models")
	}
	cfg.Times[0] = 99
	if m.Memories[0] == 99 {
		t.Error("Config shares Memories")
	}
}
