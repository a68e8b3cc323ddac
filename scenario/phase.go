package scenario

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
)

// PhaseSpec is a [[phase]] table: a named stretch [Start, Stop) of the run
// and how it runs (see the package doc, Phases).
type PhaseSpec struct {
	Name        string
	Start, Stop float64 // [ms]
	Mode        string  // "spiking" (default) or "fast_forward"
}

// phaseModes are the values of a phase's mode.
var phaseModes = []string{string(netlist.PhaseSpiking), string(netlist.PhaseFastForward)}

func (d *decoder) phase(t *table) *PhaseSpec {
	p := &PhaseSpec{Mode: string(netlist.PhaseSpiking)}
	p.Name, _ = t.str("name", true)
	p.Start, _ = t.quantity("start", snnsim.TimeDim, true)
	p.Stop, _ = t.quantity("stop", snnsim.TimeDim, true)
	if m, ok := t.str("mode", false); ok {
		p.Mode = m
	}
	t.done()
	return p
}

// phases checks the [[phase]] tables: names, times on the grid inside the
// run, no overlap, and for a phase without spiking the models it needs and
// no stimulus switching inside it.
func (c *checker) phases() {
	s := c.s
	names := map[string]int{}
	type span struct {
		i           int
		start, stop float64
	}
	var spans []span
	for i, p := range s.Phases {
		key := indexKey("phase", i)
		if p == nil {
			c.errorf(key, "missing")
			continue
		}
		if err := nameError(p.Name); err != nil {
			c.add(key+".name", err)
		} else if j, dup := names[p.Name]; dup {
			c.errorf(key+".name", "duplicate phase name %q (phase[%d] has it too)", p.Name, j)
		} else {
			names[p.Name] = i
		}
		if !slices.Contains(phaseModes, p.Mode) {
			c.errorf(key+".mode", "unknown mode %q%s: a phase is %s", p.Mode, didYouMean(p.Mode, phaseModes), orList(phaseModes))
		}
		startOK := c.grid(key+".start", p.Start)
		stopOK := c.grid(key+".stop", p.Stop)
		dur := s.Duration
		switch {
		case !startOK:
		case !(p.Start > 0):
			c.errorf(key+".start", "%s: must be > 0 (tick 0 is the initial state)", fmtTime(p.Start))
			startOK = false
		case p.Start >= dur:
			c.errorf(key+".start", "%s: must be before the end of the run (simulation.duration = %s)", fmtTime(p.Start), fmtTime(dur))
			startOK = false
		}
		switch {
		case !stopOK:
		case startOK && !(p.Stop > p.Start):
			c.errorf(key+".stop", "%s: must be after start (%s)", fmtTime(p.Stop), fmtTime(p.Start))
			stopOK = false
		case p.Stop > dur:
			c.errorf(key+".stop", "%s: after the end of the run (simulation.duration = %s): end the phase by then", fmtTime(p.Stop), fmtTime(dur))
			stopOK = false
		}
		if startOK && stopOK {
			spans = append(spans, span{i, p.Start, p.Stop})
		}
		if p.Mode == string(netlist.PhaseFastForward) {
			c.fastForwardModels(key + ".mode")
		}
	}
	slices.SortStableFunc(spans, func(a, b span) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	for k := 1; k < len(spans); k++ {
		a, b := spans[k-1], spans[k]
		if b.start < a.stop {
			c.errorf(indexKey("phase", b.i)+".start", "%s: phase %q [%s, %s) overlaps phase %q [%s, %s): phases must not overlap",
				fmtTime(b.start), s.Phases[b.i].Name, fmtTime(b.start), fmtTime(b.stop), s.Phases[a.i].Name, fmtTime(a.start), fmtTime(a.stop))
		}
	}
	for _, sp := range spans {
		p := s.Phases[sp.i]
		if p.Mode != string(netlist.PhaseFastForward) {
			continue
		}
		for k, st := range s.Stimuli {
			if st == nil {
				continue
			}
			for _, e := range []struct {
				key string
				at  float64
			}{{"start", st.Start}, {"stop", st.Stop}} {
				if e.at >= p.Start && e.at < p.Stop {
					c.errorf(indexKey("stimulus", k)+"."+e.key, "%s: inside phase %q [%s, %s), in which spiking is off and neurons are frozen: move the stimulus's %s out of the phase",
						fmtTime(e.at), p.Name, fmtTime(p.Start), fmtTime(p.Stop), e.key)
				}
			}
		}
	}
}

// fastForwardModels reports, at key, every projection whose consolidation
// model cannot run without spikes.
func (c *checker) fastForwardModels(key string) {
	var can []string
	for _, name := range consolidationModels.names() {
		if p, ok := consolidationModels.lookup(name); ok && consolidation.CanFastForward(p) {
			can = append(can, name)
		}
	}
	list := "none can"
	if len(can) > 0 {
		list = "models that can: " + strings.Join(can, ", ")
	}
	for i, p := range c.s.Projections {
		if p == nil || p.Consolidation == nil || consolidation.CanFastForward(p.Consolidation) {
			continue
		}
		c.errorf(key, "%q: projection[%d] (%s) has the consolidation model %s, which cannot run without spikes (%s); use mode = %q",
			netlist.PhaseFastForward, i, p.Name, p.Consolidation.Model(), list, netlist.PhaseSpiking)
	}
}

// compilePhases returns the network's phases in time order.
func (s *Scenario) compilePhases(clock snnsim.Clock) []*netlist.Phase {
	var out []*netlist.Phase
	for _, p := range s.Phases {
		start, _ := clock.Ticks(p.Start)
		stop, _ := clock.Ticks(p.Stop)
		out = append(out, &netlist.Phase{Name: p.Name, Start: start, Stop: stop, Mode: netlist.PhaseMode(p.Mode)})
	}
	slices.SortStableFunc(out, func(a, b *netlist.Phase) int { return int(min(max(a.Start-b.Start, -1), 1)) })
	return out
}

// fmtTime writes a time [ms] for a message: in s from 1 s on.
func fmtTime(ms float64) string {
	if math.Abs(ms) >= 1000 && !math.IsInf(ms, 0) {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
