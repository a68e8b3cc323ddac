package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// latePhaseScenario is a small network of Luboeinski & Tetzlaff (2021)
// type that learns three assemblies 10 s apart ([sequence], fast-forward
// between) and cues them at 50 s, with the E->E late phase LATE.
const latePhaseScenario = `
[simulation]
duration   = "57 s"
resolution = "0.2 ms"
seed       = 4

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
name = "E_to_E"
from = "E"
to = "E"
receptor = "exc"
connect = { rule = "fixed_probability", p = 0.2 }
weight = "4.2 mV"
delay = "3 ms"
consolidation = { model = "luboeinski_tetzlaff_2021", late = "LATE" }

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

[sequence]
population   = "E"
n            = 3
size         = 12
overlap      = 0.25
layout       = "random"
learn        = "10 s"
interval     = "10 s"
pulses       = 3
every        = "0.5 s"
pulse        = { mean = "1050 nA", sigma = "210 nA", tau = "5 ms", width = "0.1 s" }
recall       = "50 s"
spacing      = "3 s"
fast_forward = { after = "2 s", before = "0.4 ms" }

[[record]]
what = "spikes"

[[record]]
what = "pathway"
projection = "E_to_E"
variables = ["h", "w"]
interval = "1 s"
final = true
split = { a1 = "A1", rest = "rest" }

[[record]]
what = "synapses"
projection = "E_to_E"
variables = ["w"]
interval = "5 s"
final = true
`

// TestLatePhaseResumeCLI runs latePhaseScenario with each late phase that
// keeps a state of its own straight (checkpoints every 4 s, some inside
// the fast-forward phases) and stopped with --stop-at inside a learning
// (metaplastic, benna_fusi) or a fast-forward (importance), then resumed by 'snnsim
// resume' in a new process: every spike and every sample (the final
// transmitted weight of every synapse among them) are identical. With late = "importance" the sequence's task
// boundaries appear in the log as marks.
func TestLatePhaseResumeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildSnnsim(t)
	for _, c := range [][2]string{{"metaplastic", "20.7 s"}, {"importance", "27 s"}, {"benna_fusi", "20.7 s"}} {
		late, stop := c[0], c[1]
		t.Run(late+"/"+stop, func(t *testing.T) {
			dir := t.TempDir()
			sc := filepath.Join(dir, "late.toml")
			if err := os.WriteFile(sc, []byte(strings.Replace(latePhaseScenario, "LATE", late, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			common := append([]string{"--progress", "none", "--flush-interval", "0", "--checkpoint-every", "4 s"}, oneWorker...)
			runCmd(t, append([]string{"run", sc, "--out", a}, common...)...)
			var out, errb bytes.Buffer
			if code := run(append([]string{"run", sc, "--out", b, "--stop-at", stop}, common...), &out, &errb); code != 3 {
				t.Fatalf("--stop-at: exit %d, want 3\n%s", code, errb.String())
			}
			if out, err := exec.Command(bin, append([]string{"resume", b, "--progress", "none"}, oneWorker...)...).CombinedOutput(); err != nil {
				t.Fatalf("resume in a new process: %v\n%s", err, out)
			}
			// The resumed log holds the same spikes and samples in other
			// blocks (the stop ends a block), so the runs are compared by
			// their exported contents: every spike and every sample,
			// with the final value of every synapse's w.
			for _, d := range []string{a, b} {
				runCmd(t, "export", d, "--format", "csv", "--out", filepath.Join(d, "csv"))
			}
			files, _ := filepath.Glob(filepath.Join(a, "csv", "*.csv"))
			if len(files) < 10 {
				t.Fatalf("export wrote %d files", len(files))
			}
			for _, f := range files {
				x, _ := os.ReadFile(f)
				y, _ := os.ReadFile(filepath.Join(b, "csv", filepath.Base(f)))
				if len(x) == 0 || !bytes.Equal(x, y) {
					t.Errorf("%s differs between the straight and the resumed run (%d and %d bytes)", filepath.Base(f), len(x), len(y))
				}
			}
			if late == "importance" {
				insp, _ := runCmd(t, "inspect", b)
				for _, want := range []string{"task on E: 1", "task on E: 3"} {
					if !strings.Contains(insp, want) {
						t.Errorf("inspect does not show the mark %q:\n%s", want, insp)
					}
				}
			}
		})
	}
}
