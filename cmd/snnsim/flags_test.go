package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const quick = "../../scenarios/quickstart.toml"

var (
	shortRunOnce sync.Once
	shortRunDir  string
)

// shortRun returns the directory of a 0.2 s quickstart run (made once).
func shortRun(t *testing.T) string {
	t.Helper()
	shortRunOnce.Do(func() {
		dir, err := os.MkdirTemp("", "snnsim-flags")
		if err != nil {
			t.Fatal(err)
		}
		shortRunDir = filepath.Join(dir, "run")
		var out, errb bytes.Buffer
		if code := run([]string{"run", quick, "--duration", "0.2 s", "--progress", "none", "--out", shortRunDir}, &out, &errb); code != 0 {
			t.Fatalf("short run: %d %s", code, errb.String())
		}
	})
	return shortRunDir
}

// TestBadFlags runs every verb with mistyped flags, missing or bad values
// and wrong argument counts: each fails with its exit code and a message
// on stderr that says what is wrong (the flag, the value, a suggestion)
// and, for a usage error, the verb's usage; nothing goes to stdout.
func TestBadFlags(t *testing.T) {
	l := shortRun(t)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "never")
	cases := []struct {
		class string // what kind of mistake, for the tally
		args  []string
		code  int
		want  []string
	}{
		{"typo", []string{"run", quick, "--durtion", "1 s"}, 2, []string{"unknown flag --durtion (did you mean --duration?)", "Usage: snnsim run"}},
		{"typo", []string{"run", quick, "--prog", "none"}, 2, []string{"did you mean --progress?"}},
		{"typo", []string{"run", quick, "--chekpoint-every", "1s"}, 2, []string{"did you mean --checkpoint-every?"}},
		{"typo", []string{"run", quick, "--sed", "3"}, 2, []string{"did you mean --seed?"}},
		{"typo", []string{"run", quick, "--stopat", "1s"}, 2, []string{"did you mean --stop-at?"}},
		{"typo", []string{"run", quick, "--flush", "0"}, 2, []string{"did you mean --flush-interval?"}},
		{"one dash", []string{"run", quick, "-seed", "3"}, 2, []string{"unknown flag -seed: long flags take two dashes (did you mean --seed?)"}},
		{"unknown", []string{"run", quick, "--bogus"}, 2, []string{"unknown flag --bogus", "Usage: snnsim run"}},
		{"unknown", []string{"run", quick, "-x"}, 2, []string{"unknown flag -x"}},
		{"syntax", []string{"run", quick, "---seed", "3"}, 2, []string{`bad flag syntax "---seed"`}},
		{"no value", []string{"run", quick, "--out"}, 2, []string{"flag --out needs a value", "Usage: snnsim run"}},
		{"no value", []string{"run", quick, "--set"}, 2, []string{"flag --set needs a value"}},
		{"bad type", []string{"run", quick, "--seed", "abc"}, 2, []string{`--seed "abc": not a whole number >= 0`}},
		{"bad type", []string{"run", quick, "--seed", "-3"}, 2, []string{`--seed "-3": not a whole number >= 0`}},
		{"bad type", []string{"run", quick, "--seed", "1.5"}, 2, []string{`--seed "1.5"`}},
		{"bad type", []string{"run", quick, "--flush-interval", "2"}, 2, []string{`--flush-interval "2": not a duration`}},
		{"bad value", []string{"run", quick, "--progress", "foo"}, 2, []string{`--progress "foo": use one of auto, bar, log, none`}},
		{"bad value", []string{"run", quick, "--progress", "nne"}, 2, []string{`(did you mean none?)`}},
		{"bad value", []string{"run", quick, "--flush-interval", "-1s"}, 2, []string{"--flush-interval -1s: must be >= 0"}},
		{"bad value", []string{"run", quick, "--checkpoint-every", "-5m"}, 2, []string{`--checkpoint-every "-5m": must be > 0`}},
		{"bad value", []string{"run", quick, "--checkpoint-every", "abc"}, 2, []string{`--checkpoint-every "abc"`}},
		{"bad value", []string{"run", quick, "--checkpoint-every", "0.05 ms", "--out", out}, 2, []string{`--checkpoint-every "0.05 ms"`, "ticks"}},
		{"bad value", []string{"run", quick, "--stop-at", "0"}, 2, []string{`--stop-at "0": must be > 0`}},
		{"bad value", []string{"run", quick, "--stop-at", "3 s", "--out", out}, 2, []string{`--stop-at "3 s": at or after the end of the run (2 s)`}},
		{"bad value", []string{"run", quick, "--duration", "-1 s"}, 2, []string{`--duration "-1 s": must be > 0`}},
		{"bad value", []string{"run", quick, "--duration", "1 mV"}, 2, []string{`--duration "1 mV"`}},
		{"bad value", []string{"run", quick, "--duration", ""}, 2, []string{`--duration ""`}},
		{"bad value", []string{"run", quick, "--out", " "}, 2, []string{`--out " ": give a directory`}},
		{"bad value", []string{"run", quick, "--force"}, 2, []string{"--force needs --out"}},
		{"bad value", []string{"run", quick, "--set", "foo", "--out", out}, 1, []string{"--set foo: expected KEY=VALUE"}},
		{"bad value", []string{"run", quick, "--set", "simulation.sed=3", "--out", out}, 1, []string{"simulation.sed"}},
		{"arguments", []string{"run"}, 2, []string{"expected one SCENARIO argument, got none", "Usage: snnsim run"}},
		{"arguments", []string{"run", quick, "extra"}, 2, []string{`expected one SCENARIO argument, got 2: "../../scenarios/quickstart.toml" "extra"`}},
		{"file", []string{"run", "nosuch.toml", "--out", out}, 1, []string{"nosuch.toml"}},
		{"arguments", []string{"resume"}, 2, []string{"expected one RUN-DIR argument, got none", "Usage: snnsim resume"}},
		{"unknown", []string{"resume", l, "--bogus"}, 2, []string{"unknown flag --bogus", "Usage: snnsim resume"}},
		{"typo", []string{"resume", l, "--progres", "log"}, 2, []string{"did you mean --progress?"}},
		{"bad value", []string{"resume", l, "--progress", "foo"}, 2, []string{`--progress "foo"`}},
		{"file", []string{"resume", filepath.Join(tmp, "nosuch")}, 1, []string{"resume " + filepath.Join(tmp, "nosuch")}},
		{"file", []string{"resume", l}, 1, []string{"no checkpoint.snnckpt"}},
		{"arguments", []string{"validate"}, 2, []string{"expected at least one SCENARIO argument, got none", "Usage: snnsim validate"}},
		{"typo", []string{"validate", quick, "--sett", "a=1"}, 2, []string{"did you mean --set?"}},
		{"no value", []string{"validate", quick, "--set"}, 2, []string{"flag --set needs a value"}},
		{"arguments", []string{"inspect"}, 2, []string{"expected one LOG or RUN-DIR argument, got none", "Usage: snnsim inspect"}},
		{"typo", []string{"inspect", l, "--scenari"}, 2, []string{"did you mean --scenario?"}},
		{"bad type", []string{"inspect", l, "--scenario=perhaps"}, 2, []string{`--scenario "perhaps": not true or false`}},
		{"file", []string{"inspect", filepath.Join(tmp, "nosuch")}, 1, []string{"no such log file or run directory"}},
		{"typo", []string{"stats", l, "--form", "1s"}, 2, []string{"did you mean --from?"}},
		{"typo", []string{"stats", l, "--jsn"}, 2, []string{"did you mean --json?"}},
		{"bad type", []string{"stats", l, "--json=maybe"}, 2, []string{`--json "maybe": not true or false`}},
		{"bad value", []string{"stats", l, "--from", "abc"}, 1, []string{"--from"}},
		{"bad value", []string{"stats", l, "--from", "0.2 s", "--to", "0.1 s"}, 1, []string{"--to must be after --from"}},
		{"arguments", []string{"stats", l, l}, 2, []string{"expected one LOG or RUN-DIR argument, got 2"}},
		{"typo", []string{"plot", l, "--kinds", "raster"}, 2, []string{"unknown flag --kinds", "Usage: snnsim plot"}},
		{"typo", []string{"plot", l, "--onyl", "raster"}, 2, []string{"unknown flag --onyl (did you mean --only?)"}},
		{"bad value", []string{"plot", l, "--format", "gif", "--out", out}, 1, []string{`--format "gif"`}},
		{"bad type", []string{"plot", l, "--dpi", "abc"}, 2, []string{`--dpi "abc": not a number`}},
		{"bad type", []string{"plot", l, "--traces", "x"}, 2, []string{`--traces "x": not a whole number`}},
		{"arguments", []string{"plot"}, 2, []string{"expected one LOG or RUN-DIR argument, got none"}},
		{"typo", []string{"export", l, "--fmt", "csv"}, 2, []string{"unknown flag --fmt (did you mean --format?)", "Usage: snnsim export"}},
		{"bad value", []string{"export", l, "--format", "xls", "--out", out}, 2, []string{`--format "xls"`}},
		{"no value", []string{"export", l, "--out"}, 2, []string{"flag --out needs a value"}},
		{"unknown", []string{"gallery", out, "--bogus"}, 2, []string{"unknown flag --bogus", "Usage: snnsim gallery"}},
		{"arguments", []string{"gallery"}, 2, []string{"expected one DIR argument, got none"}},
		{"command", []string{"rn", quick}, 2, []string{`unknown command "rn" (did you mean run?)`, "Usage:"}},
		{"command", []string{"help", "bogus"}, 2, []string{`unknown command "bogus"`}},
		{"command", nil, 2, []string{"Usage:"}},
	}
	tally := map[string]int{}
	codes := map[int]int{}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		tally[c.class]++
		codes[code]++
		if code != c.code {
			t.Errorf("snnsim %q: exit %d, want %d\n%s", c.args, code, c.code, stderr.String())
			continue
		}
		msg := stderr.String()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("snnsim %q: stderr does not say %q:\n%s", c.args, w, msg)
			}
		}
		if stdout.Len() > 0 {
			t.Errorf("snnsim %q: wrote to stdout: %s", c.args, stdout.String())
		}
	}
	if len(cases) < 40 {
		t.Errorf("%d cases", len(cases))
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused run created its directory %s", out)
	}
	var classes []string
	for k, n := range tally {
		classes = append(classes, k+" "+strconv.Itoa(n))
	}
	sort.Strings(classes)
	t.Logf("%d cases: %s; exit codes %v", len(cases), strings.Join(classes, ", "), codes)
}

