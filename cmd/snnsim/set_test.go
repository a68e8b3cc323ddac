package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/spikelog"
)

// quickSets are overrides of the quickstart scenario: another seed and
// another input rate.
var quickSets = []string{"--set", "simulation.seed=9", "--set", "population.input.params.rate=12 Hz"}

// TestRunSet runs the quickstart scenario with --set overrides and checks
// that they take effect, that the log header records them after the
// scenario text, and that a run stopped with --stop-at and resumed (which
// must apply them again) gives the log of a straight run.
func TestRunSet(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	common := append([]string{"--progress", "none", "--flush-interval", "0", "--checkpoint-every", "0.5 s"}, oneWorker...)
	runCmd(t, append(append([]string{"run", "../../scenarios/quickstart.toml", "--out", a}, common...), quickSets...)...)
	runCmd(t, append([]string{"run", "../../scenarios/quickstart.toml", "--out", c, "--seed", "9"}, common...)...)

	var s Summary
	js, _ := os.ReadFile(filepath.Join(a, SummaryName))
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if s.Seed != 9 {
		t.Errorf("--set simulation.seed=9: summary seed %d", s.Seed)
	}
	la, _ := os.ReadFile(filepath.Join(a, LogName))
	lc, _ := os.ReadFile(filepath.Join(c, LogName))
	if bytes.Equal(la, lc) {
		t.Error("the input rate override changed nothing")
	}

	r, err := spikelog.Open(filepath.Join(a, LogName))
	if err != nil {
		t.Fatal(err)
	}
	text := r.Header().Text
	r.Close()
	scenario, _ := os.ReadFile("../../scenarios/quickstart.toml")
	wantTail := "\n# snnsim --set overrides, applied to the text above:\n# --set simulation.seed=9\n# --set population.input.params.rate=12 Hz\n"
	if !strings.HasPrefix(text, string(scenario)) || !strings.HasSuffix(text, wantTail) {
		t.Errorf("header text does not end with the overrides:\n...%s", text[max(0, len(text)-300):])
	}

	var out, errb bytes.Buffer
	args := append(append([]string{"run", "../../scenarios/quickstart.toml", "--out", b, "--stop-at", "1 s"}, common...), quickSets...)
	if code := run(args, &out, &errb); code != 3 {
		t.Fatalf("--stop-at: exit %d, want 3\n%s", code, errb.String())
	}
	runCmd(t, append([]string{"resume", b, "--progress", "none"}, oneWorker...)...)
	lb, _ := os.ReadFile(filepath.Join(b, LogName))
	if len(la) == 0 || !bytes.Equal(la, lb) {
		t.Errorf("the resumed run's log differs from the straight run's (%d and %d bytes)", len(la), len(lb))
	}
}

// TestSetErrors: a bad override is reported with its --set KEY, by run and
// by validate; validate applies --set to its files.
func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "../../scenarios/quickstart.toml", "--progress", "none", "--out", t.TempDir(), "--set", "population.input.params.rate=3 ms"},
			`quickstart.toml: --set population.input.params.rate: population[0].params.rate: "3 ms" is a time, but a frequency is needed`},
		{[]string{"validate", "../../scenarios/quickstart.toml", "--set", "population.inpt.size=3"},
			`quickstart.toml: --set population.inpt.size: no [[population]] table is named "inpt" (did you mean "input"?)`},
		{[]string{"validate", "../../scenarios/quickstart.toml", "--set", "simulation.seed"},
			`quickstart.toml: --set simulation.seed: expected KEY=VALUE`},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", tc.args, code, errb.String())
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: stderr\n%s\nwant it to contain\n%s", tc.args, errb.String(), tc.want)
		}
	}
	out, _ := runCmd(t, "validate", "../../scenarios/quickstart.toml", "--set", "population.E.size=40", "--set", "projection.E_to_E.delay=\"2 ms\"")
	if !strings.Contains(out, "ok (3 populations, 1140 neurons") {
		t.Errorf("validate --set: %s", out)
	}
}
