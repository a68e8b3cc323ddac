package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// CheckpointName is the checkpoint's file name inside a run directory.
const CheckpointName = "checkpoint.snnckpt"

// session is one run of a scenario, from its start or from a checkpoint.
type session struct {
	o     runOptions
	net   *netlist.Network
	dir   string
	eng   *engine.Engine
	w     *spikelog.Writer
	every snnsim.Time // checkpoint interval [ticks]; 0: none
	stop  snnsim.Time // tick to stop at with a checkpoint (--stop-at); 0: none
	text  string      // the scenario file's text, without the overrides
	sets  []string    // the --set overrides applied to text
}

// resumeInfo is what a checkpoint keeps for the command line (the app data
// of checkpoint.Meta): enough to rebuild the run without its scenario
// file.
//
// Text is the scenario file's text and Overrides the --set overrides that
// the run applied to it, which resume applies again (the log header holds
// the text with the overrides appended as comments: package scenario's
// Scenario.RecordedText).
type resumeInfo struct {
	LogOffset int64         `json:"log_offset"`
	File      string        `json:"scenario_file"`
	Text      string        `json:"scenario_text"`
	Overrides []string      `json:"overrides,omitempty"`
	Seed      uint64        `json:"seed"`
	Duration  snnsim.Time   `json:"duration_ticks"`
	Every     snnsim.Time   `json:"checkpoint_every_ticks"`
	Flush     time.Duration `json:"flush_interval"`
}

func (s *session) logPath() string        { return filepath.Join(s.dir, LogName) }
func (s *session) checkpointPath() string { return filepath.Join(s.dir, CheckpointName) }

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
	if !(ms > 0) {
		return 0, fmt.Errorf("%s %q: must be > 0", flag, v)
	}
	return ms, nil
}

// parseTimes reads --checkpoint-every and --stop-at.
func (s *session) parseTimes() error {
	for _, f := range []struct {
		name, v string
		to      *snnsim.Time
	}{{"--checkpoint-every", s.o.every, &s.every}, {"--stop-at", s.o.until, &s.stop}} {
		if f.v == "" {
			continue
		}
		ms, err := parseBioTime(f.name, f.v)
		if err != nil {
			return err
		}
		if *f.to, err = s.net.Clock.Ticks(ms); err != nil {
			return fmt.Errorf("%s %q: %w", f.name, f.v, err)
		}
	}
	return nil
}

// checkpoint flushes the log and writes the checkpoint with the log's size.
func (s *session) checkpoint() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	app, err := json.Marshal(resumeInfo{LogOffset: s.w.Size(), File: s.net.File, Text: s.text, Overrides: s.sets, Seed: s.net.Seed,
		Duration: s.net.Duration, Every: s.every, Flush: s.o.flush})
	if err != nil {
		return err
	}
	return s.eng.WriteCheckpoint(s.checkpointPath(), app)
}

