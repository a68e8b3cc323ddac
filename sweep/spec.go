// Package sweep runs a scenario over a design of parameter points — the
// Cartesian product of a grid of overrides, the rows of a CSV table and a
// set of seeds — each point a normal run (package runner) in its own
// directory, on this machine with a worker pool or on a Slurm cluster as a
// job array, and collects metrics from the points' logs into one table.
//
// A sweep directory holds:
//
//	sweep.json        the Manifest: the design, every point and its status
//	points/NAME/      one run directory per point, named from its values
//	sweep.sbatch      the job-array script (Slurm only)
//	slurm/            the tasks' output (Slurm only)
//	results.csv       the table written by Collect (and results.npz)
//	.snnsim.lock      while a process runs the sweep here
//
// A point's status is read from its own directory, which only the process
// running the point writes (see PointStatus), so Slurm tasks need no shared
// database; the manifest's statuses are what the last local executor saw.
package sweep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Axis is one key of a grid and the values it takes, as given to --set.
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Rows is a table of points for a design that is not a grid: each column a
// scenario key (its values applied as overrides) or, when the header has no
// dot, a label recorded with the point and in the results (e.g. the order
// of two protocols, or an interval from which two start times follow).
type Rows struct {
	File    string     `json:"file,omitempty"`
	Columns []string   `json:"columns"`
	Values  [][]string `json:"values"`
}

// Spec is the design of a sweep.
type Spec struct {
	// Scenario is the scenario file's path as given; WorkDir the working
	// directory it is relative to.
	Scenario string `json:"scenario"`
	WorkDir  string `json:"work_dir"`
	// ScenarioSHA256 is the hash of the scenario file's text, so that a
	// file edited during a sweep is noticed.
	ScenarioSHA256 string `json:"scenario_sha256"`
	// RowScenarios holds the hash of each scenario file that the
	// ScenarioColumn of Rows names, by the path as written.
	RowScenarios map[string]string `json:"row_scenarios,omitempty"`
	// Sets are overrides applied to every point, before its own.
	Sets []string `json:"sets,omitempty"`
	Grid []Axis   `json:"grid,omitempty"`
	Rows *Rows    `json:"rows,omitempty"`
	// Seeds are the seeds of every point; nil: the scenario's own seed.
	Seeds []uint64 `json:"seeds,omitempty"`
	// CheckpointEvery is the simulated time between checkpoints of each
	// point ("" for none: an interrupted point still checkpoints where it
	// stops).
	CheckpointEvery string `json:"checkpoint_every,omitempty"`
}

// ScenarioColumn is the label column of Rows that names each point's
// scenario file (relative to the working directory), so that one sweep
// runs several protocols: a point without it runs Spec.Scenario.
const ScenarioColumn = "scenario"

// ScenarioPath returns the scenario file of point p: its ScenarioColumn
// value, else the sweep's scenario.
func (p *Point) ScenarioPath(s *Spec) string {
	for _, q := range p.Params {
		if q.Label && q.Key == ScenarioColumn {
			return q.Value
		}
	}
	return s.Scenario
}

// HashScenarios records the hash of the sweep's scenario file (when it
// has one) and of every scenario file that the ScenarioColumn of its rows
// names, read relative to WorkDir. A sweep needs a scenario for every
// point: a Scenario, or a rows table with a ScenarioColumn.
func (sp *Spec) HashScenarios() error {
	read := func(path string) (string, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(sp.WorkDir, path)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		return ScenarioHash(text), nil
	}
	col := -1
	if sp.Rows != nil {
		col = slices.Index(sp.Rows.Columns, ScenarioColumn)
	}
	if sp.Scenario == "" && col < 0 {
		return fmt.Errorf("no scenario: give a SCENARIO file, or rows with a %q column naming each point's scenario", ScenarioColumn)
	}
	if sp.Scenario != "" {
		h, err := read(sp.Scenario)
		if err != nil {
			return err
		}
		sp.ScenarioSHA256 = h
	}
	if col >= 0 {
		sp.RowScenarios = map[string]string{}
		for _, row := range sp.Rows.Values {
			if _, done := sp.RowScenarios[row[col]]; done {
				continue
			}
			h, err := read(row[col])
			if err != nil {
				return fmt.Errorf("%s, column %s: %w", sp.Rows.File, ScenarioColumn, err)
			}
			sp.RowScenarios[row[col]] = h
		}
	}
	return nil
}

