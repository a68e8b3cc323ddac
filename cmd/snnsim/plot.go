package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/spikelog"
)

// figureSize is a --size value: width and height in cm.
type figureSize struct{ w, h float64 }

// parseSize parses "WxH" in cm, e.g. "16x10".
func parseSize(v string) (figureSize, error) {
	a, b, ok := strings.Cut(strings.TrimSuffix(strings.TrimSpace(v), "cm"), "x")
	w, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	h, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil || !(w > 0 && h > 0) || w > 200 || h > 200 {
		return figureSize{}, fmt.Errorf("--size %q: give width x height in cm, each in (0, 200], e.g. --size 16x10", v)
	}
	return figureSize{w, h}, nil
}

// cmdPlot writes the default figures of a run (analysis.DefaultFigures).
func cmdPlot(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("plot", "LOG|RUN-DIR [flags]",
		"Draws the figures that answer the run's question, chosen from what its log holds\n"+
			"(analysis.DefaultFigures): the raster and rates of the recorded populations, the\n"+
			"pathways onto each neuron with their protein and tags (tagging and capture), the\n"+
			"trajectories and distributions of the other sampled series, and the figure of a\n"+
			"shipped experiment (f–I curve, STDP window, Sjöström's frequency dependence,\n"+
			"Song–Abbott weights, Zenke reference weight, memory curves of a [memory_curves] run).", stderr)
	formats := fs.String("format", "png", "file formats, comma-separated: "+strings.Join(analysis.Formats, ", "))
	only := fs.String("only", "", "draw only the figures whose names start with one of these comma-separated prefixes, e.g. raster,capture")
	out := fs.String("out", "", "output directory (default: plots/ beside the log)")
	from := fs.String("from", "", `start of the window, e.g. "1 s"`)
	to := fs.String("to", "", "end of the window (default: the end of the run)")
	bin := fs.String("bin", "", "bin of rates computed from spikes (default: about 1/500 of the window)")
	traces := fs.Int("traces", 0, "trajectories drawn per series (default 3 for v, 8 for the others)")
	maxSpikes := fs.Int("max-spikes", 50000, "raster: spike budget; above it the raster shows a shorter window, named in its title")
	size := fs.String("size", "16x10", "figure size in cm, WIDTHxHEIGHT")
	dpi := fs.Float64("dpi", 150, "resolution of PNG files [dots per inch]")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one LOG or RUN-DIR", fs.Args()))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim plot: %v\n", err)
		return 1
	}
	arg := fs.Arg(0)
	exts := strings.Split(*formats, ",")
	for _, e := range exts {
		if !slices.Contains(analysis.Formats, e) {
			return fail(fmt.Errorf("--format %q: the formats are %s", e, strings.Join(analysis.Formats, ", ")))
		}
	}
	sz, err := parseSize(*size)
	if err != nil {
		return fail(err)
	}
	if !(*dpi >= 10 && *dpi <= 2400) {
		return fail(fmt.Errorf("--dpi %g: give a resolution between 10 and 2400, e.g. --dpi 300", *dpi))
	}
	o := analysis.PlotOptions{MaxTraces: *traces, MaxSpikes: *maxSpikes}
	dir := *out
	target := arg // what DefaultFigures reads: the log, or a run directory without one
	code := 0
	if path, err := analysis.LogPath(arg); err == nil {
		// A damaged log is drawn up to its damage, with a warning that
		// names the byte offset.
		lg, err := openIntact("plot", path, "the figures", stderr)
		if err != nil {
			return fail(err)
		}
		defer lg.Close()
		target, code = lg.Path, lg.exitCode()
		r, err := spikelog.Open(lg.Path)
		if err != nil {
			return fail(err)
		}
		clock := r.Header().Clock()
		r.Close()
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
		if dir == "" {
			dir = filepath.Join(filepath.Dir(path), "plots")
		}
	} else if fi, serr := os.Stat(arg); serr != nil || !fi.IsDir() {
		return fail(err)
	} else if dir == "" {
		dir = filepath.Join(arg, "plots")
	}
	plots, err := analysis.DefaultFigures(target, o)
	if err != nil {
		return fail(err)
	}
	if *only != "" {
		var keep []analysis.NamedPlot
		for _, p := range plots {
			for _, pre := range strings.Split(*only, ",") {
				if strings.HasPrefix(p.Name, strings.TrimSpace(pre)) {
					keep = append(keep, p)
					break
				}
			}
		}
		plots = keep
	}
	if len(plots) == 0 {
		return fail(fmt.Errorf("%s: no figure to draw (the log records neither spikes nor samples, or --only matches none)", arg))
	}
	if err := mkdir(dir); err != nil {
		return fail(err)
	}
	for _, p := range plots {
		for _, e := range exts {
			file := filepath.Join(dir, p.Name+"."+e)
			if err := p.Save(file, vg.Length(sz.w)*vg.Centimeter, vg.Length(sz.h)*vg.Centimeter, *dpi); err != nil {
				return fail(err)
			}
			fmt.Fprintln(stdout, "wrote", file)
		}
	}
	return code
}
