package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// ErrMismatch is wrapped by Resume's error when the checkpoint does not
// belong to the log in the run directory: another scenario, seed, set of
// overrides, program version or resolution, or a log that is not the one
// the checkpoint was written after. The log is left as it was.
var ErrMismatch = errors.New("the checkpoint does not belong to the log")

// ResumeOptions control a resumed run. The log's flush interval and the
// checkpoint interval are the original run's, which the checkpoint keeps.
type ResumeOptions struct {
	// Progress, when set, is called between chunks of simulation.
	Progress func(Progress)
	// Started, when set, is called once every check has passed, before
	// the first tick; at is the checkpoint's tick.
	Started func(dir string, net *netlist.Network, at snnsim.Time)
	// Workers, AutoWorkers and Notice are those of Options: a checkpoint
	// written on any number of workers resumes on any number.
	Workers     int
	AutoWorkers int
	Notice      func(string)
	// HeapHeadroom is that of Options; it takes effect before the
	// checkpoint's state is read, so that restoring it leaves no garbage
	// resident either.
	HeapHeadroom int64
}

// Resume continues the run in dir from its checkpoint, appending to its
// log, exactly as if it had not stopped (the same spikes, bit for bit). It
// needs only the directory: the checkpoint holds the scenario text, the
// overrides and the seed. Before it changes anything it checks that the
// checkpoint belongs to the log (scenario text, overrides, seed, program
// version and resolution against the log's header, and the log's first
// bytes against the checkpoint's hash of them) and refuses with an error
// wrapping ErrMismatch that names what differs. A run that had already
// completed gives ErrFinished, and nothing is changed.
func Resume(ctx context.Context, dir string, o ResumeOptions) (*Result, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, fmt.Errorf("resume %s: %w", dir, err)
	}
	d, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	s := &session{dir: dir}
	fail := func(err error) (*Result, error) { return nil, fmt.Errorf("resume %s: %w", dir, err) }

	// The file is checked as a stream, and its metadata says what to
	// build; the state is read only once the engine is built and the
	// garbage of building collected, so that the checkpoint's bytes never
	// sit next to that garbage.
	meta, err := verifyFile(s.checkpointPath(), nil)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(fmt.Errorf("no %s: the run was not started with a checkpoint interval, nor interrupted", CheckpointName))
	}
	if err != nil {
		return fail(fmt.Errorf("%s: %w", CheckpointName, err))
	}
	if v := snnsim.BuildVersion(); meta.Program != v {
		return fail(checkpoint.Errorf(checkpoint.ErrVersion, "%s was written by snnsim %s and this is snnsim %s: resume with the version that wrote it",
			CheckpointName, meta.Program, v))
	}
	var info RunInfo
	if err := json.Unmarshal(meta.App, &info); err != nil {
		return fail(fmt.Errorf("%s: %w: the run's data: %v", CheckpointName, checkpoint.ErrCorrupt, err))
	}
	sc, err := scenario.DecodeOverrides(info.File, []byte(info.Text), info.Overrides)
	if err != nil {
		return fail(fmt.Errorf("the scenario stored in %s: %w", CheckpointName, err))
	}
	s.text, s.sets = sc.Text, sc.Overrides
	sc.Seed = info.Seed // the duration is set below: it may differ from the file's (--duration)
	if s.net, err = sc.Compile(); err != nil {
		return fail(fmt.Errorf("the scenario stored in %s: %w", CheckpointName, err))
	}
	s.net.Duration = info.Duration
	s.flush = info.Flush
	s.o.CheckpointEvery = info.Every

	// Every check of the log comes before anything is written.
	ids, err := s.checkLog(info)
	if err != nil {
		return fail(err)
	}
	if meta.Tick >= info.Duration {
		r, err := spikelog.Open(s.logPath())
		if err == nil {
			all, _ := r.Stats()
			r.Close()
			if all.Complete {
				return nil, fmt.Errorf("resume %s: %w (t = %g s of %g s, the log is complete)", dir, ErrFinished,
					s.net.Clock.Seconds(meta.Tick), s.net.Clock.Seconds(info.Duration))
			}
		}
	}
	debug.FreeOSMemory() // the compiler's scratch, before the engine's arrays
	if s.eng, err = newEngine(s.net, o.Workers, o.AutoWorkers, o.Notice); err != nil {
		return fail(err)
	}
	if err := s.attachRecords(ids); err != nil {
		return fail(err)
	}
	defer settle(o.HeapHeadroom)()
	if err := restoreFile(s.eng, s.checkpointPath(), meta); err != nil {
		return fail(fmt.Errorf("%s: %w", CheckpointName, err))
	}
	debug.FreeOSMemory() // the checkpoint's bytes and the models' restoring scratch
	if s.w, err = spikelog.Append(s.logPath(), info.LogOffset, logOptions(info.Flush)); err != nil {
		return fail(err)
	}
	if s.logR, err = os.Open(s.logPath()); err != nil {
		s.w.Close()
		return fail(err)
	}
	defer s.logR.Close()
	s.o.Progress = o.Progress
	if o.Started != nil {
		o.Started(dir, s.net, meta.Tick)
	}
	return s.run(ctx)
}

