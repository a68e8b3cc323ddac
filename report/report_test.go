package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// hostileText is a scenario text that would break out of the page if it
// were not escaped.
const hostileText = "# toy </pre><script>alert(\"x\")</script> & <b>bold</b>\n[simulation]\nname = \"toy\"\n"

// toyLog is a log of a 1 s run at dt = 0.1 ms: population A (2 neurons)
// fires regularly, neuron 0 every 10 ms and neuron 1 every 20 ms; the
// spikes of population B (3 sources) were not recorded; v of A is sampled
// every 1 ms. The spikes before and after 0.5 s are in separate blocks:
// half is the offset of the first block of the second half, intact the
// bytes of a run stopped after the first half's flush, complete the
// closed log.
type toyLog struct {
	half     int64
	intact   []byte
	complete []byte
}

func writeToy(t *testing.T) toyLog {
	t.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Seed: 7, Scenario: "toy", Text: hostileText,
		Populations: []spikelog.Population{
			{Name: "A", First: 0, Size: 2, Kind: spikelog.Neuron},
			{Name: "B", First: 2, Size: 3, Kind: spikelog.Source, NotRecorded: true},
		}}
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, h, spikelog.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.Declare(spikelog.Series{Name: "v/A", What: "v", Unit: "mV", Population: "A", Interval: 10, Indices: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	var l toyLog
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(w.Mark(0, analysis.RunStartMark))
	for tick := snnsim.Time(0); tick < 10000; tick += 10 {
		if tick == 5000 {
			check(w.Flush())
			l.half = int64(buf.Len())
			l.intact = bytes.Clone(buf.Bytes())
		}
		var ids []snnsim.NeuronID
		if tick%100 == 0 {
			ids = append(ids, 0)
		}
		if tick%200 == 0 {
			ids = append(ids, 1)
		}
		if len(ids) > 0 {
			check(w.Spikes(tick, ids))
		}
		check(w.Sample(v, tick, []float64{-70 + float64(tick%100)/10, -65}))
	}
	check(w.Mark(10000, analysis.RunEndMark))
	check(w.Close())
	l.complete = buf.Bytes()
	return l
}

// runDir writes log (and summary, when not "") into a new run directory.
func runDir(t *testing.T, log []byte, summary string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, analysis.LogName), log, 0o644); err != nil {
		t.Fatal(err)
	}
	if summary != "" {
		if err := os.WriteFile(filepath.Join(dir, SummaryName), []byte(summary), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func render(t *testing.T, p *Page) string {
	t.Helper()
	var b bytes.Buffer
	if err := p.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestIntegrity builds the report of the same run closed, stopped after
// its first half and damaged in its second half, and checks the state, the
// offset of the damage and that the statistics cover exactly the intact
// spikes: A fires 100 + 50 spikes in 1 s (75 Hz per neuron), 50 + 25 in
// the first half; both trains are regular (ISI CV 0).
func TestIntegrity(t *testing.T) {
	l := writeToy(t)
	damaged := bytes.Clone(l.complete)
	damaged[l.half+12] ^= 0xff // inside the first block of the second half
	for _, tc := range []struct {
		name   string
		log    []byte
		status Status
		offset int64
		spikes int64
		rate   float64
		end    string
		text   string
	}{
		{"complete", l.complete, Complete, 0, 150, 75, "run end mark", "the run closed its log"},
		{"incomplete", l.intact, Incomplete, 0, 75, 75, "last record", "the run stopped before closing its log"},
		{"damaged", damaged, Damaged, l.half, 75, 75, "last record", "damaged</span> at byte offset " + strconv.FormatInt(l.half, 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(runDir(t, tc.log, ""), Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := p.Integrity
			var offset int64
			if in.Damage != nil {
				offset = in.Damage.Offset
			}
			if in.Status != tc.status || offset != tc.offset || in.Size != int64(len(tc.log)) {
				t.Errorf("integrity %+v, want status %s, offset %d, size %d", in, tc.status, tc.offset, len(tc.log))
			}
			if len(p.Problems) > 0 {
				t.Errorf("problems: %q", p.Problems)
			}
			a := p.Populations[0]
			if a.Name != "A" || a.Spikes != tc.spikes || a.CV != 0 || p.Span.End != tc.end {
				t.Errorf("A: %d spikes, CV %g, end from %q; want %d, 0, %q", a.Spikes, a.CV, p.Span.End, tc.spikes, tc.end)
			}
			// The runs that did not close their log end at their last
			// record, in the first half.
			want := tc.rate
			if tc.end == "last record" {
				if p.Span.To <= 4900 || p.Span.To > 5000 {
					t.Errorf("span ends at tick %d, want the tick after the last record before 5000", p.Span.To)
				}
				want = float64(tc.spikes) / (2 * float64(p.Span.To) * 1e-4)
			}
			if d := a.Rate - want; d > 1e-9 || d < -1e-9 {
				t.Errorf("rate of A %g Hz, want %g", a.Rate, want)
			}
			if p.Populations[1].Recorded {
				t.Error("B is reported as recorded")
			}
			page := render(t, p)
			for _, s := range []string{tc.text, "spikes not recorded", "class=\"status " + string(tc.status) + "\""} {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
		})
	}
}

// TestPage checks the content of the page: the scenario text escaped, the
// summary in its file's order, every default figure as well-formed inline
// SVG, and nothing that reaches outside the file.
func TestPage(t *testing.T) {
	l := writeToy(t)
	summary := `{"scenario": "toy", "seed": 12498543282559293137, "simulated_s": 1.0, "wall_s": 0.0123456789, "memories": [0, 1.5, 1e-9],
		"populations": [{"name": "A", "size": 2, "spikes": 150, "rate_hz": 75}, {"name": "B", "size": 3, "spikes": 0, "rate_hz": 0}]}`
	dir := runDir(t, l.complete, summary)
	p, err := Build(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	figs, err := analysis.DefaultFigures(dir, analysis.PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Figures) != len(figs) || len(figs) == 0 {
		t.Fatalf("%d figures, DefaultFigures draws %d", len(p.Figures), len(figs))
	}
	page := render(t, p)
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>bold") {
		t.Error("the scenario text reaches the page unescaped")
	}
	if !strings.Contains(page, "&lt;/pre&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;") {
		t.Error("the escaped scenario text is missing")
	}
	// Only the SVG namespace names may hold a URL: nothing is fetched.
	if m := regexp.MustCompile(`(src|href)="(https?:|//)|url\(|@import`).FindString(page); m != "" {
		t.Errorf("the page refers outside itself: %q", m)
	}
	order := []string{"<td>scenario</td><td>toy</td>", "<td>seed</td><td>12498543282559293137</td>", "<td>simulated_s</td><td>1</td>",
		"<td>wall_s</td><td>0.0123457</td>", "<td>memories</td><td>[0, 1.5, 1e-09]</td>", "<caption>populations</caption>",
		"<th>name</th><th>size</th><th>spikes</th><th>rate_hz</th>", "<td>A</td><td>2</td><td>150</td><td>75</td>"}
	at := 0
	for _, s := range order {
		i := strings.Index(page[at:], s)
		if i < 0 {
			t.Fatalf("summary: %q missing or out of order", s)
		}
		at += i
	}
	for _, f := range p.Figures {
		if !bytes.HasPrefix(f.SVG, []byte("<svg")) {
			t.Errorf("figure %s does not start with <svg: %.40q", f.Name, f.SVG)
		}
		d := xml.NewDecoder(bytes.NewReader(f.SVG))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("figure %s: %v", f.Name, err)
				break
			}
		}
		if !strings.Contains(page, string(f.SVG)) {
			t.Errorf("figure %s is not inline in the page", f.Name)
		}
	}
}

// TestBuildErrors: a path without a log, a log whose header is damaged
// and a summary that does not parse.
func TestBuildErrors(t *testing.T) {
	if _, err := Build(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), analysis.LogName) {
		t.Errorf("empty directory: error %v, want one naming %s", err, analysis.LogName)
	}
	l := writeToy(t)
	bad := bytes.Clone(l.complete)
	bad[20] ^= 0xff
	if _, err := Build(runDir(t, bad, ""), Options{}); err == nil || !strings.Contains(err.Error(), "byte 0") {
		t.Errorf("damaged header: error %v, want one at byte 0", err)
	}
	p, err := Build(runDir(t, l.complete, `{"seed": 7,`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 1 || !strings.Contains(p.Problems[0], SummaryName) || len(p.Summary) != 0 {
		t.Errorf("bad summary: problems %q, summary %v", p.Problems, p.Summary)
	}
	if !strings.Contains(render(t, p), SummaryName) {
		t.Error("the page does not name the bad summary")
	}
}

// FuzzSummary feeds arbitrary summary.json files to the report: it never
// panics, every table row has a cell per column, and the page renders.
func FuzzSummary(f *testing.F) {
	f.Add([]byte(`{"scenario": "toy", "seed": 7, "populations": [{"name": "A", "size": 2}, {"size": 3, "extra": [1, 2]}]}`))
	f.Add([]byte(`{"a": {"b": null}, "c": [], "d": [{}], "e": 1e400}`))
	f.Add([]byte(`[1, 2]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := &Page{}
		if err := p.parseSummary(b); err != nil {
			return
		}
		for _, tb := range p.SummaryTables {
			for _, r := range tb.Rows {
				if len(r) != len(tb.Columns) {
					t.Fatalf("table %s: row of %d cells, %d columns", tb.Name, len(r), len(tb.Columns))
				}
			}
		}
		if err := p.WriteHTML(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
