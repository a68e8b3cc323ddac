package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// overrideBase: E (lines 3-6), P (7-10), P_to_E without a name (11-17),
// a rate record (18-20) and a population named "S.1" (21-24).
var overrideBase = head + popE + popP + proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) +
	"[[record]]\nwhat = \"rate\"\nsample = \"1 ms\"\n" +
	"[[population]]\nname = \"S.1\"\nsize = 2\nmodel = \"regular\"\n"

// TestOverrides applies valid overrides of every form and checks the
// decoded scenario, the recorded overrides and the recorded text.
func TestOverrides(t *testing.T) {
	sets := []string{
		"simulation.seed=7",                         // integer
		"simulation.name=renamed",                   // not TOML: a string
		"population.E.size = 20",                    // by name; spaces around '='
		"population.1.params={ rate = \"5 Hz\" }",   // by index; a new key in an existing table
		"population.P.params.rate=6 Hz",             // into the table set just before
		"projection.P_to_E.weight=\"2 mV\"",         // by the default name
		"projection.0.connect.rule=fixed_indegree",  // a key of an inline table
		"projection.0.connect.k=3",                  //
		"record.0.window=[\"0 s\", \"0.5 s\"]",      // an array value
		"population.\"S.1\".size=3",                 // a quoted name holding a dot
		"population.S.1.params={ rate = \"2 Hz\" }", // the same name unquoted
		"simulation.duration=\"2 s\"",               //
		"simulation.duration=\"3 s\"",               // the last one wins
	}
	s, err := DecodeOverrides("o.toml", []byte(overrideBase), sets)
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 7 || s.Name != "renamed" || s.Duration != 3000 {
		t.Errorf("simulation: seed %d, name %q, duration %g ms", s.Seed, s.Name, s.Duration)
	}
	if s.Populations[0].Size != 20 || s.Populations[2].Size != 3 {
		t.Errorf("sizes %d, %d", s.Populations[0].Size, s.Populations[2].Size)
	}
	if rate := reflect.ValueOf(s.Populations[1].Source).Elem().FieldByName("Rate").Float(); rate != 6 {
		t.Errorf("P's rate = %g Hz, want 6", rate)
	}
	if rate := reflect.ValueOf(s.Populations[2].Source).Elem().FieldByName("Rate").Float(); rate != 2 {
		t.Errorf("S.1's rate = %g Hz, want 2", rate)
	}
	p := s.Projections[0]
	if p.Weight.A != 2 || p.Connect.Rule != FixedIndegree || p.Connect.K != 3 {
		t.Errorf("projection: weight %v, connect %+v", p.Weight, p.Connect)
	}
	if w := s.Records[0].Windows; !reflect.DeepEqual(w, [][2]float64{{0, 500}}) {
		t.Errorf("record window %v", w)
	}
	if !reflect.DeepEqual(s.Overrides, sets) {
		t.Errorf("Overrides = %q", s.Overrides)
	}
	if s.Text != overrideBase {
		t.Error("Text is not the file's text")
	}
	want := overrideBase + "\n# snnsim --set overrides, applied to the text above:\n"
	for _, o := range sets {
		want += "# --set " + o + "\n"
	}
	if got := s.RecordedText(); got != want {
		t.Errorf("RecordedText:\n%s\nwant\n%s", got, want)
	}
	net, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if net.Text != want || !reflect.DeepEqual(net.Overrides, sets) || net.Seed != 7 {
		t.Errorf("network: Text %q, Overrides %q, Seed %d", net.Text, net.Overrides, net.Seed)
	}
	// The recorded text decodes to the file's scenario (the block is comments).
	if _, err := Decode("o.toml", []byte(want)); err != nil {
		t.Errorf("the recorded text does not decode: %v", err)
	}
	// Without overrides, nothing changes.
	plain, err := DecodeOverrides("o.toml", []byte(overrideBase), nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Overrides != nil || plain.RecordedText() != overrideBase {
		t.Errorf("no overrides: Overrides %q, RecordedText differs from the text", plain.Overrides)
	}
	// LoadOverrides reads the file.
	path := filepath.Join(t.TempDir(), "o.toml")
	if err := os.WriteFile(path, []byte(overrideBase), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := LoadOverrides(path, []string{"simulation.seed=9"}); err != nil || s.Seed != 9 || s.File != path {
		t.Errorf("LoadOverrides: %v, %+v", err, s)
	}
}

// TestOverrideErrors lists bad overrides with the exact text of one error
// (or its prefix, when want ends in "..."): an error on a value that an
// override wrote says which --set, not a line.
func TestOverrideErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		sets []string
		want string
	}{
		{"wrong_dimension", overrideBase, []string{"population.P.params={ rate = \"1 Hz\" }", "population.P.params.rate=3 ms"},
			`bad.toml: --set population.P.params.rate: population[1].params.rate: "3 ms" is a time, but a frequency is needed (e.g. "5 Hz")`},
		{"wrong_type", overrideBase, []string{"population.E.size=ten"},
			`bad.toml: --set population.E.size: population[0].size: must be an integer, not the string "ten"`},
		{"validation", overrideBase, []string{"population.E.size=0"},
			`bad.toml: --set population.E.size: population[0].size: 0: must be between 1 and 2147483647`},
		{"negative_seed", overrideBase, []string{"simulation.seed=-3"},
			`bad.toml: --set simulation.seed: simulation.seed: -3: must be a non-negative integer`},
		{"unknown_key_added", overrideBase, []string{"simulation.seeed=3"},
			`bad.toml: --set simulation.seeed: simulation.seeed: unknown key "seeed" (did you mean "seed"?)...`},
		{"inside_a_replaced_table", overrideBase, []string{"projection.P_to_E.connect={ rule = \"fixed_prob\", p = 0.1 }"},
			`bad.toml: --set projection.P_to_E.connect: projection[0].connect.rule: unknown rule "fixed_prob" (did you mean "fixed_probability"?)...`},
		{"reference", overrideBase, []string{"projection.P_to_E.to=Q"},
			`bad.toml: --set projection.P_to_E.to: projection[0].to: undefined population "Q"...`},
		{"unknown_element", overrideBase, []string{"population.Q2.size=3"},
			`bad.toml: --set population.Q2.size: no [[population]] table is named "Q2" (names: E, P, S.1; or give an index from 0 to 2)`},
		{"index_out_of_range", overrideBase, []string{"record.1.sample=\"1 ms\""},
			`bad.toml: --set record.1.sample: no [[record]] table is named "1" (none has a name; or give an index from 0 to 0)`},
		{"missing_parent", overrideBase, []string{"population.E.params.tau_m=20 ms"},
			`bad.toml: --set population.E.params.tau_m: population[0] has no key "params", so "tau_m" cannot be set in it`},
		{"missing_table", overrideBase, []string{"simulatio.seed=3"},
			`bad.toml: --set simulatio.seed: the scenario has no key "simulatio" (did you mean "simulation"?), so "seed" cannot be set in it`},
		{"into_a_value", overrideBase, []string{"simulation.duration.x=3"},
			`bad.toml: --set simulation.duration.x: simulation.duration is the string "1 s", which has no key "x"`},
		{"no_equals", overrideBase, []string{"simulation.seed"},
			`bad.toml: --set simulation.seed: expected KEY=VALUE, e.g. --set simulation.seed=7`},
		{"empty_key", overrideBase, []string{"=3"},
			`bad.toml: --set =3: the key is empty: expected KEY=VALUE, e.g. --set simulation.seed=7`},
		{"trailing_dot", overrideBase, []string{"simulation.=3"},
			`bad.toml: --set simulation.: key simulation.: ends with a dot`},
		{"unterminated_quote", overrideBase, []string{"population.\"E.size=3"},
			`bad.toml: --set population."E.size: key population."E.size: unterminated quote`},
		{"element_not_a_table", overrideBase, []string{"record.0=3"},
			`bad.toml: --set record.0: an element of [[record]] must be a table, not the integer 3`},
		{"array_index", overrideBase, []string{"record.0.window=[\"0 s\", \"1 s\"]", "record.0.window.2=\"1 s\""},
			`bad.toml: --set record.0.window.2: record[0].window is an array of 2 values: "2" is not an index from 0 to 1`},
		{"newline", overrideBase, []string{"simulation.name=a\nb"},
			`bad.toml: --set simulation.name: the value must be on one line`},
		// An error in the file keeps its line next to one from an override.
		{"file_error_keeps_line", overrideBase + "[[guard]]\npopulation = \"F\"\nmax_rate = \"50 Hz\"\n", []string{"simulation.seed=2"},
			`bad.toml:26: guard[0].population: undefined population "F"...`},
		{"overridden_key_of_the_file", overrideBase, []string{"projection.0.delay=\"0.01 ms\""},
			`bad.toml: --set projection.0.delay: projection[0].delay: "0.01 ms": a delay must be at least the resolution (0.1 ms)`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			s, err := DecodeOverrides("bad.toml", []byte(tc.text), tc.sets)
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
			for _, e := range list {
				if e.Set != "" && e.Line != 0 {
					t.Errorf("%v: an override error with a line", e)
				}
			}
		})
	}
}

