package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWorkersSameLog runs scenarios on one worker and on several and
// checks that the logs are byte-identical, and that a network that cannot
// be split says why it runs on one.
func TestRunWorkersSameLog(t *testing.T) {
	for _, c := range []struct {
		file, dur string
		split     bool
	}{
		{"quickstart.toml", "0.5 s", true},
		{"coba.toml", "0.3 s", true},
		{"stc_capture.toml", "40 min", false},
	} {
		t.Run(c.file, func(t *testing.T) {
			dir := t.TempDir()
			var logs [][]byte
			for _, w := range []string{"1", "3"} {
				out := filepath.Join(dir, w)
				_, stderr := runCmd(t, "run", "../../scenarios/"+c.file, "--out", out, "--progress", "none",
					"--flush-interval", "0", "--duration", c.dur, "--workers", w)
				if said := strings.Contains(stderr, "runs on one worker"); w != "1" && said == c.split {
					t.Errorf("--workers %s: stderr %q; want a reason to run on one worker: %v", w, stderr, !c.split)
				}
				b, err := os.ReadFile(filepath.Join(out, LogName))
				if err != nil {
					t.Fatal(err)
				}
				logs = append(logs, b)
			}
			if !bytes.Equal(logs[0], logs[1]) {
				t.Errorf("the logs of 1 and 3 workers differ (%d and %d bytes)", len(logs[0]), len(logs[1]))
			}
		})
	}
}
