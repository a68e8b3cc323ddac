package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// ErrBranch is wrapped by Branch's error when the scenario changes what
// the checkpoint has simulated already (the network, or a stimulus that
// started before the checkpoint's time). Nothing is written.
var ErrBranch = errors.New("the scenario changes what the checkpoint has simulated")

// Branch runs sc from a saved state: from the checkpoint at from (a
// checkpoint file, or a run directory holding one) into a new run
// directory (o.Dir, as Run claims it), as if sc had been simulated from
// tick 0. This is how one learning run feeds several protocols: the
// checkpoint's run and sc must share the network and every stimulus that
// started before the checkpoint's time (see [scenario.Scenario.BranchDiffs];
// a refusal wraps ErrBranch and lists each difference with its file, line
// and key), while stimuli from then on, records and the duration may
// differ. With sc the checkpoint's own scenario the branch is, bit for bit,
// the checkpoint's run continued; with another future it is, bit for bit, a
// run of sc from tick 0 (each stimulus draws from streams keyed by the
// seed, its population and its name, or its position in the file).
//
// The new log starts with the checkpoint's history: the spikes, marks and
// samples (of the series that sc records alike) that the checkpoint's log
// holds up to the checkpoint, read from the log beside it, which must be
// the one the checkpoint was written after. Its header names the parent
// (spikelog.Header.Parent: the checkpoint's path, SHA-256 and tick), and a
// mark at the checkpoint's tick says where the branch began. Records that
// differ from the checkpoint's start at its tick, at the first tick of
// their sampling grid. The branch is a normal run: it writes its own
// checkpoints, and Resume continues it.
func Branch(ctx context.Context, sc *scenario.Scenario, from string, o Options) (*Result, error) {
	path := from
	if fi, err := os.Stat(from); err == nil && fi.IsDir() {
		path = filepath.Join(from, CheckpointName)
	}
	fail := func(err error) (*Result, error) { return nil, fmt.Errorf("branch from %s: %w", path, err) }
	// The file is checked and hashed as a stream; its state is read only
	// once the engine is built (restoreBranch), as Resume does.
	hf := sha256.New()
	meta, err := verifyFile(path, hf)
	if err != nil {
		return fail(err)
	}
	var sum [sha256.Size]byte
	hf.Sum(sum[:0])
	if v := snnsim.BuildVersion(); meta.Program != v {
		return fail(checkpoint.Errorf(checkpoint.ErrVersion, "written by snnsim %s and this is snnsim %s: branch with the version that wrote it", meta.Program, v))
	}
	var info RunInfo
	if err := json.Unmarshal(meta.App, &info); err != nil {
		return fail(fmt.Errorf("%w: the run's data: %v", checkpoint.ErrCorrupt, err))
	}
	psc, err := scenario.DecodeOverrides(info.File, []byte(info.Text), info.Overrides)
	if err != nil {
		return fail(fmt.Errorf("the scenario stored in the checkpoint: %w", err))
	}
	psc.Seed = info.Seed
	pnet, err := psc.Compile()
	if err != nil {
		return fail(fmt.Errorf("the scenario stored in the checkpoint: %w", err))
	}
	pnet.Duration = info.Duration
	at := meta.Tick
	atMs := pnet.Clock.Ms(at)
	net, err := sc.Compile() // first: it resolves sc's groups with its seed
	if err != nil {
		return nil, err
	}
	if diffs := sc.BranchDiffs(psc, atMs); len(diffs) > 0 {
		return fail(fmt.Errorf("%w (the checkpoint of %s at t = %g s):\n%w", ErrBranch, describeFile(info.File), pnet.Clock.Seconds(at), diffs))
	}
	if net.Duration <= at {
		return fail(fmt.Errorf("%w: the scenario's duration, %g s, does not reach past the checkpoint's time, %g s", ErrBranch, net.Clock.Seconds(net.Duration), net.Clock.Seconds(at)))
	}
	if o.StopAt != 0 && o.StopAt <= at {
		return fail(fmt.Errorf("StopAt (tick %d) is not after the checkpoint's tick %d", o.StopAt, at))
	}
	b := engine.Branch{Parent: pnet, Stimuli: make([]int, len(net.Stimuli)), KeepRecords: sameRecords(pnet, net)}
	for k, pk := range sc.MatchStimuli(psc) {
		b.Stimuli[k] = -1
		if pk >= 0 && pnet.Stimuli[pk].Start < at {
			b.Stimuli[k] = pk // the same stimulus: BranchDiffs checked it
		}
	}
	parentLog := filepath.Join(filepath.Dir(path), LogName)
	prefix, err := openPrefix(parentLog, info)
	if err != nil {
		return fail(err)
	}
	defer prefix.Close()

	eng, err := engine.New(net, engine.Config{Weights: engine.WeightsInPlace})
	if err != nil {
		return nil, err
	}
	if o.Dir == "" {
		return nil, errors.New("runner: no run directory (Options.Dir)")
	}
	if same, _ := sameDir(o.Dir, filepath.Dir(path)); same {
		return fail(fmt.Errorf("the branch's run directory %s holds the checkpoint: give another", o.Dir))
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
	s := &session{o: o, net: net, dir: d.Path, eng: eng, text: sc.Text, sets: sc.Overrides, flush: o.FlushInterval, hash: sha256.New(),
		declared: map[string]spikelog.Series{}}
	h := logHeader(net)
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	h.Parent = &spikelog.Parent{Checkpoint: abs, SHA256: hex.EncodeToString(sum[:]), Tick: at}
	s.program = h.Program
	if s.w, err = spikelog.Create(s.logPath(), h, logOptions(o.FlushInterval)); err != nil {
		return nil, err
	}
	abort := func(err error) (*Result, error) {
		s.w.Close()
		return fail(err)
	}
	if err := s.attachRecords(nil); err != nil {
		return abort(err)
	}
	if err := s.copyHistory(prefix, h); err != nil {
		return abort(fmt.Errorf("copying the history from %s: %w", parentLog, err))
	}
	if err := restoreBranch(eng, path, sum, b); err != nil {
		return abort(err)
	}
	debug.FreeOSMemory() // the checkpoint's bytes and the models' restoring scratch
	if err := s.w.Mark(at, "branch from "+abs); err != nil {
		return abort(err)
	}
	if s.logR, err = os.Open(s.logPath()); err != nil {
		return abort(err)
	}
	defer s.logR.Close()
	defer settle(o.HeapHeadroom)()
	if o.Started != nil {
		o.Started(s.dir, net)
	}
	return s.run(ctx)
}

// restoreBranch reads the checkpoint file path, whose SHA-256 is sum, and
// restores it into eng as branch b. The file is read into one buffer of
// its size, which is garbage when restoreBranch returns. A file that no
// longer has the hash sum (replaced since) is refused.
func restoreBranch(eng *engine.Engine, path string, sum [sha256.Size]byte, b engine.Branch) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if sha256.Sum256(data) != sum {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "checkpoint: the file was replaced while the branch was being built: its SHA-256 changed")
	}
	meta, body, err := checkpoint.Parse(data)
	if err != nil {
		return err
	}
	return eng.RestoreBranch(meta, body, b)
}