// TestHelp: 'snnsim help VERB', 'VERB --help' and 'VERB -h' print the
// verb's usage on stdout and exit 0.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"--help"}, {"help", "run"}, {"run", "--help"}, {"run", "-h"}, {"run", "scenario.toml", "--help"},
		{"help", "resume"}, {"resume", "--help"}, {"validate", "--help"}, {"help", "inspect"}, {"stats", "-h"},
		{"plot", "--help"}, {"export", "--help"}, {"help", "version"}, {"gallery", "--help"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		want := "Usage:\n  snnsim run"
		if len(args) > 1 {
			verb := args[0]
			if verb == "help" {
				verb = args[1]
			}
			want = "Usage: snnsim " + verb
		}
		if code != 0 || !strings.Contains(stdout.String(), want) || stderr.Len() > 0 {
			t.Errorf("snnsim %q: exit %d, stdout %q, stderr %q; want 0 and %q on stdout", args, code, head(stdout.String()), stderr.String(), want)
		}
	}
}

func head(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TestDidYouMean checks the suggestions against hand-counted edit
// distances.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct{ a, b string }{{"", ""}, {"durtion", "duration"}, {"kitten", "sitting"}, {"fmt", "format"}, {"abc", ""}} {
		want := map[string]int{"": 0, "durtion": 1, "kitten": 3, "fmt": 3, "abc": 3}[c.a]
		if got := editDistance(c.a, c.b); got != want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, want)
		}
	}
	names := []string{"out", "seed", "duration", "progress", "flush-interval", "checkpoint-every", "stop-at", "set", "force"}
	for typed, want := range map[string]string{
		"durtion": "duration", "sed": "seed", "seeds": "seed", "ot": "out", "forse": "force", "check": "checkpoint-every",
		"xyzzy": "", "q": "", "flush": "flush-interval", "stopat": "stop-at", "prog": "progress",
	} {
		got := didYouMean(typed, names, "--")
		if want == "" && got != "" || want != "" && !strings.Contains(got, "--"+want) {
			t.Errorf("didYouMean(%q) = %q, want %q", typed, got, want)
		}
	}
}
