package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/neuron"
)

// TestBadInputs extends TestDecodeErrors with the inputs of a reliability
// pass: names that would leave the output directory or are too long, huge
// values echoed in messages, values that the engine could only honour by
// dropping spikes (rates above one spike per tick, spike times at or after
// the run's end), keys given with an empty or zero value, and more of the
// usual mistakes. Each must fail Decode (no silent acceptance) with a
// message naming the line, the key and what is wrong; none may panic.
func TestBadInputs(t *testing.T) {
	huge := strings.Repeat("N", 2<<20)
	st := func(times string) string {
		return head + "[[population]]\nname = \"S\"\nsize = 2\nmodel = \"spike_times\"\nparams = { times = " + times + " }\n"
	}
	pois := func(params string) string {
		return head + "[[population]]\nname = \"P\"\nsize = 2\nmodel = \"poisson\"\nparams = { " + params + " }\n"
	}
	named := func(name string) string {
		return head + "[[population]]\nname = \"" + name + "\"\nsize = 1\nmodel = \"lif_delta\"\n"
	}
	rec := func(body string) string { return head + popE + "[[record]]\n" + body }
	for _, tc := range []struct {
		name string
		text string
		want string // a substring of the errors
		max  int    // the longest the whole error text may be (0: 2000 bytes)
	}{
		// Names (item 6).
		{"name_escapes_up", "[simulation]\nduration = \"1 s\"\nname = \"../../escape_dir\"\n" + popE,
			`bad.toml:3: simulation.name: "../../escape_dir": a name may not begin with '.' or '-'`, 0},
		{"name_with_slash", "[simulation]\nduration = \"1 s\"\nname = \"a/b\"\n" + popE,
			`bad.toml:3: simulation.name: "a/b": a name may hold only letters, digits, '_', '-' and '.'`, 0},
		{"name_dot_dot", "[simulation]\nduration = \"1 s\"\nname = \"..\"\n" + popE, `simulation.name: "..": a name may not begin with '.'`, 0},
		{"name_hidden", "[simulation]\nduration = \"1 s\"\nname = \".run\"\n" + popE, `simulation.name: ".run": a name may not begin with '.'`, 0},
		{"name_flag_like", "[simulation]\nduration = \"1 s\"\nname = \"--force\"\n" + popE, `simulation.name: "--force": a name may not begin with '.' or '-'`, 0},
		{"name_300_chars", "[simulation]\nduration = \"1 s\"\nname = \"" + strings.Repeat("x", 300) + "\"\n" + popE,
			`bad.toml:3: simulation.name: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (300 bytes): a name may hold at most 64 characters, not 300`, 0},
		{"name_65_chars", named(strings.Repeat("a", 65)), `population[0].name: "` + strings.Repeat("a", 48) + `"… (65 bytes): a name may hold at most 64 characters, not 65`, 0},
		{"name_empty_simulation", "[simulation]\nduration = \"1 s\"\nname = \"\"\n" + popE, `bad.toml:3: simulation.name: is empty: give a name`, 0},
		{"name_empty_population", named(""), `bad.toml:4: population[0].name: is empty: give a name`, 0},
		{"name_space", named("E 1"), `population[0].name: "E 1": a name may hold only`, 0},
		{"name_unicode", named("Eé"), `population[0].name: "Eé": a name may hold only`, 0},
		{"name_newline", named("E\\nI"), `population[0].name: "E\nI": a name may hold only`, 0},
		{"name_backslash", named("a\\\\b"), `population[0].name: "a\\b": a name may hold only`, 0},
		{"name_projection_slash", head + popE + "[[projection]]\nname = \"x/y\"\nfrom = \"E\"\nto = \"E\"\nreceptor = \"exc\"\nconnect = { rule = \"one_to_one\", autapses = true }\nweight = \"1 mV\"\ndelay = \"1 ms\"\n",
			`bad.toml:8: projection[0].name: "x/y": a name may hold only`, 0},
		// A 2 MB name: each message that names it repeats 48 bytes.
		{"name_2MB_echo", "[simulation]\nduration = \"1 s\"\nname = \"" + huge + "\"\n[[population]]\nname = \"" + huge + "\"\nsize = 1\nmodel = \"lif_delta\"\n" +
			"[[projection]]\nfrom = \"" + huge + "\"\nto = \"" + huge + "\"\nreceptor = \"exc\"\nconnect = { rule = \"all_to_all\" }\nweight = \"1 mV\"\ndelay = \"1 ms\"\n" +
			"[[record]]\nwhat = \"spikes\"\npopulations = [\"" + huge + "\"]\n",
			`(2097152 bytes): a name may hold at most 64 characters, not 2097152`, 2000},
		{"undefined_population_2MB", head + popE + "[[projection]]\nfrom = \"" + huge + "\"\nto = \"E\"\nreceptor = \"exc\"\nconnect = { rule = \"all_to_all\" }\nweight = \"1 mV\"\ndelay = \"1 ms\"\n",
			`projection[0].from: undefined population "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"… (2097152 bytes)`, 600},
		// Rates above one spike per tick (item 8).
		{"rate_1e12", pois(`rate = "1e12 Hz"`), `bad.toml:7: population[0].params.rate: 1e+12 Hz: above one spike per tick (10000 Hz at resolution 0.1 ms)`, 0},
		{"rate_just_above", pois(`rate = "10001 Hz"`), `population[0].params.rate: 10001 Hz: above one spike per tick`, 0},
		{"rates_schedule", pois(`rate = "1 Hz", times = ["0.5 s"], rates = ["20 kHz"]`), `population[0].params.rates[0]: 20000 Hz: above one spike per tick`, 0},
		{"regular_rate", head + "[[population]]\nname = \"R\"\nsize = 1\nmodel = \"regular\"\nparams = { rate = \"50 kHz\" }\n", `population[0].params.rate: 50000 Hz: above one spike per tick`, 0},
		{"rate_coarse_grid", "[simulation]\nduration = \"1 s\"\nresolution = \"1 ms\"\n[[population]]\nname = \"P\"\nsize = 1\nmodel = \"poisson\"\nparams = { rate = \"2 kHz\" }\n",
			`population[0].params.rate: 2000 Hz: above one spike per tick (1000 Hz at resolution 1 ms)`, 0},
		// Spike times at or after the end (item 8).
		{"spike_at_end", st(`["0.5 s", "1 s"]`), `bad.toml:7: population[0].params.times[1]: 1000 ms is at or after the end of the run (1000 ms)`, 0},
		{"spike_after_end", st(`["2 s"]`), `population[0].params.times[0]: 2000 ms is at or after the end of the run`, 0},
		{"spike_rounds_to_end", st(`["999.96 ms"]`), `population[0].params.times[0]: 999.96 ms is at or after the end of the run`, 0},
		// Zero and empty values say what is wrong (item 8).
		{"sample_zero", rec("what = \"v\"\nsample = \"0 ms\"\n"), `bad.toml:9: record[0].sample: 0 ms: the sampling interval must be at least one tick (0.1 ms)`, 0},
		{"sample_missing", rec("what = \"v\"\n"), `record[0].sample: required key is missing: give the sampling interval`, 0},
		{"from_empty", head + popE + proj("", "E", p01, `"1 mV"`, `"1 ms"`), `bad.toml:8: projection[0].from: missing or empty: name a population`, 0},
		// Bounds that the engine cannot use.
		{"stdp_bound_inf", head + popP + popE + proj("P", "E", p01, `"1 mV"`, `"1 ms"`) + "plasticity = { rule = \"triplet\", w_max = inf }\n",
			`projection[0].plasticity.w_max: +Inf is not finite`, 0},
		{"stdp_bound_inf_string", head + popP + popE + proj("P", "E", p01, `"1 mV"`, `"1 ms"`) + "plasticity = { rule = \"triplet\", w_min = \"-Inf\" }\n",
			`projection[0].plasticity.w_min: "-Inf" is not a number followed by a unit`, 0},
		// More of the usual mistakes.
		{"size_zero", head + "[[population]]\nname = \"E\"\nsize = 0\nmodel = \"lif_delta\"\n", `population[0].size: 0: must be between 1 and 2147483647`, 0},
		{"size_negative", head + "[[population]]\nname = \"E\"\nsize = -5\nmodel = \"lif_delta\"\n", `population[0].size: -5: must be between 1 and 2147483647`, 0},
		{"size_total_over_int32", head + "[[population]]\nname = \"E\"\nsize = 2000000000\nmodel = \"lif_delta\"\n[[population]]\nname = \"F\"\nsize = 2000000000\nmodel = \"lif_delta\"\n",
			`4000000000 neurons in all: at most 2147483647 are supported`, 0},
		{"duration_zero", "[simulation]\nduration = \"0 s\"\n" + popE, `simulation.duration: 0 ms: must be > 0`, 0},
		{"resolution_negative", "[simulation]\nduration = \"1 s\"\nresolution = \"-0.1 ms\"\n" + popE, `simulation.resolution: -0.1 ms: must be > 0`, 0},
		{"seed_negative", "[simulation]\nduration = \"1 s\"\nseed = -1\n" + popE, `simulation.seed: -1: must be a non-negative integer`, 0},
		{"synapses_over_int32", head + popP + popE + proj("P", "E", `{ rule = "fixed_indegree", k = 300000000 }`, `"1 mV"`, `"1 ms"`), `projection[0].connect.k`, 0},
		{"model_unknown", head + "[[population]]\nname = \"E\"\nsize = 1\nmodel = \"lif_delt\"\n", `population[0].model: unknown model "lif_delt"`, 0},
		{"guard_rate_zero", head + popE + "[[guard]]\npopulation = \"E\"\nmax_rate = \"0 Hz\"\n", `guard[0].max_rate: 0 Hz: must be > 0`, 0},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				_, err = Decode("bad.toml", []byte(tc.text))
			}()
			if err == nil {
				t.Fatal("accepted silently")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("errors:\n%.3000s\nwant one containing:\n%s", msg, tc.want)
			}
			limit := tc.max
			if limit == 0 {
				limit = 2000
			}
			if len(msg) > limit {
				t.Errorf("the errors are %d bytes long, more than %d: a value is echoed in full?\n%.3000s", len(msg), limit, msg)
			}
		})
	}
}

