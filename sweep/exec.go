package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/scenario"
)

// PointStatus reads the status of the run directory dir: Running while a
// process holds it, Done when its summary says it completed,
// StoppedByGuard (with the guard's reason) when the sweep recorded that a
// [[guard]] stopped it and its summary says where, Failed (with the
// error) when the sweep recorded another error there, Interrupted when it
// has a checkpoint to resume from, else Pending.
func PointStatus(dir string) (Status, string) {
	names, err := os.ReadDir(dir)
	if err != nil || len(names) == 0 {
		return Pending, ""
	}
	if _, err := os.Stat(filepath.Join(dir, runner.LockName)); err == nil {
		d, err := runner.Lock(dir)
		if errors.Is(err, runner.ErrBusy) {
			return Running, ""
		}
		if err == nil {
			d.Release()
		}
	}
	summary := false // a summary of the run, completed or not
	if b, err := os.ReadFile(filepath.Join(dir, runner.SummaryName)); err == nil {
		var sum struct {
			Completed *bool `json:"completed"`
		}
		if json.Unmarshal(b, &sum) == nil && sum.Completed != nil {
			if *sum.Completed {
				return Done, ""
			}
			summary = true
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, ErrorName)); err == nil {
		msg := strings.TrimSpace(string(b))
		if summary && strings.Contains(msg, engine.ErrRunaway.Error()) {
			return StoppedByGuard, msg
		}
		return Failed, msg
	}
	if _, err := os.Stat(filepath.Join(dir, runner.CheckpointName)); err == nil {
		return Interrupted, ""
	}
	return Pending, ""
}

