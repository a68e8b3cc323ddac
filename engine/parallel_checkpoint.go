package engine

import (
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// A run on several workers writes the checkpoint that one worker would
// write at the same tick, and restores any checkpoint into any number of
// workers: the driver joins the workers' parts into a one-worker engine
// (tmp below) that writes it, or restores it into such an engine and
// splits that among the workers. The spikes in flight are not the
// workers' queues, which hold each worker's share of a delivery, but the
// one-worker queue, which the driver rebuilds from the spikes of the last
// maxDelay ticks that the workers keep (partOf.hist) and the deliveries it
// restored, in the order one worker queues them.

// SerialCheckpoints returns why an engine for net on several workers
// cannot write or restore checkpoints (it then runs on one when it must),
// or "": the reason that keeps the network on one worker. Every state of
// a network that runs on several workers is joined from the workers'
// parts for a checkpoint and split among them on a restore: the neurons,
// plasticity rules, short-term plasticity, consolidation models
// (consolidation.JoinParts) and OU currents (source.JoinOUParts).
func SerialCheckpoints(net *netlist.Network) string {
	return serialOnly(net)
}

// canCheckpoint reports whether e runs on several workers and can write
// and restore checkpoints there.
func (e *Engine) canCheckpoint() bool {
	return e.par != nil && SerialCheckpoints(e.net) == ""
}

// queued is a delivery restored from a checkpoint with its arrival tick.
type queued struct {
	at snnsim.Time
	d  delivery
}

// joined returns a one-worker engine in the state of e's workers, for a
// checkpoint; it shares e's sources, probes and guards.
func (e *Engine) joined() (*Engine, error) {
	par := e.par
	tmp, err := newEngine(e.net, Config{Shortcuts: e.cfg.Shortcuts, Weights: WeightsInPlace, stateOnly: true}, nil)
	if err != nil {
		return nil, err
	}
	tmp.now, tmp.nextStim = e.now, e.nextStim
	tmp.stats = e.Stats()
	tmp.guards, tmp.rec = e.guards, e.rec
	if err := par.joinProjections(tmp); err != nil {
		return nil, err
	}
	if err := par.joinGroups(tmp); err != nil {
		return nil, err
	}
	for i := range tmp.pops {
		p := &tmp.pops[i]
		if p.src != nil {
			w0 := &par.workers[0].pops[i]
			p.src, p.rng, p.switcher = w0.src, w0.rng, w0.switcher
			continue
		}
		parts, firsts := par.parts(i)
		if err := neuron.JoinParts(p.neurons, parts, firsts); err != nil {
			return nil, err
		}
		for q, o := range p.ous {
			if err := source.JoinOUParts(o.cur, par.ouParts(i, q), par.stepT); err != nil {
				return nil, fmt.Errorf("engine: checkpoint: %w", err)
			}
		}
		for w, we := range par.workers {
			if b := we.pops[i].bias; b != nil {
				if p.bias == nil {
					p.bias = make([]float64, p.neurons.Len())
				}
				copy(p.bias[firsts[w]:], b)
			}
		}
	}
	// The spikes in flight: those restored, then those fanned out since.
	for _, r := range par.restored {
		if r.at >= e.now {
			tmp.queue.push(r.at, r.d)
		}
	}
	var fired []int32
	for s := max(e.now-par.maxDelay, par.restoredAt); s < e.now; s++ {
		h := s & par.hmask
		if par.workers[0].part.histT[h] != s {
			continue // jumped over (every worker steps the same ticks)
		}
		for i := range tmp.pops {
			fired = fired[:0]
			for _, we := range par.workers {
				fired = append(fired, we.part.hist[h][i]...)
			}
			for _, k := range tmp.pops[i].out {
				tmp.fanOutFrom(s, int32(k), fired, par.releases(s, k), e.now)
			}
		}
	}
	// The arrivals inside a phase without spiking were dropped when it
	// began.
	for a := max(e.now, par.dropFrom); a < par.dropTo && a <= e.now+tmp.queue.mask; a++ {
		tmp.queue.take(a)
	}
	return tmp, nil
}

// fanOutFrom is fanOut of the spikes fired at t through projection k,
// keeping only the deliveries that arrive at from or later; on a
// projection with short-term plasticity, rel holds the release of each
// spike (the state of the projection's x and u has moved on since).
func (e *Engine) fanOutFrom(t snnsim.Time, k int32, fired []int32, rel []float32, from snnsim.Time) {
	p := &e.projs[k]
	for m, i := range fired {
		var r float32
		if p.stp != nil {
			r = rel[m]
		}
		lo := p.RowStart[i]
		if p.segRow == nil {
			if hi := p.RowStart[i+1]; lo < hi && t+p.ConstDelay >= from {
				e.queue.push(t+p.ConstDelay, delivery{k, i, lo, hi, r})
			}
			continue
		}
		for g := p.segRow[i]; g < p.segRow[i+1]; g++ {
			hi := p.segEnd[g]
			if t+p.segDelay[g] >= from {
				e.queue.push(t+p.segDelay[g], delivery{k, i, lo, hi, r})
			}
			lo = hi
		}
	}
}

// keepRelease keeps the release r of the next spike fired at t through
// projection k, which has short-term plasticity, for the queue of a
// checkpoint (joined): worker 0 calls it for every spike, in the order of
// the merged fired lists.
func (par *parallel) keepRelease(t snnsim.Time, k int32, r float32) {
	s := t & par.hmask
	if par.relT[s] != t {
		par.relT[s] = t
		for j := range par.rel[s] {
			par.rel[s][j] = par.rel[s][j][:0]
		}
	}
	par.rel[s][k] = append(par.rel[s][k], r)
}

// releases returns the releases of the spikes fired at t through
// projection k (keepRelease), or nil.
func (par *parallel) releases(t snnsim.Time, k int) []float32 {
	s := t & par.hmask
	if par.relT[s] != t {
		return nil
	}
	return par.rel[s][k]
}

// joinProjections sets tmp's plastic weights, the state of its plasticity
// rules and of its short-term plasticity to the workers': the weights are
// the array the workers share, the rules' traces are joined from the
// workers' (stdp.JoinParts), and every worker keeps the same x and u, so
// worker 0's are the one worker's.
func (par *parallel) joinProjections(tmp *Engine) error {
	for k := range tmp.projs {
		p := &tmp.projs[k]
		if par.weights[k] != nil && p.consGroup == nil { // a consolidation model's delivery array is joined with its state
			p.w = par.weights[k]
		}
		if p.stp != nil {
			st := par.workers[0].projs[k].stp.AppendState(nil)
			if err := restoreAll(p.stp, st); err != nil {
				return fmt.Errorf("engine: checkpoint: projection %q: short-term plasticity: %w", p.Name, err)
			}
		}
		if p.plastic == nil {
			continue
		}
		parts := make([]stdp.Rule[float32], len(par.workers))
		for w, we := range par.workers {
			parts[w] = we.projs[k].plastic.rule
		}
		if err := stdp.JoinParts(p.plastic.rule, parts, par.layout(k)); err != nil {
			return fmt.Errorf("engine: checkpoint: projection %q: %w", p.Name, err)
		}
	}
	return nil
}

// layout returns how plastic projection k is split among the workers:
// the targets of each, a worker that has synapses from each source (which
// calls the rule at every arrival of the source's spikes), and the order
// of the arrivals within a tick on one worker: by emission tick (the
// source's delay, longest first: one per source on a plastic projection),
// then by source.
func (par *parallel) layout(k int) stdp.Layout {
	p := &par.full[k]
	n := len(p.RowStart) - 1
	l := stdp.Layout{PostFirst: par.bounds[p.To], PreFrom: make([]int32, n)}
	delay := func(i int32) snnsim.Time {
		if p.segRow == nil {
			return p.ConstDelay
		}
		if g := p.segRow[i]; g < p.segRow[i+1] {
			return p.segDelay[g]
		}
		return 0
	}
	par.preFrom(k, l.PreFrom)
	l.ArrivalRank = func(i int32) int64 { return -int64(delay(i)) }
	return l
}

// preFrom sets from[i] to a worker that has synapses of projection k
// from source i, or −1 when none has.
func (par *parallel) preFrom(k int, from []int32) {
	p := &par.full[k]
	for i := range len(p.RowStart) - 1 {
		from[i] = -1
		g := int64(i)
		if p.segRow != nil {
			if p.segRow[i] == p.segRow[i+1] {
				continue
			}
			g = int64(p.segRow[i])
		}
		for w := range par.workers {
			if lo, hi := par.workers[w].part.cut(k, g); lo < hi {
				from[i] = int32(w)
				break
			}
		}
	}
}

// groupLayout returns how the consolidation group g of tmp (a one-worker
// engine of the network; the workers' groups are in the same order) is
// split among the workers. An arrival reaches a source's delay group of
// one projection; one worker queues the arrivals of a tick by emission
// tick (the longest delay first), then source population, projection and
// source, the order in which it fans the spikes out.
func (par *parallel) groupLayout(tmp *Engine, g *consGroup) consolidation.PartLayout {
	l := consolidation.PartLayout{PostFirst: par.bounds[g.pop]}
	var offs []int64 // the first synapse of each projection of the group
	for _, k := range g.projs {
		p := &tmp.projs[k]
		from := make([]int32, len(p.RowStart)-1)
		par.preFrom(k, from)
		l.PreFrom = append(l.PreFrom, from...)
		offs = append(offs, p.consOffset)
		l.Target = append(l.Target, p.Target...)
	}
	P, K := int64(len(tmp.pops)), int64(len(tmp.projs))
	var N int64 // the largest source population
	for _, p := range par.net.Populations {
		N = max(N, int64(p.Size))
	}
	l.Arrival = func(s snnsim.SynapseID) (lo, hi snnsim.SynapseID, rank int64) {
		x, _ := slices.BinarySearch(offs, s+1) // the first offset > s
		k := g.projs[x-1]
		p := &par.full[k]
		ls := s - offs[x-1]
		r, _ := slices.BinarySearch(p.RowStart, ls+1)
		i := r - 1 // RowStart[i] <= ls < RowStart[i+1]
		lo, hi, d := p.RowStart[i], p.RowStart[i+1], p.ConstDelay
		if p.segRow != nil {
			for q := int64(p.segRow[i]); q < int64(p.segRow[i+1]); q++ {
				if p.segStart(q) <= ls && ls < p.segEnd[q] {
					lo, hi, d = p.segStart(q), p.segEnd[q], p.segDelay[q]
					break
				}
			}
		}
		rank = ((int64(par.maxDelay-d)*P+int64(p.From))*K+int64(k))*(N+1) + int64(i)
		return offs[x-1] + lo, offs[x-1] + hi, rank
	}
	return l
}

// joinGroups sets the state of tmp's consolidation models to the
// workers' (consolidation.JoinParts) and their delivery arrays to the
// workers', each synapse's from the worker that owns it.
func (par *parallel) joinGroups(tmp *Engine) error {
	for gi, g := range tmp.groups {
		parts := make([]consolidation.Model, len(par.workers))
		for w, we := range par.workers {
			parts[w] = we.groups[gi].model
		}
		if err := consolidation.JoinParts(g.model, parts, par.groupLayout(tmp, g)); err != nil {
			return fmt.Errorf("engine: checkpoint: consolidation onto %q: %w", tmp.pops[g.pop].name, err)
		}
		for _, k := range g.projs {
			if tmp.projs[k].preUpdate != nil {
				continue // the model hands out the weights: they are in its state
			}
			dst := tmp.projs[k].w
			for _, we := range par.workers {
				src := we.projs[k].w
				we.part.eachSynapse(&par.full[k], k, func(_ int32, s int64) { dst[s] = src[s] })
			}
		}
	}
	return nil
}

// splitGroups gives every worker its share of the state of tmp's
// consolidation models, restored from a checkpoint
// (consolidation.SplitParts).
func (par *parallel) splitGroups(tmp *Engine) error {
	for gi, g := range tmp.groups {
		parts := make([]consolidation.Model, len(par.workers))
		for w, we := range par.workers {
			parts[w] = we.groups[gi].model
		}
		if err := consolidation.SplitParts(g.model, parts, par.groupLayout(tmp, g)); err != nil {
			return fmt.Errorf("consolidation onto %q: %w", tmp.pops[g.pop].name, err)
		}
		for _, k := range g.projs { // the delivery arrays restored (restoreState)
			if tmp.projs[k].preUpdate != nil {
				continue // none: the model hands out the weights
			}
			for _, we := range par.workers {
				copy(we.projs[k].w, tmp.projs[k].w)
			}
		}
	}
	return nil
}

// ouParts returns the workers' parts of OU current q of population i.
func (par *parallel) ouParts(i, q int) []*source.OUCurrent {
	parts := make([]*source.OUCurrent, len(par.workers))
	for w, we := range par.workers {
		parts[w] = we.pops[i].ous[q].cur
	}
	return parts
}

// splitProjections gives every worker the state of tmp's plasticity rules
// and short-term plasticity, restored from a checkpoint: each keeps the
// whole projection's traces and uses those of its own synapses' sources
// and targets. The weights were restored into the array the workers share.
func (par *parallel) splitProjections(tmp *Engine) error {
	for k := range tmp.projs {
		p := &tmp.projs[k]
		if p.stp != nil {
			st := p.stp.AppendState(nil)
			for _, we := range par.workers {
				if err := restoreAll(we.projs[k].stp, st); err != nil {
					return fmt.Errorf("projection %q: short-term plasticity: %w", p.Name, err)
				}
			}
		}
		if p.plastic == nil {
			continue
		}
		st := p.plastic.rule.AppendState(nil)
		for _, we := range par.workers {
			if err := restoreAll(we.projs[k].plastic.rule, st); err != nil {
				return fmt.Errorf("projection %q: %w", p.Name, err)
			}
			we.projs[k].weightsChanged(-1)
		}
	}
	return nil
}

// parts returns the workers' parts of neuron population i and their first
// members.
func (par *parallel) parts(i int) ([]neuron.Population, []int) {
	var parts []neuron.Population
	var firsts []int
	for w, we := range par.workers {
		parts = append(parts, we.pops[i].neurons)
		firsts = append(firsts, int(par.bounds[i][w]))
	}
	return parts, firsts
}

// restoreParallel is Restore for an engine on several workers: the
// checkpoint is restored into a one-worker engine, whose state is then
// split among the workers.
func (e *Engine) restoreParallel(meta checkpoint.Meta, src *bodySource) error {
	par := e.par
	if par.started || e.now != 0 {
		return fmt.Errorf("engine: Restore: the engine has already run to tick %d; restore into a new engine", e.now)
	}
	tmp, err := newEngine(e.net, Config{Shortcuts: e.cfg.Shortcuts, Weights: WeightsInPlace, stateOnly: true}, nil)
	if err != nil {
		return err
	}
	tmp.guards, tmp.rec = e.guards, e.rec
	// Plastic weights are restored into the array the workers share. A
	// static projection whose weights the checkpoint holds (changed by
	// SetWeight) gets an array of its own, shared by the workers, unless
	// the engine works on the network's arrays.
	for k := range tmp.projs {
		p := &tmp.projs[k]
		switch {
		case p.consGroup != nil: // the model's delivery array, refilled from its state
		case p.plastic != nil:
			p.w = par.weights[k]
		case p.Weight == nil || e.cfg.Weights != WeightsInPlace:
			p.w = nil
		}
	}
	if err := tmp.restore(meta, src); err != nil {
		return err
	}
	for k := range tmp.projs {
		if p := &tmp.projs[k]; p.plastic == nil && p.consGroup == nil && p.w != nil && (p.Weight == nil || e.cfg.Weights != WeightsInPlace) {
			par.weights[k], e.projs[k].w = p.w, p.w
			for _, we := range par.workers {
				we.projs[k].w = p.w
			}
		}
	}
	if err := par.splitProjections(tmp); err != nil {
		return checkpoint.Errorf(checkpoint.ErrCorrupt, "engine: Restore: %v", err)
	}
	if err := par.splitGroups(tmp); err != nil {
		return checkpoint.Errorf(checkpoint.ErrCorrupt, "engine: Restore: %v", err)
	}
	e.now, e.nextStim = tmp.now, tmp.nextStim
	e.stats = tmp.stats
	e.stats.Spikes = append([]int64(nil), tmp.stats.Spikes...)
	for _, we := range par.workers {
		we.now = e.now
		we.stats.SynapticEvents = 0 // the driver's count holds the restored one
		we.nextStim = 0
		for we.nextStim < len(we.stims) && we.stims[we.nextStim].t < e.now {
			we.nextStim++
		}
	}
	for i := range tmp.pops {
		p := &tmp.pops[i]
		if p.src != nil {
			w0 := &par.workers[0].pops[i]
			w0.src, w0.rng, w0.switcher = p.src, p.rng, p.switcher
			e.pops[i].src = p.src
			continue
		}
		parts, firsts := par.parts(i)
		if err := neuron.SplitParts(p.neurons, parts, firsts); err != nil {
			return err
		}
		for q, o := range p.ous {
			if err := source.SplitOUParts(o.cur, par.ouParts(i, q)); err != nil {
				return checkpoint.Errorf(checkpoint.ErrCorrupt, "engine: Restore: %v", err)
			}
			par.stepT = o.cur.Tick() // the tick after the last one stepped, the same for every current
		}
		if len(p.ous) > 0 {
			for _, we := range par.workers {
				we.pops[i].sumOU()
			}
		}
		for w, we := range par.workers {
			if p.bias != nil {
				n := we.pops[i].neurons.Len()
				we.pops[i].bias = append([]float64(nil), p.bias[firsts[w]:firsts[w]+n]...)
			}
		}
	}
	// The spikes in flight, in the order of the one-worker queue: each
	// worker queues its share of every delivery and counts the whole
	// delivery's targets for the input of its arrival tick.
	par.started = true // the restored state must not be dropped by a fall back to one worker
	par.restored, par.restoredAt = par.restored[:0], e.now
	q := tmp.queue
	for k := snnsim.Time(0); k <= q.mask; k++ {
		at := e.now + k
		for _, d := range q.slots[at&q.mask] {
			par.restored = append(par.restored, queued{at, d})
			full := &par.full[d.proj]
			g := int64(d.src)
			if full.segRow != nil {
				for g = int64(full.segRow[d.src]); g < int64(full.segRow[d.src+1]) && full.segStart(g) != d.lo; g++ {
				}
			}
			for _, we := range par.workers {
				pt := we.part
				if lo, hi := pt.cut(int(d.proj), g); lo < hi {
					we.queue.push(at, delivery{d.proj, d.src, lo, hi, d.scale})
				}
				pt.count[full.To][at&pt.cmask] += int32(d.hi - d.lo)
			}
		}
	}
	for s := range par.relT {
		par.relT[s] = -1
		for _, we := range par.workers {
			we.part.histT[s] = -1
		}
	}
	return nil
}

// segStart returns the first synapse of delay group g.
func (p *proj) segStart(g int64) int64 {
	if g == 0 {
		return 0
	}
	return p.segEnd[g-1]
}

// delayGroups returns the number of delay groups of p (see
// parallel.cuts): one per source, or one per source and delay.
func (p *proj) delayGroups() int64 {
	if p.segRow != nil {
		return int64(len(p.segEnd))
	}
	return int64(len(p.RowStart) - 1)
}