// checkLog compares the log in the run directory with the checkpoint:
// its header against the run the checkpoint describes, and its first
// LogOffset bytes against the checkpoint's hash of them. It leaves s.hash
// at that prefix and returns the IDs of the series the prefix declares.
func (s *session) checkLog(info RunInfo) (map[string]int, error) {
	lf, err := os.Open(s.logPath())
	if err != nil {
		return nil, fmt.Errorf("the log: %w", err)
	}
	defer lf.Close()
	r, err := spikelog.NewReader(lf)
	if err != nil {
		return nil, fmt.Errorf("the log %s: %w", s.logPath(), err)
	}
	h := r.Header()
	s.program = h.Program
	if diffs := headerDiffs(h, info, s.net); len(diffs) > 0 {
		return nil, fmt.Errorf("%w: %s; nothing was changed", ErrMismatch, strings.Join(diffs, "; "))
	}
	fi, err := lf.Stat()
	if err != nil {
		return nil, err
	}
	off := info.LogOffset
	if fi.Size() < off {
		return nil, fmt.Errorf("%w: the log has %d bytes, but the checkpoint continues it at byte %d (the log was cut or replaced after the checkpoint); nothing was changed",
			ErrMismatch, fi.Size(), off)
	}
	s.hash = sha256.New()
	if _, err := io.Copy(s.hash, io.NewSectionReader(lf, 0, off)); err != nil {
		return nil, fmt.Errorf("the log: %w", err)
	}
	s.hashed = off
	if info.LogSHA256 != "" && hex.EncodeToString(s.hash.Sum(nil)) != info.LogSHA256 {
		return nil, fmt.Errorf("%w: the log's first %d bytes are not those the checkpoint was written after (the log was replaced by another run's, or changed); nothing was changed",
			ErrMismatch, off)
	}
	pr, err := spikelog.NewReader(io.NewSectionReader(lf, 0, off))
	if err != nil {
		return nil, fmt.Errorf("the log %s: %w", s.logPath(), err)
	}
	st, err := pr.Stats()
	switch {
	case err != nil:
		// Without the hash (an older checkpoint) a log of another run
		// and a changed log look alike here.
		return nil, fmt.Errorf("%w: the log does not read up to byte %d, where the checkpoint continues it (%v): it is not the log the checkpoint was written with, or it was changed; nothing was changed",
			ErrMismatch, off, err)
	case st.Size != off:
		return nil, fmt.Errorf("%w: byte %d, where the checkpoint continues the log, is not the end of one of its blocks (the log was written by another run); nothing was changed",
			ErrMismatch, off)
	case st.Complete:
		return nil, fmt.Errorf("%w: the log was closed before byte %d, where the checkpoint continues it; nothing was changed", ErrMismatch, off)
	}
	ids := make(map[string]int, len(st.Series))
	for i, ss := range st.Series {
		ids[ss.Name] = i
	}
	return ids, nil
}

// headerDiffs lists what differs between the log's header and the run
// that the checkpoint describes.
func headerDiffs(h spikelog.Header, info RunInfo, net *netlist.Network) []string {
	var d []string
	if info.LogProgram != "" && h.Program != info.LogProgram {
		d = append(d, fmt.Sprintf("program version: the log was written by %q, the checkpoint's run by %q", h.Program, info.LogProgram))
	}
	if h.Scenario != net.Name {
		d = append(d, fmt.Sprintf("scenario: the log's is %q, the checkpoint's %q", h.Scenario, net.Name))
	}
	if h.Seed != info.Seed {
		d = append(d, fmt.Sprintf("seed: the log's is %d, the checkpoint's %d", h.Seed, info.Seed))
	}
	if h.DT != net.Clock.DT {
		d = append(d, fmt.Sprintf("resolution: the log's is %g ms, the checkpoint's %g ms", h.DT, net.Clock.DT))
	}
	if h.Text != net.Text {
		text, sets := scenario.SplitRecorded(h.Text)
		if len(sets) > 0 && !strings.HasSuffix(info.Text, "\n") {
			text = strings.TrimSuffix(text, "\n") // RecordedText ended the file's last line
		}
		if text != info.Text {
			d = append(d, "scenario text: "+firstDiff(text, info.Text))
		}
		if !slices.Equal(sets, info.Overrides) {
			d = append(d, fmt.Sprintf("--set overrides: the log's are %s, the checkpoint's %s", quoteList(sets), quoteList(info.Overrides)))
		}
		if text == info.Text && slices.Equal(sets, info.Overrides) {
			d = append(d, "recorded scenario text: "+firstDiff(h.Text, net.Text))
		}
	}
	return d
}

