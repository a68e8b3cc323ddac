package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/snnsim/snnsim"
)

// Building blocks of the broken scenarios below. Line numbers in the
// expectations count from 1 at the start of the concatenated text.
const (
	head = "[simulation]\nduration = \"1 s\"\n"                                     // lines 1-2
	popE = "[[population]]\nname = \"E\"\nsize = 10\nmodel = \"lif_exp_current\"\n" // 4 lines
	popP = "[[population]]\nname = \"P\"\nsize = 10\nmodel = \"poisson\"\n"         // 4 lines
)

// proj returns a projection table of 7 lines: header, from, to, receptor,
// connect, weight, delay.
func proj(from, to, connect, weight, delay string) string {
	return "[[projection]]\nfrom = \"" + from + "\"\nto = \"" + to + "\"\nreceptor = \"exc\"\nconnect = " + connect +
		"\nweight = " + weight + "\ndelay = " + delay + "\n"
}

var p01 = `{ rule = "fixed_probability", p = 0.1 }`

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want string // a substring of one error's text, from "bad.toml:line: key:" on
	}{
		{"unknown_key", head + "seeed = 3\n" + popE,
			`bad.toml:3: simulation.seeed: unknown key "seeed" (did you mean "seed"?)`},
		{"unknown_top_level_key", head + popE + "[projections]\nx = 1\n",
			`bad.toml:7: projections: unknown key "projections" (did you mean "projection"?)`},
		{"unknown_param_lists_valid_keys", head + popE + "params = { tau_mm = \"20 ms\" }\n",
			`bad.toml:7: population[0].params.tau_mm: unknown key "tau_mm" (did you mean "tau_m"?); lif_exp_current takes: tau_m, c_m, v_rest`},
		{"wrong_unit", head + popE + "params = { tau_m = \"20 xs\" }\n",
			`bad.toml:7: population[0].params.tau_m: "20 xs": unknown unit "xs"`},
		{"wrong_dimension", head + popE + "params = { c_m = \"200 pF\", v_rest = \"-60 ms\" }\n",
			`bad.toml:7: population[0].params.v_rest: "-60 ms" is a time, but a voltage is needed`},
		{"number_without_unit", head + popE + "params = { tau_m = 20 }\n",
			`bad.toml:7: population[0].params.tau_m: the number 20 has no unit`},
		{"negative_time_constant", head + popE + "params = { tau_m = \"-20 ms\" }\n",
			`bad.toml:7: population[0].params.tau_m: "-20 ms": must be > 0`},
		{"reset_above_threshold", head + popE + "params = {\n  v_threshold = \"-50 mV\",\n  v_reset = \"-40 mV\",\n}\n",
			`bad.toml:9: population[0].params.v_reset: "-40 mV": must be below v_threshold`},
		{"missing_population", head,
			`bad.toml: population: the scenario has no [[population]] table`},
		{"population_empty", "population = []\n" + head,
			`bad.toml:1: population: the scenario has no [[population]] table`},
		{"population_not_array", head + "[population]\nname = \"E\"\n",
			`bad.toml:3: population: must be an array of tables: write [[population]]`},
		{"undefined_population", head + popE + proj("X", "E", p01, `"1 mV"`, `"1 ms"`),
			`bad.toml:8: projection[0].from: undefined population "X" (did you mean "E"?); populations: E`},
		{"zero_resolution", head + "resolution = \"0 ms\"\n" + popE,
			`bad.toml:3: simulation.resolution: 0 ms: must be > 0`},
		{"delay_shorter_than_resolution", head + popE + proj("E", "E", p01, `"1 mV"`, `"0.05 ms"`),
			`bad.toml:13: projection[0].delay: "0.05 ms": a delay must be at least the resolution (0.1 ms)`},
		{"uniform_delay_below_resolution", head + popE + proj("E", "E", p01, `"1 mV"`, `{ uniform = ["0 ms", "1 ms"] }`),
			`bad.toml:13: projection[0].delay: { uniform = ["0 ms", "1 ms"] }: a delay must be at least the resolution`},
		{"missing_duration", "[simulation]\nseed = 1\n" + popE,
			`bad.toml:1: simulation.duration: required key is missing`},
		{"missing_simulation", popE,
			`bad.toml: simulation: the scenario has no [simulation] table`},
		{"duration_off_grid", "[simulation]\nduration = \"1.05 ms\"\n" + popE,
			`bad.toml:2: simulation.duration: duration 1.05 ms is not a whole number of ticks of 0.1 ms`},
		{"negative_seed", head + "seed = -1\n" + popE,
			`bad.toml:3: simulation.seed: -1: must be a non-negative integer`},
		{"bad_rule_name", head + popE + proj("E", "E", `{ rule = "fixed_prob", p = 0.1 }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:11: projection[0].connect.rule: unknown rule "fixed_prob" (did you mean "fixed_probability"?)`},
		{"key_of_another_rule", head + popE + proj("E", "E", `{ rule = "all_to_all", p = 0.1 }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:11: projection[0].connect.p: unknown key "p"; rule all_to_all takes: rule, autapses`},
		{"p_above_1", head + popE + proj("E", "E", `{ rule = "fixed_probability", p = 1.5 }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:11: projection[0].connect.p: 1.5: a probability must be between 0 and 1`},
		{"k_too_large", head + popE + proj("E", "E", `{ rule = "fixed_indegree", k = 10 }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:11: projection[0].connect.k: 10: without multapses k can be at most the 9 available sources in E`},
		{"one_to_one_sizes", head + popE + "[[population]]\nname = \"I\"\nsize = 5\nmodel = \"lif_delta\"\n" +
			proj("E", "I", `{ rule = "one_to_one" }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:15: projection[0].connect.rule: one_to_one needs populations of equal size, but E has 10 and I has 5`},
		{"duplicate_population_name", head + popE + popE,
			`bad.toml:8: population[1].name: duplicate population name "E" (population[0] has it too)`},
		{"duplicate_projection_name", head + popE + proj("E", "E", p01, `"1 mV"`, `"1 ms"`) + proj("E", "E", p01, `"1 mV"`, `"1 ms"`),
			`bad.toml:14: projection[1].name: duplicate projection name "E_to_E" (projection[0] has it too)`},
		{"toml_syntax", head + "size = = 3\n",
			`bad.toml:3: simulation.size: TOML syntax: expected value`},
		{"type_error", head + "[[population]]\nname = \"E\"\nsize = \"ten\"\nmodel = \"lif_delta\"\n",
			`bad.toml:5: population[0].size: must be an integer, not the string "ten"`},
		{"int_param_type", head + "[[population]]\nname = \"S\"\nsize = 1\nmodel = \"tetanus\"\nparams = { trains = 1.5 }\n",
			`bad.toml:7: population[0].params.trains: must be an integer, not the float 1.5`},
		{"unknown_model", head + "[[population]]\nname = \"E\"\nsize = 1\nmodel = \"lif\"\n",
			`bad.toml:6: population[0].model: unknown model "lif"`},
		{"bad_init", head + popE + "init = { v = { uniform = [\"-50 mV\"] } }\n",
			`bad.toml:7: population[0].init.v.uniform: must be an array of two values [low, high], not an array`},
		{"init_wrong_dimension", head + popE + "init = { v = { normal = [\"-60 mV\", \"5 mV\"], clip = [\"-80 mV\", \"0 ms\"] } }\n",
			`bad.toml:7: population[0].init.v.clip[1]: "0 ms" is a time, but a voltage is needed`},
		{"init_on_source", head + popP + "init = { v = \"-60 mV\" }\n",
			`bad.toml:7: population[0].init: P is a poisson source: init applies only to neuron populations`},
		{"size_zero", head + "[[population]]\nname = \"E\"\nsize = 0\nmodel = \"lif_delta\"\n",
			`bad.toml:5: population[0].size: 0: must be between 1 and 2147483647`},
		{"projection_to_source", head + popE + popP + proj("E", "P", p01, `"1 mV"`, `"1 ms"`),
			`bad.toml:13: projection[0].to: "P" is a poisson source: the target of a projection must be a neuron population`},
		{"weight_dimension_for_model", head + popE + proj("E", "E", p01, `"4 nS"`, `"1 ms"`),
			`bad.toml:12: projection[0].weight: a weight onto lif_exp_current neurons is a current (pA) or a voltage R·I (mV), not a conductance`},
		{"negative_weight", head + popE + proj("E", "E", p01, `"-1 mV"`, `"1 ms"`),
			`bad.toml:12: projection[0].weight: "-1 mV": a weight must be >= 0`},
		{"weight_dims_differ", head + popE + proj("E", "E", p01, `{ uniform = ["1 mV", "2 pA"] }`, `"1 ms"`),
			`bad.toml:12: projection[0].weight.uniform[1]: "2 pA" is a current, but a voltage is needed`},
		{"both_uniform_and_normal", head + popE + proj("E", "E", p01, `{ uniform = ["1 mV", "2 mV"], normal = ["1 mV", "2 mV"] }`, `"1 ms"`),
			`bad.toml:12: projection[0].weight: give either uniform or normal, not both`},
		{"uniform_reversed", head + popE + proj("E", "E", p01, `{ uniform = ["2 mV", "1 mV"] }`, `"1 ms"`),
			`bad.toml:12: projection[0].weight: uniform = [2 mV, 1 mV]: the lower bound must not exceed the upper`},
		{"missing_weight", head + popE + "[[projection]]\nfrom = \"E\"\nto = \"E\"\nreceptor = \"exc\"\nconnect = { rule = \"all_to_all\" }\ndelay = \"1 ms\"\n",
			`bad.toml:7: projection[0].weight: required key is missing`},
		{"unknown_receptor", head + popE + "[[projection]]\nfrom = \"E\"\nto = \"E\"\nreceptor = \"gaba\"\n",
			`bad.toml:10: projection[0].receptor: unknown receptor "gaba": use "exc" or "inh"`},
		{"pairs_file_missing", head + popE + proj("E", "E", `{ rule = "pairs", file = "no_such.csv" }`, `"1 mV"`, `"1 ms"`),
			`bad.toml:11: projection[0].connect.file: cannot read the pairs file`},
		{"stimulus_stop_before_start", head + popE + "[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"10 pA\"\nstart = \"2 ms\"\nstop = \"1 ms\"\n",
			`bad.toml:12: stimulus[0].stop: 1 ms: must be after start (2 ms)`},
		{"stimulus_neuron_out_of_range", head + popE + "[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"10 pA\"\nneurons = [1,\n  10]\n",
			`bad.toml:12: stimulus[0].neurons[1]: 10 is out of range: E has 10 members (0..9)`},
		{"stimulus_start_off_grid", head + popE + "[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"10 pA\"\nstart = \"0.25 ms\"\n",
			`bad.toml:11: stimulus[0].start: duration 0.25 ms is not a whole number of ticks`},
		{"stimulus_amplitude_dimension", head + popE + "[[stimulus]]\nkind = \"current_step\"\npopulation = \"E\"\namplitude = \"10 mV\"\n",
			`bad.toml:10: stimulus[0].amplitude: "10 mV" is a voltage, but a current is needed`},
		{"record_undefined_population", head + popE + "[[record]]\nwhat = \"spikes\"\npopulations = [\"E\", \"F\"]\n",
			`bad.toml:9: record[0].populations[1]: undefined population "F" (did you mean "E"?)`},
		{"record_unknown_what", head + popE + "[[record]]\nwhat = \"voltage\"\n",
			`bad.toml:8: record[0].what: cannot record "voltage": what may be "spikes", "v", "rate", "weights", "synapses", "pathway" or "neuron_state"`},
		{"record_what_typo", head + popE + "[[record]]\nwhat = \"spike\"\n",
			`bad.toml:8: record[0].what: cannot record "spike" (did you mean "spikes"?)`},
		{"record_weights_without_projection", head + popE + "[[record]]\nwhat = \"weights\"\nsample = \"1 s\"\n",
			`bad.toml:7: record[0].projection: required key is missing`},
		{"record_weights_unknown_projection", head + popE + "[[record]]\nwhat = \"weights\"\nprojection = \"E_to_F\"\nsample = \"1 s\"\n",
			`bad.toml:9: record[0].projection: no projection is called "E_to_F"`},
		{"guard_unknown_population", head + popE + "[[guard]]\npopulation = \"F\"\nmax_rate = \"50 Hz\"\n",
			`bad.toml:8: guard[0].population`},
		{"guard_rate_unit", head + popE + "[[guard]]\npopulation = \"E\"\nmax_rate = \"50 ms\"\n",
			`bad.toml:9: guard[0].max_rate: "50 ms" is a time, but a frequency is needed`},
		{"guard_missing_rate", head + popE + "[[guard]]\npopulation = \"E\"\n",
			`bad.toml:7: guard[0].max_rate: required key is missing`},
		{"record_weights_with_populations", head + popE + "[[record]]\nwhat = \"weights\"\nprojection = \"x\"\npopulations = [\"E\"]\nsample = \"1 s\"\n",
			`bad.toml:10: record[0].populations: a weights record names a projection, not populations`},
		{"record_v_without_sample", head + popE + "[[record]]\nwhat = \"v\"\nneurons = [0, 1]\n",
			`bad.toml:7: record[0].sample: required key is missing: give the sampling interval, e.g. sample = "1 ms"`},
		{"record_v_of_source", head + popE + popP + "[[record]]\nwhat = \"v\"\npopulations = [\"P\"]\nsample = \"1 ms\"\n",
			`bad.toml:13: record[0].populations[0]: "P" is a poisson source: a population whose membrane potential is recorded must be a neuron population`},
		{"record_neuron_out_of_range", head + popE + "[[record]]\nwhat = \"v\"\nneurons = [3,\n  10]\nsample = \"1 ms\"\n",
			`bad.toml:10: record[0].neurons[1]: 10 is out of range: the smallest population recorded has 10 members (0..9)`},
		{"record_neuron_twice", head + popE + "[[record]]\nwhat = \"v\"\nneurons = [3, 3]\nsample = \"1 ms\"\n",
			`bad.toml:9: record[0].neurons[1]: neuron 3 is listed twice`},
		{"record_neurons_for_rate", head + popE + "[[record]]\nwhat = \"rate\"\nneurons = [3]\nsample = \"1 ms\"\n",
			`bad.toml:9: record[0].neurons: neurons applies only to what = "v"; rate records whole populations`},
		{"record_sample_off_grid", head + popE + "[[record]]\nwhat = \"rate\"\nsample = \"0.25 ms\"\n",
			`bad.toml:9: record[0].sample: duration 0.25 ms is not a whole number of ticks`},
		{"record_sample_dimension", head + popE + "[[record]]\nwhat = \"rate\"\nsample = \"10 Hz\"\n",
			`bad.toml:9: record[0].sample: "10 Hz" is a frequency, but a time is needed`},
		{"record_sample_negative", head + popE + "[[record]]\nwhat = \"rate\"\nsample = \"-1 ms\"\n",
			`bad.toml:9: record[0].sample: -1 ms: must be > 0`},
		{"record_sample_for_spikes", head + popE + "[[record]]\nwhat = \"spikes\"\nsample = \"1 ms\"\n",
			`bad.toml:9: record[0].sample: spikes are recorded as they happen: remove sample`},
		{"record_final_for_spikes", head + popE + "[[record]]\nwhat = \"spikes\"\nfinal = true\n",
			`bad.toml:9: record[0].final: spikes are recorded as they happen, up to the end of the run: remove final`},
		{"record_final_for_rate", head + popE + "[[record]]\nwhat = \"rate\"\nsample = \"1 ms\"\nfinal = true\n",
			`bad.toml:10: record[0].final: a rate is counted over whole bins`},
		{"record_final_not_bool", head + popE + "[[record]]\nwhat = \"v\"\nsample = \"1 ms\"\nfinal = \"yes\"\n",
			`record[0].final`},
		{"record_window_backwards", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [\"2 s\", \"1 s\"]\n",
			`bad.toml:9: record[0].window: [2000 ms, 1000 ms]: stop must be after start`},
		{"record_window_overlap", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [[\"0 s\", \"1 s\"],\n  [\"0.5 s\", \"2 s\"]]\n",
			`bad.toml:10: record[0].window[1]: starts at 500 ms, before the window before it ends (1000 ms)`},
		{"record_window_one_value", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [\"1 s\"]\n",
			`bad.toml:9: record[0].window: must be an array of two values ["start", "stop"]`},
		{"record_window_not_time", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [\"1 s\", \"2 mV\"]\n",
			`bad.toml:9: record[0].window[1]: "2 mV" is a voltage, but a time is needed`},
		{"record_window_off_grid", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [\"0.05 ms\", \"2 s\"]\n",
			`bad.toml:9: record[0].window: duration 0.05 ms is not a whole number of ticks`},
		{"record_window_negative", head + popE + "[[record]]\nwhat = \"spikes\"\nwindow = [\"-1 s\", \"2 s\"]\n",
			`bad.toml:9: record[0].window: starts at -1000 ms: must be >= 0`},
		{"record_unknown_key", head + popE + "[[record]]\nwhat = \"v\"\nsample = \"1 ms\"\nintervall = \"1 ms\"\n",
			`bad.toml:10: record[0].intervall: unknown key "intervall"`},
		{"bad_population_name", head + "[[population]]\nname = \"E I\"\nsize = 1\nmodel = \"lif_delta\"\n",
			`bad.toml:4: population[0].name: "E I": a name may hold only letters, digits`},
		{"plasticity_param", head + popE + proj("E", "E", p01, `"1 mV"`, `"1 ms"`) + "plasticity = { rule = \"pair\",\n  tau_plus = \"-1 ms\" }\n",
			`bad.toml:15: projection[0].plasticity.tau_plus: "-1 ms": must be > 0`},
		{"plasticity_bounds_default", head + popE + proj("E", "E", p01, `"1 mV"`, `"1 ms"`) + "plasticity = { rule = \"pair\", w_min = 2.0 }\n",
			`bad.toml:14: projection[0].plasticity.w_max: stdp: pair.w_max = 1: must be above w_min = 2`},
		{"source_param_element", head + "[[population]]\nname = \"S\"\nsize = 1\nmodel = \"spike_times\"\nparams = { times = [\"1 ms\", \"-2 ms\"] }\n",
			`bad.toml:7: population[0].params.times: source: spike_times.times[1] = -2 ms: must be >= 0`},
		{"source_param_lengths", head + "[[population]]\nname = \"S\"\nsize = 2\nmodel = \"spike_times\"\nparams = { times = [\"1 ms\", \"2 ms\"], neurons = [0] }\n",
			`bad.toml:7: population[0].params.neurons: source: spike_times.neurons has 1 entries and times has 2`},
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
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("errors.As(*ParseError) fails on %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("errors:\n%v\nwant one containing:\n%s", err, tc.want)
			}
		})
	}
}

// TestDecodeReportsAllErrors checks that one pass reports every problem of a
// file, each at its line, sorted by line.
func TestDecodeReportsAllErrors(t *testing.T) {
	text := `[simulation]
duration   = "1 s"
resolution = "0.1 mS"
colour     = "blue"

[[population]]
name  = "E"
size  = 100
model = "lif_exp_current"
params = { tau_m = "-20 ms",
           v_rest = "-60" }

[[population]]
name  = "P"
size  = -3
model = "poisson"

[[projection]]
from     = "E"
to       = "Q"
receptor = "exc"
connect  = { rule = "fixed_indegree", k = 5, multapse = true }
weight   = { normal = ["1 mV", "-0.2 mV"] }
delay    = "1 ms"

[[record]]
what = "spikes"
populations = ["E", "R"]
`
	want := []string{
		`x.toml:3: simulation.resolution: "0.1 mS" is a conductance, but a time is needed`,
		`x.toml:4: simulation.colour: unknown key "colour"`,
		`x.toml:10: population[0].params.tau_m: "-20 ms": must be > 0`,
		`x.toml:11: population[0].params.v_rest: "-60" has no unit: a voltage is needed`,
		`x.toml:15: population[1].size: -3: must be between 1 and`,
		`x.toml:20: projection[0].to: undefined population "Q"`,
		`x.toml:22: projection[0].connect.multapse: unknown key "multapse" (did you mean "multapses"?)`,
		`x.toml:23: projection[0].weight: normal = [1 mV, -0.2 mV]: the standard deviation must be >= 0`,
		`x.toml:28: record[0].populations[1]: undefined population "R"`,
	}
	_, err := Decode("x.toml", []byte(text))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T is not an ErrorList: %v", err, err)
	}
	if len(list) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i := range min(len(list), len(want)) {
		if got := list[i].Error(); !strings.HasPrefix(got, want[i]) {
			t.Errorf("error %d:\n got %s\nwant %s...", i, got, want[i])
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	base := errors.New("must be > 0")
	for _, tc := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "scenarios/x.toml", Line: 12, Key: "population[1].params.tau_m", Err: base}, "scenarios/x.toml:12: population[1].params.tau_m: must be > 0"},
		{ParseError{File: "x.toml", Key: "population", Err: base}, "x.toml: population: must be > 0"},
		{ParseError{Line: 3, Err: base}, "line 3: must be > 0"},
		{ParseError{Err: base}, "must be > 0"},
		{ParseError{File: "x.toml", Key: "population[1].params.start", Err: base, Set: "population.S2.params.start"},
			"x.toml: --set population.S2.params.start: population[1].params.start: must be > 0"},
		{ParseError{Key: "simulation.seed", Err: base, Set: "simulation.seed"}, "--set simulation.seed: simulation.seed: must be > 0"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if !errors.Is(&tc.e, base) {
			t.Errorf("%q does not unwrap to its cause", tc.want)
		}
	}
	list := ErrorList{{File: "a", Line: 1, Err: base}, {File: "a", Line: 2, Err: errors.New("b")}}
	if got, want := list.Error(), "a:1: must be > 0\na:2: b"; got != want {
		t.Errorf("ErrorList: got %q, want %q", got, want)
	}
	if !errors.Is(list, base) {
		t.Error("ErrorList does not unwrap to its elements")
	}
}

func TestSyntaxErrorUnwrapsToTOML(t *testing.T) {
	_, err := Decode("s.toml", []byte("[simulation]\nduration = \"1 s\"\nx = [1,\n"))
	var te toml.ParseError
	if !errors.As(err, &te) {
		t.Fatalf("%v does not unwrap to a toml.ParseError", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line == 0 {
		t.Fatalf("syntax error without a line: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want ErrNotExist", err)
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T is not an ErrorList", err)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"tau_m", "tau_exc", "tau_inh", "v_rest", "v_reset", "fixed_probability"}
	for _, tc := range []struct{ word, want string }{
		{"tau_mm", "tau_m"},
		{"tauexc", "tau_exc"},
		{"v_rset", "v_reset"},
		{"fixed_prob", "fixed_probability"},
		{"colour", ""},
		{"", ""},
	} {
		if got := suggest(tc.word, cands); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// TestParamErrorAs checks that a model's parameter error reaches the
// caller of Decode as a *snnsim.ParamError (errors.As), with the model,
// the key and the value in the model's unit, next to the position.
func TestParamErrorAs(t *testing.T) {
	_, err := Decode("bad.toml", []byte(head+popE+"params = { c_m = \"0.2 nF\", tau_m = \"-0.02 s\" }\n"))
	var pe *snnsim.ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("errors.As(*snnsim.ParamError) fails on %v", err)
	}
	if pe.Pkg != "neuron" || pe.Model != "lif_exp_current" || pe.Key != "tau_m" || pe.Value != -20.0 || pe.Unit != "ms" || pe.Constraint != "must be > 0" {
		t.Errorf("ParamError = %+v, want neuron lif_exp_current tau_m = -20 ms: must be > 0", *pe)
	}
	var at *ParseError
	if !errors.As(err, &at) || at.Line != 7 || at.Key != "population[0].params.tau_m" {
		t.Errorf("ParseError = %+v, want line 7, key population[0].params.tau_m", at)
	}
	if want := `bad.toml:7: population[0].params.tau_m: "-0.02 s": must be > 0`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
