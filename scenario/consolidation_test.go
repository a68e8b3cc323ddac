package scenario

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"

	"github.com/snnsim/snnsim/netlist"
)

// Two consolidation models of the tests' own, so that the expectations do
// not depend on package consolidation's models (which Lookup also finds).

// fakeSTC reads a neuromodulator and the inhibitor.
type fakeSTC struct {
	ThetaP float64 `toml:"theta_p"`
	TauH   float64 `toml:"tau_h" unit:"ms"`
	Mode   string  `toml:"mode"`
}

func (p *fakeSTC) Model() string { return "fake_stc" }
func (p *fakeSTC) Validate() error {
	c := snnsim.CheckParams("consolidation", p.Model(), p)
	c.NonNegative("theta_p", p.ThetaP)
	c.Positive("tau_h", p.TauH)
	return c.Err()
}
func (p *fakeSTC) Modulators() []string { return []string{"dopamine", "inhibitor"} }
func (p *fakeSTC) Vars() []string       { return []string{"efficacy", "h", "z"} }

// fakePlain reads no level.
type fakePlain struct {
	Rate float64 `toml:"rate"`
}

func (p *fakePlain) Model() string        { return "fake_plain" }
func (p *fakePlain) Validate() error      { return nil }
func (p *fakePlain) Modulators() []string { return nil }
func (p *fakePlain) Vars() []string       { return []string{"w"} }

func init() {
	real := consolidationModels
	fakes := map[string]func() consolidation.Params{
		"fake_stc":   func() consolidation.Params { return &fakeSTC{ThetaP: 60, TauH: 3.6e6, Mode: "a"} },
		"fake_plain": func() consolidation.Params { return &fakePlain{Rate: 1} },
	}
	consolidationModels.lookup = func(name string) (consolidation.Params, bool) {
		if f, ok := fakes[name]; ok {
			return f(), true
		}
		return real.lookup(name)
	}
	consolidationModels.names = func() []string {
		return slices.Sorted(slices.Values(append(real.names(), "fake_plain", "fake_stc")))
	}
}

