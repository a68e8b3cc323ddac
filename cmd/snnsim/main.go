// Command snnsim runs spiking network scenarios and reads their logs.
//
// Usage:
//
//	snnsim run SCENARIO [--out DIR [--force]] [--seed N] [--duration D] [--set KEY=VALUE]... [flags]
//	snnsim resume RUN-DIR [--progress MODE]
//	snnsim validate SCENARIO... [--set KEY=VALUE]... [--write-mtx DIR]
//	snnsim inspect LOG|RUN-DIR [--scenario] [--marks]
//	snnsim stats LOG|RUN-DIR [--from T] [--to T] [--json]
//	snnsim recall LOG|RUN-DIR --assembly A..B [--cue A..B] --learn T --recall T [--width T] [--json]
//	snnsim assemblies LOG|RUN-DIR [--derive-phase N | --assemblies FILE.pat] [--cue-phase N] [--classes LIST] [--json]
//	snnsim plot LOG|RUN-DIR [--only NAMES] [--format png,svg,pdf] [--size WxH] [--dpi N] [--out DIR]
//	snnsim export LOG|RUN-DIR [--format npz|npy|csv|csv.gz] [--out DIR]
//	snnsim report RUN-DIR|LOG [--out FILE] [--max-spikes N]
//	snnsim gallery DIR [--scenarios DIR]
//	snnsim sweep SCENARIO --out DIR [--grid KEY=V1,V2,...]... [--rows FILE.csv] [--seeds N|A..B] [--local [-j N] | --slurm]
//	snnsim sweep status|run-point|plot DIR ...
//	snnsim collect DIR --metric METRIC... [--out FILE.csv]
//	snnsim version
//
// run simulates a TOML scenario (see package scenario for the format) and
// writes, into a run directory, the spike log spikes.snnlog
// (format: spikelog/FORMAT.md) and summary.json (spikes and mean rate per
// population, simulated time, wall time, simulated seconds per wall second,
// synaptic events). Without --out the run gets a new directory
// out/<scenario-name>, with -seed<N> appended when --seed changes the
// scenario's seed, -set<hash> when --set overrides apply, and -2, -3, ...
// when that directory holds an earlier run already. --out DIR must be empty
// or absent, unless --force, which removes an earlier run's files from it
// first. A run locks its directory (.snnsim.lock, with its process ID): a
// second run or resume into it fails at once. Ctrl-C stops the run at a
// tick boundary with the log flushed and readable and a checkpoint, from
// which 'snnsim resume RUN-DIR' continues it (the orchestration is package
// runner's). A scenario with a [memory_curves] table (no
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
// Python; report writes one self-contained HTML page with all of it
// (package report). The computations are package analysis's. gallery runs the
// shipped scenarios and writes the figures of docs/figures.
//
// validate --write-mtx writes each compiled projection as a Matrix Market
// file (netlist.WriteMatrixMarket), which a scenario reads back with
// format = "mtx" and Auryn reads as a connection. assemblies derives the
// cell assemblies of a run driven by a pattern source (their marks give the
// presentations) and measures their recall from cues, with figures (Zenke,
// Agnes & Gerstner 2015); recall measures the recall of one assembly
// (Luboeinski & Tetzlaff 2021).
//
// sweep runs a scenario at every point of a parameter design (grid,
// CSV rows, seeds), each point a run in its own directory, on this machine
// or as a Slurm job array; collect computes metrics from the points' logs
// into one table, and 'sweep plot' draws them (package sweep).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/internal/textdist"
)

