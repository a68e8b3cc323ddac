// Package report builds the one-page HTML report of a run: the scenario
// text, the summary, the population statistics, every default figure of
// package analysis and the integrity of the log, in one self-contained
// file. The figures are inline SVG and the style sheet is inline, so the
// page needs no network, no other file and no JavaScript: it can be mailed,
// archived with the run or opened from a laptop's disk years later.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// FileName is the report's default file name inside a run directory.
const FileName = "report.html"

// SummaryName is the file name of the run summary that snnsim run writes
// beside the log.
const SummaryName = "summary.json"

// Options selects what the report draws. Zero fields take the defaults.
type Options struct {
	// Plot selects the window, bins and the raster's spike budget of the
	// figures (analysis.DefaultFigures); the budget bounds the raster's
	// share of the page whatever the number of spikes in the log.
	Plot analysis.PlotOptions
	// Width and Height are the size of each figure; 0: 16 cm × 10 cm.
	Width, Height vg.Length
}

// Status is the state of a run's log as the report finds it.
type Status string

// The states of a log.
const (
	// Complete: the log ends with the end block that the writer's Close
	// writes.
	Complete Status = "complete"
	// Incomplete: every block is intact but the end block is missing; the
	// writing process stopped (was killed, crashed or is still running)
	// before closing the log.
	Incomplete Status = "incomplete"
	// Damaged: a block fails its checksum, is cut short or does not
	// decode; the blocks before it are intact and reported.
	Damaged Status = "damaged"
	// NoLog: the run directory holds no log (a [memory_curves] run).
	NoLog Status = "no log"
)

// Integrity is the state of the log and where its damage starts.
type Integrity struct {
	Status Status
	Size   int64 // size of the log file [bytes]
	// Damage is, for a damaged log, where its first damaged block starts
	// (Damage.Offset) and what is wrong: every byte before the offset is
	// intact, and the statistics and figures of the report cover those
	// bytes only. Nil for an undamaged log.
	Damage *spikelog.CorruptError
}

// String describes the state in one line, e.g. "damaged at byte offset
// 1234 of 5678: ...".
func (i Integrity) String() string {
	if i.Status == Damaged {
		return string(i.Status) + " " + i.Detail()
	}
	return string(i.Status) + ": " + i.Detail()
}

// Detail is String without the state's name, for a page that shows the
// name apart.
func (i Integrity) Detail() string {
	switch i.Status {
	case Complete:
		return fmt.Sprintf("the run closed its log (%d bytes)", i.Size)
	case Incomplete:
		return fmt.Sprintf("the run stopped before closing its log (%d bytes, every block intact)", i.Size)
	case Damaged:
		return fmt.Sprintf("at byte offset %d of %d: %s; the report covers the intact bytes before it",
			i.Damage.Offset, i.Size, strings.ReplaceAll(i.Damage.Err.Error(), "spikelog: ", ""))
	case NoLog:
		return "the run directory holds no spike log (a [memory_curves] run writes " + analysis.MemoryCurvesName + ")"
	}
	return ""
}

// Field is one top-level entry of summary.json, its value as text.
type Field struct{ Key, Value string }

// Table is an array of objects in summary.json (e.g. "populations"), one
// row per object, the columns in the order of the first object's keys.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]string
}

// Figure is one default figure drawn as SVG.
type Figure struct {
	Name string
	SVG  []byte // an <svg> element, without XML declaration
}

// Page is the content of a report; WriteHTML renders it.
type Page struct {
	// Title names the run: the scenario name of the log header, else of
	// summary.json, else the run directory's name.
	Title     string
	Dir       string          // the run directory
	Log       string          // the log's path; "" with Integrity.Status NoLog
	Header    spikelog.Header // the log's header: program, scenario name, file and text, seed, resolution
	Integrity Integrity

	// Summary and SummaryTables hold summary.json, in file order; both are
	// empty when the run directory has none.
	Summary       []Field
	SummaryTables []Table

	Span        analysis.Span // the window of the statistics: the whole run
	Populations []analysis.PopulationStats
	Series      []analysis.SeriesSummary
	Figures     []Figure
	// Problems lists what the report had to leave out and why (a summary
	// that does not parse, figures that could not be drawn).
	Problems []string
}

