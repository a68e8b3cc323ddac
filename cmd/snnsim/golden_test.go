package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/runner"
)

// readCheckpoint reads the checkpoint of a run directory and its
// command-line data.
func readCheckpoint(t *testing.T, dir string) (checkpoint.Meta, []byte, runner.RunInfo) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, CheckpointName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	meta, body, err := checkpoint.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	var info runner.RunInfo
	if err := json.Unmarshal(meta.App, &info); err != nil {
		t.Fatal(err)
	}
	return meta, body, info
}

// TestResumeGolden resumes run directories that an earlier build of snnsim
// left with --stop-at (testdata/resume: stc_capture stopped at 1 h, which
// holds adex neurons, protocol sources and tag-trigger-consolidation; a
// plastic network stopped at 2 s, which holds Poisson sources, LIF neurons and
// pair STDP; a network of aif_cond_ampa_nmda and lif_cond_ampa_nmda neurons
// with short-term plasticity stopped at 500 ms). This build must write the same checkpoint at the same moment
// (the body byte for byte, and the metadata but for the program version), and
// resuming the old checkpoint must append to the log exactly what resuming its
// own appends.
func TestResumeGolden(t *testing.T) {
	for _, c := range []struct{ name, at string }{{"stc_capture_1h", "1h"}, {"pair_stdp_2s", "2s"}, {"zenke_stp_500ms", "500ms"}} {
		t.Run(c.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "resume", c.name)
			gMeta, gBody, gInfo := readCheckpoint(t, golden)
			dir := t.TempDir()
			old, fresh := filepath.Join(dir, "old"), filepath.Join(dir, "fresh")
			if err := os.MkdirAll(old, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{CheckpointName, LogName} {
				b, err := os.ReadFile(filepath.Join(golden, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(old, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The same run with this build, from the scenario text the
			// checkpoint holds, under the file name it was run with.
			t.Chdir(dir)
			if err := os.MkdirAll(filepath.Dir(gInfo.File), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(gInfo.File, []byte(gInfo.Text), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			args := append([]string{"run", gInfo.File, "--out", fresh, "--stop-at", c.at, "--flush-interval", "0", "--progress", "none"}, oneWorker...)
			if code := run(args, &out, &errb); code != 3 {
				t.Fatalf("run --stop-at: exit %d, want 3\n%s", code, errb.String())
			}
			fMeta, fBody, fInfo := readCheckpoint(t, fresh)
			if !bytes.Equal(fBody, gBody) {
				t.Fatalf("this build's checkpoint body (%d bytes) differs from the old one (%d bytes)", len(fBody), len(gBody))
			}
			if fMeta.Network != gMeta.Network || fMeta.Tick != gMeta.Tick || fMeta.Scenario != gMeta.Scenario {
				t.Fatalf("metadata %+v, the old checkpoint's %+v", fMeta, gMeta)
			}
			// Resume both. Restore refuses a checkpoint of another program
			// version; the old one gets this build's version, rewritten
			// through the checkpoint container.
			gMeta.Program = fMeta.Program
			err := checkpoint.WriteFile(filepath.Join(old, CheckpointName), func(w io.Writer) error {
				return checkpoint.Write(w, gMeta, gBody)
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{old, fresh} {
				errb.Reset()
				if code := run(append([]string{"resume", d, "--progress", "none"}, oneWorker...), &out, &errb); code != 0 {
					t.Fatalf("resume %s: exit %d\n%s", d, code, errb.String())
				}
			}
			oLog, _ := os.ReadFile(filepath.Join(old, LogName))
			fLog, _ := os.ReadFile(filepath.Join(fresh, LogName))
			oTail, fTail := oLog[gInfo.LogOffset:], fLog[fInfo.LogOffset:]
			if len(fTail) == 0 || !bytes.Equal(oTail, fTail) {
				t.Fatalf("the resumed logs differ after the checkpoint (%d and %d bytes)", len(oTail), len(fTail))
			}
			if n := countLog(t, filepath.Join(old, LogName)); len(n) == 0 {
				t.Fatalf("no spikes in the resumed log")
			}
		})
	}
}
