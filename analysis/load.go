package analysis

import (
	"math"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// seriesData is the samples of one series read into memory: ticks and,
// per sample, the values of its first columns.
type seriesData struct {
	spikelog.Series
	T []snnsim.Time
	V [][]float64
}

// logData is what the figures read from a log: the header, the run's end
// and the samples of the series that keep selects.
type logData struct {
	h      spikelog.Header
	end    snnsim.Time // the run's end (run end mark, else after the last record)
	series map[string]*seriesData
	order  []string // series names in declaration order
}

// loadLog reads the header, marks and samples of the log at path within
// [from, to); keep returns how many columns of a series to hold (0: skip
// it). A damaged log yields what precedes the damage.
func loadLog(path string, from, to snnsim.Time, keep func(spikelog.Series) int) (*logData, error) {
	r, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d := &logData{h: r.Header(), series: map[string]*seriesData{}}
	last := snnsim.Time(-1)
	for s := range r.Samples(spikelog.SampleFilter{From: from, To: to}) {
		se := r.SeriesOf(s.Series)
		last = max(last, s.T)
		sd := d.series[se.Name]
		if sd == nil {
			n := keep(se)
			if n <= 0 {
				continue
			}
			sd = &seriesData{Series: se}
			d.series[se.Name] = sd
		}
		n := min(keep(sd.Series), len(s.Values))
		sd.T = append(sd.T, s.T)
		sd.V = append(sd.V, append([]float64(nil), s.Values[:n]...))
	}
	if err := r.Err(); err != nil && damage(err) == nil {
		return nil, err
	}
	for _, se := range r.Series() {
		if d.series[se.Name] != nil {
			d.order = append(d.order, se.Name)
		}
	}
	st, err := spikelog.Open(path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	stats, err := st.Stats()
	if err != nil && damage(err) == nil {
		return nil, err
	}
	if stats.Spikes > 0 {
		last = max(last, stats.Last)
	}
	d.end = last + 1
	for _, m := range stats.Marks {
		if m.Text == RunEndMark {
			d.end = m.T
		}
	}
	return d, nil
}

// scenarioTable decodes the scenario text of a log's header into plain
// TOML values; nil when there is none or it does not parse.
func scenarioTable(h spikelog.Header) map[string]any {
	if h.Text == "" {
		return nil
	}
	var m map[string]any
	if _, err := toml.Decode(h.Text, &m); err != nil {
		return nil
	}
	return m
}

// tables returns the array of tables called name ("population", ...).
func tables(sc map[string]any, name string) []map[string]any {
	switch v := sc[name].(type) {
	case []map[string]any:
		return v
	case []any:
		var out []map[string]any
		for _, e := range v {
			if t, ok := e.(map[string]any); ok {
				out = append(out, t)
			}
		}
		return out
	}
	return nil
}

// named returns the table of the array name whose key "name" is n.
func named(sc map[string]any, array, n string) map[string]any {
	for _, t := range tables(sc, array) {
		if t["name"] == n {
			return t
		}
	}
	return nil
}

// quantityIn returns the value of a TOML quantity ("20 ms", or a bare
// number in the canonical unit) in the canonical unit of dim; NaN when it
// is missing or of another dimension.
func quantityIn(v any, dim snnsim.Dimension) float64 {
	switch x := v.(type) {
	case string:
		f, err := snnsim.ParseIn(strings.TrimSpace(x), dim)
		if err != nil {
			return math.NaN()
		}
		return f
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// param returns key of the params table of t, NaN when missing.
func param(t map[string]any, key string, dim snnsim.Dimension) float64 {
	p, _ := t["params"].(map[string]any)
	if p == nil {
		return math.NaN()
	}
	return quantityIn(p[key], dim)
}
