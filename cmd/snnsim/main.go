// Command snnsim runs spiking network scenarios and reads their logs.
//
// Usage:
//
//	snnsim run SCENARIO [--out DIR] [--seed N] [--duration D] [--progress MODE] [--set KEY=VALUE]...
//	snnsim validate SCENARIO... [--set KEY=VALUE]...
//	snnsim inspect LOG|RUN-DIR [--scenario]
//	snnsim stats LOG|RUN-DIR [--from T] [--to T] [--json]
//	snnsim plot LOG|RUN-DIR [--only NAMES] [--format png,svg,pdf] [--size WxH] [--dpi N] [--out DIR]
//	snnsim export LOG|RUN-DIR [--format npz|npy|csv|csv.gz] [--out DIR]
//	snnsim gallery DIR [--scenarios DIR]
//	snnsim version
//
// run simulates a TOML scenario (see package scenario for the format) and
// writes, into out/<scenario-name>/ by default, the spike log spikes.snnlog
// (format: spikelog/FORMAT.md) and summary.json (spikes and mean rate per
// population, simulated time, wall time, simulated seconds per wall second,
// synaptic events). Ctrl-C stops the run at a tick boundary with the log
// flushed and readable. A scenario with a [memory_curves] table (no
// network; see scenarios/memory_curves.toml) instead runs the Monte-Carlo
// memory-curve experiment of each model it lists, prints each curve with
// the exact one, and writes memory_curves.csv and summary.json.
//
// --set KEY=VALUE (repeatable) sets a scenario key without editing the
// file, e.g. --set simulation.seed=7 or --set 'population.S2.params.start=3 h'
// (see scenario.DecodeOverrides for the syntax). Every check of the file
// applies to the value, and an error on it names the --set KEY. The log
// header records the scenario text followed by a comment block listing the
// overrides, and 'snnsim resume' applies them again.
//
// inspect, stats, plot and export read a log, or the log of a run
// directory: inspect prints its header, block counts by kind, series,
// marks, time span and whether it is complete; stats prints per population
// rate, ISI CV, Fano factor and synchrony, and summaries of the sampled
// series; plot draws the run's default figures (analysis.DefaultFigures)
// as PNG, SVG or PDF; export writes CSV, gzipped CSV, .npy or .npz files for
// Python. The computations are package analysis's. gallery runs the
// shipped scenarios and writes the figures of docs/figures.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `snnsim: a spiking neural network simulator

Usage:
  snnsim run SCENARIO [--out DIR] [--seed N] [--duration D] [--progress auto|bar|log|none] [--set KEY=VALUE]...
  snnsim resume RUN-DIR
  snnsim validate SCENARIO... [--set KEY=VALUE]...
  snnsim inspect LOG|RUN-DIR [--scenario]
  snnsim stats   LOG|RUN-DIR [--from T] [--to T] [--json]
  snnsim plot    LOG|RUN-DIR [--only NAMES] [--format png,svg,pdf] [--size WxH] [--dpi N] [--out DIR]
  snnsim export  LOG|RUN-DIR [--format npz|npy|csv|csv.gz] [--out DIR]
  snnsim gallery DIR [--scenarios DIR]
  snnsim version

Run 'snnsim COMMAND --help' for a command's options.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "resume":
		return cmdResume(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "inspect":
		return cmdInspect(args[1:], stdout, stderr)
	case "stats":
		return cmdStats(args[1:], stdout, stderr)
	case "plot":
		return cmdPlot(args[1:], stdout, stderr)
	case "export":
		return cmdExport(args[1:], stdout, stderr)
	case "gallery":
		return cmdGallery(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		return cmdVersion(stdout)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "snnsim: unknown command %q\n\n%s", args[0], usage)
	return 2
}