// Scenario loads point i's scenario (the sweep's, or the one its
// ScenarioColumn names) with its overrides and seed, as 'snnsim run
// SCENARIO --seed N --set ...' in the sweep's working directory would. A scenario file changed since the sweep started is
// refused.
func (s *Sweep) Scenario(i int) (*scenario.Scenario, error) {
	sp := &s.Manifest.Spec
	p := &s.Manifest.Points[i]
	name := p.ScenarioPath(sp)
	want := sp.ScenarioSHA256
	if name != sp.Scenario || sp.Scenario == "" {
		want = sp.RowScenarios[name]
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(sp.WorkDir, path)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if h := ScenarioHash(text); h != want {
		return nil, fmt.Errorf("%s changed since the sweep started (its SHA-256 is %.12s…, the sweep's %.12s…): restore it, or start a new sweep",
			path, h, want)
	}
	sc, err := scenario.DecodeOverrides(name, text, p.Overrides(sp))
	if err != nil {
		return nil, err
	}
	if p.SeedSet {
		sc.Seed = p.Seed
	}
	return sc, nil
}

// Check decodes the scenario with every point's overrides, so that a
// design with a bad key or value is refused before a sweep directory is
// made for it.
func (sp *Spec) Check() error {
	pts, err := sp.Points()
	if err != nil {
		return err
	}
	s := &Sweep{Manifest: Manifest{Spec: *sp, Points: pts}}
	for i := range pts {
		if _, err := s.Scenario(i); err != nil {
			return fmt.Errorf("point %d (%s): %w", i, pts[i].Name, err)
		}
	}
	return nil
}

// RunPoint brings point i to its end in its own directory and writes
// nothing else: a pending or failed point runs from the start, an
// interrupted one resumes from its checkpoint, a done one is left alone.
// Cancelling ctx stops the point with a checkpoint (Interrupted). A
// failure is written into the point's directory (ErrorName) and returned;
// a run that a [[guard]] stopped is StoppedByGuard, its reason recorded
// and returned the same way.
func (s *Sweep) RunPoint(ctx context.Context, i int) (Status, float64, error) {
	if i < 0 || i >= len(s.Manifest.Points) {
		return Failed, 0, fmt.Errorf("point %d: the sweep has points 0 to %d", i, len(s.Manifest.Points)-1)
	}
	dir := s.PointDir(i)
	st, _ := PointStatus(dir)
	var res *runner.Result
	var err error
	switch st {
	case Done:
		return Done, 0, nil
	case Running:
		return Running, 0, fmt.Errorf("point %d (%s): %w: another process runs it", i, dir, runner.ErrBusy)
	case Interrupted:
		res, err = runner.Resume(ctx, dir, runner.ResumeOptions{Workers: s.Workers, AutoWorkers: s.autoWorkers})
		if errors.Is(err, runner.ErrFinished) {
			return Done, 0, nil
		}
	default:
		res, err = s.start(ctx, i, dir)
	}
	wall := 0.0
	if res != nil {
		wall = res.Summary.WallS
	}
	if err != nil {
		if errors.Is(err, runner.ErrBusy) {
			return Running, wall, err
		}
		msg := err.Error()
		if werr := os.MkdirAll(dir, 0o755); werr != nil {
			return Failed, wall, errors.Join(err, werr)
		}
		if werr := os.WriteFile(filepath.Join(dir, ErrorName), []byte(msg+"\n"), 0o644); werr != nil {
			return Failed, wall, errors.Join(err, werr)
		}
		if st, _ := PointStatus(dir); st == StoppedByGuard {
			return StoppedByGuard, wall, err
		}
		return Failed, wall, err
	}
	if res.Status != runner.Completed {
		return Interrupted, wall, nil
	}
	return Done, wall, nil
}

// start runs point i from its beginning, removing what a killed earlier
// attempt left in its directory.
func (s *Sweep) start(ctx context.Context, i int, dir string) (*runner.Result, error) {
	if err := os.Remove(filepath.Join(dir, ErrorName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sc, err := s.Scenario(i)
	if err != nil {
		return nil, err
	}
	o := runner.Options{Dir: dir, Force: true, Workers: s.Workers, AutoWorkers: s.autoWorkers}
	if e := s.Manifest.Spec.CheckpointEvery; e != "" {
		ms, err := snnsim.ParseIn(e, snnsim.TimeDim)
		if err != nil {
			return nil, fmt.Errorf("checkpoint interval %q: %w", e, err)
		}
		if o.CheckpointEvery, err = (snnsim.Clock{DT: sc.Resolution}).Ticks(ms); err != nil {
			return nil, fmt.Errorf("checkpoint interval %q: %w", e, err)
		}
	}
	return runner.Run(ctx, sc, o)
}

// Event is what RunLocal reports after each point it ran.
type Event struct {
	Index  int
	Name   string
	Status Status
	WallS  float64
	Err    error
	Done   int // points finished so far, this run and before
	Total  int
}

// Counts are what a local run did.
type Counts struct {
	Points      int // in the sweep
	Skipped     int // done before this run
	Ran         int // completed by this run (resumed ones included)
	Resumed     int // of Ran and Interrupted: continued from a checkpoint
	Failed      int
	Stopped     int // stopped by a [[guard]] (StoppedByGuard)
	Interrupted int // stopped with a checkpoint (Ctrl-C)
	Busy        int // held by another process
}

// LocalOptions control RunLocal.
type LocalOptions struct {
	Jobs   int         // points run at once; 0: runtime.NumCPU()
	Report func(Event) // called after each point, from one goroutine at a time
}

// RunLocal runs every point that is not done with a pool of Jobs workers
// in this process. A failing point is recorded and the others go on.
// Cancelling ctx stops the running points with checkpoints and starts no
// more; running the sweep again resumes them. The manifest records each
// point's status as it changes.
func (s *Sweep) RunLocal(ctx context.Context, o LocalOptions) (Counts, error) {
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	n := len(s.Manifest.Points)
	c := Counts{Points: n}
	var todo []int
	resumable := map[int]bool{}
	for i := range s.Manifest.Points {
		st, msg := PointStatus(s.PointDir(i))
		s.setStatus(i, st, msg, 0)
		switch st {
		case Done:
			c.Skipped++
		case Interrupted:
			resumable[i] = true
			todo = append(todo, i)
		default:
			todo = append(todo, i)
		}
	}
	if err := s.Save(); err != nil {
		return c, err
	}
	// Workers = 0 shares the cores among the points that run at once.
	s.autoWorkers = max(1, runtime.GOMAXPROCS(0)/max(1, min(jobs, len(todo))))
	if err := os.MkdirAll(filepath.Join(s.Dir, PointsDir), 0o755); err != nil {
		return c, err
	}
	work := make(chan int)
	var mu sync.Mutex // guards c and o.Report
	var saveErr error
	finished := c.Skipped
	var wg sync.WaitGroup
	for range min(jobs, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				s.setStatus(i, Running, "", 0)
				serr := s.Save()
				st, wall, err := s.RunPoint(ctx, i)
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				if st == Running {
					msg = "held by another process"
				}
				s.setStatus(i, st, msg, wall)
				serr = errors.Join(serr, s.Save())
				mu.Lock()
				saveErr = errors.Join(saveErr, serr)
				switch st {
				case Done:
					c.Ran++
					finished++
				case Failed:
					c.Failed++
					finished++
				case StoppedByGuard:
					c.Stopped++
					finished++
				case Interrupted:
					c.Interrupted++
				case Running:
					c.Busy++
				}
				if resumable[i] && (st == Done || st == Interrupted) {
					c.Resumed++
				}
				if o.Report != nil {
					o.Report(Event{Index: i, Name: s.Manifest.Points[i].Name, Status: st, WallS: wall, Err: err, Done: finished, Total: n})
				}
				mu.Unlock()
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return c, saveErr
}

// Refresh reads every point's status from its directory into the
// manifest (in memory) and returns the counts by status.
func (s *Sweep) Refresh() map[Status]int {
	counts := map[Status]int{}
	for i := range s.Manifest.Points {
		st, msg := PointStatus(s.PointDir(i))
		s.setStatus(i, st, msg, 0)
		counts[st]++
	}
	return counts
}