const usage = `snnsim: a spiking neural network simulator

Usage:
  snnsim run SCENARIO [--out DIR [--force]] [--seed N] [--duration D] [--set KEY=VALUE]... [flags]
  snnsim resume RUN-DIR [--progress auto|bar|log|none]
  snnsim validate SCENARIO... [--set KEY=VALUE]... [--write-mtx DIR]
  snnsim inspect LOG|RUN-DIR [--scenario] [--marks]
  snnsim stats   LOG|RUN-DIR [--from T] [--to T] [--json]
  snnsim recall  LOG|RUN-DIR --assembly A..B [--cue A..B] --learn T --recall T [--width T] [--json]
  snnsim assemblies LOG|RUN-DIR [--derive-phase N | --assemblies FILE.pat] [--cue-phase N] [--classes LIST] [--json]
  snnsim plot    LOG|RUN-DIR [--only NAMES] [--format png,svg,pdf] [--size WxH] [--dpi N] [--out DIR]
  snnsim export  LOG|RUN-DIR [--format npz|npy|csv|csv.gz] [--out DIR]
  snnsim report  RUN-DIR|LOG [--out FILE] [--max-spikes N]
  snnsim gallery DIR [--scenarios DIR]
  snnsim sweep   SCENARIO --out DIR [--grid KEY=V1,V2,...]... [--rows FILE.csv] [--seeds N|A..B] [--local [-j N] | --slurm]
  snnsim sweep   status|run-point|plot DIR ...
  snnsim collect DIR --metric METRIC... [--out FILE.csv]
  snnsim version

Run 'snnsim help COMMAND' or 'snnsim COMMAND --help' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// commands are the verbs, each called with its arguments, standard output
// and the writer for messages and usage. It is filled in init because
// some verbs (gallery) call run, which reads it.
var commands map[string]func(args []string, stdout, stderr io.Writer) int

func init() {
	commands = map[string]func(args []string, stdout, stderr io.Writer) int{
		"run":        cmdRun,
		"resume":     cmdResume,
		"validate":   cmdValidate,
		"inspect":    cmdInspect,
		"stats":      cmdStats,
		"recall":     cmdRecall,
		"assemblies": cmdAssemblies,
		"plot":       cmdPlot,
		"export":     cmdExport,
		"report":     cmdReport,
		"gallery":    cmdGallery,
		"sweep":      cmdSweep,
		"collect":    cmdCollect,
	}
}

// run dispatches the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	verb := args[0]
	switch verb {
	case "version", "--version", "-v":
		return cmdVersion(stdout)
	case "help", "--help", "-h":
		if len(args) == 1 {
			fmt.Fprint(stdout, usage)
			return 0
		}
		if _, ok := commands[args[1]]; !ok && args[1] != "version" {
			return unknownCommand(args[1], stderr)
		}
		if args[1] == "version" {
			fmt.Fprintln(stdout, "Usage: snnsim version\n\nPrints the program version.")
			return 0
		}
		return commands[args[1]]([]string{"--help"}, stdout, stdout)
	}
	cmd, ok := commands[verb]
	if !ok {
		return unknownCommand(verb, stderr)
	}
	if wantsHelp(args[1:]) {
		// Help asked for is output, not a diagnostic: the verb's usage
		// goes to stdout.
		stderr = stdout
	}
	return cmd(args[1:], stdout, stderr)
}

// unknownCommand reports a verb that does not exist, with the nearest one.
func unknownCommand(verb string, stderr io.Writer) int {
	names := []string{"version", "help"}
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprintf(stderr, "snnsim: unknown command %q%s\n\n%s", verb, didYouMean(verb, names, ""), usage)
	return 2
}

// wantsHelp reports whether args ask for help (-h or --help before a "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help":
			return true
		}
	}
	return false
}

// newFlags returns a flag set for a verb with its usage text: name, the
// arguments' synopsis and a description. Errors and the usage go to
// stderr (run sends the usage to stdout when help is asked for).
func newFlags(name, args, what string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = true
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: snnsim %s %s\n\n%s\n\nFlags:\n", name, args, what)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a verb's flags. On an error it prints what is wrong
// with a suggestion for a mistyped flag, then the verb's usage, and returns
// exit code 2; on --help (usage printed by pflag) it returns 0. ok is
// false in both cases.
func parseFlags(fs *pflag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	if err == nil {
		return 0, true
	}
	if errors.Is(err, pflag.ErrHelp) {
		return 0, false
	}
	usageError(fs, flagMessage(fs, err))
	return 2, false
}

// usageError prints "snnsim VERB: msg", a blank line and the verb's usage.
func usageError(fs *pflag.FlagSet, msg string) {
	fmt.Fprintf(fs.Output(), "snnsim %s: %s\n\n", fs.Name(), msg)
	fs.Usage()
}

// valueError prints "snnsim VERB: msg" for a flag value that parsed but is
// not allowed, and returns exit code 2.
func valueError(fs *pflag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(fs.Output(), "snnsim %s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	return 2
}

// flagMessage rewrites pflag's parse error for a reader: the flag as
// typed, what is wrong, and the nearest flag name for an unknown one.
func flagMessage(fs *pflag.FlagSet, err error) string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	names = append(names, "help")
	var ne *pflag.NotExistError
	var vr *pflag.ValueRequiredError
	var iv *pflag.InvalidValueError
	var is *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &ne):
		if sh := ne.GetSpecifiedShortnames(); sh != "" {
			// "-seed": one dash before a long name.
			if slices.Contains(names, sh) {
				return fmt.Sprintf("unknown flag -%s: long flags take two dashes (did you mean --%s?)", sh, sh)
			}
			return fmt.Sprintf("unknown flag -%s%s", sh, didYouMean(sh, names, "--"))
		}
		return fmt.Sprintf("unknown flag --%s%s", ne.GetSpecifiedName(), didYouMean(ne.GetSpecifiedName(), names, "--"))
	case errors.As(err, &vr):
		return fmt.Sprintf("flag --%s needs a value", vr.GetFlag().Name)
	case errors.As(err, &iv):
		f := iv.GetFlag()
		return fmt.Sprintf("--%s %q: %s", f.Name, iv.GetValue(), wantFor(f.Value.Type()))
	case errors.As(err, &is):
		return fmt.Sprintf("bad flag syntax %q: flags are --name or --name=value", is.GetSpecifiedFlag())
	}
	return err.Error()
}

// wantFor says what a flag of a pflag value type takes.
func wantFor(typ string) string {
	switch typ {
	case "int", "int64", "int32":
		return "not a whole number"
	case "uint", "uint64", "uint32":
		return "not a whole number >= 0"
	case "float64", "float32":
		return "not a number"
	case "duration":
		return `not a duration: use e.g. 2s, 500ms or 1m30s`
	case "bool":
		return "not true or false"
	}
	return "not a valid " + typ
}

// didYouMean returns " (did you mean PREFIX<name>?)" for what s was most
// likely meant to be among candidates, or "" when nothing is close: first
// the candidates that s abbreviates (its letters in order, from the first:
// "fmt" for "format"), else those within a few edits of s ("durtion" for
// "duration"), else the one candidate that s begins. Equally likely
// candidates are all named.
func didYouMean(s string, candidates []string, prefix string) string {
	var abbrev []string
	if len(s) >= 2 {
		for _, c := range candidates {
			if c != s && c[0] == s[0] && isSubsequence(s, c) {
				abbrev = append(abbrev, c)
			}
		}
	}
	pool := abbrev
	if len(pool) == 0 {
		pool = candidates
	}
	var best []string
	bestD := 1 << 30
	for _, c := range pool {
		d := textdist.Levenshtein(s, c)
		if len(abbrev) == 0 && (d > max(2, len(c)/2) || d >= max(len(s), 1)) {
			continue // too far to be a typo
		}
		switch {
		case d < bestD:
			best, bestD = []string{c}, d
		case d == bestD:
			best = append(best, c)
		}
	}
	if len(best) == 0 {
		for _, c := range candidates {
			if s != "" && strings.HasPrefix(c, s) {
				best = append(best, c)
			}
		}
	}
	if len(best) == 0 || len(best) > 3 {
		return ""
	}
	for i, c := range best {
		best[i] = prefix + c
	}
	return " (did you mean " + strings.Join(best, " or ") + "?)"
}

// isSubsequence reports whether the bytes of s appear in t in order.
func isSubsequence(s, t string) bool {
	i := 0
	for j := 0; i < len(s) && j < len(t); j++ {
		if s[i] == t[j] {
			i++
		}
	}
	return i == len(s)
}

// parseArgs parses a verb's flags and its one LOG|RUN-DIR argument; code
// is the exit code when ok is false.
func parseArgs(fs *pflag.FlagSet, args []string) (path string, code int, ok bool) {
	if code, ok := parseFlags(fs, args); !ok {
		return "", code, false
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one LOG or RUN-DIR", fs.Args()))
		return "", 2, false
	}
	p, err := analysis.LogPath(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(fs.Output(), "snnsim %s: %v\n", fs.Name(), err)
		return "", 1, false
	}
	return p, 0, true
}

// argCount says that want arguments were expected and what came instead.
func argCount(want string, got []string) string {
	if len(got) == 0 {
		return "expected " + want + " argument, got none"
	}
	q := make([]string, len(got))
	for i, a := range got {
		q[i] = fmt.Sprintf("%q", a)
	}
	return fmt.Sprintf("expected %s argument, got %d: %s", want, len(got), strings.Join(q, " "))
}
