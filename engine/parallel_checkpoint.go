package engine

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// A run on several workers writes the checkpoint that one worker would
// write at the same tick, and restores any checkpoint into any number of
// workers: the driver joins the workers' parts into a one-worker engine
// (tmp below) that writes it, or restores it into such an engine and
// splits that among the workers. The spikes in flight are not the
// workers' queues, which hold each worker's share of a delivery, but the
// one-worker queue, which the driver rebuilds from the spikes of the last
// maxDelay ticks that it keeps (parallel.hist) and the deliveries it
// restored, in the order one worker queues them.

// SerialCheckpoints returns why an engine for net on several workers
// cannot write or restore checkpoints (it then runs on one when it must),
// or "" when it can.
func SerialCheckpoints(net *netlist.Network) string {
	if why := serialOnly(net); why != "" {
		return why
	}
	for _, pr := range net.Projections {
		if pr.STP != nil {
			return fmt.Sprintf("projection %q has short-term plasticity, whose release each spike in flight carries; checkpoints of such a network are written on one worker", pr.Name)
		}
		if pr.Plasticity != nil {
			return fmt.Sprintf("projection %q has a plasticity rule, whose traces each worker keeps for its own synapses; checkpoints of such a network are written on one worker", pr.Name)
		}
	}
	return ""
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

// remember keeps the spikes of tick t (the driver's fired lists) for the
// queue of a checkpoint.
func (par *parallel) remember(e *Engine, t snnsim.Time) {
	s := t & par.hmask
	par.histT[s] = t
	for i := range e.pops {
		par.hist[s][i] = append(par.hist[s][i][:0], e.pops[i].fired...)
	}
}

// joined returns a one-worker engine in the state of e's workers, for a
// checkpoint; it shares e's sources, probes and guards.
func (e *Engine) joined() (*Engine, error) {
	par := e.par
	tmp, err := newEngine(e.net, Config{Shortcuts: e.cfg.Shortcuts, Weights: WeightsInPlace}, nil)
	if err != nil {
		return nil, err
	}
	tmp.now, tmp.nextStim = e.now, e.nextStim
	tmp.stats = e.Stats()
	tmp.guards, tmp.rec = e.guards, e.rec
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
	for s := max(e.now-par.maxDelay, par.restoredAt); s < e.now; s++ {
		h := s & par.hmask
		if par.histT[h] != s {
			continue // jumped over
		}
		for i := range tmp.pops {
			for _, k := range tmp.pops[i].out {
				tmp.fanOutFrom(s, int32(k), par.hist[h][i], e.now)
			}
		}
	}
	return tmp, nil
}

// fanOutFrom is fanOut of the spikes fired at t through projection k,
// keeping only the deliveries that arrive at from or later.
func (e *Engine) fanOutFrom(t snnsim.Time, k int32, fired []int32, from snnsim.Time) {
	p := &e.projs[k]
	for _, i := range fired {
		lo := p.RowStart[i]
		if p.segRow == nil {
			if hi := p.RowStart[i+1]; lo < hi && t+p.ConstDelay >= from {
				e.queue.push(t+p.ConstDelay, delivery{k, i, lo, hi, 0})
			}
			continue
		}
		for g := p.segRow[i]; g < p.segRow[i+1]; g++ {
			hi := p.segEnd[g]
			if t+p.segDelay[g] >= from {
				e.queue.push(t+p.segDelay[g], delivery{k, i, lo, hi, 0})
			}
			lo = hi
		}
	}
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
func (e *Engine) restoreParallel(meta checkpoint.Meta, body []byte) error {
	par := e.par
	if par.started || e.now != 0 {
		return fmt.Errorf("engine: Restore: the engine has already run to tick %d; restore into a new engine", e.now)
	}
	tmp, err := newEngine(e.net, Config{Shortcuts: e.cfg.Shortcuts, Weights: WeightsInPlace}, nil)
	if err != nil {
		return err
	}
	tmp.guards, tmp.rec = e.guards, e.rec
	if err := tmp.Restore(meta, body); err != nil {
		return err
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
					we.queue.push(at, delivery{d.proj, d.src, lo, hi, 0})
				}
				pt.count[full.To][at&pt.cmask] += int32(d.hi - d.lo)
			}
		}
	}
	for s := range par.histT {
		par.histT[s] = -1
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