// describeFile names a scenario file for a message.
func describeFile(file string) string {
	if file == "" {
		return "a scenario built in code"
	}
	return file
}

// sameRecords reports whether b samples what a does, so that the
// checkpoint's recording positions carry over.
func sameRecords(a, b *netlist.Network) bool {
	if !reflect.DeepEqual(a.Records, b.Records) {
		return false
	}
	for _, r := range a.Records {
		if r.Final && a.Duration != b.Duration {
			return false // the final sample's tick moves with the duration
		}
	}
	return true
}

// sameDir reports whether two paths name one directory.
func sameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// logPrefix is the part of a checkpoint's log written before it.
type logPrefix struct {
	f   *os.File
	off int64
}

func (p *logPrefix) Close() error { return p.f.Close() }

func (p *logPrefix) reader() (*spikelog.Reader, error) {
	return spikelog.NewReader(io.NewSectionReader(p.f, 0, p.off))
}

// openPrefix opens the log beside a checkpoint and checks that its first
// info.LogOffset bytes are those the checkpoint was written after.
func openPrefix(path string, info RunInfo) (*logPrefix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint's log, whose history the branch starts with: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(f, 0, info.LogOffset))
	switch {
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("the checkpoint's log %s: %w", path, err)
	case n < info.LogOffset:
		f.Close()
		return nil, fmt.Errorf("the checkpoint's log %s has %d bytes, but the checkpoint was written after %d: it is not that log", path, n, info.LogOffset)
	case info.LogSHA256 != "" && hex.EncodeToString(h.Sum(nil)) != info.LogSHA256:
		f.Close()
		return nil, fmt.Errorf("the first %d bytes of %s are not those the checkpoint was written after (the log was replaced or changed)", info.LogOffset, path)
	}
	return &logPrefix{f: f, off: info.LogOffset}, nil
}

// copyHistory writes into the branch's log what the checkpoint's log
// holds: the spikes of the populations the branch records (its header
// h), the samples of every series the branch declared alike, and the
// marks.
func (s *session) copyHistory(p *logPrefix, h spikelog.Header) error {
	r, err := p.reader()
	if err != nil {
		return err
	}
	var keep []spikelog.Population
	for _, q := range h.Populations {
		if !q.NotRecorded {
			keep = append(keep, q)
		}
	}
	recorded := func(id snnsim.NeuronID) bool {
		for _, q := range keep {
			if id >= q.First && id < q.End() {
				return true
			}
		}
		return false
	}
	var ids []snnsim.NeuronID
	last := snnsim.Time(-1)
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		err := s.w.Spikes(last, ids)
		ids = ids[:0]
		return err
	}
	for sp := range r.Spikes(spikelog.Filter{}) {
		if sp.T != last {
			if err := flush(); err != nil {
				return err
			}
			last = sp.T
		}
		if recorded(sp.ID) {
			ids = append(ids, sp.ID)
		}
	}
	if err := errors.Join(r.Err(), flush()); err != nil {
		return err
	}
	marks := r.Marks()
	r, err = p.reader()
	if err != nil {
		return err
	}
	to := map[int]int{} // parent series ID → branch series ID, or -1
	for smp := range r.Samples(spikelog.SampleFilter{}) {
		id, seen := to[smp.Series]
		if !seen {
			id = -1
			if all := r.Series(); smp.Series < len(all) {
				ps := all[smp.Series]
				if mine, ok := s.declared[ps.Name]; ok && sameSeries(ps, mine) {
					if bid, ok := s.w.SeriesID(ps.Name); ok {
						id = bid
					}
				}
			}
			to[smp.Series] = id
		}
		if id < 0 {
			continue
		}
		if err := s.w.Sample(id, smp.T, smp.Values); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	for _, m := range marks {
		if err := s.w.Mark(m.T, m.Text); err != nil {
			return err
		}
	}
	return nil
}

// sameSeries reports whether two declarations describe the same samples.
func sameSeries(a, b spikelog.Series) bool {
	a.ID, b.ID = 0, 0
	return reflect.DeepEqual(a, b)
}
