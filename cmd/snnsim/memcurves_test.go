package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tinyMemoryCurves is a memory-curve scenario that runs in a fraction of
// a second: 500 synapses, memories up to 50, 16 trials, three models.
const tinyMemoryCurves = `[simulation]
name = "tiny_curves"
seed = 5

[memory_curves]
synapses = 500
memories = [0, 2, 10, 50]
trials   = 16

[[memory_curves.model]]
name   = "binary"
model  = "binary"
params = { q = 0.2 }

[[memory_curves.model]]
name   = "cascade_4"
model  = "cascade"
params = { depth = 4 }

[[memory_curves.model]]
model  = "benna_fusi"
params = { variables = 6 }
`

// TestRunMemoryCurves runs a tiny memory-curve scenario end to end: the
// CSV has every model's points, each within 4 standard errors of the exact
// curve; the summary agrees with it; the same seed gives the same CSV and
// another seed another one.
func TestRunMemoryCurves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.toml")
	if err := os.WriteFile(path, []byte(tinyMemoryCurves), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "a")
	stdout, _ := runCmd(t, "run", path, "--out", out, "--progress", "none")
	for _, want := range []string{"binary (binary): N = 500 synapses, 16 trials", "cascade_4 (cascade)", "benna_fusi (benna_fusi)",
		"lifetime (first t with SNR < 1)", "wrote " + filepath.Join(out, MemoryCurvesCSV)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}

	data, err := os.ReadFile(filepath.Join(out, MemoryCurvesCSV))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+3*4 || strings.Join(rows[0], ",") != "model,t,snr,se,exact" {
		t.Fatalf("CSV: %d rows, header %v", len(rows), rows[0])
	}
	times := []int{0, 2, 10, 50}
	for k, r := range rows[1:] {
		model := []string{"binary", "cascade_4", "benna_fusi"}[k/4]
		v := make([]float64, 3)
		for j := range v {
			if v[j], err = strconv.ParseFloat(r[2+j], 64); err != nil {
				t.Fatalf("row %d: %v", k+1, err)
			}
		}
		snr, se, exact := v[0], v[1], v[2]
		if r[0] != model || r[1] != strconv.Itoa(times[k%4]) {
			t.Errorf("row %d: %v, want model %s, t %d", k+1, r, model, times[k%4])
		}
		if !(se > 0) || math.Abs(snr-exact) > 4*se {
			t.Errorf("%s t = %s: SNR %.3f ± %.3f, exact %.3f: more than 4 s.e. apart", r[0], r[1], snr, se, exact)
		}
	}
	// The exact values at t = 0: binary √N q, cascade 2√N/n.
	if x, _ := strconv.ParseFloat(rows[1][4], 64); math.Abs(x-math.Sqrt(500)*0.2) > 1e-9 {
		t.Errorf("binary exact SNR(0) = %g, want %g", x, math.Sqrt(500)*0.2)
	}
	if x, _ := strconv.ParseFloat(rows[5][4], 64); math.Abs(x-2*math.Sqrt(500)/4) > 1e-9 {
		t.Errorf("cascade exact SNR(0) = %g, want %g", x, 2*math.Sqrt(500)/4)
	}

	js, err := os.ReadFile(filepath.Join(out, SummaryName))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Summary
		Kind     string `json:"kind"`
		CSV      string `json:"csv"`
		Synapses int    `json:"synapses"`
		Trials   int    `json:"trials"`
		Memories []int  `json:"memories"`
		Models   []struct {
			Name          string     `json:"name"`
			SNR           []float64  `json:"snr"`
			Z             []*float64 `json:"z"`
			NullSD        []float64  `json:"null_sd"`
			LifetimeMC    *int       `json:"lifetime_mc"`
			LifetimeExact *int       `json:"lifetime_exact"`
		} `json:"models"`
	}
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Completed || s.Scenario != "tiny_curves" || s.Seed != 5 || s.Kind != "memory_curves" || s.CSV != MemoryCurvesCSV ||
		s.Synapses != 500 || s.Trials != 16 || len(s.Memories) != 4 || len(s.Models) != 3 || s.WallS <= 0 || s.Populations == nil {
		t.Fatalf("summary: %s", js)
	}
	// Binary: SNR = √N q (1−q)^t = 4.47·0.8^t falls below 1 first at t = 7.
	if b := s.Models[0]; b.LifetimeExact == nil || *b.LifetimeExact != 7 {
		t.Errorf("binary exact lifetime: %v, want 7", b.LifetimeExact)
	}
	for _, m := range s.Models {
		if len(m.SNR) != 4 || len(m.Z) != 4 || m.Z[0] == nil || m.LifetimeExact == nil {
			t.Errorf("model %s: %+v", m.Name, m)
		}
		for i, sd := range m.NullSD {
			if sd < 0.4 || sd > 1.8 {
				t.Errorf("model %s: null s.d. %g at t = %d, expected about 1", m.Name, sd, s.Memories[i])
			}
		}
	}

	// Same seed, same curves; another seed (flag), other curves.
	b := filepath.Join(dir, "b")
	runCmd(t, "run", path, "--out", b, "--progress", "none")
	if again, _ := os.ReadFile(filepath.Join(b, MemoryCurvesCSV)); !bytes.Equal(again, data) {
		t.Error("same seed: the CSV files differ")
	}
	c := filepath.Join(dir, "c")
	runCmd(t, "run", path, "--out", c, "--progress", "none", "--seed", "6", "--set", "memory_curves.trials=2")
	if other, _ := os.ReadFile(filepath.Join(c, MemoryCurvesCSV)); bytes.Equal(other, data) || len(other) == 0 {
		t.Error("another seed and trials gave the same CSV")
	}
}

// TestRunMemoryCurvesRefusesTimeFlags checks that the flags about simulated
// time are refused for a memory-curve scenario, and that a bad override
// names its key.
func TestRunMemoryCurvesRefusesTimeFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.toml")
	if err := os.WriteFile(path, []byte(tinyMemoryCurves), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--duration", "1 s"}, 2, "--duration does not apply to a [memory_curves] scenario"},
		{[]string{"--stop-at", "1 s"}, 2, "--stop-at does not apply"},
		{[]string{"--set", "memory_curves.synapses=1"}, 1, "--set memory_curves.synapses: memory_curves.synapses: 1: must be >= 2"},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"run", path, "--out", t.TempDir(), "--progress", "none"}, tc.args...)
		if code := run(args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d; stderr %q, want it to contain %q", tc.args, code, tc.code, errb.String(), tc.want)
		}
	}
}
