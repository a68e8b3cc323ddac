package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// snnsimBin is the command built once for the whole test binary: the
// tests that need a real process (a kill, a second process resuming, a
// sweep's or Slurm's tasks) share it instead of each linking its own.
var snnsimBin = struct {
	sync.Once
	dir string
	bin string
	err error
	out []byte
}{}

// oneWorker is the --workers flag of the tests' runs whose property does
// not involve the number of workers: the workers of a small network
// mostly wait on each other, and on a machine whose cores the other
// packages' tests share, more workers cost more processor time than they
// save. That the spikes, the weights and the checkpoints do not depend on
// the number of workers is what TestRunWorkersSameLog and
// TestResumeOtherWorkers check.
var oneWorker = []string{"--workers", "1"}

// TestMain runs the tests and removes the folders of what they share
// (the binary, the LT2021 runs).
func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{snnsimBin.dir, lt2021Fixtures.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// buildSnnsim returns the path of the command, built on first use.
func buildSnnsim(t *testing.T) string {
	t.Helper()
	snnsimBin.Do(func() {
		dir, err := os.MkdirTemp("", "snnsim-bin-")
		if err != nil {
			snnsimBin.err = err
			return
		}
		snnsimBin.dir = dir
		// Slurm's tasks may run as another user: the binary and its
		// folder are readable by all.
		if err := os.Chmod(dir, 0o755); err != nil {
			snnsimBin.err = err
			return
		}
		snnsimBin.bin = filepath.Join(dir, "snnsim")
		snnsimBin.out, snnsimBin.err = exec.Command("go", "build", "-o", snnsimBin.bin, ".").CombinedOutput()
	})
	if snnsimBin.err != nil {
		t.Fatalf("go build: %v\n%s", snnsimBin.err, snnsimBin.out)
	}
	return snnsimBin.bin
}