// Build reads the run at path, a run directory or a log file, and returns
// its report. Only a log whose header cannot be read (nothing of it is
// usable) or a path without a log or memory-curve table is an error; a
// damaged log is reported up to its damage, and parts that cannot be made
// are named in Page.Problems.
func Build(path string, o Options) (*Page, error) {
	if o.Width == 0 {
		o.Width = 16 * vg.Centimeter
	}
	if o.Height == 0 {
		o.Height = 10 * vg.Centimeter
	}
	p := &Page{Dir: path}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		p.Dir = filepath.Dir(path)
	}
	log, err := analysis.LogPath(path)
	switch {
	case err == nil:
		p.Log = log
	case dirHolds(path, analysis.MemoryCurvesName):
		p.Integrity.Status = NoLog
	default:
		return nil, err
	}
	p.readSummary()
	src := path // a memory-curve run directory
	if p.Log != "" {
		var cleanup func()
		src, cleanup, err = p.check()
		if err != nil {
			return nil, err
		}
		defer cleanup()
		if err := p.stats(src); err != nil {
			p.Problems = append(p.Problems, "statistics: "+err.Error())
		}
	}
	p.setTitle()
	figs, err := analysis.DefaultFigures(src, o.Plot)
	if err != nil {
		p.Problems = append(p.Problems, "figures: "+err.Error())
	}
	for _, f := range figs {
		var b bytes.Buffer
		if err := f.Render(&b, "svg", o.Width, o.Height, 0); err != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("figure %s: %v", f.Name, err))
			continue
		}
		svg := b.Bytes()
		// The XML declaration and the generator comment have no place
		// in an HTML document.
		if i := bytes.Index(svg, []byte("<svg")); i > 0 {
			svg = svg[i:]
		}
		p.Figures = append(p.Figures, Figure{Name: f.Name, SVG: svg})
	}
	return p, nil
}

// setTitle sets Title from the header, the summary or the directory.
func (p *Page) setTitle() {
	p.Title = p.Header.Scenario
	for _, f := range p.Summary {
		if f.Key == "scenario" && p.Title == "" {
			p.Title = f.Value
		}
	}
	if p.Title == "" {
		p.Title = filepath.Base(p.Dir)
	}
}

