package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/sweep"
)

const sweepWhat = "Runs SCENARIO at every point of a design: the Cartesian product of the --grid values, the rows of\n" +
	"--rows (a CSV with a header of scenario keys; columns without a dot are labels) and the --seeds. A CSV as the\n" +
	"argument is such a table whose column 'scenario' names each row's scenario file (several protocols, one sweep).\n" +
	"Each point\n" +
	"is a normal run in DIR/points/<its values>; DIR/sweep.json lists every point, its overrides, seed and\n" +
	"status. --local (the default) runs the points here with -j workers; Ctrl-C stops them with checkpoints,\n" +
	"and the same command again skips the done points and resumes the others. --slurm writes DIR/sweep.sbatch,\n" +
	"a job array of one task per point ('snnsim sweep run-point DIR INDEX'), and submits it.\n\n" +
	"Other forms:\n" +
	"  snnsim sweep status DIR                    the points' statuses (and squeue/sacct's view of a Slurm sweep)\n" +
	"  snnsim sweep run-point DIR INDEX           run one point (what each Slurm task does)\n" +
	"  snnsim sweep plot DIR --x KEY --y METRIC   mean ± s.e.m. over seeds of a collected metric\n" +
	"  snnsim collect DIR --metric ...            the results table"

// cmdSweep dispatches 'snnsim sweep'.
func cmdSweep(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return cmdSweepStatus(args[1:], stdout, stderr)
		case "run-point":
			return cmdSweepRunPoint(args[1:], stdout, stderr)
		case "plot":
			return cmdSweepPlot(args[1:], stdout, stderr)
		}
	}
	fs := newFlags("sweep", "SCENARIO|POINTS.csv --out DIR [--grid KEY=V1,V2,...]... [--rows FILE.csv] [--seeds N|A..B] [--set KEY=VALUE]... [--local [-j N] | --slurm]", sweepWhat, stderr)
	grids := fs.StringArray("grid", nil, "a key and its values, KEY=V1,V2,... (repeatable; quote a value with a comma as in CSV)")
	rows := fs.String("rows", "", "CSV file of points: a header of keys, one line per point (columns without a dot are labels)")
	seeds := fs.String("seeds", "", "seeds of every point: N (1..N) or A..B (default: the scenario's)")
	sets := fs.StringArray("set", nil, "a scenario key set at every point, as for run (repeatable)")
	out := fs.String("out", "", "the sweep directory (required)")
	local := fs.Bool("local", false, "run the points on this machine (the default)")
	jobs := fs.IntP("jobs", "j", 0, "with --local: points run at once (default: all cores)")
	every := fs.String("checkpoint-every", "", `checkpoint each point every so much simulated time, e.g. "1 h" (an interrupted point checkpoints anyway)`)
	quiet := fs.Bool("quiet", false, "no line per point")
	workers := fs.Int("workers", 0, "workers of each point (see run --workers); 0 (the default) shares the cores among the points running at once (-j), at least one each; "+
		"an interrupted point resumes from its checkpoint on any number")
	slurm := fs.Bool("slurm", false, "submit a Slurm job array (one task per point not done)")
	throttle := fs.Int("throttle", 0, "with --slurm: tasks running at once (sbatch --array=...%N; 0: no limit)")
	tlimit := fs.String("time", "", "with --slurm: time limit per task, e.g. 0:30:00 (default: estimated from a probe run and the duration)")
	mem := fs.String("mem", "", "with --slurm: memory per task, e.g. 2G (default: estimated from a probe run)")
	speed := fs.Float64("speed", 0, "with --slurm: simulated seconds per wall second for the time estimate (default: measured)")
	partition := fs.String("partition", "", "with --slurm: the partition")
	extra := fs.StringArray("sbatch", nil, `with --slurm: a further sbatch option for the script, e.g. --sbatch=--account=lab (repeatable)`)
	noSubmit := fs.Bool("no-submit", false, "with --slurm: write the script without submitting it")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one SCENARIO", fs.Args()))
		return 2
	}
	if strings.TrimSpace(*out) == "" {
		usageError(fs, "--out DIR is required: the sweep directory")
		return 2
	}
	if *local && *slurm {
		return valueError(fs, "--local and --slurm exclude each other: choose where the points run")
	}
	if *workers < 0 {
		return valueError(fs, "--workers %d: must be >= 1 (0: shared among the points running at once)", *workers)
	}
	if *jobs < 0 {
		return valueError(fs, "-j %d: must be >= 1 (0: all cores)", *jobs)
	}
	if fs.Changed("jobs") && *slurm {
		return valueError(fs, "-j is for --local; with --slurm use --throttle")
	}
	if *throttle < 0 || *speed < 0 {
		return valueError(fs, "--throttle and --speed must be >= 0")
	}
	if *every != "" {
		// The points read the interval as a quantity with a unit, so a Go
		// duration ("30m") is stored in that form ("1.8e+06 ms").
		ms, err := parseBioTime("--checkpoint-every", *every)
		if err != nil {
			return valueError(fs, "%v", err)
		}
		*every = strconv.FormatFloat(ms, 'g', -1, 64) + " ms"
	}
	spec := sweep.Spec{Scenario: fs.Arg(0), Sets: *sets, CheckpointEvery: *every}
	if strings.EqualFold(filepath.Ext(spec.Scenario), ".csv") {
		// A table of points that names each point's scenario.
		if *rows != "" {
			return valueError(fs, "%s is a table of points and so is --rows %s: give one", spec.Scenario, *rows)
		}
		*rows, spec.Scenario = spec.Scenario, ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(stderr, "sweep", err)
	}
	spec.WorkDir = wd
	for _, g := range *grids {
		a, err := sweep.ParseAxis(g)
		if err != nil {
			return valueError(fs, "%v", err)
		}
		spec.Grid = append(spec.Grid, a)
	}
	if *rows != "" {
		if spec.Rows, err = sweep.ReadRows(*rows); err != nil {
			return fail(stderr, "sweep", fmt.Errorf("--rows: %w", err))
		}
	}
	if spec.Scenario != "" && spec.Rows != nil && slices.Contains(spec.Rows.Columns, sweep.ScenarioColumn) {
		return valueError(fs, "--rows %s names each point's scenario (column %s): give the table as the argument instead of %s", *rows, sweep.ScenarioColumn, spec.Scenario)
	}
	if err := spec.HashScenarios(); err != nil {
		return fail(stderr, "sweep", err)
	}
	if *seeds != "" {
		if spec.Seeds, err = sweep.ParseSeeds(*seeds); err != nil {
			return valueError(fs, "%v", err)
		}
	}
	// Every point is checked before the directory is made: a bad override
	// fails the command, not each point.
	if err := spec.Check(); err != nil {
		return fail(stderr, "sweep", err)
	}
	s, err := sweep.Create(*out, spec, snnsim.BuildVersion())
	if err != nil {
		return fail(stderr, "sweep", err)
	}
	defer s.Close()
	s.Workers = *workers
	if v := s.Manifest.Version; v != snnsim.BuildVersion() {
		fmt.Fprintf(stderr, "snnsim sweep: note: the sweep was started by snnsim %s, this is %s\n", v, snnsim.BuildVersion())
	}
	ctx, stop := signalContext()
	defer stop()
	if *slurm {
		bin, err := os.Executable()
		if err != nil {
			return fail(stderr, "sweep", err)
		}
		o := sweep.SlurmOptions{Binary: bin, Throttle: *throttle, Time: *tlimit, Mem: *mem, Speed: *speed,
			Partition: *partition, Extra: *extra, NoSubmit: *noSubmit}
		job, todo, script, err := s.SubmitSlurm(ctx, o)
		if err != nil {
			return fail(stderr, "sweep", err)
		}
		n := len(s.Manifest.Points)
		switch {
		case len(todo) == 0:
			fmt.Fprintf(stdout, "all %d points are done: nothing to submit\n", n)
		case job == "":
			fmt.Fprintf(stdout, "wrote %s for %d of %d points (not submitted)\n", script, len(todo), n)
		default:
			fmt.Fprintf(stdout, "submitted job %s: %d of %d points (%d done before); script %s\nsnnsim sweep status %s shows progress\n",
				job, len(todo), n, n-len(todo), script, *out)
		}
		return 0
	}
	start := time.Now()
	o := sweep.LocalOptions{Jobs: *jobs}
	if !*quiet {
		o.Report = func(e sweep.Event) {
			msg := ""
			if e.Err != nil {
				msg = ": " + e.Err.Error()
			}
			fmt.Fprintf(stderr, "snnsim sweep: [%d/%d] %s %s (%.2f s)%s\n", e.Done, e.Total, e.Status, e.Name, e.WallS, msg)
		}
	}
	c, err := s.RunLocal(ctx, o)
	fmt.Fprintf(stdout, "%d points: %d run (%d resumed from checkpoints), %d skipped (done before), %d failed, %d stopped by guard, %d interrupted, %d held by other processes; %.1f s wall\n",
		c.Points, c.Ran, c.Resumed, c.Skipped, c.Failed, c.Stopped, c.Interrupted, c.Busy, time.Since(start).Seconds())
	if err != nil {
		return fail(stderr, "sweep", err)
	}
	switch {
	case c.Interrupted > 0 || ctx.Err() != nil:
		fmt.Fprintf(stderr, "snnsim sweep: interrupted; run the same command again to go on\n")
		return 130
	case c.Failed > 0 || c.Busy > 0:
		return 1
	}
	return 0
}

