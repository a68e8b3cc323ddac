package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

// memScenario is a scenario of the memory tests: a population or two and a
// projection, run for 20 ms (long enough to touch every array).
func memScenario(pops, proj string) string {
	return "[simulation]\nduration = \"20 ms\"\n" + pops + proj
}

const (
	memPoisson = "[[population]]\nname = \"P\"\nsize = %d\nmodel = \"poisson\"\nparams = { rate = \"5 Hz\" }\n"
	memTarget  = "[[population]]\nname = \"E\"\nsize = %d\nmodel = \"lif_exp_current\"\n"
	memProj    = "[[projection]]\nfrom = \"P\"\nto = \"E\"\nreceptor = \"exc\"\nconnect = { rule = \"all_to_all\" }\n"
)

// TestMemoryEstimateVsRSS runs scenarios whose memory is dominated by one
// part (neurons, static synapses, plastic synapses, consolidation state)
// and a shipped network, and compares Scenario.Memory with the peak
// resident memory of the run (ru_maxrss, through GNU time): the
// estimate must be at least the peak, so that a refused scenario would not
// have fitted, and at most twice it, so that a scenario that fits is not
// refused.
func TestMemoryEstimateVsRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ru_maxrss in KiB is Linux's")
	}
	if testing.Short() {
		t.Skip("runs scenarios of up to 200 MB")
	}
	// The peak RSS comes from GNU time, which forks the run from its own
	// small process: Linux counts in a child's ru_maxrss the memory of the
	// process it was exec'd from, so a run started by this (large) test
	// process would report the test's peak instead of its own.
	timeBin, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		t.Skip("needs GNU time for the peak RSS of a run")
	}
	bin := buildSnnsim(t)
	dir := t.TempDir()
	syn := func(n int, extra string) string {
		return memScenario(fmt.Sprintf(memPoisson, n)+fmt.Sprintf(memTarget, n), memProj+extra)
	}
	for _, tc := range []struct{ name, text string }{
		{"neurons", memScenario("[[population]]\nname = \"E\"\nsize = 1000000\nmodel = \"lif_exp_cond\"\nparams = { i_bias = \"1 nA\" }\n", "")},
		{"static_synapses", syn(3000, "weight = { uniform = [\"0.1 mV\", \"0.2 mV\"] }\ndelay = { uniform = [\"1 ms\", \"3 ms\"] }\n")},
		{"plastic_synapses", syn(3000, "weight = \"0.1 mV\"\ndelay = \"1 ms\"\nplasticity = { rule = \"triplet\" }\n")},
		{"consolidation", syn(1500, "weight = \"0.1 mV\"\ndelay = \"1 ms\"\nconsolidation = { model = \"tag_trigger_consolidation\" }\n")},
		{"coba", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "../../scenarios/coba.toml"
			args := []string{"run", path, "--duration", "1 s"}
			if tc.text != "" {
				path = filepath.Join(dir, tc.name+".toml")
				if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
					t.Fatal(err)
				}
				args = []string{"run", path}
			}
			sc, err := scenario.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			est := sc.Memory().Total()
			rssFile := filepath.Join(dir, tc.name+".rss")
			// The estimate is of a run on one worker: several also hold
			// the spikes of an epoch for the exchange, and the driver the
			// merged spikes of the last ticks for checkpoints.
			cmd := exec.Command(timeBin, append([]string{"-f", "%M", "-o", rssFile, bin}, append(args, "--out", filepath.Join(dir, tc.name), "--progress", "none", "--workers", "1")...)...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v\n%s", err, errb.String())
			}
			kb, err := os.ReadFile(rssFile)
			if err != nil {
				t.Fatal(err)
			}
			rss, err := strconv.ParseInt(strings.TrimSpace(string(kb)), 10, 64)
			if err != nil {
				t.Fatalf("time -f %%M wrote %q", kb)
			}
			rss *= 1024
			ratio := float64(est) / float64(rss)
			t.Logf("estimate %s, peak RSS %s: ratio %.2f", sc.Memory(), scenario.FormatBytes(rss), ratio)
			if ratio < 1 || ratio > 2 {
				t.Errorf("estimate %s is %.2f times the peak RSS %s, want 1 to 2", scenario.FormatBytes(est), ratio, scenario.FormatBytes(rss))
			}
		})
	}
}

// TestHugeScenarioRefused checks that a population of 10^9 neurons is
// refused by validate and run with the estimate in the message, before
// anything is allocated (a Go out-of-memory error would kill the test), and
// that the limit comes from SNNSIM_MEMORY_LIMIT when it is set.
func TestHugeScenarioRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "huge.toml")
	text := "[simulation]\nduration = \"1 s\"\n[[population]]\nname = \"E\"\nsize = 1000000000\nmodel = \"lif_exp_current\"\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(MemoryLimitEnv, "16GiB") // the same on every machine; far below the 88 GB of 10^9 lif_exp_current neurons
	for _, args := range [][]string{{"validate", path}, {"run", path, "--out", filepath.Join(dir, "out"), "--progress", "none"}} {
		code, out, errs := runSafe(args...)
		msg := out + errs
		if code != 1 || !strings.Contains(msg, "the run would need about 82 GiB (neurons 82 GiB") ||
			!strings.Contains(msg, "more than the 16 GiB available (SNNSIM_MEMORY_LIMIT)") {
			t.Errorf("snnsim %s: exit %d, want 1 with the estimate and the limit:\n%s", args[0], code, msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("run created its output directory for a refused scenario")
	}
	// With the check off, validate goes on (and builds nothing for a
	// population: neurons are allocated by the engine, not by Compile).
	t.Setenv(MemoryLimitEnv, "none")
	code, out, errs := runSafe("validate", "--verbose", path)
	if code != 0 || !strings.Contains(out, "memory estimate 82 GiB (neurons 82 GiB, records 2 MiB, program 20 MiB)") {
		t.Errorf("validate --verbose with %s=none: exit %d\n%s%s", MemoryLimitEnv, code, out, errs)
	}
	t.Setenv(MemoryLimitEnv, "lots")
	if code, out, errs := runSafe("validate", path); code != 1 || !strings.Contains(out+errs, `SNNSIM_MEMORY_LIMIT="lots": not a size`) {
		t.Errorf("bad %s: exit %d\n%s%s", MemoryLimitEnv, code, out, errs)
	}
}

// TestParseBytes checks the sizes SNNSIM_MEMORY_LIMIT accepts.
func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"123", 123, true}, {"2 KiB", 2048, true}, {"1.5GB", 1500000000, true}, {"64GiB", 64 << 30, true},
		{"500 mb", 500000000, true}, {"1 TiB", 1 << 40, true}, {"x", 0, false}, {"-1 GB", 0, false},
		{"5 parsecs", 0, false}, {"1e30 TB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
