package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/runner"
)

// TestProgressAgrees: the percentage shown is the one of the time label
// shown with it (t / duration), on the bar and in the plain lines, and the
// speed counts only the ticks of this process (after a resume, not the
// checkpoint's).
func TestProgressAgrees(t *testing.T) {
	clock := snnsim.Clock{DT: 0.1}
	var buf bytes.Buffer
	p := newProgress("bar", &buf)
	for _, now := range []snnsim.Time{2500, 5000, 7500} {
		buf.Reset()
		p.update(runner.Progress{Now: now, Begin: 0, End: 10000, Clock: clock, Wall: time.Second})
		frames := regexp.MustCompile(`t = ([0-9.]+) ms, [^ ]+ sim-s/s +(\d+)%`).FindAllStringSubmatch(buf.String(), -1)
		if len(frames) == 0 {
			t.Fatalf("no frame with t = and a percentage in %q", buf.String())
		}
		last := frames[len(frames)-1]
		ms, _ := strconv.ParseFloat(last[1], 64)
		pct, _ := strconv.Atoi(last[2])
		if want := int(100 * ms / 1000); pct != want {
			t.Errorf("bar shows t = %s ms with %d%%, want %d%%: %q", last[1], pct, want, last[0])
		}
	}
	p.finish()

	line := logLine(runner.Progress{Now: 7500, Begin: 5000, End: 10000, Clock: clock, Wall: 2 * time.Second})
	if want := "snnsim: t = 750 ms of 1 s (75.0%), 0.125 simulated s per wall s, ETA 2 s"; line != want {
		t.Errorf("log line %q, want %q", line, want)
	}
}