func fail(stderr io.Writer, verb string, err error) int {
	fmt.Fprintf(stderr, "snnsim %s: %v\n", verb, err)
	return 1
}

// cmdSweepRunPoint runs one point: what each task of a Slurm job array does.
func cmdSweepRunPoint(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sweep run-point", "DIR INDEX",
		"Runs point INDEX of the sweep in DIR (resuming it from its checkpoint if it has one) and writes only\n"+
			"its directory DIR/points/<name>. A done point is left alone. SIGTERM stops it with a checkpoint.", stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		usageError(fs, argCount("DIR and INDEX", fs.Args()))
		return 2
	}
	i, err := strconv.Atoi(fs.Arg(1))
	if err != nil {
		return valueError(fs, "INDEX %q: not a whole number", fs.Arg(1))
	}
	s, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return fail(stderr, "sweep run-point", err)
	}
	ctx, stop := signalContext()
	defer stop()
	st, wall, err := s.RunPoint(ctx, i)
	if err != nil {
		return fail(stderr, "sweep run-point", fmt.Errorf("point %d: %w", i, err))
	}
	fmt.Fprintf(stdout, "point %d (%s): %s (%.2f s)\n", i, s.Manifest.Points[i].Name, st, wall)
	if st == sweep.Interrupted {
		return 130
	}
	return 0
}

