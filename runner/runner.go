// Package runner runs a scenario as snnsim run and snnsim resume do: into
// a run directory that it locks for the run's life, with the spike log,
// periodic checkpoints, a stop on context cancellation or at a chosen time
// with a checkpoint to resume from, and summary.json at the end. Programs
// that embed the simulator get the command line's semantics by calling Run
// and Resume.
//
// A run directory holds:
//
//	spikes.snnlog       the log (package spikelog)
//	checkpoint.snnckpt  the latest checkpoint, with everything Resume needs
//	summary.json        the Summary, written when the run ends or stops
//	.snnsim.lock        while a process holds the directory
//
// A new run needs an empty directory (Claim; ClaimFresh picks a new one);
// Resume needs the directory of a run that stopped with a checkpoint, and
// refuses, before touching the log, a checkpoint that does not belong to
// the log beside it.
package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// File names inside a run directory.
const (
	LogName         = spikelog.LogName     // the spike log
	SummaryName     = "summary.json"       // the Summary
	CheckpointName  = "checkpoint.snnckpt" // the latest checkpoint
	MemoryCurvesCSV = "memory_curves.csv"  // the curves of a [memory_curves] scenario
)

// Options control a run.
type Options struct {
	// Dir is the run directory, which Run claims with Claim(Dir, Force):
	// it must be empty or absent unless Force. With Fresh, Dir is the
	// base name of a new directory instead (ClaimFresh).
	Dir   string
	Force bool
	Fresh bool
	// FlushInterval is the wall time after which the log's open block is
	// written out; 0 writes only full blocks, which makes the logs of one
	// seed byte-identical.
	FlushInterval time.Duration
	// CheckpointEvery writes a checkpoint every so many ticks of simulated
	// time (0: none).
	CheckpointEvery snnsim.Time
	// StopAt stops the run at this tick with a checkpoint, as a
	// cancellation does (0: none).
	StopAt snnsim.Time
	// Progress, when set, is called between chunks of simulation (about
	// ten times a second of wall time).
	Progress func(Progress)
	// Started, when set, is called once the directory is claimed and the
	// log created, before the first tick.
	Started func(dir string, net *netlist.Network)
	// Workers is the number of workers that simulate the network (see
	// engine.Config.Workers), or 0 to choose: AutoWorkers, or
	// runtime.GOMAXPROCS when that is 0, but no more than one per
	// workSize of the network (sizeWorkers). A checkpoint written on any number
	// of workers resumes on any number; a network that cannot be split
	// among workers runs on one (Notice says why).
	Workers int
	// AutoWorkers is the number of workers that Workers = 0 chooses (0:
	// runtime.GOMAXPROCS): a sweep running several points at once shares
	// the cores among them.
	AutoWorkers int
	// Notice, when set, receives a sentence saying why the run uses fewer
	// workers than Workers asked for.
	Notice func(string)
	// HeapHeadroom, when > 0, lets the heap grow by about this many bytes
	// over the live heap between collections once the network is built:
	// the collector's target (debug.SetGCPercent) is set from the live
	// heap's size, between 10% and Go's default of 100%, and restored when
	// the run returns. A simulation's live heap is its network, allocated
	// once, and the default lets garbage pile up to its size. The target
	// is the process's: leave HeapHeadroom 0 where several runs share a
	// process at once (a sweep's points) or where the program sets GOGC.
	HeapHeadroom int64
}

// newEngine builds the engine of a run on the workers asked for (0: see
// Options.Workers), or on one with a notice saying why.
func newEngine(net *netlist.Network, workers, auto int, notice func(string)) (*engine.Engine, error) {
	if workers == 0 {
		workers = auto
		if workers <= 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		workers = min(workers, sizeWorkers(net))
	}
	eng, err := engine.New(net, engine.Config{Weights: engine.WeightsInPlace, Workers: workers})
	if err != nil {
		return nil, err
	}
	if _, why := eng.Workers(); why != "" && notice != nil {
		notice(fmt.Sprintf("runs on one worker: %s", why))
	}
	return eng, nil
}

// workSize is the size of network, in synapses plus neurons weighted by
// their cost per tick relative to one synapse's per spike, that keeps one
// worker busy enough to be worth a core: the workers of a parallel run
// meet once per communication epoch, and on a smaller part the time a
// worker spends computing is short against the exchange and the wait, so
// more workers cost processor time without shortening the run.
const workSize = 200_000

