package engine

import (
	"fmt"
	"sync"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// Phases without spiking (phase.go) on several workers: the driver keeps
// the list of phases and does in each worker what one worker does to its
// whole network, each worker to its own part: at the phase's start its
// consolidation models stop spiking and its queue drops the spikes that
// would arrive inside the phase; the models are fast-forwarded, in the
// workers at once, in the pieces one worker makes (up to each sampled
// tick); at the end its neurons are shifted and its OU currents held, and
// worker 0, which fires the sources, drops their spikes inside the phase.
// An epoch never crosses a phase's start, and the workers are idle
// (their fan-out done) while the driver runs a phase.

// driverPhases returns the driver's view of net's phases without spiking
// (no models: the workers' fast-forward theirs), or nil for none.
func driverPhases(net *netlist.Network) (*phaseState, error) {
	if len(net.Phases) == 0 {
		return nil, nil
	}
	if err := net.CheckPhases(); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	var ps phaseState
	for _, ph := range net.Phases {
		if !ph.Spiking() {
			ps.list = append(ps.list, ph)
		}
	}
	if len(ps.list) == 0 {
		return nil, nil
	}
	return &ps, nil
}

// eachWorker calls f for every worker, in a goroutine of its own but
// worker 0's, and returns when all have returned.
func (par *parallel) eachWorker(f func(we *Engine)) {
	var wg sync.WaitGroup
	for _, we := range par.workers[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(we)
		}()
	}
	f(par.workers[0])
	wg.Wait()
}

// advancePhaseParallel fast-forwards every worker's consolidation models
// to the end of tick t. A network with modulations runs on one worker, so
// there are none to apply.
func (e *Engine) advancePhaseParallel(t snnsim.Time) error {
	e.par.eachWorker(func(we *Engine) {
		for _, ff := range we.phases.ffs {
			ff.FastForward(t)
		}
		we.now = t + 1
	})
	return nil
}

// enterPhaseParallel stops spiking at the start of ph in every worker:
// the models stop, and the deliveries and input counts of the arrivals
// inside the phase are dropped, as are the restored ones that a
// checkpoint's queue would hold.
func (e *Engine) enterPhaseParallel(ph *netlist.Phase) error {
	par, t := e.par, ph.Start
	par.eachWorker(func(we *Engine) {
		for _, ff := range we.phases.ffs {
			ff.StopSpiking(t)
		}
		pt := we.part
		for a := t; a < ph.Stop && a <= t+max(we.queue.mask, pt.cmask); a++ {
			we.queue.take(a)
			for _, c := range pt.count {
				if c != nil {
					c[a&pt.cmask] = 0
				}
			}
		}
	})
	par.dropFrom, par.dropTo = ph.Start, ph.Stop
	return e.mark(t, fmt.Sprintf("phase %s: spiking off until %.10g s", ph.Name, e.net.Clock.Seconds(ph.Stop)))
}

// leavePhaseParallel restarts spiking at the end of ph in every worker, as
// leavePhase does on one.
func (e *Engine) leavePhaseParallel(ph *netlist.Phase) error {
	par, d := e.par, ph.Stop-ph.Start
	par.eachWorker(func(we *Engine) {
		for i := range we.pops {
			p := &we.pops[i]
			if p.neurons != nil {
				p.neurons.(neuron.Shifter).Shift(d)
			}
			for _, o := range p.ous {
				if o.cur.Tick() < ph.Start {
					o.cur.Advance(ph.Start)
				}
				o.cur.Hold(ph.Stop)
			}
		}
	})
	par.stepT = ph.Stop // the tick of a one-worker engine's OU currents
	w0 := par.workers[0]
	for i := range w0.pops {
		p := &w0.pops[i]
		if p.src == nil {
			continue
		}
		for p.src.Next() < ph.Stop {
			p.fired = p.src.Fire(p.src.Next(), p.fired[:0])
		}
		p.fired = p.fired[:0]
		if p.switcher != nil {
			e.switches = p.switcher.TakeSwitches(e.switches[:0])
			if err := e.markSwitches(ph.Stop, e.pops[i].name, e.switches); err != nil {
				return err
			}
		}
	}
	return nil
}
