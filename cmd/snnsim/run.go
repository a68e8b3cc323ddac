package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/scenario"
)

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// File names inside a run directory (package runner's).
const (
	LogName         = runner.LogName
	SummaryName     = runner.SummaryName
	CheckpointName  = runner.CheckpointName
	MemoryCurvesCSV = runner.MemoryCurvesCSV
)

// Summary is the JSON summary that run writes next to the log.
type Summary = runner.Summary

// PopulationSummary is one population's line in the summary.
type PopulationSummary = runner.PopulationSummary

// outRoot is where runs without --out get their directory.
const outRoot = "out"

// progressModes are the values of --progress.
var progressModes = []string{"auto", "bar", "log", "none"}

type runOptions struct {
	out      string
	force    bool
	seed     uint64
	seedSet  bool
	duration string
	progress string
	flush    time.Duration
	every    string   // --checkpoint-every
	until    string   // --stop-at
	sets     []string // --set KEY=VALUE overrides, in order
	from     string   // --from: a checkpoint or run directory to branch from
	workers  int      // --workers
	profile  string   // --cpuprofile
}

// runFlags declares run's flags on a new flag set.
func runFlags(o *runOptions, stderr io.Writer) *pflag.FlagSet {
	fs := newFlags("run", "SCENARIO [flags]",
		"Simulates a scenario and writes the spike log spikes.snnlog and summary.json (a [memory_curves]\n"+
			"scenario: memory_curves.csv and summary.json) into a run directory. Without --out that is a new\n"+
			"directory out/<scenario-name>[-seed<N>][-set<hash>][-2, -3, ...]; --out DIR must be empty or absent\n"+
			"unless --force. The directory is locked while the run lasts. Ctrl-C stops at a tick boundary with\n"+
			"a checkpoint (exit code 130); 'snnsim resume RUN-DIR' continues.\n\n"+
			"--from CHECKPOINT|RUN-DIR starts from a saved state instead of t = 0 (a branch, as Brian2's restore or\n"+
			"NEST's saved state): learn once with --stop-at or --checkpoint-every, then run several protocols from\n"+
			"that checkpoint, each into its own new directory. The scenario must keep the network (populations,\n"+
			"projections, seed, resolution, plasticity and consolidation) and every stimulus that starts before\n"+
			"the checkpoint's time (one on at that time included) as they were; stimuli starting at or after it\n"+
			"may be added, changed or removed, and the records and --duration may differ. A refusal names each\n"+
			"difference (file, line, key) and the checkpoint. The new log starts with the checkpoint's history\n"+
			"and its header names the parent checkpoint and its SHA-256.", stderr)
	fs.StringVar(&o.out, "out", "", "run directory; must be empty or absent (default: a new out/<scenario-name>...)")
	fs.BoolVar(&o.force, "force", false, "with --out: remove an earlier run's files (log, summary, checkpoint, plots, exports) from the directory first")
	fs.Uint64Var(&o.seed, "seed", 0, "override the scenario's seed (default: the scenario's)")
	fs.StringVar(&o.duration, "duration", "", `override the simulated duration, e.g. "2 s" or "10h"`)
	fs.StringVar(&o.progress, "progress", "auto", "progress display: auto (bar on a terminal, log lines otherwise), bar, log or none")
	fs.DurationVar(&o.flush, "flush-interval", 2*time.Second, "wall time after which the log's open block is written out (0: only full blocks, which makes logs of the same seed byte-identical)")
	fs.StringVar(&o.every, "checkpoint-every", "", `write a checkpoint every so much simulated time, e.g. "30 min" or 30m (resume with 'snnsim resume DIR')`)
	fs.StringVar(&o.until, "stop-at", "", `stop at this simulated time with a checkpoint, as an interruption would (resume later)`)
	fs.StringArrayVar(&o.sets, "set", nil, setUsage)
	fs.StringVar(&o.from, "from", "", "start from this checkpoint file or run directory's checkpoint (a branch: same network and past stimuli, another future)")
	fs.IntVar(&o.workers, "workers", 0, workersUsage)
	fs.StringVar(&o.profile, "cpuprofile", "", cpuProfileUsage)
	return fs
}

