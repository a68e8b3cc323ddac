package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// TestScenariosValidate parses, validates and compiles every file in scenarios/.
func TestScenariosValidate(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.toml")
	if err != nil || len(files) < 4 {
		t.Fatalf("found %d scenario files (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc, err := scenario.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sc.Compile(); err != nil {
				t.Fatal(err)
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run(append([]string{"validate"}, files...), &out, &errb); code != 0 {
		t.Errorf("validate exit %d: %s", code, errb.String())
	}
}

func runCmd(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("snnsim %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// TestRunQuickstart runs the README's scenario twice with the same seed and
// checks that the logs are byte-identical, that the summary agrees with the
// log, and that a different seed gives different spikes.
func TestRunQuickstart(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	runCmd(t, append([]string{"run", "../../scenarios/quickstart.toml", "--out", a, "--progress", "none", "--flush-interval", "0"}, oneWorker...)...)
	runCmd(t, append([]string{"run", "../../scenarios/quickstart.toml", "--out", b, "--progress", "none", "--flush-interval", "0"}, oneWorker...)...)
	runCmd(t, append([]string{"run", "../../scenarios/quickstart.toml", "--out", c, "--progress", "none", "--seed", "8"}, oneWorker...)...)
	la, _ := os.ReadFile(filepath.Join(a, LogName))
	lb, _ := os.ReadFile(filepath.Join(b, LogName))
	lc, _ := os.ReadFile(filepath.Join(c, LogName))
	if len(la) == 0 || !bytes.Equal(la, lb) {
		t.Errorf("same seed: logs differ (%d and %d bytes)", len(la), len(lb))
	}
	if bytes.Equal(la, lc) {
		t.Errorf("different seeds gave identical logs")
	}
	var s Summary
	js, err := os.ReadFile(filepath.Join(a, SummaryName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Completed || s.SimulatedS != 2 || s.SynapticEvents == 0 || s.SimSPerWallS <= 0 {
		t.Errorf("summary: %+v", s)
	}
	want := map[string]int64{}
	for _, p := range s.Populations {
		want[p.Name] = p.Spikes
	}
	// The input's spikes are not recorded: stats says so instead of 0 Hz.
	out, _ := runCmd(t, "stats", a)
	if !strings.Contains(out, "(spikes not recorded)") || strings.Count(out, "(spikes not recorded)") != 1 {
		t.Errorf("stats does not mark the unrecorded input population:\n%s", out)
	}
	got := countLog(t, filepath.Join(a, LogName))
	// The quickstart records E and I only.
	if got["E"] != want["E"] || got["I"] != want["I"] || got["input"] != 0 || want["E"] == 0 {
		t.Errorf("log counts %v, summary %v", got, want)
	}
}

// countLog counts the spikes per population in a log.
func countLog(t *testing.T, path string) map[string]int64 {
	t.Helper()
	r, err := spikelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	n := map[string]int64{}
	for r.Next() {
		id := r.Spike().ID
		for _, p := range h.Populations {
			if id >= p.First && id < p.End() {
				n[p.Name]++
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestValidateReportsErrors checks that a broken scenario gives exit code 1
// and a message naming the file, line and key.
func TestValidateReportsErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[simulation]\nduration = \"1 s\"\n\n[[population]]\nname = \"E\"\nsize = 10\nmodel = \"lif_exp_current\"\nparams = { tau_m = \"20 mV\" }\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"validate", bad}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	msg := errb.String()
	if !strings.Contains(msg, "bad.toml:8") || !strings.Contains(msg, "tau_m") {
		t.Errorf("message %q does not name bad.toml:8 and tau_m", msg)
	}
}

// TestInterruptLeavesReadableLog runs the CLI as a subprocess on a long
// scenario, interrupts it with SIGINT and checks the exit code and that the
// log reads back cleanly up to the interruption.
func TestInterruptLeavesReadableLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "run", "../../scenarios/cuba.toml", "--duration", "1000 s", "--out", dir, "--progress", "none")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt only once the log holds a block past its header (a few KB):
	// a fixed sleep races with a slow start on a loaded machine.
	logPath := filepath.Join(dir, LogName)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(logPath); err == nil && fi.Size() > 8<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%s did not grow past 8 KiB within 2 minutes\n%s", logPath, errb.String())
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want code 130\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "interrupted") || !strings.Contains(errb.String(), "snnsim resume "+dir) {
		t.Errorf("stderr does not say it was interrupted and how to resume: %s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointName)); err != nil {
		t.Errorf("no checkpoint after the interruption: %v", err)
	}
	n := countLog(t, filepath.Join(dir, LogName))
	if n["E"] == 0 {
		t.Errorf("no spikes in the interrupted log")
	}
	var s Summary
	js, _ := os.ReadFile(filepath.Join(dir, SummaryName))
	json.Unmarshal(js, &s)
	if s.Completed || s.Populations[0].Spikes != n["E"] {
		t.Errorf("summary says completed=%v with %d E spikes; log has %d", s.Completed, s.Populations[0].Spikes, n["E"])
	}
}
