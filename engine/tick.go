package engine

import (
	"context"
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/spikelog"
)

// Run simulates the next d ticks, from Now() to Now()+d. It returns early,
// at a tick boundary, with ctx.Err() when ctx is cancelled, or with the first
// error of a sink; in both cases the engine is consistent and Run may be
// called again. Calls can be split at any tick without changing a spike.
func (e *Engine) Run(ctx context.Context, d snnsim.Time) error {
	if d < 0 {
		return fmt.Errorf("engine: Run: negative duration %d ticks", d)
	}
	end := e.now + d
	if end < e.now {
		end = snnsim.Never
	}
	if e.par != nil {
		return e.runParallel(ctx, end)
	}
	// The context is looked at on every tick: a tick of a network in
	// runaway activity can take a tenth of a second, so a check every so
	// many ticks would leave Ctrl-C unanswered for minutes, and a
	// non-blocking receive on Done costs no lock, unlike ctx.Err().
	done := ctx.Done()
	for e.now < end {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
		if e.phases != nil {
			if ph := e.phaseNow(); ph != nil {
				if err := e.fastForward(ctx, ph, end); err != nil {
					return err
				}
				continue
			}
		}
		if e.cfg.Shortcuts == ShortcutsOn && !e.busy() {
			next := min(e.nextEvent(), end)
			if next > e.now {
				e.stats.TicksSkipped += int64(next - e.now)
				e.now = next
				if err := ctx.Err(); err != nil {
					return err
				}
				continue
			}
		}
		if err := e.tick(e.now); err != nil {
			return err
		}
		e.now++
		e.stats.TicksStepped++
		if len(e.guards) > 0 {
			if err := e.checkGuards(e.now - 1); err != nil {
				return err
			}
		}
		if e.rec != nil && e.now > e.rec.next { // 7. probes (record.go)
			if err := e.sample(e.now - 1); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// busy reports whether some neuron must be stepped at the current tick.
func (e *Engine) busy() bool {
	for i := range e.pops {
		if n := e.pops[i].neurons; n != nil && n.Active() > 0 {
			return true
		}
	}
	return false
}

// nextEvent returns the earliest tick >= now with something to do when no
// neuron is active.
func (e *Engine) nextEvent() snnsim.Time {
	next := e.queue.next(e.now)
	for i := range e.pops {
		if s := e.pops[i].src; s != nil && (e.part == nil || e.part.sources) {
			next = min(next, s.Next())
		}
	}
	if e.nextStim < len(e.stims) {
		next = min(next, e.stims[e.nextStim].t)
	}
	next = min(next, e.nextOU())
	if e.nextMod < len(e.net.Modulations) {
		next = min(next, e.net.Modulations[e.nextMod].At)
	}
	for _, g := range e.groups {
		next = min(next, g.model.Next())
	}
	if len(e.pending) > 0 {
		next = e.now // injected spikes or inputs wait at this tick
	}
	if e.rec != nil {
		next = min(next, e.rec.next) // a probe acts after this tick
	}
	return min(next, e.nextPhase())
}

// tick does the work of tick t in the order documented in the package.
func (e *Engine) tick(t snnsim.Time) error {
	if len(e.pending) > 0 {
		defer func() { e.pending = e.pending[:0] }()
	}
	if e.part != nil {
		e.part.due = e.part.dueAt(e, t)
	}
	// 0. consolidation clocks
	if len(e.groups) > 0 {
		e.advanceGroups(t)
	}
	// 1. stimuli, neuromodulators and drugs
	if err := e.applyMods(t); err != nil {
		return err
	}
	for e.nextStim < len(e.stims) && e.stims[e.nextStim].t <= t {
		st := e.stims[e.nextStim]
		e.applyStim(t, st)
		e.nextStim++
		if e.onMark != nil {
			if err := e.onMark(t, fmt.Sprintf("current_step on %s: %+g pA", e.pops[st.pop].name, st.delta)); err != nil {
				return fmt.Errorf("engine: mark at tick %d: %w", t, err)
			}
		}
	}
	e.applyOU(t)
	// 2. delivery (and inputs injected from outside)
	if len(e.pending) > 0 {
		e.applyInputs(t)
	}
	ds := e.queue.take(t)
	if len(ds) > 1 {
		e.touchRows(ds)
	}
	for _, d := range ds {
		p := &e.projs[d.proj]
		if p.preUpdate != nil {
			ws := p.consPreFused(t, d.src, d.lo, d.hi)
			e.stats.PlasticityUpdates += d.hi - d.lo
			if p.stp != nil {
				scaleRow(ws, d.scale)
			}
			p.target.Deliver(t, p.Receptor, p.Target[d.lo:d.hi], ws)
			e.stats.SynapticEvents += d.hi - d.lo
			continue
		}
		if p.consGroup != nil {
			p.consPre(t, d.src, d.lo, d.hi)
			e.stats.PlasticityUpdates += d.hi - d.lo
		} else if p.plastic != nil {
			p.pre(t, d.src, d.lo, d.hi)
			e.stats.PlasticityUpdates += d.hi - d.lo
		}
		var ws []float32
		if p.w != nil {
			ws = p.w[d.lo:d.hi]
		} else {
			ws = p.constW[:d.hi-d.lo]
		}
		if p.stp != nil {
			ws = p.scaled(ws, d.scale)
		}
		p.target.Deliver(t, p.Receptor, p.Target[d.lo:d.hi], ws)
		e.stats.SynapticEvents += d.hi - d.lo
	}
	// 3 and 4: sources and neurons
	if e.part != nil {
		return e.partTick(t)
	}
	any := false
	for i := range e.pops {
		p := &e.pops[i]
		p.fired = p.fired[:0]
		if p.src != nil {
			if p.src.Next() == t {
				p.fired = p.src.Fire(t, p.fired)
				if p.switcher != nil {
					if err := e.switchMarks(t, p); err != nil {
						return err
					}
				}
			}
			if len(e.pending) > 0 {
				p.fired = e.injectedSpikes(t, i, p.fired)
			}
		} else if t > 0 && p.neurons.Active() > 0 { // the initial state is the state at tick 0
			p.fired = p.neurons.Update(t, p.fired)
		}
		if len(p.fired) > 0 {
			any = true
			e.stats.Spikes[i] += int64(len(p.fired))
		}
	}
	// 4b. postsynaptic side of plasticity, then 5. fan-out
	for i := range e.pops {
		p := &e.pops[i]
		if len(p.fired) == 0 {
			continue
		}
		for _, k := range p.in {
			if pr := &e.projs[k]; pr.consGroup != nil {
				pr.consPost(t, p.fired)
			} else {
				pr.post(t, p.fired)
				e.stats.PlasticityUpdates += pr.inSynapses(p.fired)
			}
		}
		for _, k := range p.out {
			e.fanOut(t, int32(k), p.fired)
		}
		if e.popCounters {
			e.countPopulation(t, i, len(p.fired))
		}
	}
	// 5b. consolidation: voltage-based induction and postsynaptic spikes
	if len(e.groups) > 0 {
		for i := range e.pops {
			if len(e.pops[i].groups) > 0 {
				e.consAfterUpdate(t, i, e.pops[i].fired)
			}
		}
	}
	if !any {
		return nil
	}
	// 6. sinks
	return e.toSinks(t)
}

// toSinks passes the spikes of tick t (the populations' fired lists) to the sinks.
func (e *Engine) toSinks(t snnsim.Time) error {
	for _, s := range e.sinks {
		e.sinkIDs = e.sinkIDs[:0]
		for i := range e.pops {
			if !s.keep[i] {
				continue
			}
			off := e.pops[i].offset
			for _, j := range e.pops[i].fired {
				e.sinkIDs = append(e.sinkIDs, snnsim.NeuronID(off+j))
			}
		}
		if len(e.sinkIDs) == 0 {
			continue
		}
		if err := s.sink.Spikes(t, e.sinkIDs); err != nil {
			return fmt.Errorf("engine: sink at tick %d: %w", t, err)
		}
	}
	return nil
}

// fanOut queues the deliveries of the spikes fired at t through projection k.
func (e *Engine) fanOut(t snnsim.Time, k int32, fired []int32) {
	p := &e.projs[k]
	if p.stp != nil {
		e.fanOutSTP(t, p, k, fired)
		return
	}
	if p.segRow == nil {
		at := t + p.ConstDelay
		for _, i := range fired {
			lo, hi := p.RowStart[i], p.RowStart[i+1]
			if lo < hi {
				e.queue.push(at, delivery{k, i, lo, hi, 0})
			}
		}
		return
	}
	for _, i := range fired {
		lo := p.RowStart[i]
		for g := p.segRow[i]; g < p.segRow[i+1]; g++ {
			hi := p.segEnd[g]
			e.queue.push(t+p.segDelay[g], delivery{k, i, lo, hi, 0})
			lo = hi
		}
	}
}

// applyStim changes the stimulus current of the event's neurons.
func (e *Engine) applyStim(t snnsim.Time, s stimEvent) {
	p := &e.pops[s.pop]
	if p.bias == nil {
		p.bias = make([]float64, p.neurons.Len())
	}
	set := func(i int) {
		p.bias[i] += s.delta
		p.neurons.SetBias(t, i, p.total(i))
	}
	if s.ids == nil {
		for i := range p.bias {
			set(i)
		}
		return
	}
	for _, i := range s.ids {
		set(i)
	}
}

// switchMarks writes the schedule switches that a source made at t as
// marks (spikelog.PatternMark).
func (e *Engine) switchMarks(t snnsim.Time, p *pop) error {
	e.switches = p.switcher.TakeSwitches(e.switches[:0])
	return e.markSwitches(t, p.name, e.switches)
}

// markSwitches writes the schedule switches of the source population
// named name, taken at t, as marks.
func (e *Engine) markSwitches(t snnsim.Time, name string, switches []source.Switch) error {
	if e.onMark == nil {
		return nil
	}
	for _, sw := range switches {
		text := spikelog.PatternMark(spikelog.PatternPhase, name, sw.Phase)
		switch {
		case sw.Pattern >= 0 && sw.On:
			text = spikelog.PatternMark(spikelog.PatternOn, name, sw.Pattern)
		case sw.Pattern >= 0:
			text = spikelog.PatternMark(spikelog.PatternOff, name, sw.Pattern)
		}
		if err := e.onMark(sw.T, text); err != nil {
			return fmt.Errorf("engine: mark at tick %d: %w", t, err)
		}
	}
	return nil
}

// touchRows reads the first cache lines of every delivery's targets and
// weights before the deliveries of a tick are processed. Each delivery
// starts at a random place in the synapse arrays, so its first lines miss
// the caches; read one delivery after another, those misses wait for each
// other, while here they are independent loads that the processor has in
// flight at once, and the hardware prefetcher then streams the rest of
// each row. A worker of a parallel run, which reads only its part of each
// row, pays such a start for every spike, so the gain is largest there.
// Nothing is computed from the loads: their sum is kept only so that the
// compiler does not drop them.
func (e *Engine) touchRows(ds []delivery) {
	var x uint32
	for _, d := range ds {
		p := &e.projs[d.proj]
		hi := min(d.hi, d.lo+touchLen)
		tg := p.Target[d.lo:hi]
		for k := 0; k < len(tg); k += 16 { // 16 int32: a 64-byte line
			x += uint32(tg[k])
		}
		if p.w != nil {
			w := p.w[d.lo:hi]
			for k := 0; k < len(w); k += 16 {
				x += math.Float32bits(w[k])
			}
		}
	}
	e.touchSum += x
}

// touchLen is the number of synapses of a delivery that touchRows reads
// ahead: 4 lines of targets and 4 of weights.
const touchLen = 64