// parseRun parses run's command line and checks every flag value that
// does not need the scenario. code is the exit code when ok is false.
func parseRun(args []string, stderr io.Writer) (o runOptions, path string, code int, ok bool) {
	fs := runFlags(&o, stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return o, "", code, false
	}
	o.seedSet = fs.Changed("seed")
	if fs.NArg() != 1 {
		usageError(fs, argCount("one SCENARIO", fs.Args()))
		return o, "", 2, false
	}
	if code, ok := checkRunValues(fs, o); !ok {
		return o, "", code, false
	}
	return o, fs.Arg(0), 0, true
}

// checkRunValues refuses flag values that parsed but cannot be used.
func checkRunValues(fs *pflag.FlagSet, o runOptions) (int, bool) {
	if !slices.Contains(progressModes, o.progress) {
		return valueError(fs, "--progress %q: use one of %s%s", o.progress, strings.Join(progressModes, ", "), didYouMean(o.progress, progressModes, "")), false
	}
	if o.flush < 0 {
		return valueError(fs, "--flush-interval %v: must be >= 0 (0: write only full blocks)", o.flush), false
	}
	if o.workers < 0 {
		return valueError(fs, "--workers %d: must be >= 1 (0: the number of cores)", o.workers), false
	}
	if o.force && o.out == "" {
		return valueError(fs, "--force needs --out: a run without --out gets a new directory and removes nothing"), false
	}
	if fs.Changed("from") && strings.TrimSpace(o.from) == "" {
		return valueError(fs, "--from %q: give a checkpoint file or a run directory that holds one", o.from), false
	}
	if fs.Changed("out") && strings.TrimSpace(o.out) == "" {
		return valueError(fs, "--out %q: give a directory", o.out), false
	}
	for _, f := range []struct{ name, v string }{{"--duration", o.duration}, {"--checkpoint-every", o.every}, {"--stop-at", o.until}} {
		if f.v == "" && !fs.Changed(strings.TrimPrefix(f.name, "--")) {
			continue
		}
		if _, err := parseBioTime(f.name, f.v); err != nil {
			return valueError(fs, "%v", err), false
		}
	}
	return 0, true
}

// cmdRun runs a scenario and writes its log and summary.
func cmdRun(args []string, stdout, stderr io.Writer) int {
	o, path, code, ok := parseRun(args, stderr)
	if !ok {
		return code
	}
	stopProfile, err := startCPUProfile(o.profile)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim run: %v\n", err)
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	code, err = runScenario(ctx, path, o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
	}
	if err := stopProfile(); err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
		code = max(code, 1)
	}
	return code
}