// sizeWorkers returns the most workers that Workers = 0 gives net: one
// per workSize of it, and at least one.
func sizeWorkers(net *netlist.Network) int {
	var size int64
	for _, p := range net.Populations {
		size += 64 * int64(p.Size)
	}
	for _, p := range net.Projections {
		size += int64(p.Len())
	}
	return int(max(1, size/workSize))
}

// Progress is how far a run is.
type Progress struct {
	Now   snnsim.Time  // the next tick to simulate
	Begin snnsim.Time  // the tick this process started at (the checkpoint's after a resume)
	End   snnsim.Time  // the run's last tick + 1
	Clock snnsim.Clock // converts ticks to time
	Wall  time.Duration
}

// Status says how a run ended.
type Status int

// How a run ended.
const (
	Completed   Status = iota // it reached its duration; the log is closed
	Interrupted               // its context was cancelled; a checkpoint was written
	Stopped                   // it reached Options.StopAt; a checkpoint was written
)

// String names s.
func (s Status) String() string {
	switch s {
	case Completed:
		return "completed"
	case Interrupted:
		return "interrupted"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is what a run did.
type Result struct {
	Dir     string           // the run directory
	Status  Status           // how the run ended
	Summary Summary          // as written to summary.json
	Network *netlist.Network // the compiled scenario
}

// LogPath is the log's path.
func (r *Result) LogPath() string { return filepath.Join(r.Dir, LogName) }

// ErrFinished is returned by Resume for a run that had already completed:
// its log is closed and its checkpoint is at its end. Nothing is changed.
var ErrFinished = errors.New("the run is finished: nothing to resume")

// session is one run of a scenario, from its start or from a checkpoint.
type session struct {
	o     Options
	net   *netlist.Network
	dir   string
	eng   *engine.Engine
	w     *spikelog.Writer
	text  string   // the scenario file's text, without the overrides
	sets  []string // the --set overrides applied to text
	flush time.Duration

	// The log's SHA-256 up to hashed bytes, kept up to date at each
	// checkpoint by reading what the writer added, so that a checkpoint
	// can name the exact log prefix it continues.
	hash    hash.Hash
	hashed  int64
	logR    *os.File
	program string // the program named in the log's header

	declared map[string]spikelog.Series // when not nil: the series attachRecords declared, by name
}

// RunInfo is what a checkpoint keeps for Resume (the app data of the
// checkpoint's metadata): enough to rebuild the run without its scenario
// file, and to recognise the log it belongs to.
//
// Text is the scenario file's text and Overrides the --set overrides that
// the run applied to it, which Resume applies again (the log header holds
// the text with the overrides appended as comments: netlist's
// Scenario.RecordedText). LogProgram is the program named in the log's
// header and LogSHA256 the hash of the log's first LogOffset bytes;
// checkpoints written without them are checked without them.
type RunInfo struct {
	LogOffset  int64         `json:"log_offset"`
	LogSHA256  string        `json:"log_sha256,omitempty"`
	LogProgram string        `json:"log_program,omitempty"`
	File       string        `json:"scenario_file"`
	Text       string        `json:"scenario_text"`
	Overrides  []string      `json:"overrides,omitempty"`
	Seed       uint64        `json:"seed"`
	Duration   snnsim.Time   `json:"duration_ticks"`
	Every      snnsim.Time   `json:"checkpoint_every_ticks"`
	Flush      time.Duration `json:"flush_interval"`
}

func (s *session) logPath() string        { return filepath.Join(s.dir, LogName) }
func (s *session) checkpointPath() string { return filepath.Join(s.dir, CheckpointName) }

// Run compiles sc (whose Seed and Duration the caller may have changed),
// claims the run directory (see Options.Dir) and simulates sc into it: the log, checkpoints every
// o.CheckpointEvery, and summary.json. Cancelling ctx stops the run at the
// next tick boundary with a checkpoint and the log flushed (Status
// Interrupted), as o.StopAt does (Status Stopped); Resume continues it.
// A run that cannot start returns a nil Result; one that fails on the way
// returns its Result with the error.
func Run(ctx context.Context, sc *scenario.Scenario, o Options) (*Result, error) {
	net, err := sc.Compile()
	if err != nil {
		return nil, err
	}
	// The compiler's scratch is garbage now. Collecting it and returning
	// its pages before the engine is built keeps it from staying resident
	// next to the engine's arrays (the collector would otherwise wait for
	// the heap to double).
	debug.FreeOSMemory()
	for _, t := range []struct {
		name string
		v    snnsim.Time
	}{{"CheckpointEvery", o.CheckpointEvery}, {"StopAt", o.StopAt}} {
		if t.v < 0 {
			return nil, fmt.Errorf("runner: %s = %d ticks: must be >= 0", t.name, t.v)
		}
	}
	eng, err := newEngine(net, o.Workers, o.AutoWorkers, o.Notice)
	if err != nil {
		return nil, err
	}
	// Building leaves garbage too (the consolidation layout): returned
	// before the records are attached, whose declarations make their own.
	debug.FreeOSMemory()
	if o.Dir == "" {
		return nil, errors.New("runner: no run directory (Options.Dir)")
	}
	var d *Dir
	if o.Fresh {
		d, err = ClaimFresh(o.Dir)
	} else {
		d, err = Claim(o.Dir, o.Force)
	}
	if err != nil {
		return nil, err
	}
	defer d.Release()
	s := &session{o: o, net: net, dir: d.Path, eng: eng, text: sc.Text, sets: sc.Overrides, flush: o.FlushInterval, hash: sha256.New()}
	h := logHeader(net)
	s.program = h.Program
	if s.w, err = spikelog.Create(s.logPath(), h, logOptions(o.FlushInterval)); err != nil {
		return nil, err
	}
	if err := s.w.Mark(0, spikelog.RunStartMark); err != nil {
		s.w.Close()
		return nil, err
	}
	if err := s.attachRecords(nil); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.logR, err = os.Open(s.logPath()); err != nil {
		s.w.Close()
		return nil, err
	}
	defer s.logR.Close()
	// Compiling and building leave garbage (builder scratch, the
	// consolidation layout) that the collector would not reclaim before the
	// heap doubled; reclaiming it and returning its pages now keeps the
	// run's resident memory at what it uses.
	defer settle(o.HeapHeadroom)()
	if o.Started != nil {
		o.Started(s.dir, net)
	}
	return s.run(ctx)
}

// logSink forwards spikes and marks to the session's writer, which a
// resume opens only after every check has passed.
type logSink struct{ s *session }

func (l logSink) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error { return l.s.w.Spikes(t, ids) }

// attachRecords sends the spikes and samples that the scenario's [[record]]
// tables ask for to the log: one series per sampled population, declared
// in the log before its first sample, and the engine's protocol marks
// (stimulus onsets). When resuming, the series are in the log already
// (ids maps their names to IDs) and are looked up by name instead.
func (s *session) attachRecords(ids map[string]int) error {
	net := s.net
	s.eng.OnMark(func(t snnsim.Time, text string) error { return s.w.Mark(t, text) })
	return s.eng.AttachRecords(net.Records, logSink{s}, func(sr engine.Series) (engine.SampleFunc, error) {
		var id int
		if ids != nil {
			var ok bool
			if id, ok = ids[sr.Name]; !ok {
				return nil, fmt.Errorf("the log has no series %q to continue", sr.Name)
			}
		} else {
			ls := spikelog.Series{Name: sr.Name, What: string(sr.What), Unit: sr.Unit, Interval: sr.Interval, Indices: sr.Indices}
			if sr.Projection >= 0 {
				ls.Projection = net.Projections[sr.Projection].Name
			} else {
				ls.Population = net.Populations[sr.Population].Name
			}
			var err error
			if id, err = s.w.Declare(ls); err != nil {
				return nil, err
			}
			if s.declared != nil {
				s.declared[ls.Name] = ls
			}
		}
		return func(t snnsim.Time, v []float64) error { return s.w.Sample(id, t, v) }, nil
	})
}

// checkpoint flushes the log and writes the checkpoint with the log's size
// and hash.
func (s *session) checkpoint() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	size := s.w.Size()
	if size < s.hashed {
		return fmt.Errorf("runner: the log shrank from %d to %d bytes", s.hashed, size)
	}
	if _, err := io.Copy(s.hash, io.NewSectionReader(s.logR, s.hashed, size-s.hashed)); err != nil {
		return fmt.Errorf("runner: reading the log back for its hash: %w", err)
	}
	s.hashed = size
	app, err := json.Marshal(RunInfo{LogOffset: size, LogSHA256: hex.EncodeToString(s.hash.Sum(nil)), LogProgram: s.program, File: s.net.File, Text: s.text,
		Overrides: s.sets, Seed: s.net.Seed, Duration: s.net.Duration, Every: s.o.CheckpointEvery, Flush: s.flush})
	if err != nil {
		return err
	}
	return s.eng.WriteCheckpoint(s.checkpointPath(), app)
}

// run simulates from the engine's current tick to the end of the scenario,
// writing checkpoints on the way, and handles interruption: when ctx is
// cancelled or at StopAt it writes a checkpoint and leaves the log flushed
// and open for Resume.
func (s *session) run(ctx context.Context) (*Result, error) {
	net, eng := s.net, s.eng
	start := time.Now()
	st0 := eng.Stats()
	t0, ev0, up0 := eng.Now(), st0.SynapticEvents, st0.PlasticityUpdates
	every, stop := s.o.CheckpointEvery, s.o.StopAt
	prog := func() {
		if s.o.Progress != nil {
			s.o.Progress(Progress{Now: eng.Now(), Begin: t0, End: net.Duration, Clock: net.Clock, Wall: time.Since(start)})
		}
	}
	var runErr error
	stopped := false
	for eng.Now() < net.Duration && runErr == nil {
		next := net.Duration
		if every > 0 {
			next = min(next, (eng.Now()/every+1)*every)
		}
		if stop > eng.Now() {
			next = min(next, stop)
		}
		if runErr = runChunked(ctx, eng, next, prog); runErr != nil {
			break
		}
		if eng.Now() == stop {
			stopped = true
			break
		}
		if every > 0 && eng.Now()%every == 0 {
			runErr = s.checkpoint()
		}
	}
	wall := time.Since(start).Seconds()
	interrupted := errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded)
	var closeErr error
	if stopped || interrupted {
		closeErr = errors.Join(s.checkpoint(), s.w.Suspend()) // the log stays continuable for Resume
	} else {
		closeErr = errors.Join(s.w.Mark(eng.Now(), spikelog.RunEndMark), s.w.Close())
	}
	res := &Result{Dir: s.dir, Network: net, Status: Completed}
	switch {
	case stopped:
		res.Status = Stopped
	case interrupted:
		res.Status = Interrupted
	}
	res.Summary = summarize(net, eng, wall, net.Clock.Seconds(eng.Now()-t0), eng.Stats().SynapticEvents-ev0, eng.Stats().PlasticityUpdates-up0, runErr == nil && !stopped)
	if err := WriteSummary(filepath.Join(s.dir, SummaryName), res.Summary); err != nil && closeErr == nil {
		closeErr = err
	}
	if stopped || interrupted {
		if closeErr != nil {
			return res, fmt.Errorf("%s at t = %g s, but the checkpoint could not be written: %w", res.Status, res.Summary.SimulatedS, closeErr)
		}
		return res, nil
	}
	return res, errors.Join(runErr, closeErr)
}

