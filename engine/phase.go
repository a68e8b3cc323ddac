package engine

import (
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// Phases without spiking (netlist.PhaseFastForward), the fast-forward
// consolidation of Luboeinski & Tetzlaff (2021).
//
// A phase [P0, P1) is not ticked: when the run reaches P0, every
// consolidation model puts its induction to rest
// (consolidation.FastForwarder.StopSpiking) and the spikes in flight that
// would arrive inside the phase are discarded; then the models are
// advanced with no spike (FastForward) in pieces that end at each tick at
// which a record samples or a level changes, so records inside the phase
// see the fast-forwarded state; at P1 every neuron population is moved
// P1 − P0 ticks later unchanged (neuron.Shifter), every Ornstein–Uhlenbeck
// current holds its value over the phase (source.OUCurrent.Hold) and the
// spikes that sources were due to emit inside the phase are dropped. The
// neurons therefore resume at P1 from the state they had after tick P0 − 1.
//
// Whether a phase's start and end have been handled follows from the
// engine's tick alone (the start iff Now() > P0, the end iff Now() >= P1),
// so a run split or resumed anywhere, inside a phase or at its edges,
// gives the same result as one run.

// phaseState is the engine's view of its phases without spiking.
type phaseState struct {
	list []*netlist.Phase              // the phases without spiking, in time order
	ffs  []consolidation.FastForwarder // every consolidation model, in group order
	next int                           // index in list of the first phase not yet over
}

// newPhases checks the network's phases and keeps those without spiking:
// each needs every consolidation model to fast-forward and every neuron
// population to shift.
func (e *Engine) newPhases() error {
	if len(e.net.Phases) == 0 {
		return nil
	}
	if err := e.net.CheckPhases(); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	var ps phaseState
	for _, ph := range e.net.Phases {
		if ph.Spiking() {
			continue
		}
		ps.list = append(ps.list, ph)
	}
	if len(ps.list) == 0 {
		return nil
	}
	ph := ps.list[0]
	for _, g := range e.groups {
		ff, ok := g.model.(consolidation.FastForwarder)
		if !ok {
			return fmt.Errorf("engine: phase %q turns spiking off, but the consolidation model %s onto %q cannot run without spikes (it is no consolidation.FastForwarder): give the phase mode %q",
				ph.Name, g.model.Name(), e.pops[g.pop].name, netlist.PhaseSpiking)
		}
		ps.ffs = append(ps.ffs, ff)
	}
	for i := range e.pops {
		if n := e.pops[i].neurons; n != nil {
			if _, ok := n.(neuron.Shifter); !ok {
				return fmt.Errorf("engine: phase %q turns spiking off, but population %q cannot be held still (its model is no neuron.Shifter)", ph.Name, e.pops[i].name)
			}
		}
	}
	e.phases = &ps
	return nil
}

// phaseNow returns the phase without spiking that holds tick Now(), or nil.
func (e *Engine) phaseNow() *netlist.Phase {
	ps := e.phases
	for ps.next < len(ps.list) && ps.list[ps.next].Stop <= e.now {
		ps.next++
	}
	if ps.next < len(ps.list) && ps.list[ps.next].Start <= e.now {
		return ps.list[ps.next]
	}
	return nil
}

// nextPhase returns the start of the next phase without spiking at or
// after Now(), or Never: a jump over a quiet period stops there.
func (e *Engine) nextPhase() snnsim.Time {
	if e.phases == nil {
		return snnsim.Never
	}
	ps := e.phases
	for k := ps.next; k < len(ps.list); k++ {
		if ps.list[k].Stop > e.now {
			return max(ps.list[k].Start, e.now)
		}
	}
	return snnsim.Never
}

// neuronTick returns the tick at which the neurons' state is read for
// tick t: inside a phase without spiking, the tick before the phase (the
// neurons are frozen there), else t.
func (e *Engine) neuronTick(t snnsim.Time) snnsim.Time {
	if e.phases == nil {
		return t
	}
	for _, ph := range e.phases.list[e.phases.next:] {
		if ph.Contains(t) && e.now < ph.Stop {
			return ph.Start - 1
		}
		if ph.Start > t {
			break
		}
	}
	return t
}

// fastForward runs the part of phase ph from Now() to min(ph.Stop, end),
// on one engine or on its workers (parallel_phase.go): the loop, its
// pieces (up to each sampled tick and each modulation) and its marks are
// the same, only entering, advancing and leaving the phase differ.
func (e *Engine) fastForward(ctx context.Context, ph *netlist.Phase, end snnsim.Time) error {
	enter, advance, leave := e.enterPhase, e.advancePhase, e.leavePhase
	if e.par != nil {
		enter, advance, leave = e.enterPhaseParallel, e.advancePhaseParallel, e.leavePhaseParallel
	}
	if e.now == ph.Start {
		if err := enter(ph); err != nil {
			return err
		}
	}
	stop := min(ph.Stop, end)
	for e.now < stop {
		t := stop - 1 // the last tick of this piece
		if e.rec != nil {
			t = min(t, max(e.rec.next, e.now))
		}
		if e.nextMod < len(e.net.Modulations) {
			t = min(t, max(e.net.Modulations[e.nextMod].At, e.now))
		}
		if err := advance(t); err != nil {
			return err
		}
		e.stats.TicksSkipped += int64(t + 1 - e.now)
		e.now = t + 1
		if e.now == ph.Stop {
			// Leave before the last sample: the neurons' state at the
			// phase's last tick is then their state before it.
			if err := leave(ph); err != nil {
				return err
			}
		}
		if e.rec != nil && e.now > e.rec.next {
			if err := e.sample(t); err != nil {
				return err
			}
		}
		if e.now == ph.Stop {
			return e.mark(ph.Stop, fmt.Sprintf("phase %s ends: spiking on", ph.Name))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// advancePhase fast-forwards the consolidation models to the end of tick
// t and applies the modulations due by then.
func (e *Engine) advancePhase(t snnsim.Time) error {
	for _, ff := range e.phases.ffs {
		ff.FastForward(t)
	}
	return e.applyMods(t)
}

// enterPhase stops spiking at the start of ph.
func (e *Engine) enterPhase(ph *netlist.Phase) error {
	t := ph.Start
	for _, ff := range e.phases.ffs {
		ff.StopSpiking(t)
	}
	for a := t; a < ph.Stop && a <= t+e.queue.mask && e.queue.pending > 0; a++ {
		e.queue.take(a) // spikes arriving inside the phase are lost
	}
	return e.mark(t, fmt.Sprintf("phase %s: spiking off until %.10g s", ph.Name, e.net.Clock.Seconds(ph.Stop)))
}

// leavePhase restarts spiking at the end of ph: neurons and currents
// resume from their state before the phase; sources drop the spikes they
// were due to emit inside it, and a source with a stimulus schedule writes
// the switches it made inside it (each at its tick), so that no switch
// waits in the source across a checkpoint.
func (e *Engine) leavePhase(ph *netlist.Phase) error {
	d := ph.Stop - ph.Start
	for i := range e.pops {
		p := &e.pops[i]
		if p.neurons != nil {
			p.neurons.(neuron.Shifter).Shift(d)
		}
		for _, o := range p.ous {
			if o.cur.Tick() < ph.Start {
				o.cur.Advance(ph.Start)
			}
			o.cur.Hold(ph.Stop)
		}
		if p.src != nil {
			for p.src.Next() < ph.Stop {
				p.fired = p.src.Fire(p.src.Next(), p.fired[:0])
			}
			p.fired = p.fired[:0]
			if p.switcher != nil {
				if err := e.switchMarks(ph.Stop, p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// mark passes a protocol mark to the OnMark callback, if any.
func (e *Engine) mark(t snnsim.Time, text string) error {
	if e.onMark == nil {
		return nil
	}
	if err := e.onMark(t, text); err != nil {
		return fmt.Errorf("engine: mark at tick %d: %w", t, err)
	}
	return nil
}
