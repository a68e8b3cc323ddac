package sweep

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/spikelog"
)

// MetricHelp documents the metric syntax for --metric.
const MetricHelp = `A metric is [NAME=]KIND[:ARG][@WHEN]; NAME is its column (default: the spec with other characters than
letters, digits and _ replaced by _). Times are quantities ("90 min", "4 h"), 0, "end" (the run's end) or
"end-DURATION".
  rate:POP[@A..B]      mean rate of population POP [Hz] in [A, B) (default: the whole run)
  cv:POP[@A..B]        mean ISI coefficient of variation of POP in [A, B)
  spikes:POP[@A..B]    spikes of POP in [A, B)
  change:SERIES[@T]    relative change [%] of SERIES at T (default end) from its first sample: 100 (x(T)/x(0) - 1)
  value:SERIES[@T]     value of SERIES at T (the last sample at or before T; the mean over its members)
  wmean:SERIES wsd:SERIES wmin:SERIES wmedian:SERIES wmax:SERIES
                       statistics of the values of SERIES's last sample (final weights)
  wall                 wall time of the point's last run or resume [s] (summary.json)
SERIES is a series name (see 'snnsim inspect') or a projection name, short for its pathway efficacy mean
(pathway/P/efficacy/mean) when the log has one, else its weights (weights/P).`

// Metric is one column computed from each point's log.
type Metric struct {
	Name string // the column
	Spec string // as given
	kind string
	arg  string
	when string
}

var metricKinds = []string{"rate", "cv", "spikes", "change", "value", "wmean", "wsd", "wmin", "wmedian", "wmax", "wall"}

// ParseMetric parses one --metric (see MetricHelp).
func ParseMetric(s string) (Metric, error) {
	m := Metric{Spec: strings.TrimSpace(s)}
	spec := m.Spec
	if n, rest, ok := strings.Cut(spec, "="); ok && !strings.ContainsAny(n, ":@") {
		m.Name, spec = strings.TrimSpace(n), strings.TrimSpace(rest)
		if m.Name == "" || safeColumn(m.Name) != m.Name {
			return m, fmt.Errorf("--metric %q: the name %q must be letters, digits and _", s, n)
		}
	}
	body, when, _ := strings.Cut(spec, "@")
	kind, arg, _ := strings.Cut(body, ":")
	m.kind, m.arg, m.when = strings.TrimSpace(kind), strings.TrimSpace(arg), strings.TrimSpace(when)
	if !slices.Contains(metricKinds, m.kind) {
		return m, fmt.Errorf("--metric %q: unknown kind %q: use one of %s", s, m.kind, strings.Join(metricKinds, ", "))
	}
	if (m.kind == "wall") != (m.arg == "") {
		if m.kind == "wall" {
			return m, fmt.Errorf("--metric %q: wall takes no argument", s)
		}
		return m, fmt.Errorf("--metric %q: %s needs an argument, e.g. %s:NAME", s, m.kind, m.kind)
	}
	if m.when != "" && (m.kind == "wall" || strings.HasPrefix(m.kind, "w") && m.kind != "wall") {
		return m, fmt.Errorf("--metric %q: %s takes no @time", s, m.kind)
	}
	if m.Name == "" {
		m.Name = safeColumn(spec)
	}
	return m, nil
}

func safeColumn(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "_")
}

// Table is the result of Collect: one row per point.
type Table struct {
	Columns []string
	Rows    [][]string // formatted values; metrics with strconv 'g', -1 (exact)
	// Numeric marks the columns whose every value is a number or empty
	// (a metric of a point that is not done).
	Numeric []bool
}

