package engine

import (
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/stdp"
)

// plastic is the run-time state of a plastic projection: the rule with its
// traces, the reverse index for the postsynaptic pass, and the time from
// which weights change.
//
// Plasticity sees the presynaptic spike when it arrives at the synapse
// (emission + axonal delay) and the postsynaptic spike when it is emitted
// (no dendritic delay); see package stdp. Within a tick the depression pass
// of every arrival (delivery, step 2) runs before the potentiation pass of
// every postsynaptic spike (after the neuron update, step 4b).
type plastic struct {
	rule       stdp.Rule[float32]
	transposed *netlist.Transposed
	start      snnsim.Time            // PlasticityStart: before it, traces only
	counter    stdp.PopulationCounter // a rule that counts the target population's spikes, which the engine passes it; nil for others
}

// newPlastic prepares projection p's rule. The rule needs one delay per
// source row, which the scenario compiler guarantees; a network built in
// code may break it, so it is checked here.
// nPre and nPost are the sizes of the source and target populations; tr
// is the transposed index, nil for the whole projection's, which New
// builds later (transposeAll).
func newPlastic(p *proj, net *netlist.Network, nPre, nPost int, tr *netlist.Transposed) (*plastic, error) {
	if p.segRow != nil {
		for i := 0; i+1 < len(p.segRow); i++ {
			if p.segRow[i+1]-p.segRow[i] > 1 {
				return nil, fmt.Errorf("engine: projection %q: plastic synapses of source %d have different delays; a plastic projection needs one delay per source", p.Name, i)
			}
		}
	}
	r, err := stdp.New[float32](p.Plasticity, net.Clock, nPre, nPost)
	if err != nil {
		return nil, fmt.Errorf("engine: projection %q: %w", p.Name, err)
	}
	if rr, ok := r.(stdp.ReferenceReader); ok && rr.ReadsReference() && p.Consolidation == nil {
		return nil, fmt.Errorf("engine: projection %q: the plasticity rule %s reads the reference weights of a consolidation model: add consolidation = { model = \"zenke_2015\", preset = \"sim_rc_p11\" } or set the rule's beta = 0",
			p.Name, p.Plasticity.Rule())
	}
	if pc, ok := r.(stdp.PopulationCounter); ok && pc.CountsPopulation() {
		// The target population's spikes are counted as the authors'
		// code counts them, one delay late (istdp_global), from the
		// engine's counts, on one worker as on several: a worker's rule
		// is told of its own targets' spikes only, but every worker
		// knows every spike of the epoch before at the exchange, no
		// later than that delay after it (the epoch is the network's
		// smallest delay).
		pc.SetCountDelay(p.minDelay())
		pc.CountExternally()
		return &plastic{rule: r, transposed: tr, start: p.PlasticityStart, counter: pc}, nil
	}
	return &plastic{rule: r, transposed: tr, start: p.PlasticityStart}, nil
}

// minDelay returns the smallest delay of p's synapses, which is at least
// the communication epoch of a parallel run; a projection without
// synapses, whose rule changes no weight, gets the longest epoch.
func (p *proj) minDelay() snnsim.Time {
	if p.segRow == nil {
		return p.ConstDelay
	}
	d := snnsim.Time(maxEpoch)
	if len(p.segDelay) > 0 {
		d = snnsim.Never
	}
	for _, x := range p.segDelay {
		d = min(d, x)
	}
	return d
}

// countPopulation passes n, the number of spikes of population pop at
// tick t (on several workers, of the whole population), to the rules that
// count their target population's spikes.
func (e *Engine) countPopulation(t snnsim.Time, pop int, n int) {
	if n == 0 {
		return
	}
	for _, k := range e.pops[pop].in {
		if pl := e.projs[k].plastic; pl != nil && pl.counter != nil {
			pl.counter.PopulationSpikes(t, n)
		}
	}
}

// countPopulations passes every worker's spikes of the epoch from..to−1
// (number gen), which worker e has from the exchange, to e's rules that
// count their target population's spikes, tick by tick.
func (e *Engine) countPopulations(gen int64, from, to snnsim.Time) {
	if !e.popCounters {
		return
	}
	P := len(e.pops)
	for s := 0; s < int(to-from); s++ {
		for i := range e.pops {
			n := 0
			for _, v := range e.part.par.workers {
				n += len(v.part.out[gen&1].at(s, i, P))
			}
			e.countPopulation(from+snnsim.Time(s), i, n)
		}
	}
}

