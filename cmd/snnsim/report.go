package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/report"
)

// cmdReport writes the one-page HTML report of a run (package report).
func cmdReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("report", "RUN-DIR|LOG [flags]",
		"Writes one self-contained HTML page (inline SVG figures and CSS, no JavaScript, nothing\n"+
			"fetched from the network) with the scenario text, summary.json, the population statistics\n"+
			"of snnsim stats, every figure of snnsim plot and the state of the log (complete,\n"+
			"incomplete, or damaged at a byte offset), and prints its path.", stderr)
	out := fs.String("out", "", "output file (default: RUN-DIR/"+report.FileName+")")
	maxSpikes := fs.Int("max-spikes", 50000, "raster: spike budget; above it the raster shows a shorter window, named in its title")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one RUN-DIR or LOG", fs.Args()))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "snnsim report: %v\n", err)
		return 1
	}
	p, err := report.Build(fs.Arg(0), report.Options{Plot: analysis.PlotOptions{MaxSpikes: *maxSpikes}})
	if err != nil {
		return fail(err)
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(stderr, "snnsim report: warning: %s\n", pr)
	}
	var b bytes.Buffer
	if err := p.WriteHTML(&b); err != nil {
		return fail(err)
	}
	file := *out
	if file == "" {
		file = filepath.Join(p.Dir, report.FileName)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, file)
	if ce := p.Integrity.Damage; ce != nil {
		warnDamage(stderr, "report", ce, "the statistics and figures of the page")
		return 1 // as stats, plot and export: a script notices the damage
	}
	return 0
}