// Collect computes the metrics from the log of every done point; the rows
// of other points hold their status and empty metrics. Columns: index,
// name, the points' params, seed, status, the metrics.
func (s *Sweep) Collect(metrics []Metric) (*Table, error) {
	t := &Table{Columns: []string{"index", "name"}}
	var keys []string
	if len(s.Manifest.Points) > 0 {
		for _, p := range s.Manifest.Points[0].Params {
			keys = append(keys, p.Key)
		}
	}
	t.Columns = append(t.Columns, keys...)
	t.Columns = append(t.Columns, "seed", "status")
	for _, m := range metrics {
		if slices.Contains(t.Columns, m.Name) {
			return nil, fmt.Errorf("--metric %q: the column %s exists already: name it, NAME=%s", m.Spec, m.Name, m.Spec)
		}
		t.Columns = append(t.Columns, m.Name)
	}
	for i := range s.Manifest.Points {
		p := &s.Manifest.Points[i]
		row := []string{fmt.Sprint(p.Index), p.Name}
		for _, q := range p.Params {
			row = append(row, q.Value)
		}
		seed := ""
		if p.SeedSet {
			seed = fmt.Sprint(p.Seed)
		}
		dir := s.PointDir(i)
		st, _ := PointStatus(dir)
		if !p.SeedSet {
			if sum, err := readSummary(dir); err == nil {
				seed = fmt.Sprint(sum.Seed)
			}
		}
		row = append(row, seed, string(st))
		vals := make([]string, len(metrics))
		if st == Done {
			v, err := pointMetrics(dir, metrics)
			if err != nil {
				return nil, fmt.Errorf("point %d (%s): %w", i, dir, err)
			}
			for k, x := range v {
				vals[k] = formatFloat(x)
			}
		}
		t.Rows = append(t.Rows, append(row, vals...))
	}
	t.Numeric = make([]bool, len(t.Columns))
	for c := range t.Columns {
		t.Numeric[c] = t.Columns[c] != "name" && t.Columns[c] != "status"
		for _, r := range t.Rows {
			if _, err := parseFloat(r[c]); err != nil && r[c] != "" {
				t.Numeric[c] = false
				break
			}
		}
	}
	return t, nil
}

func readSummary(dir string) (*runner.Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, runner.SummaryName))
	if err != nil {
		return nil, err
	}
	var s runner.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, runner.SummaryName), err)
	}
	return &s, nil
}

// pointMetrics computes the metrics of one run directory.
func pointMetrics(dir string, metrics []Metric) ([]float64, error) {
	path := filepath.Join(dir, runner.LogName)
	out := make([]float64, len(metrics))
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	h := r.Header()
	r.Close()
	clock := h.Clock()
	end, err := runEnd(path)
	if err != nil {
		return nil, err
	}
	for k, m := range metrics {
		var v float64
		var err error
		switch m.kind {
		case "wall":
			var sum *runner.Summary
			if sum, err = readSummary(dir); err == nil {
				v = sum.WallS
			}
		case "rate", "cv", "spikes":
			v, err = spikeMetric(path, m, clock, end)
		case "change", "value":
			v, err = sampleMetric(path, m, clock, end)
		default:
			v, err = finalMetric(path, m)
		}
		if err != nil {
			return nil, fmt.Errorf("--metric %q: %w", m.Spec, err)
		}
		out[k] = v
	}
	return out, nil
}

// runEnd is the tick at which the run ended (its end mark).
func runEnd(path string) (snnsim.Time, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if _, err := r.Stats(); err != nil { // reads every block, marks included
		return 0, err
	}
	for _, mk := range r.Marks() {
		if mk.Text == spikelog.RunEndMark {
			return mk.T, nil
		}
	}
	return 0, fmt.Errorf("%s has no run-end mark: the run did not complete", path)
}

// parseWhen parses a time of a metric: a quantity, "end" or "end-D".
func parseWhen(s string, clock snnsim.Clock, end snnsim.Time) (snnsim.Time, error) {
	s = strings.TrimSpace(s)
	if s == "end" {
		return end, nil
	}
	if s == "0" {
		return 0, nil
	}
	sign, rest := 1.0, s
	base := snnsim.Time(0)
	if r, ok := strings.CutPrefix(s, "end-"); ok {
		sign, rest, base = -1, r, end
	}
	ms, err := snnsim.ParseIn(rest, snnsim.TimeDim)
	if err != nil {
		return 0, fmt.Errorf("time %q: %v (use e.g. \"4 h\", end or end-30min)", s, err)
	}
	t, err := clock.Ticks(ms)
	if err != nil {
		return 0, fmt.Errorf("time %q: %w", s, err)
	}
	return base + snnsim.Time(sign)*t, nil
}