func runScenario(ctx context.Context, path string, o runOptions, stdout, stderr io.Writer) (int, error) {
	sc, err := scenario.LoadOverrides(path, o.sets)
	if err != nil {
		return 1, err
	}
	seedChanged := o.seedSet && o.seed != sc.Seed
	if o.seedSet {
		sc.Seed = o.seed
	}
	if sc.MemoryCurves == nil && o.duration != "" {
		d, err := parseBioTime("--duration", o.duration)
		if err != nil {
			return 2, err
		}
		sc.Duration = d
	}
	if err := checkMemory(path, sc); err != nil {
		return 1, err
	}
	ro := runner.Options{Dir: o.out, Force: o.force, FlushInterval: o.flush, Workers: o.workers, HeapHeadroom: gcHeadroom(),
		Notice: func(msg string) { fmt.Fprintf(stderr, "snnsim: %s: %s\n", path, msg) }}
	if o.out == "" {
		ro.Dir, ro.Fresh = runner.DefaultDir(outRoot, sc.Name, sc.Seed, seedChanged, sc.Overrides), true
	}
	if sc.MemoryCurves != nil {
		if o.from != "" {
			return 2, fmt.Errorf("--from %s: %s is a [memory_curves] scenario, which has no network state to start from", o.from, path)
		}
		if err := memoryCurvesFlags(path, o); err != nil {
			return 2, err
		}
		var d *runner.Dir
		if o.out != "" {
			d, err = runner.Claim(o.out, o.force)
		} else {
			d, err = runner.ClaimFresh(ro.Dir)
		}
		if err != nil {
			return 1, err
		}
		defer d.Release()
		return runMemoryCurves(ctx, path, sc, o, d.Path, stdout, stderr)
	}
	clock := snnsim.Clock{DT: sc.Resolution}
	if ro.CheckpointEvery, err = bioTicks("--checkpoint-every", o.every, clock); err != nil {
		return 2, err
	}
	if ro.StopAt, err = bioTicks("--stop-at", o.until, clock); err != nil {
		return 2, err
	}
	if end, err := clock.Ticks(sc.Duration); err == nil && ro.StopAt >= end {
		return 2, fmt.Errorf("--stop-at %q: at or after the end of the run (%s)", o.until, fmtSim(clock.Seconds(end)))
	}
	var prog *progress
	ro.Started = func(dir string, net *netlist.Network) {
		from := ""
		if o.from != "" {
			from = ", from " + o.from
		}
		fmt.Fprintf(stderr, "snnsim: %s: %d neurons, %d synapses, %s simulated, seed %d%s -> %s\n",
			path, countNeurons(net), countSynapses(net), fmtSim(net.Clock.Seconds(net.Duration)), net.Seed, from, dir)
		prog = newProgress(o.progress, stderr)
	}
	ro.Progress = func(p runner.Progress) { prog.update(p) }
	var res *runner.Result
	if o.from != "" {
		res, err = runner.Branch(ctx, sc, o.from, ro)
	} else {
		res, err = runner.Run(ctx, sc, ro)
	}
	if prog != nil {
		prog.finish()
	}
	return reportEnd(res, err, stdout, stderr)
}

