package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/snnsim/snnsim/checkpoint"
)

// plasticScenario is two hours of a plastic network: 200 Poisson fibres
// drive 20 LIF neurons through pair STDP during the first and the 61st
// minute; the rest is quiet and jumped over. V, rates and the weight matrix
// are recorded.
const plasticScenario = `
[simulation]
duration = "2 h"
seed     = 5

[[population]]
name   = "P"
size   = 200
model  = "poisson"
params = { rate = "10 Hz", times = ["1 min", "60 min", "61 min"], rates = ["0 Hz", "15 Hz", "0 Hz"] }

[[population]]
name   = "E"
size   = 20
model  = "lif_exp_current"
params = { v_rest = "-65 mV", v_threshold = "-50 mV", v_reset = "-65 mV", t_ref = "2 ms" }

[[projection]]
from       = "P"
to         = "E"
receptor   = "exc"
connect    = { rule = "fixed_probability", p = 0.3 }
weight     = { uniform = ["1 mV", "3 mV"] }
delay      = "1 ms"
plasticity = { rule = "pair", preset = "song_abbott_2000", w_min = 0, w_max = 5 }

[[record]]
what = "spikes"

[[record]]
what    = "v"
populations = ["E"]
neurons = [0, 1]
sample  = "10 s"

[[record]]
what       = "weights"
projection = "P_to_E"
sample     = "10 min"
`

// TestCheckpointResumeCLI runs the plastic scenario for 2 h straight, and
// for 1 h with --stop-at followed by 'snnsim resume' in a new process that
// reads only the run directory: the logs and the final checkpoints (the
// complete state) are byte-identical.
func TestCheckpointResumeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "plastic.toml")
	os.WriteFile(sc, []byte(plasticScenario), 0o644)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	common := append([]string{"--progress", "none", "--flush-interval", "0", "--checkpoint-every", "1h"}, oneWorker...)
	runCmd(t, append([]string{"run", sc, "--out", a}, common...)...)

	var out, errb bytes.Buffer
	if code := run(append([]string{"run", sc, "--out", b, "--stop-at", "60m"}, common...), &out, &errb); code != 3 {
		t.Fatalf("--stop-at: exit %d, want 3\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "snnsim resume "+b) {
		t.Errorf("the message does not say how to resume: %s", errb.String())
	}
	os.Remove(sc) // resume must not need the scenario file
	if out, err := exec.Command(bin, append([]string{"resume", b, "--progress", "none"}, oneWorker...)...).CombinedOutput(); err != nil {
		t.Fatalf("resume in a new process: %v\n%s", err, out)
	}

	for _, name := range []string{LogName, CheckpointName} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between the straight and the resumed run (%d and %d bytes)", name, len(x), len(y))
		}
	}
	n := countLog(t, filepath.Join(b, LogName))
	if n["E"] == 0 {
		t.Errorf("no spikes of E in the resumed log")
	}
}

// TestKillDuringCheckpoint kills a run that writes a checkpoint every
// 100 ms of simulated CUBA (every few wall milliseconds) at several moments
// after its first checkpoint, and checks that the checkpoint on disk always
// loads: a write is never seen half done. The kills are timed from the
// first checkpoint's appearance, not from the start, so that a slow start
// on a loaded machine cannot leave nothing to check.
func TestKillDuringCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	resumed := false
	for k, wait := range []time.Duration{0, 7, 30, 110} {
		dir := t.TempDir()
		cmd := exec.Command(bin, "run", "../../scenarios/cuba.toml", "--duration", "20 s", "--out", dir,
			"--progress", "none", "--checkpoint-every", "100 ms")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		cp := filepath.Join(dir, CheckpointName)
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if _, err := os.Stat(cp); err == nil {
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("kill %d: the run ended before its first checkpoint: %v", k, err)
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Signal(syscall.SIGKILL)
				<-exited
				t.Fatalf("kill %d: no checkpoint after 2 minutes", k)
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(wait * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		f, err := os.Open(cp)
		if err != nil {
			t.Errorf("kill %d, %d ms after the first checkpoint: the checkpoint is gone: %v", k, wait, err)
			continue
		}
		meta, _, err := checkpoint.Read(f)
		f.Close()
		if err != nil {
			t.Errorf("kill %d, %d ms after the first checkpoint: the checkpoint on disk does not load: %v", k, wait, err)
			continue
		}
		t.Logf("kill %d, %d ms after the first checkpoint: checkpoint at tick %d loads", k, wait, meta.Tick)
		// And the run resumes from it to the end (once: it takes a while).
		if !resumed {
			resumed = true
			var out, errb bytes.Buffer
			if code := run(append([]string{"resume", dir, "--progress", "none"}, oneWorker...), &out, &errb); code != 0 {
				t.Errorf("resume after the kill: exit %d: %s", code, errb.String())
			}
		}
	}
}
