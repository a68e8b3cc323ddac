package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPUProfile runs and resumes the quickstart scenario with
// --cpuprofile: each writes a gzipped pprof CPU profile (its string table
// names the sample type "cpu" in "nanoseconds"),
// and a path that exists or cannot be created is refused before the run,
// naming the flag, without touching the file or creating the run
// directory.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	run1, run2 := filepath.Join(dir, "run"), filepath.Join(dir, "run2")
	prof1, prof2 := filepath.Join(dir, "run.pprof"), filepath.Join(dir, "resume.pprof")
	var out, errb bytes.Buffer
	if code := run(append([]string{"run", "../../scenarios/quickstart.toml", "--out", run1, "--progress", "none",
		"--stop-at", "1 s", "--cpuprofile", prof1}, oneWorker...), &out, &errb); code != 3 {
		t.Fatalf("run --stop-at: exit %d, want 3 (stopped with a checkpoint)\n%s%s", code, out.String(), errb.String())
	}
	runCmd(t, "resume", run1, "--progress", "none", "--workers", "1", "--cpuprofile", prof2)
	for _, p := range []string{prof1, prof2} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: not gzipped: %v", p, err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, want := range []string{"cpu", "nanoseconds"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: profile does not hold %q (%d bytes)", p, want, len(b))
			}
		}
	}

	old, _ := os.ReadFile(prof1)
	for _, c := range []struct{ name, path, want string }{
		{"exists", prof1, "the file exists"},
		{"no directory", filepath.Join(dir, "missing", "x.pprof"), "no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"run", "../../scenarios/quickstart.toml", "--out", run2, "--progress", "none", "--cpuprofile", c.path}, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), "--cpuprofile "+c.path) || !strings.Contains(errb.String(), c.want) {
				t.Errorf("exit %d, stderr %q: want 2 and --cpuprofile %s: ...%s", code, errb.String(), c.path, c.want)
			}
			if _, err := os.Stat(run2); !os.IsNotExist(err) {
				t.Errorf("run directory %s: %v, want none", run2, err)
			}
		})
	}
	if now, _ := os.ReadFile(prof1); !bytes.Equal(now, old) {
		t.Errorf("the existing profile was changed")
	}
}