// cproj is a projection from -> to (all to all) with a consolidation
// table: 8 lines, the consolidation key on the last.
func cproj(from, to, cons string) string {
	return proj(from, to, `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) + "consolidation = " + cons + "\n"
}

// stcBase is lines 1-18: E (lines 3-6), P (7-10) and P_to_E with fake_stc
// (11-18, consolidation on 18).
var stcBase = head + popE + popP + cproj("P", "E", `{ model = "fake_stc" }`)

// plainBase has no consolidation: lines 1-17, projection P_to_E on 11-17.
var plainBase = head + popE + popP + proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`)

const (
	nmE    = "[[neuromodulator]]\npopulation = \"E\"\nname = \"dopamine\"\n" // 3 lines
	drugE  = "[[drug]]\nkind = \"protein_synthesis_inhibitor\"\npopulation = \"E\"\nstart = \"1 s\"\n"
	synRec = "[[record]]\nwhat = \"synapses\"\nprojection = \"P_to_E\"\n" // 3 lines
	nsRec  = "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\n"  // 3 lines
)

// TestConsolidationErrors lists one broken scenario per row with the exact
// text of one of its errors ("file:line: key: message"), or its prefix
// when want ends in "...".
func TestConsolidationErrors(t *testing.T) {
	const shared = ": all projections onto one population must use the same consolidation model with identical parameters (they share the model's per-neuron state, such as protein)"
	for _, tc := range []struct {
		name, text, want string
	}{
		// The consolidation key.
		{"unknown_model", head + popE + popP + cproj("P", "E", `{ model = "fake_stcc" }`),
			`bad.toml:18: projection[0].consolidation.model: unknown consolidation model "fake_stcc" (did you mean "fake_stc"?) (known: ...`},
		{"missing_model", head + popE + popP + cproj("P", "E", `{ theta_p = 1 }`),
			`bad.toml:18: projection[0].consolidation.model: required key is missing`},
		{"not_a_table", head + popE + popP + cproj("P", "E", `"fake_stc"`),
			`bad.toml:18: projection[0].consolidation: must be a table, not the string "fake_stc"`},
		{"unknown_param", head + popE + popP + cproj("P", "E", `{ model = "fake_stc", theta_q = 1 }`),
			`bad.toml:18: projection[0].consolidation.theta_q: unknown key "theta_q" (did you mean "theta_p"?); fake_stc takes: model, theta_p, tau_h, mode`},
		{"param_unit", head + popE + popP + cproj("P", "E", `{ model = "fake_stc", tau_h = "1 mV" }`),
			`bad.toml:18: projection[0].consolidation.tau_h: "1 mV" is a voltage, but a time is needed (e.g. "20 ms")`},
		{"param_type", head + popE + popP + cproj("P", "E", `{ model = "fake_stc", mode = 3 }`),
			`bad.toml:18: projection[0].consolidation.mode: must be a string, not the integer 3`},
		{"param_invalid", head + popE + popP + cproj("P", "E", "{ model = \"fake_stc\",\n  theta_p = -1 }"),
			`bad.toml:19: projection[0].consolidation.theta_p: -1: must be >= 0`},
		{"other_model_onto_same_population", stcBase + cproj("E", "E", `{ model = "fake_plain" }`),
			`bad.toml:26: projection[1].consolidation: model fake_plain differs from the model fake_stc of projection[0] (P_to_E) onto E` + shared},
		{"other_params_onto_same_population", stcBase + cproj("E", "E", `{ model = "fake_stc", theta_p = 50 }`),
			`bad.toml:26: projection[1].consolidation: fake_stc: the parameters differ from those of projection[0] (P_to_E) onto E (theta_p = 50 here, 60 there)` + shared},
		{"other_params_with_unit", stcBase + cproj("E", "E", `{ model = "fake_stc", tau_h = "2 h" }`),
			`bad.toml:26: projection[1].consolidation: fake_stc: the parameters differ from those of projection[0] (P_to_E) onto E (tau_h = 7.2e+06 ms here, 3.6e+06 ms there)` + shared},

		{"arrival_timed_delay", head + popE + popP + cproj("P", "E", `{ model = "luboeinski_tetzlaff_2021" }`),
			`bad.toml:17: projection[0].delay: luboeinski_tetzlaff_2021 assumes every spike of the projection arrives 3 ms after it is emitted (its parameter delay): give the projection that fixed delay, or set consolidation.delay to the projection's`},

		// [[neuromodulator]].
		{"nm_undefined_population", stcBase + "[[neuromodulator]]\npopulation = \"F\"\nname = \"dopamine\"\nwindows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:20: neuromodulator[0].population: undefined population "F" (did you mean "E"?); populations: E, P`},
		{"nm_source_population", stcBase + "[[neuromodulator]]\npopulation = \"P\"\nname = \"dopamine\"\nwindows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:20: neuromodulator[0].population: "P" is a poisson source: the population of a neuromodulator must be a neuron population`},
		{"nm_missing_name", stcBase + "[[neuromodulator]]\npopulation = \"E\"\nwindows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:19: neuromodulator[0].name: required key is missing`},
		{"nm_name_not_read", stcBase + "[[neuromodulator]]\npopulation = \"E\"\nname = \"dopamin\"\nwindows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:21: neuromodulator[0].name: the consolidation model fake_stc of the projections onto E reads no level "dopamin" (did you mean "dopamine"?); names accepted there: "dopamine", "inhibitor"`},
		{"nm_no_consolidation", plainBase + nmE + "windows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:20: neuromodulator[0].name: no projection onto E has consolidation, so no neuromodulator acts there: give a projection onto E a consolidation table`},
		{"nm_model_reads_none", head + popE + popP + cproj("P", "E", `{ model = "fake_plain" }`) + nmE + "windows = [[\"1 s\", \"2 s\"]]\n",
			`bad.toml:21: neuromodulator[0].name: the consolidation model fake_plain of the projections onto E reads no level "dopamine"; names accepted there: none: the model reads no level`},
		{"nm_no_time_course", stcBase + nmE,
			`bad.toml:19: neuromodulator[0]: give the level's time course: windows = [["start", "stop"], ...] or schedule = [{ at = "...", level = x }, ...]`},
		{"nm_windows_and_schedule", stcBase + nmE + "windows = [[\"1 s\", \"2 s\"]]\nschedule = [{ at = \"1 s\", level = 1 }]\n",
			`bad.toml:23: neuromodulator[0].schedule: give windows or schedule, not both`},
		{"nm_windows_overlap", stcBase + nmE + "windows = [[\"1 ms\", \"3 ms\"], [\"2 ms\", \"4 ms\"]]\n",
			`bad.toml:22: neuromodulator[0].windows[1]: starts at 2 ms, before the window before it ends (3 ms): give windows in time order, without overlap`},
		{"nm_window_empty", stcBase + nmE + "windows = [[\"3 ms\", \"3 ms\"]]\n",
			`bad.toml:22: neuromodulator[0].windows: [3 ms, 3 ms]: stop must be after start`},
		{"nm_window_negative", stcBase + nmE + "windows = [\"-1 ms\", \"3 ms\"]\n",
			`bad.toml:22: neuromodulator[0].windows: starts at -1 ms: must be >= 0`},
		{"nm_window_off_grid", stcBase + nmE + "windows = [[\"0.05 ms\", \"3 ms\"]]\n",
			`bad.toml:22: neuromodulator[0].windows: duration 0.05 ms is not a whole number of ticks of 0.1 ms...`},
		{"nm_window_not_time", stcBase + nmE + "windows = [[\"1 s\", \"2 Hz\"]]\n",
			`bad.toml:22: neuromodulator[0].windows[0][1]: "2 Hz" is a frequency, but a time is needed (e.g. "20 ms")`},
		{"nm_windows_empty", stcBase + nmE + "windows = []\n",
			`bad.toml:22: neuromodulator[0].windows: must be ["start", "stop"] or a list of such pairs, not an array`},
		{"nm_level_dimension", stcBase + nmE + "windows = [[\"1 s\", \"2 s\"]]\nlevel = \"1 mV\"\n",
			`bad.toml:23: neuromodulator[0].level: "1 mV" is a voltage, but a dimensionless is needed (e.g. "1")`},
		{"nm_level_with_schedule", stcBase + nmE + "schedule = [{ at = \"1 s\", level = 1 }]\nlevel = 2\n",
			`bad.toml:23: neuromodulator[0].level: level is the level inside windows; a schedule gives each step's level`},
		{"nm_schedule_order", stcBase + nmE + "schedule = [{ at = \"2 ms\", level = 1 },\n  { at = \"1 ms\", level = 0 }]\n",
			`bad.toml:23: neuromodulator[0].schedule[1].at: 1 ms: must be after the step before it (2 ms): give the steps in time order`},
		{"nm_schedule_missing_at", stcBase + nmE + "schedule = [{ level = 1 }]\n",
			`bad.toml:22: neuromodulator[0].schedule[0].at: required key is missing`},
		{"nm_schedule_level_not_finite", stcBase + nmE + "schedule = [{ at = \"1 s\", level = nan }]\n",
			`bad.toml:22: neuromodulator[0].schedule[0].level: NaN is not finite`},
		{"nm_schedule_negative", stcBase + nmE + "schedule = [{ at = \"-1 s\", level = 1 }]\n",
			`bad.toml:22: neuromodulator[0].schedule[0].at: -1000 ms: must be >= 0`},
		{"nm_schedule_empty", stcBase + nmE + "schedule = []\n",
			`bad.toml:22: neuromodulator[0].schedule: the schedule is empty: give at least one step { at = "...", level = x }`},
		{"nm_schedule_unknown_key", stcBase + nmE + "schedule = [{ at = \"1 s\", levl = 1 }]\n",
			`bad.toml:22: neuromodulator[0].schedule[0].levl: unknown key "levl" (did you mean "level"?)...`},
		{"nm_twice", stcBase + nmE + "windows = [[\"1 s\", \"2 s\"]]\n" + nmE + "windows = [[\"3 s\", \"4 s\"]]\n",
			`bad.toml:25: neuromodulator[1].name: neuromodulator[0] already sets dopamine of E: give all its windows or steps in one table`},
		{"nm_unknown_key", stcBase + nmE + "windows = [[\"1 s\", \"2 s\"]]\nwindow = 1\n",
			`bad.toml:23: neuromodulator[0].window: unknown key "window" (did you mean "windows"?)...`},

		// [[drug]].
		{"drug_unknown_kind", stcBase + "[[drug]]\nkind = \"protein_synthesis_inhibiter\"\npopulation = \"E\"\nstart = \"1 s\"\n",
			`bad.toml:20: drug[0].kind: unknown drug kind "protein_synthesis_inhibiter" (did you mean "protein_synthesis_inhibitor"?): the only kind is "protein_synthesis_inhibitor"`},
		{"drug_missing_start", stcBase + "[[drug]]\nkind = \"protein_synthesis_inhibitor\"\npopulation = \"E\"\n",
			`bad.toml:19: drug[0].start: required key is missing`},
		{"drug_stop_before_start", stcBase + drugE + "stop = \"0.5 s\"\n",
			`bad.toml:23: drug[0].stop: 500 ms: must be after start (1000 ms)`},
		{"drug_start_off_grid", stcBase + "[[drug]]\nkind = \"protein_synthesis_inhibitor\"\npopulation = \"E\"\nstart = \"0.01 ms\"\n",
			`bad.toml:22: drug[0].start: duration 0.01 ms is not a whole number of ticks of 0.1 ms...`},
		{"drug_no_inhibitor", head + popE + popP + cproj("P", "E", `{ model = "fake_plain" }`) + drugE,
			`bad.toml:20: drug[0].kind: the consolidation model fake_plain of the projections onto E reads no level "inhibitor"; names accepted there: none: the model reads no level`},
		{"drug_no_consolidation", plainBase + drugE,
			`bad.toml:19: drug[0].kind: no projection onto E has consolidation, so no drug acts there: give a projection onto E a consolidation table`},
		{"drug_source_population", stcBase + "[[drug]]\nkind = \"protein_synthesis_inhibitor\"\npopulation = \"P\"\nstart = \"1 s\"\n",
			`bad.toml:21: drug[0].population: "P" is a poisson source: the population a drug is applied to must be a neuron population`},
		{"drug_overlap", stcBase + drugE + "[[drug]]\nkind = \"protein_synthesis_inhibitor\"\npopulation = \"E\"\nstart = \"0.5 s\"\nstop = \"2 s\"\n",
			`bad.toml:26: drug[1].start: drug[0] (protein_synthesis_inhibitor) is applied to E during this one: applications of one drug to a population must not overlap`},
		{"drug_and_inhibitor_neuromodulator", stcBase + "[[neuromodulator]]\npopulation = \"E\"\nname = \"inhibitor\"\nwindows = [\"0 s\", \"1 s\"]\n" + drugE,
			`bad.toml:24: drug[0].kind: neuromodulator[0] already sets the level "inhibitor" of E that this drug sets`},

		// Records of consolidation state.
		{"synapses_unknown_variable", stcBase + synRec + "variables = [\"efficacy\", \"zz\"]\n",
			`bad.toml:22: record[0].variables[1]: projection P_to_E has no variable "zz" (did you mean "z"?): the variables of fake_stc are "efficacy", "h", "z"`},
		{"synapses_variable_twice", stcBase + synRec + "variables = [\"h\", \"h\"]\n",
			`bad.toml:22: record[0].variables[1]: variable "h" is listed twice`},
		{"synapses_without_consolidation", plainBase + synRec + "variables = [\"efficacy\"]\n",
			`bad.toml:21: record[0].variables[0]: projection P_to_E has no variable "efficacy": a projection without consolidation has only the variable "weight"`},
		{"synapses_variables_empty", stcBase + synRec + "variables = []\n",
			`bad.toml:22: record[0].variables: is empty: name at least one variable, or leave variables out to record every one`},
		{"synapses_missing_projection", stcBase + "[[record]]\nwhat = \"synapses\"\n",
			`bad.toml:19: record[0].projection: required key is missing`},
		{"synapses_unknown_projection", stcBase + "[[record]]\nwhat = \"synapses\"\nprojection = \"P_to_F\"\n",
			`bad.toml:21: record[0].projection: no projection is called "P_to_F" (did you mean "P_to_E"?)`},
		{"synapses_and_sample", stcBase + synRec + "synapses = [1, 2]\nsample = 5\n",
			`bad.toml:23: record[0].sample: give synapses = [indices] or sample = n, not both`},
		{"synapses_sample_is_time", stcBase + synRec + "sample = \"1 min\"\n",
			`bad.toml:22: record[0].sample: must be the number of synapses chosen at random, not the string "1 min": the sampling interval of a synapses record is interval = "1 min"`},
		{"synapses_sample_zero", stcBase + synRec + "sample = 0\n",
			`bad.toml:22: record[0].sample: 0: the number of synapses sampled must be between 1 and 2147483647`},
		{"synapses_listed_twice", stcBase + synRec + "synapses = [1, 1]\n",
			`bad.toml:22: record[0].synapses[1]: synapse 1 is listed twice`},
		{"synapses_interval_off_grid", stcBase + synRec + "interval = \"0.05 ms\"\n",
			`bad.toml:22: record[0].interval: duration 0.05 ms is not a whole number of ticks of 0.1 ms...`},
		{"synapses_interval_unit", stcBase + synRec + "interval = 5\n",
			`bad.toml:22: record[0].interval: the number 5 has no unit: write a time as a string such as ...`},
		{"synapses_interval_negative", stcBase + synRec + "interval = \"-1 s\"\n",
			`bad.toml:22: record[0].interval: -1000 ms: must be > 0`},
		{"synapses_window_overlap", stcBase + synRec + "window = [[\"0 s\", \"1 s\"], [\"0.5 s\", \"1 s\"]]\n",
			`bad.toml:22: record[0].window[1]: starts at 500 ms, before the window before it ends (1000 ms)...`},
		{"synapses_populations", stcBase + synRec + "populations = [\"E\"]\n",
			`bad.toml:22: record[0].populations: unknown key "populations"; valid keys here: what, projection, synapses, sample, variables, interval, window, final`},
		{"pathway_synapses", stcBase + "[[record]]\nwhat = \"pathway\"\nprojection = \"P_to_E\"\nsynapses = [1]\n",
			`bad.toml:22: record[0].synapses: unknown key "synapses"; valid keys here: what, projection, variables, interval, window, final, split`},
		{"pathway_sample", stcBase + "[[record]]\nwhat = \"pathway\"\nprojection = \"P_to_E\"\nsample = \"1 min\"\n",
			`bad.toml:22: record[0].sample: a pathway record has no sample: its sampling interval is interval = "1 min" (the default)`},
		{"pathway_unknown_variable", stcBase + "[[record]]\nwhat = \"pathway\"\nprojection = \"P_to_E\"\nvariables = [\"weight\"]\n",
			`bad.toml:22: record[0].variables[0]: projection P_to_E has no variable "weight": the variables of fake_stc are "efficacy", "h", "z"`},
		{"split_across_populations", stcBase + "[[record]]\nwhat = \"pathway\"\nprojection = \"P_to_E\"\nsplit = { a = \"0..4\" }\n",
			`bad.toml:22: record[0].split: projection P_to_E runs from P to E: split needs a projection within one population, whose sets name both ends`},
		{"split_synapses", stcBase + synRec + "split = { a = \"0..4\" }\n",
			`bad.toml:22: record[0].split: a synapses record has no split: record what = "pathway" for statistics by neuron set`},
		{"split_not_table", stcBase + nsRec + "split = \"0..4\"\n",
			`bad.toml:22: record[0].split: must be a table of named neuron sets, e.g. split = { core = "0..149", ctrl = "rest" }, not the string "0..4"`},
		{"split_range", stcBase + nsRec + "split = { a = \"0..12\" }\n",
			`bad.toml:22: record[0].split.a: "0..12" lies outside the population's indices 0..9`},
		{"split_empty_range", stcBase + nsRec + "split = { a = \"5..2\" }\n",
			`bad.toml:22: record[0].split.a: "5..2" is an empty range (A..B needs A <= B)`},
		{"split_not_selector", stcBase + nsRec + "split = { a = \"core\" }\n",
			`bad.toml:22: record[0].split.a: "core" is not an index or a range A..B`},
		{"split_overlap", stcBase + nsRec + "split = { a = \"0..5\", b = [3, 9] }\n",
			`bad.toml:22: record[0].split.b: neuron 3 is in sets "a" and "b": the sets must be disjoint`},
		{"split_two_rests", stcBase + nsRec + "split = { a = \"rest\", b = \"rest\" }\n",
			`bad.toml:22: record[0].split.b: sets "a" and "b" are both "rest": only one set can hold the rest`},
		{"split_empty_rest", stcBase + nsRec + "split = { a = \"0..9\", b = \"rest\" }\n",
			`bad.toml:22: record[0].split.b: "rest" is empty: the other sets hold every neuron`},
		{"split_bad_name", stcBase + nsRec + "split = { \"a-b\" = \"0..4\" }\n",
			`bad.toml:22: record[0].split.a-b: the set name "a-b" must be letters, digits and _ (it is part of the series names)`},
		{"split_list_type", stcBase + nsRec + "split = { a = [1, \"x\"] }\n",
			`bad.toml:22: record[0].split.a[1]: must be a member index (an integer >= 0), not the string "x"`},
		{"split_and_neurons", stcBase + nsRec + "neurons = [1]\nsplit = { a = \"0..4\" }\n",
			`bad.toml:23: record[0].split: split and neurons exclude each other: the sets choose the neurons`},
		{"neuron_state_missing_population", stcBase + "[[record]]\nwhat = \"neuron_state\"\n",
			`bad.toml:19: record[0].population: required key is missing`},
		{"neuron_state_populations", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\npopulations = [\"E\"]\n",
			`bad.toml:22: record[0].populations: unknown key "populations" (did you mean "population"?)...`},
		{"neuron_state_source", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"P\"\n",
			`bad.toml:21: record[0].population: "P" is a poisson source: the population of a neuron_state record must be a neuron population`},
		{"neuron_state_neuron_range", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\nneurons = [0,\n  10]\n",
			`bad.toml:23: record[0].neurons[1]: 10 is out of range: E has 10 members (0..9)`},
		{"neuron_state_empty_variable", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\nvariables = [\"p\", \"\"]\n",
			`bad.toml:22: record[0].variables[1]: a variable name must not be empty`},
		{"neuron_state_variable_type", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\nvariables = [\"p\", 3]\n",
			`bad.toml:22: record[0].variables[1]: must be a string, not the integer 3`},
		{"neuron_state_sample", stcBase + "[[record]]\nwhat = \"neuron_state\"\npopulation = \"E\"\nsample = \"1 s\"\n",
			`bad.toml:22: record[0].sample: a neuron_state record has no sample: its sampling interval is interval = "1 min" (the default)`},
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
			if !hasError(list, tc.want) {
				t.Errorf("errors:\n%v\nwant one that is:\n%s", err, tc.want)
			}
		})
	}
}

// hasError reports whether one error of list has the text want, or starts
// with it when want ends in "...".
func hasError(list ErrorList, want string) bool {
	prefix, isPrefix := strings.CutSuffix(want, "...")
	for _, e := range list {
		if got := e.Error(); got == want || isPrefix && strings.HasPrefix(got, prefix) {
			return true
		}
	}
	return false
}

// TestConsolidationCompileErrors: errors that need the compiled network.
func TestConsolidationCompileErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"sample_above_size", stcBase + synRec + "sample = 101\n",
			`bad.toml:22: record[0].sample: 101: projection P_to_E has only 100 synapses`},
		{"synapse_out_of_range", stcBase + synRec + "synapses = [3, 100]\n",
			`bad.toml:22: record[0].synapses: synapse 100 is out of range: projection P_to_E has 100 synapses (0..99)`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			s, err := Decode("bad.toml", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Compile()
			var list ErrorList
			if !errors.As(err, &list) || !hasError(list, tc.want) {
				t.Errorf("Compile: %v\nwant %s", err, tc.want)
			}
		})
	}
}

// stcScenario has two pathways onto E with the same consolidation model,
// neuromodulator windows and a schedule, two drug applications and the
// three state records.
const stcScenario = `
[simulation]
duration = "3 h"
seed     = 11

[[population]]
name  = "E"
size  = 4
model = "lif_exp_current"

[[population]]
name   = "S1"
size   = 100
model  = "stc_protocol"
params = { protocol = "STET", start = "30 min" }

[[population]]
name   = "S2"
size   = 100
model  = "stc_protocol"
params = { protocol = "wtet", start = "1 h" }

[[population]]
name  = "I"
size  = 2
model = "lif_delta"

[[projection]]
from          = "S1"
to            = "E"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "1 mV"
delay         = "1 ms"
consolidation = { model = "fake_stc", theta_p = 40, tau_h = "2 h", mode = "b" }

[[projection]]
from          = "S2"
to            = "E"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "1 mV"
delay         = "1 ms"
plasticity    = { rule = "pair", w_max = 2 }
consolidation = { model = "fake_stc", theta_p = 40, tau_h = "2 h", mode = "b" }

[[projection]]
from     = "S1"
to       = "I"
receptor = "exc"
connect  = { rule = "all_to_all" }
weight   = "1 mV"
delay    = "1 ms"
consolidation = { model = "fake_plain" }

[[projection]]
name     = "plain"
from     = "E"
to       = "I"
receptor = "exc"
connect  = { rule = "all_to_all" }
weight   = "1 mV"
delay    = "1 ms"

[[neuromodulator]]
population = "E"
name       = "dopamine"
windows    = [["31 min", "32 min"], ["32 min", "33 min"]]
level      = 0.5

[[drug]]
kind       = "protein_synthesis_inhibitor"
population = "E"
start      = "20 min"
stop       = "40 min"

[[drug]]
kind       = "protein_synthesis_inhibitor"
population = "E"
start      = "2 h"

[[record]]
what       = "synapses"
projection = "S1_to_E"
sample     = 5
variables  = ["z", "efficacy"]

[[record]]
what       = "synapses"
projection = "plain"
synapses   = [3, 1]
interval   = "10 s"
window     = ["0 s", "1 h"]

[[record]]
what       = "pathway"
projection = "S2_to_E"

[[record]]
what       = "neuron_state"
population = "E"
neurons    = [3, 0]
variables  = ["p", "tags"]
interval   = "30 s"

[[record]]
what       = "pathway"
projection = "S1_to_I"
`

// TestCompileConsolidation decodes and compiles stcScenario and checks the
// consolidation parameters, the level changes and the records.
func TestCompileConsolidation(t *testing.T) {
	s, err := Decode("stc.toml", []byte(stcScenario))
	if err != nil {
		t.Fatal(err)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	want := &fakeSTC{ThetaP: 40, TauH: 7.2e6, Mode: "b"}
	for k := range 2 {
		if got := net.Projections[k].Consolidation; !reflect.DeepEqual(got, want) {
			t.Errorf("projection %d: Consolidation = %#v, want %#v", k, got, want)
		}
	}
	if net.Projections[0].Consolidation == s.Projections[0].Consolidation {
		t.Error("the network shares the scenario's consolidation parameters")
	}
	if net.Projections[1].Plasticity == nil {
		t.Error("projection 1 lost its plasticity")
	}
	if got := net.Projections[2].Consolidation; !reflect.DeepEqual(got, &fakePlain{Rate: 1}) {
		t.Errorf("projection 2: Consolidation = %#v", got)
	}
	if net.Projections[3].Consolidation != nil {
		t.Errorf("projection 3 without consolidation: %#v", net.Projections[3].Consolidation)
	}
	// 1 min = 600 000 ticks at 0.1 ms. The drug windows come after the
	// neuromodulator's changes at equal ticks; the stop of the first window
	// stays before the start of the second.
	const min = snnsim.Time(600000)
	wantMods := []netlist.Modulation{
		{Population: 0, Name: "inhibitor", At: 20 * min, Level: 1},
		{Population: 0, Name: "dopamine", At: 31 * min, Level: 0.5},
		{Population: 0, Name: "dopamine", At: 32 * min, Level: 0},
		{Population: 0, Name: "dopamine", At: 32 * min, Level: 0.5},
		{Population: 0, Name: "dopamine", At: 33 * min, Level: 0},
		{Population: 0, Name: "inhibitor", At: 40 * min, Level: 0},
		{Population: 0, Name: "inhibitor", At: 120 * min, Level: 1},
	}
	if !reflect.DeepEqual(net.Modulations, wantMods) {
		t.Errorf("Modulations:\n got %v\nwant %v", net.Modulations, wantMods)
	}

	// Records. The sample of 5 synapses is drawn from the stream
	// sample/S1_to_E: distinct, increasing, in range, reproducible.
	r0 := net.Records[0]
	if r0.What != netlist.RecordSynapses || r0.Projection != 0 || r0.Interval != min || len(r0.Synapses) != 5 ||
		!slices.Equal(r0.Variables, []string{"z", "efficacy"}) || r0.Windows != nil || r0.Populations != nil {
		t.Errorf("record 0 = %+v", r0)
	}
	for k, x := range r0.Synapses {
		if x < 0 || x >= net.Projections[0].Len() || k > 0 && x <= r0.Synapses[k-1] {
			t.Errorf("record 0: sampled synapses %v are not distinct, increasing and in range", r0.Synapses)
		}
	}
	again, _ := s.Compile()
	if !slices.Equal(again.Records[0].Synapses, r0.Synapses) {
		t.Errorf("the sample differs between compilations: %v, %v", r0.Synapses, again.Records[0].Synapses)
	}
	s.Seed = 12
	other, _ := s.Compile()
	if slices.Equal(other.Records[0].Synapses, r0.Synapses) {
		t.Errorf("seeds 11 and 12 sampled the same synapses %v", r0.Synapses)
	}
	wantRecs := []*netlist.Record{
		nil,
		{What: netlist.RecordSynapses, Projection: 3, Synapses: []int{1, 3}, Interval: 100000, Windows: []netlist.Window{{Start: 0, Stop: 60 * min}},
			Variables: []string{"weight"}},
		{What: netlist.RecordPathway, Projection: 1, Interval: min, Variables: []string{"efficacy", "h", "z"}},
		{What: netlist.RecordNeuronState, Populations: []int{0}, Neurons: []int{0, 3}, Interval: 300000, Variables: []string{"p", "tags"}},
		{What: netlist.RecordPathway, Projection: 2, Interval: min, Variables: []string{"w"}},
	}
	for i, w := range wantRecs {
		if w != nil && !reflect.DeepEqual(net.Records[i], w) {
			t.Errorf("record %d = %+v\nwant %+v", i, net.Records[i], w)
		}
	}
	for _, k := range []netlist.RecordKind{netlist.RecordSynapses, netlist.RecordPathway, netlist.RecordNeuronState} {
		if !k.Sampled() || !k.State() {
			t.Errorf("%s: Sampled() = %v, State() = %v", k, k.Sampled(), k.State())
		}
	}
}

// TestNeuromodulatorSchedule: a schedule compiles to one change per step,
// and a drug without stop to one change.
func TestNeuromodulatorSchedule(t *testing.T) {
	text := stcBase + nmE + "schedule = [{ at = \"30 min\", level = 0.5 }, { at = \"40 min\", level = 2 },\n  { at = \"50 min\", level = 0 }]\n" + drugE
	s, err := Decode("s.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Neuromodulators[0].Schedule; !reflect.DeepEqual(got, []LevelStep{{1.8e6, 0.5}, {2.4e6, 2}, {3e6, 0}}) {
		t.Errorf("Schedule = %v", got)
	}
	if g := s.Drugs[0]; g.Start != 1000 || !math.IsInf(g.Stop, 1) || g.Kind != "protein_synthesis_inhibitor" {
		t.Errorf("drug = %+v", g)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	want := []netlist.Modulation{
		{Population: 0, Name: InhibitorLevel, At: 10000, Level: 1},
		{Population: 0, Name: "dopamine", At: 18e6, Level: 0.5},
		{Population: 0, Name: "dopamine", At: 24e6, Level: 2},
		{Population: 0, Name: "dopamine", At: 30e6, Level: 0},
	}
	if !reflect.DeepEqual(net.Modulations, want) {
		t.Errorf("Modulations = %v, want %v", net.Modulations, want)
	}
}

// TestSTCProtocolPopulation: the stc_protocol source decodes from a
// scenario, and a bad protocol is reported at its key.
func TestSTCProtocolPopulation(t *testing.T) {
	s, err := Decode("stc.toml", []byte(stcScenario))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Populations[2].Source; p == nil || p.Model() != "stc_protocol" || reflect.ValueOf(p).Elem().Field(0).String() != "wtet" {
		t.Errorf("S2's source = %#v", p)
	}
	bad := head + "[[population]]\nname = \"S\"\nsize = 1\nmodel = \"stc_protocol\"\nparams = { protocol = \"TBS\" }\n"
	_, err = Decode("bad.toml", []byte(bad))
	want := `bad.toml:7: population[0].params.protocol: "TBS": unknown protocol; protocols: WTET, STET, WLFS, SLFS, none`
	var list ErrorList
	if !errors.As(err, &list) || !hasError(list, want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
	missing := head + "[[population]]\nname = \"S\"\nsize = 1\nmodel = \"stc_protocol\"\n"
	_, err = Decode("bad.toml", []byte(missing))
	want = `bad.toml:3: population[0].params.protocol: source: stc_protocol.protocol is missing: give one of WTET, STET, WLFS, SLFS, none`
	if !errors.As(err, &list) || !hasError(list, want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