// cmdSweepStatus prints the statuses of a sweep's points.
func cmdSweepStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sweep status", "DIR [--points]",
		"Shows how many points are pending, running, interrupted, done, failed and stopped by a [[guard]],\n"+
			"read from each point's directory, with the error of each failed point and the reason of each stopped\n"+
			"one, and for a Slurm sweep the tasks' states from squeue and sacct where they answer.", stderr)
	all := fs.Bool("points", false, "list every point")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one DIR", fs.Args()))
		return 2
	}
	s, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return fail(stderr, "sweep status", err)
	}
	counts := s.Refresh()
	m := &s.Manifest
	fmt.Fprintf(stdout, "sweep %s: %s, %d points, snnsim %s\n", fs.Arg(0), m.Spec.Scenario, len(m.Points), m.Version)
	var parts []string
	for _, st := range []sweep.Status{sweep.Done, sweep.Running, sweep.Interrupted, sweep.Pending, sweep.Failed, sweep.StoppedByGuard} {
		parts = append(parts, fmt.Sprintf("%s %d", st, counts[st]))
	}
	fmt.Fprintf(stdout, "points: %s\n", strings.Join(parts, ", "))
	if len(m.Slurm) > 0 {
		var jobs []string
		for _, j := range m.Slurm {
			jobs = append(jobs, j.JobID)
		}
		states, used := s.SlurmStates(context.Background())
		if len(used) == 0 {
			fmt.Fprintf(stdout, "slurm jobs %s: squeue and sacct do not know them (finished long ago, or not on this cluster)\n", strings.Join(jobs, ", "))
		} else {
			byState := map[string]int{}
			for _, st := range states {
				byState[st]++
			}
			var keys []string
			for k := range byState {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var ps []string
			for _, k := range keys {
				ps = append(ps, fmt.Sprintf("%s %d", strings.ToLower(k), byState[k]))
			}
			fmt.Fprintf(stdout, "slurm jobs %s (%s): %s\n", strings.Join(jobs, ", "), strings.Join(used, ", "), strings.Join(ps, ", "))
		}
	}
	for i, p := range m.Points {
		if *all || p.Status == sweep.Failed || p.Status == sweep.StoppedByGuard {
			line := fmt.Sprintf("%5d %-16s %s", i, p.Status, p.Name)
			if p.Error != "" {
				line += ": " + p.Error
			}
			fmt.Fprintln(stdout, line)
		}
	}
	return 0
}

