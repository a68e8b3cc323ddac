package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/runner"
)

// cmdResume continues a run from the checkpoint in its directory.
func cmdResume(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("resume", "RUN-DIR [--progress MODE]",
		"Continues a run from RUN-DIR/"+CheckpointName+", appending to its log, exactly as if it had not\n"+
			"stopped. The checkpoint holds the scenario, its --set overrides and seed; a checkpoint that does\n"+
			"not belong to the log beside it is refused before the log is touched.", stderr)
	mode := fs.String("progress", "auto", "progress display: auto (bar on a terminal, log lines otherwise), bar, log or none")
	workers := fs.Int("workers", 0, workersUsage)
	profile := fs.String("cpuprofile", "", cpuProfileUsage)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		usageError(fs, argCount("one RUN-DIR", fs.Args()))
		return 2
	}
	if *workers < 0 {
		return valueError(fs, "--workers %d: must be >= 1 (0: the number of cores)", *workers)
	}
	if !slices.Contains(progressModes, *mode) {
		return valueError(fs, "--progress %q: use one of %s%s", *mode, strings.Join(progressModes, ", "), didYouMean(*mode, progressModes, ""))
	}
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim resume: %v\n", err)
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	code, err := resume(ctx, fs.Arg(0), *mode, *workers, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
	}
	if err := stopProfile(); err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
		code = max(code, 1)
	}
	return code
}

func resume(ctx context.Context, dir, mode string, workers int, stdout, stderr io.Writer) (int, error) {
	var prog *progress
	res, err := runner.Resume(ctx, dir, runner.ResumeOptions{
		Started: func(dir string, net *netlist.Network, at snnsim.Time) {
			fmt.Fprintf(stderr, "snnsim: resuming %s at t = %s of %s\n", dir, fmtSim(net.Clock.Seconds(at)), fmtSim(net.Clock.Seconds(net.Duration)))
			prog = newProgress(mode, stderr)
		},
		Progress:     func(p runner.Progress) { prog.update(p) },
		Workers:      workers,
		Notice:       func(msg string) { fmt.Fprintf(stderr, "snnsim: %s: %s\n", dir, msg) },
		HeapHeadroom: gcHeadroom(),
	})
	prog.finish()
	if errors.Is(err, runner.ErrFinished) {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
		return 0, nil
	}
	return reportEnd(res, err, stdout, stderr)
}
