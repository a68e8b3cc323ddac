package scenario

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/source"
)

// patternScenario is an input population showing the patterns of a file,
// then shorter presentations, then the patterns of a second file at a
// higher rate: the three phases of Zenke et al. (2015) in miniature.
const patternScenario = `[simulation]
duration = "3 s"

[[population]]
name = "input"
size = 16
model = "pattern"

[population.params]
background = "5 Hz"
rate = "25 Hz"
file = "shapes.pat"
first = "100 ms"
on = "100 ms"
off = "200 ms"

[[population.params.phases]]
at = "1 s"
on = "20 ms"
off = "50 ms"

[[population.params.phases]]
at = "2 s"
file = "cues.pat"
rate = "50 Hz"
`

// writePatternFiles writes the two pattern files of patternScenario.
func writePatternFiles(t *testing.T, dir, shapes, cues string) {
	t.Helper()
	for name, text := range map[string]string{"shapes.pat": shapes, "cues.pat": cues} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPatternPhasesDecode: the files are read into the phases, and each
// phase keeps the keys it does not write from the phase before it.
func TestPatternPhasesDecode(t *testing.T) {
	dir := t.TempDir()
	writePatternFiles(t, dir, "# a\n0\n1\n\n# b\n2 0.5\n3\n", "4\n5\n\n6\n\n7\n")
	s, err := Decode(filepath.Join(dir, "net.toml"), []byte(patternScenario))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := s.Populations[0].Source.(*source.Pattern)
	if !ok {
		t.Fatalf("source %T, want *source.Pattern", s.Populations[0].Source)
	}
	ph := p.AllPhases()
	if len(ph) != 3 {
		t.Fatalf("%d phases, want 3", len(ph))
	}
	want := []struct {
		at, rate, on, off, first float64
		pats                     [][]int
	}{
		{0, 25, 100, 200, 100, [][]int{{0, 1}, {2, 3}}},
		{1000, 25, 20, 50, 100, [][]int{{0, 1}, {2, 3}}},
		{2000, 50, 20, 50, 100, [][]int{{4, 5}, {6}, {7}}},
	}
	for k, w := range want {
		g := ph[k]
		if g.At != w.at || g.Rate != w.rate || g.On != w.on || g.Off != w.off || g.First != w.first || g.Background != 5 ||
			!slices.EqualFunc(g.Patterns, w.pats, slices.Equal) {
			t.Errorf("phase %d = %+v, want %+v", k, g, w)
		}
	}
	if got := ph[1].Gammas[1]; !slices.Equal(got, []float64{0.5, 1}) {
		t.Errorf("phase 1 gammas of pattern 1 = %v, want the file's [0.5 1]", got)
	}
	if _, err := s.Compile(); err != nil {
		t.Fatal(err)
	}
	// An override reaches a phase by its index.
	s, err = DecodeOverrides(filepath.Join(dir, "net.toml"), []byte(patternScenario), []string{`population.input.params.phases.1.rate=75 Hz`})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Populations[0].Source.(*source.Pattern).Phases[1].Rate; r != 75 {
		t.Errorf("--set phases.1.rate: rate %g Hz, want 75", r)
	}
}

// TestPatternScenarioErrors: a defect of a pattern file is reported with the
// file's path and line; a bad phase key with the scenario's line.
func TestPatternScenarioErrors(t *testing.T) {
	dir := t.TempDir()
	writePatternFiles(t, dir, "0\n1\n\nx\n", "4\n")
	_, err := Decode(filepath.Join(dir, "net.toml"), []byte(patternScenario))
	if err == nil || !strings.Contains(err.Error(), "shapes.pat:4:") || !strings.Contains(err.Error(), "not a member index") {
		t.Errorf("bad pattern file: %v, want an error at shapes.pat:4", err)
	}
	writePatternFiles(t, dir, "0\n", "4\n")
	bad := strings.Replace(patternScenario, `on = "20 ms"`, `on = "-20 ms"`, 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "net.toml:19: population[0].params.phases[0].on") {
		t.Errorf("negative on in phase 0: %v, want an error at net.toml:19 on population[0].params.phases[0].on", err)
	}
	bad = strings.Replace(patternScenario, `at = "1 s"`, ``, 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "population[0].params.phases[0].at: required key is missing") {
		t.Errorf("phase without at: %v", err)
	}
	bad = strings.Replace(patternScenario, `rate = "50 Hz"`, `rate = "20 kHz"`, 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "population[0].params.phases[1].rate: background + rate·gamma = 20005 Hz: above one spike per tick") {
		t.Errorf("20 kHz stimulus: %v", err)
	}
	bad = strings.Replace(patternScenario, `off = "50 ms"`, "off = \"50 ms\"\nofff = 1", 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), `unknown key "offf"`) {
		t.Errorf("unknown key in a phase: %v", err)
	}
	bad = strings.Replace(patternScenario, `rate = "50 Hz"`, "rate = \"50 Hz\"\npatterns = [[1]]", 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "both file and patterns") {
		t.Errorf("file and patterns in one phase: %v", err)
	}
	bad = strings.Replace(patternScenario, `file = "shapes.pat"`, `patterns = [[0, 1], [20]]`, 1)
	_, err = Decode(filepath.Join(dir, "net.toml"), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "population[0].params.patterns: pattern 1 (from 0) has member 20") {
		t.Errorf("member 20 of 16: %v", err)
	}
	if s, err2 := Decode(filepath.Join(dir, "net.toml"), []byte(strings.Replace(bad, "[20]", "[15]", 1))); err2 != nil {
		t.Errorf("inline patterns: %v", err2)
	} else if got := s.Populations[0].Source.(*source.Pattern).Phases[0].Patterns; !slices.EqualFunc(got, [][]int{{0, 1}, {15}}, slices.Equal) {
		t.Errorf("phase 0 inherits %v, want the inline patterns", got)
	}
}