// firstDiff names the first line where the log's text a and the
// checkpoint's b differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y || i >= len(la) || i >= len(lb) {
			return fmt.Sprintf("they differ from line %d (the log's: %s; the checkpoint's: %s)", i+1, clip(x), clip(y))
		}
	}
	return "they differ"
}

func clip(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

func quoteList(x []string) string {
	if len(x) == 0 {
		return "none"
	}
	q := make([]string, len(x))
	for i, v := range x {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, " ") + "]"
}

// Checkpoint is the state of a run directory's checkpoint, restored into a
// new engine for inspection (synapse and neuron variables, counters).
type Checkpoint struct {
	Network *netlist.Network
	Engine  *engine.Engine // at Tick, records attached to nothing
	Tick    snnsim.Time
}

// verifyFile checks the checkpoint file path as a stream
// (checkpoint.Verify) and returns its metadata; when sum is not nil, it
// also hashes the file into it (SHA-256).
func verifyFile(path string, sum hash.Hash) (checkpoint.Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return checkpoint.Meta{}, err
	}
	defer f.Close()
	var r io.Reader = f
	if sum != nil {
		r = io.TeeReader(f, sum)
	}
	meta, err := checkpoint.Verify(r)
	if err == nil && sum != nil {
		_, err = io.Copy(sum, r) // nothing is left, but the hash must cover every byte
	}
	return meta, err
}

// restoreFile reads the checkpoint file path, whose metadata verifyFile
// read as meta, and restores it into eng. The file is read as a stream,
// section by section (engine.RestoreStream), so that it is not held in
// memory next to the engine, and its checksum is checked again at its
// end. A file whose metadata is no longer meta (replaced since) is
// refused.
func restoreFile(eng *engine.Engine, path string, meta checkpoint.Meta) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	body, err := checkpoint.OpenBody(f)
	if err != nil {
		return err
	}
	now := body.Meta
	if now.Program != meta.Program || now.Network != meta.Network || now.Tick != meta.Tick || !bytes.Equal(now.App, meta.App) {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "the file was replaced while it was being read (tick %d, then %d)", meta.Tick, now.Tick)
	}
	if err := eng.RestoreStream(now, body, body.N); err != nil {
		// A file damaged since it was verified is named as such: the
		// engine's refusal of its bytes would say less.
		if _, cerr := io.Copy(io.Discard, body); cerr == nil {
			if cerr := body.Close(); cerr != nil {
				return cerr
			}
		}
		return err
	}
	return body.Close()
}

// ReadCheckpoint restores the checkpoint of the run in dir into a new
// engine, without its log. Running the engine on simulates the run as
// Resume would, but records nothing.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	path := filepath.Join(dir, CheckpointName)
	meta, err := verifyFile(path, nil)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var info RunInfo
	if err := json.Unmarshal(meta.App, &info); err != nil {
		return nil, fmt.Errorf("%s: %w: the run's data: %v", path, checkpoint.ErrCorrupt, err)
	}
	sc, err := scenario.DecodeOverrides(info.File, []byte(info.Text), info.Overrides)
	if err != nil {
		return nil, fmt.Errorf("the scenario stored in %s: %w", path, err)
	}
	sc.Seed = info.Seed
	net, err := sc.Compile()
	if err != nil {
		return nil, fmt.Errorf("the scenario stored in %s: %w", path, err)
	}
	net.Duration = info.Duration
	e, err := engine.New(net, engine.Config{Weights: engine.WeightsInPlace})
	if err != nil {
		return nil, err
	}
	// The checkpoint holds the recording positions: the same records are
	// attached, to sinks that drop everything.
	discard := engine.SinkFunc(func(snnsim.Time, []snnsim.NeuronID) error { return nil })
	if err := e.AttachRecords(net.Records, discard, func(engine.Series) (engine.SampleFunc, error) {
		return func(snnsim.Time, []float64) error { return nil }, nil
	}); err != nil {
		return nil, err
	}
	if err := restoreFile(e, path, meta); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Checkpoint{Network: net, Engine: e, Tick: meta.Tick}, nil
}