// cmdCollect computes metrics from every point of a sweep into a table.
func cmdCollect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("collect", "DIR --metric METRIC... [--out FILE.csv]",
		"Computes metrics from the log of every done point of the sweep in DIR and writes one table, a row per\n"+
			"point: index, name, the point's values, seed, status and the metrics, as CSV (DIR/results.csv) and as\n"+
			"a NumPy archive (DIR/results.npz, one array per column: np.load(\"results.npz\")[\"seed\"]).\n\n"+sweep.MetricHelp, stderr)
	specs := fs.StringArray("metric", nil, "a metric (repeatable; see above)")
	out := fs.String("out", "", "the CSV file (default: DIR/results.csv); the NPZ goes beside it")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one sweep DIR", fs.Args()))
		return 2
	}
	if len(*specs) == 0 {
		usageError(fs, "no --metric: name at least one, e.g. --metric rate:N or --metric 'change:S2_to_N@end'")
		return 2
	}
	var ms []sweep.Metric
	for _, x := range *specs {
		m, err := sweep.ParseMetric(x)
		if err != nil {
			return valueError(fs, "%v", err)
		}
		ms = append(ms, m)
	}
	s, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return fail(stderr, "collect", err)
	}
	t, err := s.Collect(ms)
	if err != nil {
		return fail(stderr, "collect", err)
	}
	csvPath := *out
	if csvPath == "" {
		csvPath = filepath.Join(fs.Arg(0), "results.csv")
	}
	npz := strings.TrimSuffix(csvPath, filepath.Ext(csvPath)) + ".npz"
	if err := errors.Join(t.WriteCSV(csvPath), t.WriteNPZ(npz)); err != nil {
		return fail(stderr, "collect", err)
	}
	done := 0
	st := t.Column("status")
	for _, r := range t.Rows {
		if r[st] == string(sweep.Done) {
			done++
		}
	}
	fmt.Fprintf(stdout, "wrote %s and %s: %d rows (%d done), %d metrics\n", csvPath, npz, len(t.Rows), done, len(ms))
	if done < len(t.Rows) {
		fmt.Fprintf(stderr, "snnsim collect: %d points are not done; their metrics are empty (snnsim sweep status %s)\n", len(t.Rows)-done, fs.Arg(0))
	}
	return 0
}

// cmdSweepPlot draws a collected metric against a key.
func cmdSweepPlot(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sweep plot", "DIR --x KEY --y METRIC [flags]",
		"Draws the mean ± standard error over seeds of a metric of the table that 'snnsim collect' wrote\n"+
			"(DIR/results.csv) against a numeric column, one curve per value of the other columns that vary.", stderr)
	x := fs.String("x", "", "the column on the x axis (required; numeric)")
	y := fs.String("y", "", "the metric on the y axis (required)")
	by := fs.StringSlice("by", nil, "columns that tell curves apart (default: every other column that varies)")
	table := fs.String("table", "", "the table (default: DIR/results.csv)")
	out := fs.String("out", "", "output file, .png or .svg (default: DIR/plots/<y>_vs_<x>.png)")
	xlabel := fs.String("xlabel", "", "x axis label (default: --x)")
	ylabel := fs.String("ylabel", "", "y axis label (default: --y)")
	title := fs.String("title", "", "title (default: the scenario)")
	width := fs.Float64("width", 14, "width [cm]")
	height := fs.Float64("height", 9, "height [cm]")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one sweep DIR", fs.Args()))
		return 2
	}
	if *x == "" || *y == "" {
		usageError(fs, "--x and --y are required")
		return 2
	}
	if *width <= 0 || *height <= 0 {
		return valueError(fs, "--width and --height must be > 0")
	}
	dir := fs.Arg(0)
	tpath := *table
	if tpath == "" {
		tpath = filepath.Join(dir, "results.csv")
	}
	t, err := sweep.ReadTable(tpath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%w: run 'snnsim collect %s --metric ...' first", err, dir)
		}
		return fail(stderr, "sweep plot", err)
	}
	var metrics []string
	if st := t.Column("status"); st >= 0 {
		metrics = t.Columns[st+1:]
	}
	if !fs.Changed("by") {
		*by = nil
	}
	cs, err := t.Curves(*x, *y, *by, metrics)
	if err != nil {
		return fail(stderr, "sweep plot", err)
	}
	if *title == "" {
		if s, err := sweep.Open(dir); err == nil {
			*title = filepath.Base(s.Manifest.Spec.Scenario)
		}
	}
	xl := *x
	if cs[0].XUnit != "" {
		xl += " [" + cs[0].XUnit + "]"
	}
	p, err := sweep.Plot(cs, or(*xlabel, xl), or(*ylabel, *y), *title)
	if err != nil {
		return fail(stderr, "sweep plot", err)
	}
	file := *out
	if file == "" {
		file = filepath.Join(dir, "plots", sweepFileName(*y)+"_vs_"+sweepFileName(*x)+".png")
	}
	if err := mkdir(filepath.Dir(file)); err != nil {
		return fail(stderr, "sweep plot", err)
	}
	if err := p.Save(vg.Length(*width)*vg.Centimeter, vg.Length(*height)*vg.Centimeter, file); err != nil {
		return fail(stderr, "sweep plot", err)
	}
	for _, c := range cs {
		name := c.Group
		if name == "" {
			name = *y
		}
		fmt.Fprintf(stdout, "%s:", name)
		for k := range c.X {
			fmt.Fprintf(stdout, " %g: %.4g ± %.2g (n=%d);", c.X[k], c.Mean[k], c.SEM[k], c.N[k])
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "wrote", file)
	return 0
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func sweepFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == ':' || r == '@' {
			return '_'
		}
		return r
	}, s)
}
