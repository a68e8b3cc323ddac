package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// LockName is the lock file's name inside a run directory. It exists while
// a run or resume holds the directory and names the process that does.
const LockName = ".snnsim.lock"

// ErrBusy is wrapped by the error of Claim, ClaimFresh and Lock when
// another live process holds the run directory.
var ErrBusy = errors.New("run directory in use")

// ErrNotEmpty is wrapped by the error of Claim when the directory holds
// files and force is false.
var ErrNotEmpty = errors.New("run directory not empty")

// runFiles are the names that a run, resume, plot or export writes into a
// run directory; Claim with force removes them (and nothing else).
var runFiles = []string{LogName, SummaryName, CheckpointName, MemoryCurvesCSV, "plots", "export"}

// Dir is a run directory held by this process: a lock on it keeps every
// other run and resume out until Release. The lock is an advisory flock on
// LockName, which the kernel drops when the process dies, so the lock of a
// killed run never blocks a later one.
type Dir struct {
	Path string // the directory
	lock *os.File
}

// Lock takes the lock of the existing directory dir without looking at
// its contents (as resume does). It fails at once, with an error that
// wraps ErrBusy and names the holder's process ID, when another process
// holds it.
func Lock(dir string) (*Dir, error) {
	for range 10 {
		f, err := os.OpenFile(filepath.Join(dir, LockName), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("run directory %s: cannot create the lock file: %w", dir, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			holder, _ := os.ReadFile(f.Name())
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, fmt.Errorf("%w: %s is held by %s (lock file %s): wait for that run to end or use another directory",
					ErrBusy, dir, describeHolder(holder), filepath.Join(dir, LockName))
			}
			return nil, fmt.Errorf("run directory %s: lock: %w", dir, err)
		}
		// The previous holder removes the file before it unlocks; if it
		// did so between our open and our flock, we hold a lock on a file
		// that no longer has the name, and try again.
		var a, b unix.Stat_t
		if unix.Fstat(int(f.Fd()), &a) != nil || unix.Stat(f.Name(), &b) != nil || a.Ino != b.Ino || a.Dev != b.Dev {
			f.Close()
			continue
		}
		f.Truncate(0)
		fmt.Fprintf(f, "pid %d\nstarted %s\ncommand %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), strings.Join(os.Args, " "))
		f.Sync()
		return &Dir{Path: dir, lock: f}, nil
	}
	return nil, fmt.Errorf("run directory %s: the lock file keeps being replaced", dir)
}

// describeHolder turns a lock file's text into "process 1234 (started …)".
func describeHolder(text []byte) string {
	var pid, started string
	for line := range strings.Lines(string(text)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			pid = v
		case "started":
			started = v
		}
	}
	if pid == "" {
		return "another process"
	}
	if started != "" {
		return "process " + pid + " (started " + started + ")"
	}
	return "process " + pid
}

// Release removes the lock file and unlocks the directory.
func (d *Dir) Release() error {
	if d == nil || d.lock == nil {
		return nil
	}
	err := os.Remove(d.lock.Name())
	if cerr := d.lock.Close(); err == nil {
		err = cerr
	}
	d.lock = nil
	return err
}

// Claim prepares dir for a new run: it creates it if needed and locks it
// (see Lock). A directory that holds anything is refused with an error
// wrapping ErrNotEmpty, unless force is set: then the files an earlier run
// left there (log, summary, checkpoint, memory curves, plots and exports)
// are removed first, and any other file is left alone.
func Claim(dir string, force bool) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	names, err := entries(dir)
	if err != nil {
		d.Release()
		return nil, err
	}
	if len(names) == 0 {
		return d, nil
	}
	if !force {
		d.Release()
		return nil, fmt.Errorf("%w: %s holds %s: choose another directory, or pass --force to remove an earlier run's files first",
			ErrNotEmpty, dir, listNames(names))
	}
	for _, n := range names {
		if isRunFile(n) {
			if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
				d.Release()
				return nil, fmt.Errorf("run directory %s: removing the earlier run's %s: %w", dir, n, err)
			}
		}
	}
	return d, nil
}

// ClaimFresh claims a new, empty run directory for a run that was not
// given one: base itself if it does not exist or is empty, else the first
// of base-2, base-3, … that is. Two processes never get the same one.
func ClaimFresh(base string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, err
	}
	for i := 1; i <= 10000; i++ {
		dir := base
		if i > 1 {
			dir = base + "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if err != nil { // it exists: take it only if empty and free
			if names, err := entries(dir); err != nil || len(names) > 0 {
				continue
			}
		}
		d, err := Lock(dir)
		if errors.Is(err, ErrBusy) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if names, err := entries(dir); err != nil || len(names) > 0 {
			d.Release()
			continue
		}
		return d, nil
	}
	return nil, fmt.Errorf("no free run directory %s-N for N up to 10000: remove old runs or pass --out", base)
}

// DefaultDir is the directory a run gets when it is not given one:
// root/<name>, followed by "-seed<N>" when the run's seed is not the
// scenario's own (seedChanged), and by "-set<hash>" when overrides are
// applied, so that runs of one scenario with different seeds or overrides
// (a sweep) land in different directories.
func DefaultDir(root, name string, seed uint64, seedChanged bool, overrides []string) string {
	dir := name
	if seedChanged {
		dir += "-seed" + strconv.FormatUint(seed, 10)
	}
	if len(overrides) > 0 {
		h := sha256.Sum256([]byte(strings.Join(overrides, "\x00")))
		dir += "-set" + hex.EncodeToString(h[:4])
	}
	return filepath.Join(root, dir)
}

// entries lists dir's entries other than the lock file.
func entries(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		if de.Name() != LockName {
			names = append(names, de.Name())
		}
	}
	return names, nil
}

func isRunFile(name string) bool {
	return slices.Contains(runFiles, name) || strings.HasPrefix(name, CheckpointName+".tmp")
}

// listNames names up to four entries.
func listNames(names []string) string {
	const show = 4
	q := make([]string, 0, show)
	for _, n := range names[:min(len(names), show)] {
		q = append(q, strconv.Quote(n))
	}
	s := strings.Join(q, ", ")
	if len(names) > show {
		s += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return s
}