// pre runs the presynaptic side for the arrival of source src's spike at
// synapses lo..hi-1 at tick t, before the weights are delivered.
func (p *proj) pre(t snnsim.Time, src int32, lo, hi int64) {
	if t >= p.plastic.start {
		p.plastic.rule.Pre(t, src, p.Target[lo:hi], p.w[lo:hi])
	} else {
		p.plastic.rule.TracePre(t, src)
	}
}

// post runs the postsynaptic side for the spikes of the target population
// at tick t.
func (p *proj) post(t snnsim.Time, fired []int32) {
	tr := p.plastic.transposed
	if t < p.plastic.start {
		for _, j := range fired {
			p.plastic.rule.TracePost(t, j)
		}
		return
	}
	for _, j := range fired {
		lo, hi := tr.ColStart[j], tr.ColStart[j+1]
		p.plastic.rule.Post(t, j, tr.ColSrc[lo:hi], tr.ColSyn[lo:hi], p.w)
	}
}

// inSynapses returns the number of synapses of the plastic projection p
// onto the neurons in fired.
func (p *proj) inSynapses(fired []int32) int64 {
	col := p.plastic.transposed.ColStart
	n := int64(0)
	for _, j := range fired {
		n += int64(col[j+1] - col[j])
	}
	return n
}

// weightsChanged tells the rule of a plastic projection that the engine
// changed the weights of target j's synapses (every weight, if j < 0).
func (p *proj) weightsChanged(j int32) {
	if p.plastic == nil {
		return
	}
	if o, ok := p.plastic.rule.(stdp.WeightOwner); ok {
		o.WeightsChanged(j)
	}
}

// Weights returns a copy of the current weights of projection k, in the
// order of the network's forward arrays (netlist.Projection): the weights
// a spike would transmit after the engine's last completed tick. A
// consolidation model whose delivered weights lag its state between the
// synapses' events (consolidation.LazyDelivery: luboeinski_tetzlaff_2021,
// benna_fusi) computes them from its state at that tick, as SynapseState
// reports it; reading them changes no spike.
func (e *Engine) Weights(k int) ([]float32, error) {
	if k < 0 || k >= len(e.projs) {
		return nil, fmt.Errorf("engine: Weights: projection %d out of range [0, %d)", k, len(e.projs))
	}
	t := e.readTick()
	if e.par != nil && e.projs[k].Consolidation != nil {
		// Each worker's model delivers the weights of its own synapses.
		e.freshen(k, t)
		w := make([]float32, e.projs[k].Len())
		for _, we := range e.par.workers {
			p := &we.projs[k]
			we.part.eachSynapse(p, k, func(_ int32, s int64) { w[s] = p.weightAt(s, t) })
		}
		return w, nil
	}
	if p := &e.projs[k]; p.preUpdate != nil {
		return p.efficacies(), nil
	} else if g := p.consGroup; g != nil && g.lazy != nil {
		e.freshen(k, t)
		w := make([]float32, p.Len())
		for s := range w {
			w[s] = g.lazy.CurrentWeight(p.consOffset+int64(s), t)
		}
		return w, nil
	} else if p.w == nil {
		return p.Weights(), nil // a new array of the constant weight
	}
	return slices.Clone(e.projs[k].w), nil
}

// readTick returns the tick whose state the engine's reads report: the
// last completed tick, or 0 before the first.
func (e *Engine) readTick() snnsim.Time { return max(e.now-1, 0) }

// freshen brings the models of projection k whose delivery array lags
// their state (consolidation.LazyDelivery), in every worker, to tick t, so
// that weightAt reads their state at t. That is work the models would do
// at t anyway (Model.Advance), so reading changes no spike.
func (e *Engine) freshen(k int, t snnsim.Time) {
	if e.par != nil {
		for _, we := range e.par.workers {
			we.freshen(k, t)
		}
		return
	}
	if g := e.projs[k].consGroup; g != nil && g.lazy != nil {
		g.model.Advance(t)
	}
}

// weightAt returns the weight of synapse k at tick t, after freshen(t):
// for a model whose delivery array lags its state, the model's current
// weight, else the delivery array's.
func (p *proj) weightAt(k int64, t snnsim.Time) float32 {
	if p.preUpdate != nil {
		return p.preUpdate.Efficacy(p.consOffset + k)
	}
	if g := p.consGroup; g != nil && g.lazy != nil {
		return g.lazy.CurrentWeight(p.consOffset+k, t)
	}
	if p.w == nil {
		return p.ConstWeight
	}
	return p.w[k]
}