// Param is one value of a point.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Label marks a column of Rows that is not a scenario key.
	Label bool `json:"label,omitempty"`
}

// Point is one run of a sweep.
type Point struct {
	Index  int     `json:"index"`
	Name   string  `json:"name"` // the directory under points/
	Params []Param `json:"params,omitempty"`
	// Seed is the run's seed; SeedSet is false when the sweep has no
	// seeds and the scenario's own applies.
	Seed    uint64  `json:"seed,omitempty"`
	SeedSet bool    `json:"seed_set,omitempty"`
	Status  Status  `json:"status"`
	Error   string  `json:"error,omitempty"`
	WallS   float64 `json:"wall_s,omitempty"`
}

// Overrides are the point's --set overrides: the sweep's Sets, then the
// point's values of scenario keys, in column order.
func (p *Point) Overrides(s *Spec) []string {
	o := append([]string(nil), s.Sets...)
	for _, q := range p.Params {
		if !q.Label {
			o = append(o, q.Key+"="+q.Value)
		}
	}
	return o
}

// ParseAxis parses a --grid flag, KEY=V1,V2,… . A value that holds a
// comma is quoted as in CSV: KEY="a,b",c.
func ParseAxis(s string) (Axis, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return Axis{}, fmt.Errorf("--grid %q: expected KEY=V1,V2,... (e.g. --grid 'population.S2.params.start=1 h,2 h')", s)
	}
	r := csv.NewReader(strings.NewReader(v))
	r.TrimLeadingSpace = true
	vals, err := r.Read()
	if err != nil {
		return Axis{}, fmt.Errorf("--grid %q: the values: %v", s, err)
	}
	seen := map[string]bool{}
	for i, x := range vals {
		vals[i] = strings.TrimSpace(x)
		if vals[i] == "" {
			return Axis{}, fmt.Errorf("--grid %q: value %d is empty", s, i+1)
		}
		if seen[vals[i]] {
			return Axis{}, fmt.Errorf("--grid %q: value %q is given twice", s, vals[i])
		}
		seen[vals[i]] = true
	}
	return Axis{Key: k, Values: vals}, nil
}

// ParseSeeds parses --seeds: N (the seeds 1 to N) or A..B (A to B).
func ParseSeeds(s string) ([]uint64, error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ".."); ok {
		lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
		hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		if err1 != nil || err2 != nil || hi < lo {
			return nil, fmt.Errorf("--seeds %q: expected A..B with whole numbers A <= B, e.g. --seeds 1..10", s)
		}
		if hi-lo >= 1e6 {
			return nil, fmt.Errorf("--seeds %q: more than a million seeds", s)
		}
		var seeds []uint64
		for x := lo; ; x++ {
			seeds = append(seeds, x)
			if x == hi {
				break
			}
		}
		return seeds, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || n > 1e6 {
		return nil, fmt.Errorf("--seeds %q: expected a count N >= 1 (the seeds 1..N) or a range A..B", s)
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i) + 1
	}
	return seeds, nil
}

// ReadRows reads a CSV table of points: a header of keys, then one row per
// point. Blank lines and lines starting with # are skipped.
func ReadRows(path string) (*Rows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.TrimLeadingSpace = true
	rows := &Rows{File: path}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if rows.Columns == nil {
			seen := map[string]bool{}
			for i, c := range rec {
				if c == "" {
					return nil, fmt.Errorf("%s: line 1: column %d has no name", path, i+1)
				}
				if seen[c] {
					return nil, fmt.Errorf("%s: line 1: column %q appears twice", path, c)
				}
				seen[c] = true
			}
			rows.Columns = rec
			continue
		}
		line, _ := r.FieldPos(0)
		for i, v := range rec {
			if v == "" {
				return nil, fmt.Errorf("%s: line %d: column %q is empty", path, line, rows.Columns[i])
			}
		}
		rows.Values = append(rows.Values, rec)
	}
	if rows.Columns == nil {
		return nil, fmt.Errorf("%s: empty: expected a header line of keys and one line per point", path)
	}
	if len(rows.Values) == 0 {
		return nil, fmt.Errorf("%s: a header but no rows", path)
	}
	return rows, nil
}

