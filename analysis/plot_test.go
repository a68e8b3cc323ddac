package analysis

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// TestPlots renders every plot kind from a small log as PNG and SVG and
// checks that the files are valid images of a sensible size: PNGs decode
// at the requested pixel size with more than one colour, SVGs are XML with
// an <svg> root and text (titles, labels, legends).
func TestPlots(t *testing.T) {
	path, _, _ := sampleLog(t)
	dir := t.TempDir()
	var plots []NamedPlot
	raster, err := RasterPlot(path, PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rate, err := RatePlot(path, PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plots = append(plots, raster, rate)
	states, err := StatePlots(path, PlotOptions{MaxTraces: 2})
	if err != nil {
		t.Fatal(err)
	}
	// v/E and weight/input_to_E have samples; v/E#2 has none; rate/E is drawn by RatePlot.
	if len(states) != 2 || states[0].Name != "v_E" || states[1].Name != "weight_input_to_E" {
		t.Fatalf("states %v", names(states))
	}
	if !strings.Contains(states[0].Plot.Title.Text, "(2 of 3 traces)") {
		t.Errorf("state title %q", states[0].Plot.Title.Text)
	}
	plots = append(plots, states...)
	for _, p := range plots {
		for _, ext := range Formats {
			file := filepath.Join(dir, p.Name+"."+ext)
			if err := p.Save(file, 16*vg.Centimeter, 10*vg.Centimeter, 120); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			switch ext {
			case "png":
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				// 16 cm x 10 cm at 120 dpi.
				if b := img.Bounds(); b.Dx() != 756 || b.Dy() != 472 {
					t.Errorf("%s: %v pixels", file, b)
				}
				if len(data) < 5000 {
					t.Errorf("%s: %d bytes: too small to hold a plot", file, len(data))
				}
			case "svg":
				s := string(data)
				if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || !strings.Contains(s, "</svg>") || len(data) < 3000 || !strings.Contains(s, p.Plot.X.Label.Text) {
					t.Errorf("%s: not a plot SVG (%d bytes)", file, len(data))
				}
			case "pdf":
				if !bytes.HasPrefix(data, []byte("%PDF-")) || len(data) < 1000 {
					t.Errorf("%s: not a PDF (%d bytes)", file, len(data))
				}
			}
		}
	}
}

// TestRasterLeavesOutUnrecorded checks that populations whose spikes the
// run did not record are neither drawn in the raster nor as silent lines
// in the rate figure, and that a log recording no spikes at all has no
// raster.
func TestRasterLeavesOutUnrecorded(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, notRecorded ...bool) string {
		h := spikelog.Header{Program: "test", DT: 1, Populations: []spikelog.Population{
			{Name: "N", First: 0, Size: 1, Kind: spikelog.Neuron, NotRecorded: notRecorded[0]},
			{Name: "S1", First: 1, Size: 10, Kind: spikelog.Source, NotRecorded: notRecorded[1]},
		}}
		path := filepath.Join(dir, name)
		w, err := spikelog.Create(path, h, spikelog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !notRecorded[0] {
			w.Spikes(5, []snnsim.NeuronID{0})
		}
		w.Mark(100, RunEndMark)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	path := write("some.snnlog", false, true)
	r, err := RasterPlot(path, PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Plot.Y.Max != 1 {
		t.Errorf("raster rows %g, want 1 (N only)", r.Plot.Y.Max)
	}
	rate, err := RatePlot(path, PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rate.Data["S1"]; ok || rate.Data["N"] == nil {
		t.Errorf("rate curves %v, want N only", keys(rate.Data))
	}
	none := write("none.snnlog", true, true)
	if _, err := RasterPlot(none, PlotOptions{}); !errors.Is(err, errNothing) {
		t.Errorf("raster of a log without recorded spikes: %v", err)
	}
}

// TestHistogramsShareBins checks that the distributions at the first and
// the last sample are counted on the same bins, which span both, and count
// every synapse.
func TestHistogramsShareBins(t *testing.T) {
	h := spikelog.Header{Program: "test", DT: 1, Populations: []spikelog.Population{{Name: "N", First: 0, Size: 1, Kind: spikelog.Neuron}}}
	path := filepath.Join(t.TempDir(), "w.snnlog")
	w, err := spikelog.Create(path, h, spikelog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 20)
	first, last := make([]float64, 20), make([]float64, 20)
	for i := range idx {
		idx[i] = i
		first[i] = 0.4 + 0.01*float64(i) // 0.4 .. 0.59
		last[i] = float64(i % 2)         // 0 or 1
	}
	id, _ := w.Declare(spikelog.Series{Name: "weights/p", What: "weights", Projection: "p", Interval: 10, Indices: idx})
	w.Sample(id, 0, first)
	w.Sample(id, 10, last)
	w.Mark(20, RunEndMark)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ps, err := HistogramPlots(path, PlotOptions{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("%v, %d figures", err, len(ps))
	}
	d := ps[0].Data
	a, b := d["t = 0 ms"], d["t = 10 ms"]
	if len(a) != 30 || len(b) != 30 {
		t.Fatalf("bins %d and %d, want 30 each (keys %v)", len(a), len(b), keys(d))
	}
	var na, nb float64
	for k := range a {
		if a[k].X != b[k].X {
			t.Fatalf("bin %d: centres %g and %g differ", k, a[k].X, b[k].X)
		}
		na, nb = na+a[k].Y, nb+b[k].Y
	}
	if na != 20 || nb != 20 || math.Abs(a[0].X-1.0/60) > 1e-12 || math.Abs(a[29].X-(1-1.0/60)) > 1e-12 {
		t.Errorf("counts %g and %g (want 20), centres %g..%g (want 1/60..59/60)", na, nb, a[0].X, a[29].X)
	}
	if b[0].Y != 10 || b[29].Y != 10 {
		t.Errorf("last sample: %g at 0 and %g at 1, want 10 and 10", b[0].Y, b[29].Y)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func names(ps []NamedPlot) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