// TestBadInputsAccepted lists inputs at the edge of the limits that must be
// accepted: a rate of exactly one spike per tick, a spike at the last tick
// of the run, a 64-character name.
func TestBadInputsAccepted(t *testing.T) {
	for _, text := range []string{
		head + "[[population]]\nname = \"P\"\nsize = 1\nmodel = \"poisson\"\nparams = { rate = \"10 kHz\" }\n",
		head + "[[population]]\nname = \"S\"\nsize = 1\nmodel = \"spike_times\"\nparams = { times = [\"0 s\", \"999.9 ms\"] }\n",
		head + "[[population]]\nname = \"" + strings.Repeat("a", 64) + "\"\nsize = 1\nmodel = \"lif_delta\"\n",
		"[simulation]\nduration = \"1 s\"\nname = \"run_1.b-2\"\n" + popE,
	} {
		if _, err := Decode("ok.toml", []byte(text)); err != nil {
			t.Errorf("%v\nfor:\n%s", err, text)
		}
	}
}

// TestSetTableReplaces checks the documented meaning of a table VALUE in
// --set: it replaces the whole table, so the keys it leaves out take the
// model's defaults, while a single key keeps the others.
func TestSetTableReplaces(t *testing.T) {
	const base = "[simulation]\nduration = \"1 s\"\n[[population]]\nname = \"E\"\nsize = 1\nmodel = \"lif_exp_current\"\n" +
		"params = { v_rest = \"-49 mV\", tau_m = \"20 ms\" }\n"
	def := neuron.DefaultLIFExp()
	for _, tc := range []struct {
		set         string
		vRest, tauM float64
	}{
		{`population.E.params={ tau_m = "10 ms" }`, def.VRest, 10},
		{`population.E.params.tau_m=10 ms`, -49, 10},
	} {
		s, err := DecodeOverrides("o.toml", []byte(base), []string{tc.set})
		if err != nil {
			t.Fatal(err)
		}
		p := s.Populations[0].Neuron.(*neuron.LIFExp)
		if p.VRest != tc.vRest || p.TauM != tc.tauM {
			t.Errorf("--set %s: v_rest %g, tau_m %g; want %g, %g", tc.set, p.VRest, p.TauM, tc.vRest, tc.tauM)
		}
	}
}
