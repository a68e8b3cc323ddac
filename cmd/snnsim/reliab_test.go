package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWarnsSaturated runs one neuron driven far above rheobase (it fires
// once per t_ref + dt) and checks that the run warns on stderr and lists the
// population in summary.json, and that a [[guard]] on it silences both.
func TestRunWarnsSaturated(t *testing.T) {
	const text = `
[simulation]
duration = "200 ms"
[[population]]
name = "N"
size = 1
model = "lif_exp_cond"
params = { i_bias = "100 nA", t_ref = "2 ms" }
`
	for _, tc := range []struct {
		name, extra string
		warn        bool
	}{
		{"unguarded", "", true},
		{"guarded", "[[guard]]\npopulation = \"N\"\nmax_rate = \"1000 Hz\"\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sc := filepath.Join(dir, "sat.toml")
			if err := os.WriteFile(sc, []byte(text+tc.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			_, errs := runCmd(t, "run", sc, "--out", out, "--progress", "none")
			if got := strings.Contains(errs, `warning: population "N" fired at`); got != tc.warn {
				t.Errorf("warning printed: %v, want %v; stderr:\n%s", got, tc.warn, errs)
			}
			var s Summary
			js, err := os.ReadFile(filepath.Join(out, SummaryName))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(js, &s); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(js), `"saturated_populations"`) {
				t.Errorf("summary.json has no saturated_populations field:\n%s", js)
			}
			if tc.warn != (len(s.SaturatedPopulations) == 1 && s.SaturatedPopulations[0].Population == "N") {
				t.Errorf("saturated_populations = %+v, want N listed: %v", s.SaturatedPopulations, tc.warn)
			}
		})
	}
}
