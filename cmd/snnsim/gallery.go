package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim/analysis"
)

// galleryFigures are the figures of the gallery: a shipped scenario and the
// default figures of its run that show its result.
var galleryFigures = []struct{ scenario, figure string }{
	{"stc_capture", "capture_N"},
	{"cuba", "raster"},
	{"cuba", "rate"},
	{"lif_fi_curve", "fi_curve"},
	{"stdp_window", "stdp_window"},
	{"sjostrom_frequency", "sjostrom_frequency"},
	{"song_abbott_competition", "song_abbott_weights"},
	{"zenke_reference_weight", "zenke_reference_weight"},
	{"memory_curves", "memory_curves"},
	{"lt2021_10s_recall", "learn_recall"},
}

// tallFigures are drawn 1.6 times as high as the others: three panels.
var tallFigures = map[string]bool{"learn_recall": true}

// cmdGallery runs the shipped scenarios and writes the figures of the
// gallery as PNG files into a directory.
func cmdGallery(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gallery", "DIR [flags]",
		"Runs the shipped scenarios that the gallery shows (in a temporary directory) and\n"+
			"writes their figures into DIR as PNG files: the gallery of docs/figures.", stderr)
	scenarios := fs.String("scenarios", "scenarios", "directory of the shipped scenarios")
	size := fs.String("size", "16x10", "figure size in cm, WIDTHxHEIGHT")
	dpi := fs.Float64("dpi", 100, "resolution [dots per inch]")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one DIR", fs.Args()))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim gallery: %v\n", err)
		return 1
	}
	sz, err := parseSize(*size)
	if err != nil {
		return fail(err)
	}
	dir := fs.Arg(0)
	if err := mkdir(dir); err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "snnsim-gallery-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	figs := map[string][]analysis.NamedPlot{}
	for _, g := range galleryFigures {
		if _, done := figs[g.scenario]; !done {
			file := filepath.Join(*scenarios, g.scenario+".toml")
			if _, err := os.Stat(file); err != nil {
				return fail(fmt.Errorf("%w (give the directory of the shipped scenarios with --scenarios)", err))
			}
			out := filepath.Join(tmp, g.scenario)
			fmt.Fprintf(stdout, "running %s\n", file)
			if code := run([]string{"run", file, "--out", out, "--progress", "none"}, io.Discard, stderr); code != 0 {
				return fail(fmt.Errorf("%s: the run failed (exit code %d)", file, code))
			}
			// A raster of about 20 000 spikes stays readable (and its PNG small).
			ps, err := analysis.DefaultFigures(out, analysis.PlotOptions{MaxSpikes: 20000})
			if err != nil {
				return fail(fmt.Errorf("%s: %w", g.scenario, err))
			}
			figs[g.scenario] = ps
		}
		found := false
		for _, p := range figs[g.scenario] {
			if p.Name == g.figure {
				file := filepath.Join(dir, g.scenario+"_"+g.figure+".png")
				if g.scenario == g.figure || g.scenario == "lif_fi_curve" || g.scenario == "song_abbott_competition" || g.scenario == "zenke_reference_weight" {
					file = filepath.Join(dir, g.figure+".png")
				}
				h := vg.Length(sz.h) * vg.Centimeter
				if tallFigures[g.figure] {
					h *= 1.6
				}
				if err := p.Save(file, vg.Length(sz.w)*vg.Centimeter, h, *dpi); err != nil {
					return fail(err)
				}
				fmt.Fprintln(stdout, "wrote", file)
				found = true
			}
		}
		if !found {
			return fail(fmt.Errorf("%s: the run made no figure %q", g.scenario, g.figure))
		}
	}
	return 0
}