// runChunked runs the engine up to tick end in chunks of simulated time
// sized to take about a tenth of a second of wall time each, reporting
// progress between chunks. Chunking does not change the simulation.
func runChunked(ctx context.Context, eng *engine.Engine, end snnsim.Time, prog func()) error {
	chunk := snnsim.Time(100)
	for eng.Now() < end {
		c := min(chunk, end-eng.Now())
		t0 := time.Now()
		if err := eng.Run(ctx, c); err != nil {
			prog()
			return err
		}
		prog()
		if el := time.Since(t0); el < 50*time.Millisecond && chunk < end {
			chunk *= 2
		} else if el > 200*time.Millisecond && chunk > 1 {
			chunk /= 2
		}
	}
	return nil
}

// logOptions maps a flush interval to writer options (0 means only full
// blocks).
func logOptions(flush time.Duration) spikelog.Options {
	if flush <= 0 {
		flush = -1
	}
	return spikelog.Options{FlushInterval: flush}
}

// logHeader describes net for the log.
func logHeader(net *netlist.Network) spikelog.Header {
	h := spikelog.Header{
		Program:  "snnsim " + buildVersion(),
		DT:       net.Clock.DT,
		Seed:     net.Seed,
		Scenario: net.Name,
		File:     net.File,
		Text:     net.Text,
	}
	recorded := make([]bool, len(net.Populations)) // by a spikes record
	for _, r := range net.Records {
		if r.What == netlist.RecordSpikes {
			for _, p := range r.Populations {
				recorded[p] = true
			}
		}
	}
	for _, g := range net.Groups {
		h.Groups = append(h.Groups, spikelog.Group{Name: g.Name, Population: net.Populations[g.Population].Name, Neurons: g.Neurons})
	}
	for k, p := range net.Populations {
		kind := spikelog.Neuron
		if p.Source != nil {
			kind = spikelog.Source
		}
		h.Populations = append(h.Populations, spikelog.Population{Name: p.Name, First: snnsim.NeuronID(p.Offset), Size: p.Size, Kind: kind,
			NotRecorded: !recorded[k]})
	}
	return h
}
