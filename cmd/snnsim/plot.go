package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

var plotKinds = []string{"raster", "rate", "state", "hist"}

// cmdPlot draws a log's spikes, rates, state trajectories and weight
// histograms as PNG and SVG files.
func cmdPlot(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("plot", "LOG|RUN-DIR [flags]",
		"Draws, as PNG and SVG files:\n"+
			"  raster  the spikes: time against neuron ID, a colour per population\n"+
			"  rate    population rates: the log's rate series, or rates binned from the spikes (--bin)\n"+
			"  state   trajectories of every sampled series but rates (membrane potentials, weights, consolidation variables)\n"+
			"  hist    histograms of each projection series (weights) at its first and last sample", stderr)
	kinds := fs.String("kind", strings.Join(plotKinds, ","), "plots to draw, comma-separated: "+strings.Join(plotKinds, ", "))
	formats := fs.String("format", "png,svg", "file formats, comma-separated: png, svg")
	out := fs.String("out", "", "output directory (default: plots/ beside the log)")
	from := fs.String("from", "", `start of the window, e.g. "1 s"`)
	to := fs.String("to", "", "end of the window (default: the end of the run; the raster stops after --max-spikes)")
	bin := fs.String("bin", "", "bin of rates computed from spikes (default: about 1/500 of the window)")
	traces := fs.Int("traces", 8, "trajectories drawn per series")
	maxSpikes := fs.Int("max-spikes", 200000, "raster: spikes drawn at most")
	width := fs.Float64("width", 20, "width [cm]")
	height := fs.Float64("height", 12, "height [cm]")
	path, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim plot: %v\n", err)
		return 1
	}
	want := strings.Split(*kinds, ",")
	for _, k := range want {
		if !slices.Contains(plotKinds, k) {
			return fail(fmt.Errorf("--kind %q: the kinds are %s", k, strings.Join(plotKinds, ", ")))
		}
	}
	exts := strings.Split(*formats, ",")
	for _, e := range exts {
		if e != "png" && e != "svg" {
			return fail(fmt.Errorf("--format %q: the formats are png and svg", e))
		}
	}
	if *width <= 0 || *height <= 0 {
		return fail(fmt.Errorf("--width and --height must be > 0"))
	}
	lg, err := openIntact("plot", path, "the plots", stderr)
	if err != nil {
		return fail(err)
	}
	defer lg.Close()
	r, err := spikelog.Open(lg.Path)
	if err != nil {
		return fail(err)
	}
	clock := r.Header().Clock()
	r.Close()
	o := analysis.PlotOptions{MaxTraces: *traces, MaxSpikes: *maxSpikes}
	for _, f := range []struct {
		name, v string
		dst     *int64
	}{{"from", *from, (*int64)(&o.From)}, {"to", *to, (*int64)(&o.To)}, {"bin", *bin, (*int64)(&o.Bin)}} {
		t, err := ticksFlag(f.name, f.v, clock)
		if err != nil {
			return fail(err)
		}
		*f.dst = int64(t)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(filepath.Dir(path), "plots")
	}
	var plots []analysis.NamedPlot
	for _, k := range want {
		switch k {
		case "raster":
			p, err := analysis.RasterPlot(lg.Path, o)
			if err != nil {
				return fail(err)
			}
			plots = append(plots, analysis.NamedPlot{Name: "raster", Plot: p})
		case "rate":
			p, err := analysis.RatePlot(lg.Path, o)
			if err != nil {
				return fail(err)
			}
			plots = append(plots, analysis.NamedPlot{Name: "rate", Plot: p})
		case "state":
			ps, err := analysis.StatePlots(lg.Path, o)
			if err != nil {
				return fail(err)
			}
			plots = append(plots, ps...)
		case "hist":
			ps, err := analysis.HistogramPlots(lg.Path, o)
			if err != nil {
				return fail(err)
			}
			plots = append(plots, ps...)
		}
	}
	if err := mkdir(dir); err != nil {
		return fail(err)
	}
	for _, p := range plots {
		for _, e := range exts {
			file := filepath.Join(dir, p.Name+"."+e)
			if err := p.Plot.Save(vg.Length(*width)*vg.Centimeter, vg.Length(*height)*vg.Centimeter, file); err != nil {
				return fail(err)
			}
			fmt.Fprintln(stdout, "wrote", file)
		}
	}
	return lg.exitCode()
}
