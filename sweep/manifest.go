package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/snnsim/snnsim/runner"
)

// File names inside a sweep directory.
const (
	ManifestName = "sweep.json"
	PointsDir    = "points"
	ScriptName   = "sweep.sbatch"
	SlurmDir     = "slurm"
	// ErrorName is written into a point's directory when the point fails.
	ErrorName = "sweep-error.txt"
)

// Status is where a point is.
type Status string

// The statuses of a point.
const (
	Pending     Status = "pending"     // not started, or started and killed before its first checkpoint
	Running     Status = "running"     // a process holds its directory
	Interrupted Status = "interrupted" // stopped with a checkpoint; the next run resumes it
	Done        Status = "done"        // completed
	Failed      Status = "failed"      // ended with an error (Point.Error)
	// StoppedByGuard: a [[guard]] stopped the run on runaway activity
	// (Point.Error says where); its log is closed and readable up to the
	// stop, and its summary says completed = false. 'snnsim recall --batch'
	// measures such a point up to the stop.
	StoppedByGuard Status = "stopped by guard"
)

// Manifest is the content of sweep.json.
type Manifest struct {
	Version string  `json:"version"` // the program version that created the sweep
	Spec    Spec    `json:"spec"`
	Points  []Point `json:"points"`
	// Slurm records the job arrays submitted for the sweep.
	Slurm []SlurmJob `json:"slurm,omitempty"`
}

// SlurmJob is one submission of the sweep's job array.
type SlurmJob struct {
	JobID   string `json:"job_id"`
	Indices string `json:"indices"` // the --array list, without the throttle
	Script  string `json:"script"`
}

// Sweep is an open sweep directory.
type Sweep struct {
	Dir      string
	Manifest Manifest
	// Workers is the number of workers of each point (runner.Options.Workers),
	// or 0 to choose: RunLocal shares runtime.GOMAXPROCS among the points
	// running at once (at least one each). An interrupted point resumes
	// from its checkpoint on any number of workers.
	Workers     int
	autoWorkers int // what Workers = 0 chooses (0: runtime.GOMAXPROCS)
	lock        *runner.Dir
	mu          sync.Mutex // guards Manifest.Points while workers update them
	saveMu      sync.Mutex // one Save at a time: they share the temporary file
}

// ScenarioHash returns the SHA-256 of a scenario file's text, in hex.
func ScenarioHash(text []byte) string {
	h := sha256.Sum256(text)
	return hex.EncodeToString(h[:])
}

// Create opens the sweep directory dir for running spec, locked against
// other sweeps until Close: a new directory gets a manifest with every
// point pending; a directory that has one must have been made by the same
// design, or Create refuses, saying what differs. A directory held by
// another process is refused with an error wrapping runner.ErrBusy.
func Create(dir string, spec Spec, version string) (*Sweep, error) {
	pts, err := spec.Points()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := runner.Lock(dir)
	if err != nil {
		if errors.Is(err, runner.ErrBusy) {
			return nil, fmt.Errorf("sweep directory %s is in use by another sweep: %w", dir, err)
		}
		return nil, err
	}
	s := &Sweep{Dir: dir, lock: lock}
	old, err := readManifest(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if names, _ := os.ReadDir(dir); len(names) > 1 { // the lock file
			lock.Release()
			return nil, fmt.Errorf("%s is not empty and holds no sweep (%s): choose another directory for the sweep", dir, ManifestName)
		}
		s.Manifest = Manifest{Version: version, Spec: spec, Points: pts}
		if err := s.Save(); err != nil {
			lock.Release()
			return nil, err
		}
		return s, nil
	case err != nil:
		lock.Release()
		return nil, err
	}
	if diff := Differences(&old.Spec, &spec); len(diff) > 0 {
		lock.Release()
		return nil, fmt.Errorf("%s holds a different sweep; the new command differs in:\n  %s\nuse another --out directory, or run the same command to continue that sweep",
			dir, strings.Join(diff, "\n  "))
	}
	s.Manifest = *old
	return s, nil
}

// Open reads the sweep in dir without locking it (for status, collect and
// the Slurm tasks, which write only their points' directories).
func Open(dir string) (*Sweep, error) {
	m, err := readManifest(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a sweep directory: no %s", dir, ManifestName)
		}
		return nil, err
	}
	return &Sweep{Dir: dir, Manifest: *m}, nil
}

// Close releases the lock taken by Create.
func (s *Sweep) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Release()
	s.lock = nil
	return err
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	if _, err := m.Spec.Points(); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	return &m, nil
}

