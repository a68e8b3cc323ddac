package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// lt2021LearnEnd is where the learning run of the Luboeinski & Tetzlaff
// (2021) tests stops with a checkpoint: the two shipped protocols share
// their network, background and learning pulses, and differ first at the
// 10 s protocol's recall pulse (20 s), so every run before it is the same
// in both and is simulated once. Each protocol then continues from the
// checkpoint with --from, which gives, bit for bit, the run of its own
// scenario from tick 0 (runner.Branch; TestRunFrom), its log holding the
// learning run's spikes and the samples of the records the two share.
const lt2021LearnEnd = "19.8 s"

// lt2021Protocols are the protocols the tests run: the scenario file,
// how long to run it (up to the end of the recall readout window) and the
// recall time for 'snnsim recall'.
var lt2021Protocols = []struct{ name, scenario, duration, recall string }{
	{"10 s", "lt2021_10s_recall.toml", "20.5 s", "20.1 s"},
	{"8 h", "lt2021_8h_recall.toml", "28810.5 s", "28810.1 s"},
}

// lt2021Fixtures holds the run directories of the LT2021 protocols, by
// seed and extra records, shared by the tests that check them, in a
// folder that TestMain removes.
var lt2021Fixtures = struct {
	sync.Mutex
	dir  string
	runs map[string][]string
}{runs: map[string][]string{}}

// lt2021Runs returns the run directories of both protocols (in the order
// of lt2021Protocols) for seed, each scenario extended by the TOML extra
// (records: every run gets the same, so that the branches keep the
// learning run's samples of them). The runs are made on first use: one
// learning run of the 10 s file up to lt2021LearnEnd, then each protocol
// from its checkpoint.
func lt2021Runs(t *testing.T, seed int, extra string) []string {
	t.Helper()
	f := &lt2021Fixtures
	f.Lock()
	defer f.Unlock()
	key := fmt.Sprintf("%d\x00%s", seed, extra)
	if dirs, ok := f.runs[key]; ok {
		return dirs
	}
	if f.dir == "" {
		dir, err := os.MkdirTemp("", "snnsim-lt2021-")
		if err != nil {
			t.Fatal(err)
		}
		f.dir = dir
	}
	base := filepath.Join(f.dir, fmt.Sprintf("seed%d-%d", seed, len(f.runs)))
	scen := func(file string) string {
		text, err := os.ReadFile(filepath.Join("../../scenarios", file))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(base, "scenarios", file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(text, extra...), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	learn := filepath.Join(base, "learn")
	var out, errb bytes.Buffer
	args := []string{"run", scen(lt2021Protocols[0].scenario), "--seed", fmt.Sprint(seed), "--out", learn,
		"--stop-at", lt2021LearnEnd, "--progress", "none"}
	if code := run(args, &out, &errb); code != 3 {
		t.Fatalf("snnsim %v: exit %d, want 3 (stopped)\n%s%s", args, code, out.String(), errb.String())
	}
	var dirs []string
	for i, p := range lt2021Protocols {
		dir := filepath.Join(base, fmt.Sprintf("p%d", i))
		runCmd(t, "run", scen(p.scenario), "--seed", fmt.Sprint(seed), "--from", learn, "--out", dir,
			"--duration", p.duration, "--progress", "none")
		dirs = append(dirs, dir)
	}
	f.runs[key] = dirs
	return dirs
}