// run simulates from the engine's current tick to the end of the scenario,
// writing checkpoints on the way, and handles interruption: at SIGINT or
// SIGTERM (ctx cancelled) or at --stop-at it writes a checkpoint, leaves the
// log flushed and open for 'snnsim resume', and returns exit code 130 (3
// for --stop-at).
func (s *session) run(ctx context.Context, stdout, stderr io.Writer) (int, error) {
	net, eng := s.net, s.eng
	prog := newProgress(s.o.progress, stderr, net.Clock, net.Duration)
	start := time.Now()
	t0 := eng.Now()
	var runErr error
	stopped := false
	for eng.Now() < net.Duration && runErr == nil {
		next := net.Duration
		if s.every > 0 {
			next = min(next, (eng.Now()/s.every+1)*s.every)
		}
		if s.stop > eng.Now() {
			next = min(next, s.stop)
		}
		if runErr = runChunked(ctx, eng, next, prog); runErr != nil {
			break
		}
		if eng.Now() == s.stop {
			stopped = true
			break
		}
		if s.every > 0 && eng.Now()%s.every == 0 {
			if err := s.checkpoint(); err != nil {
				runErr = err
			}
		}
	}
	wall := time.Since(start).Seconds()
	prog.finish()
	interrupted := stopped || errors.Is(runErr, context.Canceled)
	var closeErr error
	if interrupted {
		closeErr = s.checkpoint() // flushes the log; it stays open for resume
	} else {
		closeErr = errors.Join(s.w.Mark(eng.Now(), analysis.RunEndMark), s.w.Close())
	}
	sum := summarize(net, eng, wall, runErr == nil && !stopped)
	sum.SimulatedThisRunS = net.Clock.Seconds(eng.Now() - t0)
	if wall > 0 {
		sum.SimSPerWallS = sum.SimulatedThisRunS / wall
	}
	sum.Log = LogName
	warnSaturated(stderr, sum)
	if err := writeSummary(filepath.Join(s.dir, SummaryName), sum); err != nil && closeErr == nil {
		closeErr = err
	}
	if interrupted {
		why := "interrupted"
		code := 130
		if stopped {
			why, code = "stopped as asked (--stop-at)", 3
		}
		if closeErr != nil {
			fmt.Fprintf(stderr, "snnsim: %s at t = %s, but the checkpoint could not be written: %v\n", why, fmtSim(sum.SimulatedS), closeErr)
			return code, nil
		}
		fmt.Fprintf(stderr, "snnsim: %s at t = %s of %s; the log %s is flushed and readable up to there.\n"+
			"snnsim: to go on, run: snnsim resume %s\n", why, fmtSim(sum.SimulatedS), fmtSim(net.Clock.Seconds(net.Duration)), s.logPath(), s.dir)
		return code, nil
	}
	switch {
	case runErr != nil:
		return 1, errors.Join(runErr, closeErr)
	case closeErr != nil:
		return 1, closeErr
	}
	for _, p := range sum.Populations {
		fmt.Fprintf(stdout, "%-12s %8d neurons %10d spikes %9.3f Hz\n", p.Name, p.Size, p.Spikes, p.RateHz)
	}
	fmt.Fprintf(stdout, "simulated %s in %.3f s wall: %.3g simulated s per wall s (%.3g wall s per simulated s), %.3g synaptic events/s\n",
		fmtSim(sum.SimulatedThisRunS), wall, sum.SimSPerWallS, 1/sum.SimSPerWallS, sum.EventsPerWallS)
	fmt.Fprintf(stdout, "wrote %s and %s\n", s.logPath(), filepath.Join(s.dir, SummaryName))
	return 0, nil
}

// cmdResume continues a run from the checkpoint in its directory.
func cmdResume(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "Usage: snnsim resume RUN-DIR [--progress MODE]\n\nContinues a run from RUN-DIR/"+CheckpointName+", appending to its log.")
		return 2
	}
	o := runOptions{progress: "auto"}
	for i := 1; i+1 < len(args); i += 2 {
		if args[i] == "--progress" {
			o.progress = args[i+1]
		}
	}
	ctx, stop := signalContext()
	defer stop()
	code, err := resume(ctx, args[0], o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "snnsim: %v\n", err)
	}
	return code
}

func resume(ctx context.Context, dir string, o runOptions, stdout, stderr io.Writer) (int, error) {
	s := &session{o: o, dir: dir}
	f, err := os.Open(s.checkpointPath())
	if err != nil {
		return 1, fmt.Errorf("resume: %w (was the run started with --checkpoint-every, or interrupted?)", err)
	}
	meta, body, err := checkpoint.Read(f)
	f.Close()
	if err != nil {
		return 1, fmt.Errorf("resume %s: %w", s.checkpointPath(), err)
	}
	var info resumeInfo
	if err := json.Unmarshal(meta.App, &info); err != nil {
		return 1, fmt.Errorf("resume %s: %w: the command-line data: %v", s.checkpointPath(), checkpoint.ErrCorrupt, err)
	}
	sc, err := scenario.DecodeOverrides(info.File, []byte(info.Text), info.Overrides)
	if err != nil {
		return 1, fmt.Errorf("resume: the scenario stored in the checkpoint: %w", err)
	}
	s.text, s.sets = sc.Text, sc.Overrides
	sc.Seed = info.Seed // the run's duration is set below: it may differ from the file's (--duration)
	s.net, err = sc.Compile()
	if err != nil {
		return 1, err
	}
	s.net.Duration = info.Duration
	s.o.flush, s.every = info.Flush, info.Every
	if s.eng, err = engine.New(s.net, engine.Config{Weights: engine.WeightsInPlace}); err != nil {
		return 1, err
	}
	if s.w, err = spikelog.Append(s.logPath(), info.LogOffset, logOptions(info.Flush)); err != nil {
		return 1, err
	}
	resumed := true
	if err := attachRecords(s.eng, s.net, s.w, &resumed); err != nil {
		s.w.Close()
		return 1, err
	}
	if err := s.eng.Restore(meta, body); err != nil {
		s.w.Close()
		return 1, fmt.Errorf("resume %s: %w", s.checkpointPath(), err)
	}
	fmt.Fprintf(stderr, "snnsim: resuming %s at t = %s of %s\n", dir, fmtSim(s.net.Clock.Seconds(meta.Tick)), fmtSim(s.net.Clock.Seconds(s.net.Duration)))
	return s.run(ctx, stdout, stderr)
}
