package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/snnsim/snnsim"
)

// progress shows how far a run is: a bar on a terminal, a plain line every
// few seconds otherwise (for log files and batch jobs), or nothing.
type progress struct {
	mode  string // "bar", "log" or "none"
	w     io.Writer
	clock snnsim.Clock
	total snnsim.Time
	start time.Time
	last  time.Time
	bar   *progressbar.ProgressBar
}

// logEvery is the wall time between plain progress lines.
const logEvery = 5 * time.Second

func newProgress(mode string, w io.Writer, c snnsim.Clock, total snnsim.Time) *progress {
	if mode == "auto" {
		mode = "log"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	p := &progress{mode: mode, w: w, clock: c, total: total, start: time.Now()}
	p.last = p.start
	if mode == "bar" {
		p.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("simulating"),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
	}
	return p
}

// update reports that the simulation has reached tick now (counted from the
// run's start).
func (p *progress) update(now snnsim.Time) {
	switch p.mode {
	case "bar":
		el := time.Since(p.start).Seconds()
		if el > 0 {
			p.bar.Describe(fmt.Sprintf("t = %s, %.3g sim-s/s", fmtSim(p.clock.Seconds(now)), p.clock.Seconds(now)/el))
		}
		p.bar.Set64(int64(now))
	case "log":
		if time.Since(p.last) < logEvery {
			return
		}
		p.last = time.Now()
		el := p.last.Sub(p.start).Seconds()
		sim := p.clock.Seconds(now)
		speed := sim / el
		eta := "?"
		if speed > 0 {
			eta = fmt.Sprintf("%.0f s", (p.clock.Seconds(p.total)-sim)/speed)
		}
		fmt.Fprintf(p.w, "snnsim: t = %s of %s (%.1f%%), %.3g simulated s per wall s, ETA %s\n",
			fmtSim(sim), fmtSim(p.clock.Seconds(p.total)), 100*float64(now)/float64(max(p.total, 1)), speed, eta)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
