package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/snnsim/snnsim/runner"
)

// progress shows how far a run is: a bar on a terminal, a plain line every
// few seconds otherwise (for log files and batch jobs), or nothing.
type progress struct {
	mode string // "bar", "log" or "none"
	w    io.Writer
	last time.Time
	bar  *progressbar.ProgressBar
}

// logEvery is the wall time between plain progress lines.
const logEvery = 5 * time.Second

func newProgress(mode string, w io.Writer) *progress {
	if mode == "auto" {
		mode = "log"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	return &progress{mode: mode, w: w, last: time.Now()}
}

// update reports how far the run is. The percentage, the time label and
// the speed all come from p (the speed from the ticks this process ran),
// so that they agree.
func (p *progress) update(r runner.Progress) {
	if p == nil {
		return
	}
	sim := r.Clock.Seconds(r.Now)
	el := r.Wall.Seconds()
	speed := 0.0
	if el > 0 {
		speed = r.Clock.Seconds(r.Now-r.Begin) / el
	}
	switch p.mode {
	case "bar":
		if p.bar == nil {
			p.bar = progressbar.NewOptions64(int64(r.End),
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription("simulating"),
				progressbar.OptionShowElapsedTimeOnFinish(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetWidth(30),
			)
		}
		// Both calls draw the bar (updates come between chunks of about a
		// tenth of a second, so no throttle is needed); the second drawing
		// shows the value and its label together.
		p.bar.Set64(int64(r.Now))
		p.bar.Describe(fmt.Sprintf("t = %s, %.3g sim-s/s", fmtSim(sim), speed))
	case "log":
		if time.Since(p.last) < logEvery {
			return
		}
		p.last = time.Now()
		fmt.Fprintln(p.w, logLine(r))
	}
}

// logLine is a plain progress line for r.
func logLine(r runner.Progress) string {
	sim, total := r.Clock.Seconds(r.Now), r.Clock.Seconds(r.End)
	el := r.Wall.Seconds()
	speed := 0.0
	if el > 0 {
		speed = r.Clock.Seconds(r.Now-r.Begin) / el
	}
	eta := "?"
	if speed > 0 {
		eta = fmt.Sprintf("%.0f s", (total-sim)/speed)
	}
	return fmt.Sprintf("snnsim: t = %s of %s (%.1f%%), %.3g simulated s per wall s, ETA %s",
		fmtSim(sim), fmtSim(total), 100*float64(r.Now)/float64(max(r.End, 1)), speed, eta)
}

func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
