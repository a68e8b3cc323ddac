package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// phaseCLIScenario is a small network of Luboeinski & Tetzlaff (2021)
// type with a fast-forward phase from just after a learning pulse to just
// before a recall pulse.
const phaseCLIScenario = `
[simulation]
duration   = "101 s"
resolution = "0.2 ms"
seed       = 2

[[population]]
name = "E"
size = 120
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[population]]
name = "I"
size = 30
model = "lif_exp_current"
params = { tau_m = "10 ms", c_m = "1 nF", v_rest = "-65 mV", v_threshold = "-55 mV", v_reset = "-70 mV", t_ref = "2 ms", tau_exc = "5 ms", tau_inh = "5 ms" }

[[projection]]
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "4.2 mV"
delay = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021" }

[[projection]]
from = "E"
to = "I"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "8.4 mV"
delay = "3 ms"

[[projection]]
from = "I"
to = "E"
receptor = "inh"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "16.8 mV"
delay = "3 ms"

[[stimulus]]
kind = "ou_current"
population = "E"
mean = "0.15 nA"
sigma = "0.5 nA"
tau = "5 ms"
init = "0 pA"

[[stimulus]]
kind = "ou_current"
population = "E"
neurons = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
mean = "1050 nA"
sigma = "210 nA"
tau = "5 ms"
start = "0.5 s"
stop = "0.6 s"

[[stimulus]]
kind = "ou_current"
population = "E"
neurons = [0, 1, 2, 3, 4, 5]
mean = "1050 nA"
sigma = "210 nA"
tau = "5 ms"
start = "100 s"
stop = "100.1 s"

[[phase]]
name = "consolidation"
start = "0.6002 s"
stop = "99.9996 s"
mode = "fast_forward"

[[record]]
what = "spikes"

[[record]]
what = "pathway"
projection = "E_to_E"
variables = ["h", "z"]
interval = "10 s"
final = true
`

// TestPhaseResumeCLI runs phaseCLIScenario straight with a checkpoint
// every 7 s (six of them inside the phase), and stopped inside the phase
// with --stop-at and resumed by 'snnsim resume' in a new process: the logs
// (spikes, samples, the phase's marks) and the final checkpoints are
// byte-identical.
func TestPhaseResumeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "phase.toml")
	if err := os.WriteFile(sc, []byte(phaseCLIScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	common := append([]string{"--progress", "none", "--flush-interval", "0", "--checkpoint-every", "7 s"}, oneWorker...)
	runCmd(t, append([]string{"run", sc, "--out", a}, common...)...)
	var out, errb bytes.Buffer
	if code := run(append([]string{"run", sc, "--out", b, "--stop-at", "50 s"}, common...), &out, &errb); code != 3 {
		t.Fatalf("--stop-at: exit %d, want 3\n%s", code, errb.String())
	}
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
	insp, _ := runCmd(t, "inspect", b)
	for _, want := range []string{"phase consolidation: spiking off until 99.9996 s", "phase consolidation ends: spiking on"} {
		if !bytes.Contains([]byte(insp), []byte(want)) {
			t.Errorf("inspect does not show the mark %q:\n%s", want, insp)
		}
	}
}
