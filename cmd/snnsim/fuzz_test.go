package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/scenario"
)

// FuzzCommandLine runs the command line with arbitrary arguments (NUL
// separates them) in an empty directory, where no scenario or log exists:
// it must not panic, must exit with 0, 1 or 2, and every non-zero exit
// must come with a message. Arguments with a slash are skipped, so that no
// path outside the directory is read or written.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{
		"run\x00x.toml\x00--durtion\x001 s", "run\x00x.toml\x00--seed\x00abc", "run\x00--bogus", "run\x00x.toml\x00--out",
		"plot\x00x\x00--kinds", "export\x00x\x00--fmt", "run\x00--help", "help\x00run", "resume\x00--help", "resume\x00.",
		"run\x00x.toml\x00--progress\x00foo", "run\x00x.toml\x00--flush-interval\x00-1s", "run\x00x.toml\x00--checkpoint-every\x00-1m",
		"stats\x00x\x00--from\x00", "validate\x00x.toml\x00--set\x00a=b", "inspect\x00.", "run\x00-seed\x003", "version", "",
		"run\x00x.toml\x00--set\x00=\x00--force", "run\x00x.toml\x00--\x00--seed",
		"sweep\x00x.toml\x00--out\x00d\x00--grid\x00a.b=1,2", "sweep\x00status\x00d", "sweep\x00run-point\x00d\x000",
		"sweep\x00plot\x00d\x00--x\x00a", "collect\x00d\x00--metric\x00rate:E", "sweep\x00x.toml\x00--seeds\x000..",
	} {
		f.Add(s)
	}
	f.Chdir(f.TempDir())
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		if line == "" {
			args = nil
		}
		for _, a := range args {
			if strings.ContainsAny(a, `/\`) {
				t.Skip()
			}
		}
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		switch {
		case code != 0 && code != 1 && code != 2:
			t.Errorf("snnsim %q: exit %d", args, code)
		case code != 0 && strings.TrimSpace(stderr.String()) == "":
			t.Errorf("snnsim %q: exit %d without a message", args, code)
		case code == 0 && stdout.Len() == 0 && stderr.Len() == 0:
			t.Errorf("snnsim %q: exit 0 and no output", args)
		}
		// Nothing may be left behind but what a refused run never makes.
		if des, _ := os.ReadDir("."); len(des) > 0 {
			for _, de := range des {
				os.RemoveAll(de.Name())
			}
		}
	})
}

// FuzzSetOverride applies an arbitrary --set KEY=VALUE to the quickstart
// scenario: it must not panic, and a refusal must say where the problem
// is: the --set, or the key in the file that the override made invalid
// (such as a record whose new kind needs a sample interval).
func FuzzSetOverride(f *testing.F) {
	text, err := os.ReadFile(quick)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"simulation.seed=7", "population.E.params.tau_m=30 ms", "population.1.size=10", `population."E".size=5`,
		"projection.E_to_I.weight=2 mV", "record.0.what=v", "simulation.duration=", "=", "a.b.c", "population.E.params={tau_m=\"1 ms\"}",
		"population.9.size=1", "simulation.seed=-1", "population.E.init.v.uniform=[\"-70 mV\"]", `"a.b".c=1`, "simulation..seed=1",
		"population.E.params.tau_m=[1,2]", "simulation.resolution=0 ms",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, set string) {
		_, err := scenario.DecodeOverrides("quickstart.toml", text, []string{set})
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.Contains(msg, "--set") && !strings.Contains(msg, "quickstart.toml:") {
			t.Errorf("--set %q: the error names neither the --set nor a line of the file: %s", set, msg)
		}
	})
}