// dirHolds reports whether dir is a directory holding file name.
func dirHolds(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// check reads the whole log, sets the header and the integrity, and
// returns the log to analyse: the log itself or, when it is damaged, a
// temporary copy of its intact bytes (which reads as an incomplete log),
// removed by cleanup.
func (p *Page) check() (src string, cleanup func(), err error) {
	cleanup = func() {}
	r, err := spikelog.Open(p.Log)
	if err != nil {
		return "", cleanup, err
	}
	defer r.Close()
	p.Header = r.Header()
	if fi, err := os.Stat(p.Log); err == nil {
		p.Integrity.Size = fi.Size()
	}
	st, err := r.Stats()
	var ce *spikelog.CorruptError
	switch {
	case errors.As(err, &ce):
		p.Integrity.Status, p.Integrity.Damage = Damaged, ce
	case err != nil:
		return "", cleanup, fmt.Errorf("%s: %w", p.Log, err)
	case st.Complete:
		p.Integrity.Status = Complete
	default:
		p.Integrity.Status = Incomplete
	}
	if ce == nil {
		return p.Log, cleanup, nil
	}
	tmp, err := copyPrefix(p.Log, ce.Offset)
	if err != nil {
		return "", cleanup, fmt.Errorf("%w; copying its intact part: %v", ce, err)
	}
	return tmp, func() { os.Remove(tmp) }, nil
}

// copyPrefix copies the first n bytes of the file at path into a new
// temporary file and returns its path.
func copyPrefix(path string, n int64) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp("", "snnsim-report-*.snnlog")
	if err != nil {
		return "", err
	}
	_, err = io.CopyN(out, in, n)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// stats computes the population statistics and the series summaries of
// the log at src over the whole run, as snnsim stats does by default.
func (p *Page) stats(src string) error {
	r, err := spikelog.Open(src)
	if err != nil {
		return err
	}
	defer r.Close()
	if p.Populations, p.Span, err = analysis.SpikeStats(r, analysis.SpikeStatsOptions{}); err != nil {
		return err
	}
	rs, err := spikelog.Open(src)
	if err != nil {
		return err
	}
	defer rs.Close()
	p.Series, err = analysis.SummarizeSeries(rs, spikelog.SampleFilter{})
	return err
}

// readSummary reads summary.json into Summary and SummaryTables, keeping
// the file's order of keys.
func (p *Page) readSummary() {
	b, err := os.ReadFile(filepath.Join(p.Dir, SummaryName))
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err == nil {
		err = p.parseSummary(b)
	}
	if err != nil {
		p.Summary, p.SummaryTables = nil, nil
		p.Problems = append(p.Problems, fmt.Sprintf("%s: %v", filepath.Join(p.Dir, SummaryName), err))
	}
}

func (p *Page) parseSummary(b []byte) error {
	top, err := objectFields(b)
	if err != nil {
		return err
	}
	for _, f := range top {
		var arr []json.RawMessage
		if json.Unmarshal(f.raw, &arr) == nil && len(arr) > 0 && bytes.HasPrefix(bytes.TrimSpace(arr[0]), []byte("{")) {
			t := Table{Name: f.key}
			for i, el := range arr {
				row, err := objectFields(el)
				if err != nil {
					return fmt.Errorf("%s[%d]: %w", f.key, i, err)
				}
				if i == 0 {
					for _, c := range row {
						t.Columns = append(t.Columns, c.key)
					}
				}
				cells := make([]string, len(t.Columns))
				for _, c := range row {
					for j, name := range t.Columns {
						if name == c.key {
							cells[j] = jsonText(c.raw)
						}
					}
				}
				t.Rows = append(t.Rows, cells)
			}
			p.SummaryTables = append(p.SummaryTables, t)
			continue
		}
		p.Summary = append(p.Summary, Field{f.key, jsonText(f.raw)})
	}
	return nil
}

type rawField struct {
	key string
	raw json.RawMessage
}

// objectFields splits a JSON object into its fields, in order.
func objectFields(b []byte) ([]rawField, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []rawField
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("%v: %w", t, err)
		}
		out = append(out, rawField{fmt.Sprint(t), v})
	}
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonText formats a JSON value for a table cell: strings unquoted, numbers
// with at most six significant digits, anything else as compact JSON.
func jsonText(raw json.RawMessage) string {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return string(raw)
	}
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return number(v)
	case nil:
		return "–"
	case []any:
		// Series of numbers (a memory-curve summary's SNR per time) are
		// shortened like the other numbers.
		parts := make([]string, len(v))
		for i, x := range v {
			n, ok := x.(json.Number)
			if !ok {
				parts = nil
				break
			}
			parts[i] = number(n)
		}
		if parts != nil {
			return "[" + strings.Join(parts, ", ") + "]"
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// number formats a JSON number: integers as written (a 64-bit seed keeps
// every digit), others with six significant digits.
func number(n json.Number) string {
	if !strings.ContainsAny(string(n), ".eE") {
		return string(n)
	}
	if f, err := n.Float64(); err == nil {
		return fmt.Sprintf("%.6g", f)
	}
	return string(n)
}

// sig formats a statistic with four significant digits, "–" when it
// cannot be computed (NaN).
func sig(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.4g", x)
}

// duration formats a span of ticks in ms, s or h.
func duration(t snnsim.Time, clock snnsim.Clock) string {
	ms := clock.Ms(t)
	switch {
	case ms < 1000:
		return fmt.Sprintf("%.4g ms", ms)
	case ms < 2*3600e3:
		return fmt.Sprintf("%.4g s", ms/1e3)
	}
	return fmt.Sprintf("%.4g h", ms/3600e3)
}
