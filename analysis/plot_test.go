package analysis

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
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
	plots = append(plots, NamedPlot{"raster", raster}, NamedPlot{"rate", rate})
	states, err := StatePlots(path, PlotOptions{MaxTraces: 2})
	if err != nil {
		t.Fatal(err)
	}
	hists, err := HistogramPlots(path, PlotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// v/E and weight/input_to_E have samples; v/E#2 has none; rate/E is drawn by RatePlot.
	if len(states) != 2 || states[0].Name != "v_E" || states[1].Name != "weight_input_to_E" || len(hists) != 1 || hists[0].Name != "hist_weight_input_to_E" {
		t.Fatalf("states %v, hists %v", names(states), names(hists))
	}
	if !strings.Contains(states[0].Plot.Title.Text, "(2 of 3 traces)") {
		t.Errorf("state title %q", states[0].Plot.Title.Text)
	}
	plots = append(append(plots, states...), hists...)
	for _, p := range plots {
		for _, ext := range []string{".png", ".svg"} {
			file := filepath.Join(dir, p.Name+ext)
			if err := p.Plot.Save(16*vg.Centimeter, 10*vg.Centimeter, file); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			switch ext {
			case ".png":
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				// 16 cm x 10 cm at gonum/plot's 96 dpi.
				if b := img.Bounds(); b.Dx() != 605 || b.Dy() != 378 {
					t.Errorf("%s: %v pixels", file, b)
				}
				if len(data) < 5000 {
					t.Errorf("%s: %d bytes: too small to hold a plot", file, len(data))
				}
			case ".svg":
				s := string(data)
				if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || !strings.Contains(s, "</svg>") || len(data) < 3000 || !strings.Contains(s, p.Plot.X.Label.Text) {
					t.Errorf("%s: not a plot SVG (%d bytes)", file, len(data))
				}
			}
		}
	}
}

func names(ps []NamedPlot) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
