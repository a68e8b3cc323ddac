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
		{"stc_capture.toml", "40 min", true},
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

// TestResumeOtherWorkers stops runs on some workers with a checkpoint,
// resumes them on another number, and checks that the log is the one of
// a run stopped and resumed at the same tick on one worker, byte for byte,
// for a static network, plastic ones (the pair rule; the triplet rule with
// short-term plasticity) and one with a consolidation model and OU
// currents (luboeinski_tetzlaff_2021); the default number of workers
// splits them too.
func TestResumeOtherWorkers(t *testing.T) {
	dir := t.TempDir()
	for _, sc := range []struct {
		name, file string
		sets       []string
	}{
		{"coba", "coba.toml", nil},
		{"song_abbott", "song_abbott_competition.toml", nil},
		{"stp_triplet", "cuba.toml", []string{
			`projection.E_to_E.stp={ U = 0.2, tau_d = "150 ms", tau_f = "600 ms" }`,
			`projection.E_to_E.plasticity={ rule = "triplet", preset = "visual_cortex_all_to_all_minimal", w_min = 0, w_max = 3 }`}},
		// Luboeinski & Tetzlaff (2021), stopped inside a learning pulse
		// moved to 0.1 s: consolidation state and OU currents.
		{"lt2021", "lt2021_10s_recall.toml", []string{`stimulus.2.start=0.1 s`, `stimulus.2.stop=0.2 s`}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			var want []byte
			for _, c := range [][2]string{{"1", "1"}, {"2", "3"}, {"3", "1"}, {"0", "0"}} {
				out := filepath.Join(dir, sc.name, c[0]+"-"+c[1])
				args := []string{"run", "../../scenarios/" + sc.file, "--out", out, "--progress", "none", "--flush-interval", "0", "--duration", "0.3 s",
					"--stop-at", "0.1234 s", "--workers", c[0]}
				for _, s := range sc.sets {
					args = append(args, "--set", s)
				}
				var so, se bytes.Buffer
				if code := run(args, &so, &se); code != 3 || strings.Contains(se.String(), "runs on one worker") {
					t.Fatalf("--workers %s --stop-at: exit %d (want 3, stopped)\n%s", c[0], code, se.String())
				}
				if _, stderr := runCmd(t, "resume", out, "--progress", "none", "--workers", c[1]); strings.Contains(stderr, "runs on one worker") {
					t.Errorf("resume --workers %s: %s", c[1], stderr)
				}
				got, err := os.ReadFile(filepath.Join(out, LogName))
				if err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want = got
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("stopped on %s workers, resumed on %s: the log differs from one worker's (%d and %d bytes)", c[0], c[1], len(got), len(want))
				}
			}
		})
	}
}