// reportEnd prints how a run or resume ended and returns the exit code: 0
// completed, 130 interrupted, 3 stopped at --stop-at, 1 failed.
func reportEnd(res *runner.Result, err error, stdout, stderr io.Writer) (int, error) {
	if res == nil {
		return 1, err
	}
	sum, net := res.Summary, res.Network
	warnSaturated(stderr, sum)
	if res.Status != runner.Completed {
		why, code := "interrupted", 130
		if res.Status == runner.Stopped {
			why, code = "stopped as asked (--stop-at)", 3
		}
		if err != nil {
			fmt.Fprintf(stderr, "snnsim: %s at t = %s, but the checkpoint could not be written: %v\n", why, fmtSim(sum.SimulatedS), err)
			return code, nil
		}
		fmt.Fprintf(stderr, "snnsim: %s at t = %s of %s; the log %s is flushed and readable up to there.\n"+
			"snnsim: to go on, run: snnsim resume %s\n", why, fmtSim(sum.SimulatedS), fmtSim(net.Clock.Seconds(net.Duration)), res.LogPath(), res.Dir)
		return code, nil
	}
	if err != nil {
		if errors.Is(err, engine.ErrRunaway) {
			// A [[guard]] stopped the run: the runner closed the log with
			// its end mark and wrote the summary, so both can be read up
			// to the stop (Auryn's RateChecker leaves the same).
			fmt.Fprintf(stderr, "snnsim: %v\nsnnsim: stopped at t = %s of %s; the log %s is closed and readable up to there "+
				"(snnsim stats, plot, assemblies) and %s says completed = false\n",
				err, fmtSim(sum.SimulatedS), fmtSim(net.Clock.Seconds(net.Duration)), res.LogPath(), filepath.Join(res.Dir, SummaryName))
			return 1, nil
		}
		return 1, err
	}
	for _, p := range sum.Populations {
		fmt.Fprintf(stdout, "%-12s %8d neurons %10d spikes %9.3f Hz\n", p.Name, p.Size, p.Spikes, p.RateHz)
	}
	if sum.SimulatedThisRunS > 0 && sum.WallS > 0 {
		updates := ""
		if sum.PlasticityUpdates > 0 {
			updates = fmt.Sprintf(", %.3g plasticity updates/s", sum.PlasticityUpdatesPerWallS)
		}
		fmt.Fprintf(stdout, "simulated %s in %.3f s wall: %.3g simulated s per wall s (%.3g wall s per simulated s), %.3g synaptic events/s%s\n",
			fmtSim(sum.SimulatedThisRunS), sum.WallS, sum.SimSPerWallS, sum.WallSPerSimS, sum.EventsPerWallS, updates)
	} else {
		fmt.Fprintf(stdout, "nothing left to simulate: the run had reached its end (t = %s); the log is closed now\n", fmtSim(sum.SimulatedS))
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", res.LogPath(), filepath.Join(res.Dir, SummaryName))
	return 0, nil
}

// workersUsage documents --workers for run and resume.
const workersUsage = "workers that simulate the network together, each owning a part of every population; " +
	"the spikes and weights are the same, bit for bit, for any number, and a checkpoint written on N workers resumes on any number. " +
	"0 (the default): as many as cores (GOMAXPROCS), but at most one per 200,000 synapses (a neuron counting as 64), since the workers of a smaller network mostly wait on each other. " +
	"A network that cannot be split runs on one and says why (most consolidation models, neuromodulators)"

// setUsage documents --set for run and validate.
const setUsage = `set a scenario key, e.g. --set simulation.seed=7 or --set 'population.S2.params.start=3 h' (repeatable; ` +
	`KEY is a dotted path in which an element of [[population]], [[projection]], [[record]] ... is chosen by its name or index; ` +
	`VALUE is a TOML value, or a string when it is not one; a table VALUE replaces the whole table, so set one key at a time to keep the others)`

// parseBioTime parses a simulated duration: "30 min", "2 h", or Go's
// "30m", "1h30m".
func parseBioTime(flag, v string) (float64, error) {
	ms, err := snnsim.ParseIn(v, snnsim.TimeDim)
	if err != nil {
		d, err2 := time.ParseDuration(strings.TrimSpace(v))
		if err2 != nil {
			return 0, fmt.Errorf("%s %q: %w", flag, v, err)
		}
		ms = float64(d) / 1e6
	}
	if !(ms > 0) || math.IsInf(ms, 0) {
		return 0, fmt.Errorf("%s %q: must be > 0 and finite", flag, v)
	}
	return ms, nil
}

// bioTicks converts --checkpoint-every or --stop-at to ticks of clock; ""
// gives 0.
func bioTicks(flag, v string, clock snnsim.Clock) (snnsim.Time, error) {
	if v == "" {
		return 0, nil
	}
	ms, err := parseBioTime(flag, v)
	if err != nil {
		return 0, err
	}
	t, err := clock.Ticks(ms)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", flag, v, err)
	}
	if t <= 0 {
		return 0, fmt.Errorf("%s %q: shorter than the resolution (%g ms)", flag, v, clock.DT)
	}
	return t, nil
}

func countNeurons(net *netlist.Network) int {
	n := 0
	for _, p := range net.Populations {
		n += p.Size
	}
	return n
}

func countSynapses(net *netlist.Network) int {
	n := 0
	for _, p := range net.Projections {
		n += p.Len()
	}
	return n
}

// fmtSim formats simulated seconds readably ("850 ms", "12.5 s", "2 h 30 min").
func fmtSim(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.4g ms", s*1000)
	case s < 120:
		return fmt.Sprintf("%.4g s", s)
	case s < 7200:
		return fmt.Sprintf("%.4g min", s/60)
	}
	return fmt.Sprintf("%.4g h", s/3600)
}

// warnSaturated tells on w which populations of the summary fired near
// their refractory limit, where their rates no longer depend on the model.
func warnSaturated(w io.Writer, s Summary) {
	for _, p := range s.SaturatedPopulations {
		fmt.Fprintf(w, "snnsim: warning: population %q fired at %.4g Hz on average, %.0f%% of its maximum rate of %.4g Hz "+
			"(one spike per t_ref + resolution): its neurons are saturated; check the drive and the weights, "+
			"or add a [[guard]] on it to stop such a run early\n",
			p.Population, p.RateHz, 100*p.RateHz/p.MaxRateHz, p.MaxRateHz)
	}
}
