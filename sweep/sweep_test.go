package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

const captureScenario = "../scenarios/stc_capture.toml"

func TestParseSeeds(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint64
		err  bool
	}{
		{"3", []uint64{1, 2, 3}, false},
		{"1", []uint64{1}, false},
		{"5..7", []uint64{5, 6, 7}, false},
		{" 0..1 ", []uint64{0, 1}, false},
		{"4..4", []uint64{4}, false},
		{"0", nil, true},
		{"7..5", nil, true},
		{"a..b", nil, true},
		{"-3", nil, true},
		{"", nil, true},
	} {
		got, err := ParseSeeds(c.in)
		if (err != nil) != c.err || !slices.Equal(got, c.want) {
			t.Errorf("ParseSeeds(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParseAxis(t *testing.T) {
	for _, c := range []struct {
		in   string
		key  string
		vals []string
		err  bool
	}{
		{"population.S2.params.start=1 h,2 h", "population.S2.params.start", []string{"1 h", "2 h"}, false},
		{`a.b="x,y",z`, "a.b", []string{"x,y", "z"}, false},
		{"a.b=1", "a.b", []string{"1"}, false},
		{"a.b", "", nil, true},
		{"=1,2", "", nil, true},
		{"a.b=1,,2", "", nil, true},
		{"a.b=1,1", "", nil, true},
	} {
		a, err := ParseAxis(c.in)
		if (err != nil) != c.err || a.Key != c.key || !slices.Equal(a.Values, c.vals) {
			t.Errorf("ParseAxis(%q) = %+v, %v; want %s %v (error %v)", c.in, a, err, c.key, c.vals, c.err)
		}
	}
}

// TestPoints checks the expansion order (rows, then the grid with the
// last axis fastest, then seeds), the overrides of each point and that the
// names are unique path components.
func TestPoints(t *testing.T) {
	s := Spec{
		Sets:  []string{"simulation.duration=1 h"},
		Rows:  &Rows{Columns: []string{"order", "population.S1.params.start"}, Values: [][]string{{"a", "30 min"}, {"b", "60 min"}}},
		Grid:  []Axis{{Key: "population.S2.params.start", Values: []string{"1 h", "2 h", "3 h"}}},
		Seeds: []uint64{4, 5},
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2*3*2 {
		t.Fatalf("%d points, want 12", len(pts))
	}
	names := map[string]bool{}
	for i, p := range pts {
		row, g, seed := i/6, (i/2)%3, uint64(4+i%2)
		want := []string{"simulation.duration=1 h", "population.S1.params.start=" + s.Rows.Values[row][1],
			"population.S2.params.start=" + s.Grid[0].Values[g]}
		if got := p.Overrides(&s); !slices.Equal(got, want) || p.Seed != seed || !p.SeedSet || p.Index != i {
			t.Errorf("point %d: overrides %q seed %d; want %q seed %d", i, got, p.Seed, want, seed)
		}
		if names[p.Name] || strings.ContainsAny(p.Name, "/ ") {
			t.Errorf("point %d: name %q repeated or not one path component", i, p.Name)
		}
		names[p.Name] = true
	}
	if want := "order=a,S1.params.start=30min,S2.params.start=1h,seed=4"; pts[0].Name != want {
		t.Errorf("name %q, want %q", pts[0].Name, want)
	}
	bad := Spec{Grid: []Axis{{Key: "a.b", Values: []string{"1"}}, {Key: "a.b", Values: []string{"2"}}}}
	if _, err := bad.Points(); err == nil {
		t.Error("a key given twice was accepted")
	}
}

// newSpec is a sweep of the capture scenario over rows of the
// capture-window design, shortened.
func newSpec(t *testing.T, seeds []uint64) Spec {
	t.Helper()
	text, err := os.ReadFile(captureScenario)
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	return Spec{Scenario: captureScenario, WorkDir: wd, ScenarioSHA256: ScenarioHash(text),
		Rows: &Rows{Columns: []string{"order", "population.S1.params.start", "population.S2.params.start", "simulation.duration"},
			Values: [][]string{{"sw", "30 min", "60 min", "300 min"}, {"sw", "30 min", "120 min", "360 min"}, {"ws", "90 min", "30 min", "330 min"}}},
		Seeds: seeds}
}

// TestSweepEqualsSingleRuns: each point of a sweep writes the same log,
// byte for byte, as a run of the scenario with the point's overrides and
// seed on its own.
func TestSweepEqualsSingleRuns(t *testing.T) {
	dir := t.TempDir()
	spec := newSpec(t, []uint64{2, 3})
	s, err := Create(filepath.Join(dir, "sweep"), spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.RunLocal(context.Background(), LocalOptions{Jobs: 2})
	if err != nil || c.Ran != 6 || c.Failed != 0 {
		t.Fatalf("RunLocal: %+v, %v", c, err)
	}
	for i, p := range s.Manifest.Points {
		sc, err := scenario.LoadOverrides(captureScenario, p.Overrides(&spec))
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed = p.Seed
		one := filepath.Join(dir, "single", p.Name)
		if _, err := runner.Run(context.Background(), sc, runner.Options{Dir: one}); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(filepath.Join(s.PointDir(i), runner.LogName))
		b, _ := os.ReadFile(filepath.Join(one, runner.LogName))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("point %d (%s): the sweep's log (%d bytes) differs from the single run's (%d bytes)", i, p.Name, len(a), len(b))
		}
		if p.Status != Done {
			t.Errorf("point %d: manifest status %s", i, p.Status)
		}
	}
	// A second run skips every point.
	c, err = s.RunLocal(context.Background(), LocalOptions{Jobs: 2})
	if err != nil || c.Skipped != 6 || c.Ran != 0 {
		t.Errorf("second RunLocal: %+v, %v; want 6 skipped", c, err)
	}
	// Metrics: the capture of S2 (strong then weak, 30 min apart) is
	// positive, and S1's strong tetanus potentiates S1.
	tab, err := s.Collect([]Metric{mustMetric(t, "s2=change:S2_to_N@end"), mustMetric(t, "change:S1_to_N"), mustMetric(t, "rate:N@0..1 h")})
	if err != nil {
		t.Fatal(err)
	}
	s2, s1, rate := tab.Column("s2"), tab.Column("change_S1_to_N"), tab.Column("rate_N_0__1_h")
	if s2 < 0 || s1 < 0 || rate < 0 {
		t.Fatalf("columns %v", tab.Columns)
	}
	for _, r := range tab.Rows[:2] {
		if x, _ := parseFloat(r[s2]); !(x > 1) {
			t.Errorf("%s: S2 change %s %%, want a capture (> 1 %%)", r[1], r[s2])
		}
		if x, _ := parseFloat(r[s1]); !(x > 10) {
			t.Errorf("%s: S1 change %s %%, want > 10 %%", r[1], r[s1])
		}
		if x, _ := parseFloat(r[rate]); x < 0 {
			t.Errorf("%s: rate %s", r[1], r[rate])
		}
	}
}

func mustMetric(t *testing.T, s string) Metric {
	t.Helper()
	m, err := ParseMetric(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSecondSweepRefused: a sweep directory held by one sweep is refused
// to another, saying so; once released it opens.
func TestSecondSweepRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	spec := newSpec(t, nil)
	a, err := Create(dir, spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(dir, spec, "test")
	if !errors.Is(err, runner.ErrBusy) || !strings.Contains(err.Error(), "in use by another sweep") ||
		!strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second Create: %v; want a busy error naming this process", err)
	}
	a.Close()
	b, err := Create(dir, spec, "test")
	if err != nil {
		t.Fatalf("Create after Close: %v", err)
	}
	b.Close()
}

// TestDifferentDesignRefused: a second sweep into a directory with another
// design is refused with a message naming each difference.
func TestDifferentDesignRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	spec := newSpec(t, []uint64{1, 2})
	spec.Grid = []Axis{{Key: "population.N.params.a", Values: []string{"4 nS", "5 nS"}}}
	a, err := Create(dir, spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	other := spec
	other.Grid = []Axis{{Key: "population.N.params.a", Values: []string{"4 nS", "6 nS"}}}
	other.Seeds = []uint64{1, 2, 3}
	other.Sets = []string{"simulation.duration=1 h"}
	_, err = Create(dir, other, "test")
	if err == nil {
		t.Fatal("a different design was accepted")
	}
	for _, want := range []string{"--grid population.N.params.a: was [4 nS, 5 nS], now [4 nS, 6 nS]", "--seeds: 1..2, now 1..3", "--set: none, now [simulation.duration=1 h]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The same design opens.
	b, err := Create(dir, spec, "test")
	if err != nil {
		t.Fatalf("same design: %v", err)
	}
	b.Close()
}

// TestFailingPoint: a point whose override is invalid fails with its
// error recorded in its directory and the manifest; the others run.
func TestFailingPoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	spec := newSpec(t, nil)
	spec.Rows.Values[1][2] = "-5 min"
	s, err := Create(dir, spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.RunLocal(context.Background(), LocalOptions{Jobs: 1})
	if err != nil || c.Ran != 2 || c.Failed != 1 {
		t.Fatalf("RunLocal: %+v, %v; want 2 run, 1 failed", c, err)
	}
	st, msg := PointStatus(s.PointDir(1))
	if st != Failed || !strings.Contains(msg, "population.S2.params.start") {
		t.Errorf("point 1: %s %q; want failed naming the key", st, msg)
	}
	if p := s.Manifest.Points[1]; p.Status != Failed || p.Error == "" {
		t.Errorf("manifest: %+v", p)
	}
	for _, i := range []int{0, 2} {
		if st, _ := PointStatus(s.PointDir(i)); st != Done {
			t.Errorf("point %d: %s, want done", i, st)
		}
	}
}

// guardScenario drives one neuron far above rheobase (one spike per
// t_ref + dt = 2.1 ms, about 476 Hz) under a guard of 1000 Hz per 50 ms
// bin, which it never reaches; a row lowers the limit.
const guardScenario = `
[simulation]
duration = "200 ms"
[[population]]
name = "N"
size = 1
model = "lif_exp_cond"
params = { i_bias = "100 nA", t_ref = "2 ms" }
[[record]]
what = "spikes"
[[guard]]
population = "N"
max_rate = "1000 Hz"
window = "50 ms"
`

// TestGuardStoppedPoint: a point that its [[guard]] stops (the limit
// below the neuron's 476 Hz) is StoppedByGuard, with the guard's reason,
// counted as stopped and not as failed, in its directory and the
// manifest; a point whose override is invalid still fails.
func TestGuardStoppedPoint(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "guard.toml")
	if err := os.WriteFile(scen, []byte(guardScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := Spec{Scenario: scen, WorkDir: dir, ScenarioSHA256: ScenarioHash([]byte(guardScenario)),
		Rows: &Rows{Columns: []string{"limit", "guard.0.max_rate"}, Values: [][]string{{"high", "1000 Hz"}, {"low", "100 Hz"}, {"bad", "-1 Hz"}}}}
	s, err := Create(filepath.Join(dir, "sweep"), spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.RunLocal(context.Background(), LocalOptions{Jobs: 1})
	if err != nil || c.Ran != 1 || c.Stopped != 1 || c.Failed != 1 {
		t.Fatalf("RunLocal: %+v, %v; want 1 run, 1 stopped by guard, 1 failed", c, err)
	}
	for i, want := range []struct {
		st  Status
		msg string
	}{{Done, ""}, {StoppedByGuard, `population "N" fired at 480 Hz from 0 ms to 50 ms, above its [[guard]] limit of 100 Hz`}, {Failed, "max_rate"}} {
		st, msg := PointStatus(s.PointDir(i))
		if st != want.st || !strings.Contains(msg, want.msg) {
			t.Errorf("point %d: %s %q; want %s saying %q", i, st, msg, want.st, want.msg)
		}
		if p := s.Manifest.Points[i]; p.Status != want.st || !strings.Contains(p.Error, want.msg) {
			t.Errorf("manifest point %d: %s %q; want %s", i, p.Status, p.Error, want.st)
		}
	}
}

// TestInterruptResume: cancelling a local sweep leaves points interrupted
// with checkpoints; running it again resumes them, and every log equals
// an uninterrupted sweep's.
func TestInterruptResume(t *testing.T) {
	dir := t.TempDir()
	spec := newSpec(t, []uint64{1})
	ref, err := Create(filepath.Join(dir, "ref"), spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.RunLocal(context.Background(), LocalOptions{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	ref.Close()
	s, err := Create(filepath.Join(dir, "cut"), spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Stop point 1 at 2 h with a checkpoint, as an interruption does.
	sc, err := s.Scenario(1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), sc, runner.Options{Dir: s.PointDir(1), Force: true, StopAt: 2 * 3600 * 1000})
	if err != nil || res.Status != runner.Stopped {
		t.Fatalf("stopped run: %v %v", res, err)
	}
	if st, _ := PointStatus(s.PointDir(1)); st != Interrupted {
		t.Fatalf("point 1 is %s, want interrupted", st)
	}
	c, err := s.RunLocal(context.Background(), LocalOptions{Jobs: 2})
	if err != nil || c.Ran != 3 || c.Resumed != 1 {
		t.Fatalf("RunLocal: %+v, %v; want 3 run, 1 resumed", c, err)
	}
	// A resumed log is cut into blocks elsewhere; its records are the same.
	for i := range s.Manifest.Points {
		a := logContent(t, filepath.Join(ref.PointDir(i), runner.LogName))
		b := logContent(t, filepath.Join(s.PointDir(i), runner.LogName))
		if len(a) < 1000 || a != b {
			al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
			for k := range min(len(al), len(bl)) {
				if al[k] != bl[k] {
					t.Logf("line %d: %q vs %q", k, al[k], bl[k])
					break
				}
			}
			t.Errorf("point %d: the resumed sweep's spikes and samples differ from the uninterrupted one's (%d, %d lines)", i, len(al), len(bl))
		}
	}
}

// logContent is every spike and sample of a log, as sorted lines of text:
// how the records are grouped into blocks is the writer's choice.
func logContent(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	for _, pass := range []bool{false, true} {
		r, err := spikelog.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if pass {
			for s := range r.Samples(spikelog.SampleFilter{}) {
				fmt.Fprintln(&b, s.Series, s.T, s.Values)
			}
		} else {
			for s := range r.Spikes(spikelog.Filter{}) {
				fmt.Fprintln(&b, s.T, s.ID)
			}
		}
		if err := r.Err(); err != nil || !r.Complete() {
			t.Fatalf("%s: %v (complete %v)", path, err, r.Complete())
		}
		r.Close()
	}
	lines := strings.Split(b.String(), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestArrayList(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 2, 3, 4, 7}, "0,2-4,7"},
		{[]int{5}, "5"},
	} {
		if got := ArrayList(c.in); got != c.want {
			t.Errorf("ArrayList(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseMetric(t *testing.T) {
	for _, c := range []struct {
		in, name string
		err      bool
	}{
		{"rate:E", "rate_E", false},
		{"x=change:S2_to_N@4 h", "x", false},
		{"cv:E@1 s..2 s", "cv_E_1_s__2_s", false},
		{"wall", "wall", false},
		{"wmean:weight/S1_to_E", "wmean_weight_S1_to_E", false},
		{"wall:x", "", true},
		{"rate", "", true},
		{"speed:E", "", true},
		{"wmean:E@1 h", "", true},
		{"a-b=rate:E", "", true},
	} {
		m, err := ParseMetric(c.in)
		if (err != nil) != c.err || (!c.err && m.Name != c.name) {
			t.Errorf("ParseMetric(%q) = %q, %v; want %q (error %v)", c.in, m.Name, err, c.name, c.err)
		}
	}
}

// TestNPZInNumPy writes a table as NPZ and loads it with numpy.load,
// checking dtypes and values against the CSV.
func TestNPZInNumPy(t *testing.T) {
	py := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("skipped: no python3 with numpy (Debian: apt-get install python3-numpy; .ci/run installs it)")
	}
	tab := &Table{Columns: []string{"index", "order", "seed", "status", "s2_change"},
		Rows: [][]string{{"0", "strong-weak", "1", "done", "9.873"}, {"1", "weak-strong→", "2", "failed", ""}, {"2", "x", "3", "done", "-0.5"}}}
	tab.Numeric = []bool{true, false, true, false, true}
	file := filepath.Join(t.TempDir(), "results.npz")
	if err := tab.WriteNPZ(file); err != nil {
		t.Fatal(err)
	}
	script := `
import numpy as np, math, sys
d = np.load(sys.argv[1])
assert sorted(d.keys()) == ["index", "order", "s2_change", "seed", "status"], list(d.keys())
assert d["index"].dtype == np.float64 and list(d["index"]) == [0, 1, 2]
assert d["order"].dtype.kind == "U" and list(d["order"]) == ["strong-weak", "weak-strong\u2192", "x"], d["order"]
assert list(d["status"]) == ["done", "failed", "done"]
v = d["s2_change"]
assert v.dtype == np.float64 and v[0] == 9.873 and math.isnan(v[1]) and v[2] == -0.5, v
print("ok")
`
	out, err := exec.Command(py, "-c", script, file).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("numpy.load: %v\n%s", err, out)
	}
}

// TestCurves: mean and standard error over seeds, grouped by the label
// column, with quantities on x drawn in the first value's unit.
func TestCurves(t *testing.T) {
	tab := &Table{Columns: []string{"index", "name", "order", "population.S2.params.start", "seed", "status", "y"},
		Rows: [][]string{
			{"0", "a", "sw", "30 min", "1", "done", "1"},
			{"1", "b", "sw", "30 min", "2", "done", "2"},
			{"2", "c", "sw", "30 min", "3", "done", "3"},
			{"3", "d", "sw", "1.5 h", "1", "done", "10"},
			{"4", "e", "sw", "1.5 h", "2", "failed", ""},
			{"5", "f", "ws", "1 h", "1", "done", "-4"},
			{"6", "g", "ws", "1 h", "2", "done", "4"},
		}}
	cs, err := tab.Curves("population.S2.params.start", "y", nil, []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Group != "order=sw" || cs[1].Group != "order=ws" || cs[0].XUnit != "min" {
		t.Fatalf("curves %+v", cs)
	}
	sw, ws := cs[0], cs[1]
	if !slices.Equal(sw.X, []float64{30, 90}) || !slices.Equal(sw.N, []int{3, 1}) || sw.Mean[0] != 2 || sw.Mean[1] != 10 {
		t.Errorf("strong-weak: %+v", sw)
	}
	// Values 1, 2, 3: sample SD 1, s.e.m. 1/√3; one value: no s.e.m.
	if d := sw.SEM[0] - 1/math.Sqrt(3); d > 1e-15 || d < -1e-15 || !math.IsNaN(sw.SEM[1]) {
		t.Errorf("s.e.m. %v", sw.SEM)
	}
	// -4, 4: mean 0, SD 4√2, s.e.m. 4.
	if !slices.Equal(ws.X, []float64{60}) || ws.Mean[0] != 0 || math.Abs(ws.SEM[0]-4) > 1e-12 {
		t.Errorf("weak-strong: %+v", ws)
	}
	if _, err := tab.Curves("name", "y", nil, nil); err == nil {
		t.Error("a text column was accepted as x")
	}
}

// TestResolveSeries: a projection name stands for its pathway efficacy mean
// when the log has one, else for its weights series, named as the engine
// names them; a full series name stands for itself.
func TestResolveSeries(t *testing.T) {
	withPathway := []spikelog.Series{{Name: "weights/P"}, {Name: "pathway/P/efficacy/mean"}, {Name: "rate/E"}}
	weightsOnly := []spikelog.Series{{Name: "rate/E"}, {Name: "weights/P"}}
	for _, c := range []struct {
		name   string
		arg    string
		series []spikelog.Series
		want   string
	}{
		{"case=pathway-first", "P", withPathway, "pathway/P/efficacy/mean"},
		{"case=weights", "P", weightsOnly, "weights/P"},
		{"case=full-name", "rate/E", weightsOnly, "rate/E"},
		{"case=missing", "Q", weightsOnly, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := resolveSeries(c.arg, c.series)
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), `no series "Q"`) {
					t.Errorf("resolveSeries(%q) = %q, %v; want an error naming it", c.arg, s.Name, err)
				}
				return
			}
			if err != nil || s.Name != c.want {
				t.Errorf("resolveSeries(%q) = %q, %v; want %q", c.arg, s.Name, err, c.want)
			}
		})
	}
}