// TestOverrideCompileError: an error found by Compile on an overridden
// key names the override too.
func TestOverrideCompileError(t *testing.T) {
	text := head + popE + popP + proj("P", "E", `{ rule = "all_to_all" }`, `"1 mV"`, `"1 ms"`) +
		"[[record]]\nwhat = \"weights\"\nprojection = \"P_to_E\"\nsample = \"1 ms\"\n"
	s, err := DecodeOverrides("c.toml", []byte(text), []string{"record.0.synapses=[100]"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Compile()
	want := `c.toml: --set record.0.synapses: record[0].synapses: synapse 100 is out of range: projection P_to_E has 100 synapses (0..99)`
	if err == nil || err.Error() != want {
		t.Errorf("Compile: %v\nwant %s", err, want)
	}
}

func TestSplitKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want []string
	}{
		{"a.b.c", []string{"a", "b", "c"}},
		{`population."S.1".size`, []string{"population", "S.1", "size"}},
		{`population.'S.1'.size`, []string{"population", "S.1", "size"}},
		{`a."b\"c".d`, []string{"a", `b"c`, "d"}},
		{" a . b ", []string{"a", "b"}},
	} {
		got, err := splitKey(tc.key)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitKey(%q) = %q, %v; want %q", tc.key, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", ".a", "a..b", `a."b`, `a."b"c`} {
		if _, err := splitKey(bad); err == nil {
			t.Errorf("splitKey(%q): no error", bad)
		}
	}
	if !strings.Contains(overrideBlockHeader, "--set") {
		t.Error("the block header does not mention --set")
	}
}