// Save writes the manifest atomically (a temporary file renamed).
func (s *Sweep) Save() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	b, err := json.MarshalIndent(&s.Manifest, "", "  ")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, ManifestName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, ManifestName))
}

// PointDir is the run directory of point i.
func (s *Sweep) PointDir(i int) string {
	return filepath.Join(s.Dir, PointsDir, s.Manifest.Points[i].Name)
}

// setStatus records a point's status in the manifest (in memory).
func (s *Sweep) setStatus(i int, st Status, msg string, wall float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.Manifest.Points[i]
	p.Status, p.Error = st, msg
	if wall > 0 {
		p.WallS = wall
	}
}

// Differences lists how spec b differs from spec a, one line each, or
// nothing when both describe the same sweep.
func Differences(a, b *Spec) []string {
	var d []string
	if a.Scenario != b.Scenario || (a.WorkDir != b.WorkDir && !filepath.IsAbs(a.Scenario)) {
		d = append(d, fmt.Sprintf("scenario: %s, now %s", filepath.Join(a.WorkDir, a.Scenario), filepath.Join(b.WorkDir, b.Scenario)))
	} else if a.ScenarioSHA256 != b.ScenarioSHA256 {
		d = append(d, fmt.Sprintf("scenario: the file %s changed since the sweep started", b.Scenario))
	}
	for _, name := range slices.Sorted(maps.Keys(b.RowScenarios)) {
		if h := b.RowScenarios[name]; a.RowScenarios[name] != h && a.RowScenarios[name] != "" {
			d = append(d, fmt.Sprintf("scenario: the file %s changed since the sweep started", name))
		}
	}
	if !slices.Equal(a.Sets, b.Sets) {
		d = append(d, fmt.Sprintf("--set: %s, now %s", list(a.Sets), list(b.Sets)))
	}
	ga, gb := map[string][]string{}, map[string][]string{}
	var keys []string
	for _, x := range a.Grid {
		ga[x.Key] = x.Values
		keys = append(keys, x.Key)
	}
	for _, x := range b.Grid {
		gb[x.Key] = x.Values
		if _, ok := ga[x.Key]; !ok {
			keys = append(keys, x.Key)
		}
	}
	for _, k := range keys {
		va, ina := ga[k]
		vb, inb := gb[k]
		switch {
		case !inb:
			d = append(d, fmt.Sprintf("--grid %s: was %s, now not given", k, list(va)))
		case !ina:
			d = append(d, fmt.Sprintf("--grid %s: not in the sweep, now %s", k, list(vb)))
		case !slices.Equal(va, vb):
			d = append(d, fmt.Sprintf("--grid %s: was %s, now %s", k, list(va), list(vb)))
		}
	}
	if len(d) == 0 && len(a.Grid) == len(b.Grid) {
		for i := range a.Grid {
			if a.Grid[i].Key != b.Grid[i].Key {
				d = append(d, "--grid: the same keys in another order")
				break
			}
		}
	}
	switch {
	case (a.Rows == nil) != (b.Rows == nil):
		d = append(d, fmt.Sprintf("--rows: %s, now %s", rowsName(a.Rows), rowsName(b.Rows)))
	case a.Rows != nil && !slices.Equal(a.Rows.Columns, b.Rows.Columns):
		d = append(d, fmt.Sprintf("--rows: columns %s, now %s", list(a.Rows.Columns), list(b.Rows.Columns)))
	case a.Rows != nil && !slices.EqualFunc(a.Rows.Values, b.Rows.Values, slices.Equal):
		d = append(d, fmt.Sprintf("--rows: %s has other rows than the sweep's %d", b.Rows.File, len(a.Rows.Values)))
	}
	if !slices.Equal(a.Seeds, b.Seeds) {
		d = append(d, fmt.Sprintf("--seeds: %s, now %s", seedsText(a.Seeds), seedsText(b.Seeds)))
	}
	if a.CheckpointEvery != b.CheckpointEvery {
		d = append(d, fmt.Sprintf("--checkpoint-every: %q, now %q", a.CheckpointEvery, b.CheckpointEvery))
	}
	return d
}

func list(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return "[" + strings.Join(v, ", ") + "]"
}

func rowsName(r *Rows) string {
	if r == nil {
		return "none"
	}
	return fmt.Sprintf("%s (%d rows)", r.File, len(r.Values))
}

func seedsText(s []uint64) string {
	switch len(s) {
	case 0:
		return "the scenario's"
	case 1:
		return fmt.Sprint(s[0])
	}
	if s[len(s)-1]-s[0] == uint64(len(s)-1) {
		return fmt.Sprintf("%d..%d", s[0], s[len(s)-1])
	}
	return fmt.Sprint(s)
}
