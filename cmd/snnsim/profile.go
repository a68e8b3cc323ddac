package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/pprof"
)

// cpuProfileUsage is the help text of --cpuprofile (run and resume).
const cpuProfileUsage = "write a CPU profile of the run to FILE (a new file; read it with 'go tool pprof FILE'); on several workers each sample carries the label snnsim_worker=<worker>"

// startCPUProfile starts a CPU profile written to a new file at path
// (--cpuprofile) and returns the function that stops it and closes the
// file. An existing file is refused rather than overwritten, as a run
// directory is: it may be another run's profile. With path "" it does
// nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("--cpuprofile %s: the file exists; remove it or name another", path)
	}
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile %s: %w", path, err)
		}
		return nil
	}, nil
}
