package engine

import (
	"errors"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// ErrRunaway is wrapped by the error that stops a run whose population
// fires faster than a guard allows (netlist.Guard).
var ErrRunaway = errors.New("engine: runaway activity")

// guard is a netlist.Guard at run time: the bin being counted.
type guard struct {
	netlist.Guard
	start  snnsim.Time // first tick of the bin
	count0 int64       // the population's spike count before start
}

// checkGuards runs after tick t: every guard whose bin ends with t compares
// the bin's rate with its limit. Bins that a jump over a quiet period
// skipped hold no spikes, so they are folded into the next stepped bin.
func (e *Engine) checkGuards(t snnsim.Time) error {
	for i := range e.guards {
		g := &e.guards[i]
		if t+1-g.start < g.Window {
			continue
		}
		n := e.stats.Spikes[g.Population] - g.count0
		secs := e.net.Clock.Seconds(t + 1 - g.start)
		rate := float64(n) / float64(e.net.Populations[g.Population].Size) / secs
		if rate > g.MaxRate {
			return fmt.Errorf("%w: population %q fired at %.3g Hz from %s to %s, above its [[guard]] limit of %g Hz; "+
				"the run stopped there: check the weights and the drive",
				ErrRunaway, e.pops[g.Population].name, rate, fmtMs(e.net.Clock.Ms(g.start)), fmtMs(e.net.Clock.Ms(t+1)), g.MaxRate)
		}
		g.start, g.count0 = t+1, e.stats.Spikes[g.Population]
	}
	return nil
}

func fmtMs(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