// isLabel reports whether a column of Rows is a label rather than a
// scenario key: scenario keys are dotted paths (section.key).
func isLabel(col string) bool { return !strings.Contains(col, ".") }

// Points expands the design: every row of Rows (or one empty row), times
// every combination of the grid's values (the last axis varying fastest),
// times every seed.
func (s *Spec) Points() ([]Point, error) {
	rows := [][]Param{nil}
	if s.Rows != nil {
		rows = rows[:0]
		for _, vals := range s.Rows.Values {
			var ps []Param
			for i, c := range s.Rows.Columns {
				ps = append(ps, Param{Key: c, Value: vals[i], Label: isLabel(c)})
			}
			rows = append(rows, ps)
		}
	}
	keys := map[string]bool{}
	if s.Rows != nil {
		for _, c := range s.Rows.Columns {
			keys[c] = true
		}
	}
	for _, a := range s.Grid {
		if keys[a.Key] {
			return nil, fmt.Errorf("--grid %s: the key is given twice (by another --grid or a column of --rows)", a.Key)
		}
		keys[a.Key] = true
		if isLabel(a.Key) {
			return nil, fmt.Errorf("--grid %s: not a scenario key (expected a dotted path such as population.S2.params.start)", a.Key)
		}
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("--grid %s: no values", a.Key)
		}
	}
	for _, a := range s.Grid {
		var next [][]Param
		for _, r := range rows {
			for _, v := range a.Values {
				next = append(next, append(append([]Param(nil), r...), Param{Key: a.Key, Value: v}))
			}
		}
		rows = next
	}
	seeds := s.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{0}
	}
	var pts []Point
	for _, r := range rows {
		for _, seed := range seeds {
			pts = append(pts, Point{Index: len(pts), Params: r, Seed: seed, SeedSet: len(s.Seeds) > 0, Status: Pending})
		}
	}
	nameAll(pts)
	return pts, nil
}

// nameAll names each point's directory from its values: KEY=VALUE for each
// param (VALUE without spaces),
// joined by commas, then seed=N; a name that would be too long or is not
// unique becomes the point's index followed by as much of it as fits.
// KEY is shortened as shortKeys does.
func nameAll(pts []Point) {
	count := map[string]int{}
	for i := range pts {
		pts[i].Name = pointName(&pts[i])
		count[pts[i].Name]++
	}
	for i := range pts {
		p := &pts[i]
		if count[p.Name] > 1 || len(p.Name) > 120 || p.Name == "" {
			n := fmt.Sprintf("%05d", p.Index)
			if p.Name != "" {
				n += "," + p.Name
			}
			p.Name = n[:min(len(n), 120)]
		}
	}
}

// shortKeys shortens each key to its shortest suffix of dotted components
// that no other key ends with: population.S1.params.start becomes
// S1.params.start next to population.S2.params.start.
func shortKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		c := strings.Split(k, ".")
		out[i] = k
		for n := 1; n < len(c); n++ {
			suf := strings.Join(c[len(c)-n:], ".")
			unique := true
			for j, o := range keys {
				if j != i && (o == suf || strings.HasSuffix(o, "."+suf)) {
					unique = false
					break
				}
			}
			if unique {
				out[i] = suf
				break
			}
		}
	}
	return out
}

func pointName(p *Point) string {
	var keys []string
	for _, q := range p.Params {
		keys = append(keys, q.Key)
	}
	short := shortKeys(keys)
	var parts []string
	for i, q := range p.Params {
		parts = append(parts, safe(short[i])+"="+safe(q.Value))
	}
	if p.SeedSet {
		parts = append(parts, "seed="+strconv.FormatUint(p.Seed, 10))
	}
	return strings.Join(parts, ",")
}

// safe keeps letters, digits and . _ + - of s, drops spaces and replaces
// anything else by '_', so that a name is one path component anywhere.
func safe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '"' || r == '\'':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '+', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.TrimLeft(b.String(), ".")
}