func spikeMetric(path string, m Metric, clock snnsim.Clock, end snnsim.Time) (float64, error) {
	o := analysis.SpikeStatsOptions{}
	if m.when != "" {
		a, b, ok := strings.Cut(m.when, "..")
		if !ok {
			return 0, fmt.Errorf("window %q: expected A..B", m.when)
		}
		var err error
		if strings.TrimSpace(a) != "" {
			if o.From, err = parseWhen(a, clock, end); err != nil {
				return 0, err
			}
		}
		if strings.TrimSpace(b) != "" {
			if o.To, err = parseWhen(b, clock, end); err != nil {
				return 0, err
			}
		}
		if o.To != 0 && o.To <= o.From {
			return 0, fmt.Errorf("window %q is empty", m.when)
		}
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	stats, _, err := analysis.SpikeStats(r, o)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, p := range stats {
		if p.Name != m.arg {
			names = append(names, p.Name)
			continue
		}
		if !p.Recorded {
			return 0, fmt.Errorf("the log does not hold the spikes of %s", p.Name)
		}
		switch m.kind {
		case "rate":
			return p.Rate, nil
		case "cv":
			if p.CVNeurons == 0 {
				return math.NaN(), nil
			}
			return p.CV, nil
		default:
			return float64(p.Spikes), nil
		}
	}
	return 0, fmt.Errorf("no population %q in the log (it has %s)", m.arg, strings.Join(names, ", "))
}

// resolveSeries finds the series that arg names in series.
func resolveSeries(arg string, series []spikelog.Series) (spikelog.Series, error) {
	for _, c := range []string{arg, spikelog.PathwayPrefix + arg + "/efficacy/" + spikelog.StatMean, spikelog.WeightsPrefix + arg} {
		for _, s := range series {
			if s.Name == c {
				return s, nil
			}
		}
	}
	var names []string
	for _, s := range series {
		names = append(names, s.Name)
	}
	return spikelog.Series{}, fmt.Errorf("no series %q in the log (it has %s)", arg, strings.Join(names, ", "))
}

func logSeries(path string) ([]spikelog.Series, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if _, err := r.Stats(); err != nil {
		return nil, err
	}
	return r.Series(), nil
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func sampleMetric(path string, m Metric, clock snnsim.Clock, end snnsim.Time) (float64, error) {
	series, err := logSeries(path)
	if err != nil {
		return 0, err
	}
	s, err := resolveSeries(m.arg, series)
	if err != nil {
		return 0, err
	}
	at := end
	if m.when != "" {
		if at, err = parseWhen(m.when, clock, end); err != nil {
			return 0, err
		}
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	first, last := math.NaN(), math.NaN()
	n := 0
	for smp := range r.Samples(spikelog.SampleFilter{Series: []string{s.Name}, To: at + 1}) {
		v := mean(smp.Values)
		if n == 0 {
			first = v
		}
		last = v
		n++
	}
	if err := r.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("%s has no sample at or before %s", s.Name, fmtTicks(at, clock))
	}
	if m.kind == "value" {
		return last, nil
	}
	return 100 * (last/first - 1), nil
}

func fmtTicks(t snnsim.Time, c snnsim.Clock) string {
	return fmt.Sprintf("%g s", c.Seconds(t))
}

func finalMetric(path string, m Metric) (float64, error) {
	series, err := logSeries(path)
	if err != nil {
		return 0, err
	}
	s, err := resolveSeries(m.arg, series)
	if err != nil {
		return 0, err
	}
	r, err := spikelog.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	sums, err := analysis.SummarizeSeries(r, spikelog.SampleFilter{Series: []string{s.Name}})
	if err != nil {
		return 0, err
	}
	if len(sums) == 0 || sums[0].Samples == 0 {
		return 0, fmt.Errorf("%s has no samples", s.Name)
	}
	d := sums[0].Last
	switch m.kind {
	case "wmean":
		return d.Mean, nil
	case "wsd":
		return d.SD, nil
	case "wmin":
		return d.Min, nil
	case "wmedian":
		return d.Median, nil
	}
	return d.Max, nil
}
