package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// This file holds the methods for embedding the engine in other programs:
// stepping, running until a condition, and acting on the network between
// ticks (co-simulation). They all act at tick Now(), the next tick to be
// simulated.

// SinkFunc adapts a function to the Sink interface.
type SinkFunc func(t snnsim.Time, ids []snnsim.NeuronID) error

// Spikes calls f.
func (f SinkFunc) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error { return f(t, ids) }

// Step simulates exactly one tick, Now(). It is Run(ctx, 1).
func (e *Engine) Step(ctx context.Context) error { return e.Run(ctx, 1) }

// RunUntil simulates until cond returns true or d ticks have passed,
// testing cond after every chunk of at most every ticks (every >= 1;
// 1 tests after each tick). It reports whether cond became true. Chunking
// does not change the simulation.
func (e *Engine) RunUntil(ctx context.Context, d, every snnsim.Time, cond func(*Engine) bool) (bool, error) {
	if every < 1 {
		return false, fmt.Errorf("engine: RunUntil: every = %d ticks: must be >= 1", every)
	}
	end := e.now + d
	for e.now < end {
		if err := e.Run(ctx, min(every, end-e.now)); err != nil {
			return false, err
		}
		if cond(e) {
			return true, nil
		}
	}
	return false, nil
}

// injection is work queued from outside for tick at.
type injection struct {
	at      snnsim.Time
	pop     int
	member  int32
	spike   bool // a spike of a source member; otherwise an input
	rec     neuron.Receptor
	weights float32
}

// Inject makes members of source population pop spike at tick Now(), as if
// their own schedule had said so: the spikes are transmitted through the
// population's projections (arriving after their delays), counted and
// passed to sinks. Use an "external" source population for the spikes of
// another simulator. Members must be in range; duplicates are merged.
func (e *Engine) Inject(pop int, members ...int) error {
	if err := e.oneWorker("Inject"); err != nil {
		return err
	}
	if pop < 0 || pop >= len(e.pops) || e.pops[pop].src == nil {
		return fmt.Errorf("engine: Inject: population %d is not a source population (use an \"external\" source)", pop)
	}
	n := e.pops[pop].src.Len()
	for _, m := range members {
		if m < 0 || m >= n {
			return fmt.Errorf("engine: Inject: member %d of %q out of range [0, %d)", m, e.pops[pop].name, n)
		}
		e.pending = append(e.pending, injection{at: e.now, pop: pop, member: int32(m), spike: true})
	}
	return nil
}

// InjectInput adds a synaptic input of weight w (in the target model's
// internal weight unit, see neuron.Params.WeightScale) on receptor r to
// member i of neuron population pop at tick Now(), as a spike arriving
// there would.
func (e *Engine) InjectInput(pop, i int, r neuron.Receptor, w float64) error {
	if err := e.oneWorker("InjectInput"); err != nil {
		return err
	}
	if err := e.checkNeuron("InjectInput", pop, i); err != nil {
		return err
	}
	e.pending = append(e.pending, injection{at: e.now, pop: pop, member: int32(i), rec: r, weights: float32(w)})
	return nil
}

// InjectCurrent sets the current [pA] injected from outside into member i
// of neuron population pop, from tick Now() on, on top of the model's
// i_bias and any current step of the scenario. It replaces the previous
// injected current; 0 removes it.
func (e *Engine) InjectCurrent(pop, i int, pA float64) error {
	if err := e.oneWorker("InjectCurrent"); err != nil {
		return err
	}
	if err := e.checkNeuron("InjectCurrent", pop, i); err != nil {
		return err
	}
	p := &e.pops[pop]
	if p.injected == nil {
		p.injected = make([]float64, p.neurons.Len())
	}
	p.injected[i] = pA
	p.neurons.SetBias(e.now, i, p.total(i))
	return nil
}

// SetRate sets the rate [Hz] of every member of Poisson population pop from
// tick Now() on, replacing the rest of its schedule.
func (e *Engine) SetRate(pop int, hz float64) error {
	if pop < 0 || pop >= len(e.pops) || e.pops[pop].src == nil {
		return fmt.Errorf("engine: SetRate: population %d is not a source population", pop)
	}
	rs, ok := e.pops[pop].src.(source.RateSetter)
	if !ok {
		return fmt.Errorf("engine: SetRate: %q is not a Poisson source: its rate cannot be changed", e.pops[pop].name)
	}
	return rs.SetRate(e.now, hz)
}

// SetWeight sets the weight of synapse k of projection proj (in the target
// model's internal unit). For a plastic projection the rule goes on from the
// new value. A projection with a consolidation model is refused: the model
// owns its weights (it would overwrite the value); set the model's
// variables with SetSynapseState instead.
func (e *Engine) SetWeight(proj int, k snnsim.SynapseID, w float64) error {
	if err := e.oneWorker("SetWeight"); err != nil {
		return err
	}
	if proj < 0 || proj >= len(e.projs) {
		return fmt.Errorf("engine: SetWeight: projection %d out of range [0, %d)", proj, len(e.projs))
	}
	p := &e.projs[proj]
	if p.consGroup != nil {
		return fmt.Errorf("engine: SetWeight: projection %q has the consolidation model %s, which sets its weights from its own variables: use SetSynapseState (variables %v)",
			p.Name, p.consGroup.model.Name(), p.consGroup.synVars())
	}
	if k < 0 || k >= snnsim.SynapseID(p.Len()) {
		return fmt.Errorf("engine: SetWeight: synapse %d of %q out of range [0, %d)", k, p.Name, p.Len())
	}
	switch {
	case p.w == nil: // one constant weight: the projection gets its own array
		p.w, p.constW = p.Weights(), nil
	case p.plastic == nil && e.cfg.Weights != WeightsInPlace && p.Weight != nil && &p.w[0] == &p.Weight[0]:
		p.w = slices.Clone(p.Weight) // keep the network as compiled
	}
	p.w[k] = float32(w)
	p.weightsChanged(p.Target[k])
	return nil
}

func (e *Engine) checkNeuron(op string, pop, i int) error {
	if pop < 0 || pop >= len(e.pops) || e.pops[pop].neurons == nil {
		return fmt.Errorf("engine: %s: population %d is not a neuron population", op, pop)
	}
	if n := e.pops[pop].neurons.Len(); i < 0 || i >= n {
		return fmt.Errorf("engine: %s: neuron %d of %q out of range [0, %d)", op, i, e.pops[pop].name, n)
	}
	return nil
}

// total is the bias of member i: the model's own, the scenario's current
// steps, the injected current and the OU currents [pA].
func (p *pop) total(i int) float64 {
	b := p.base
	if p.bias != nil {
		b += p.bias[i]
	}
	if p.injected != nil {
		b += p.injected[i]
	}
	if p.ouSum != nil {
		b += p.ouSum[i]
	}
	return b
}

// applyInputs delivers the injected inputs due at t (step 2).
func (e *Engine) applyInputs(t snnsim.Time) {
	for _, in := range e.pending {
		if !in.spike && in.at == t {
			e.pops[in.pop].neurons.Deliver(t, in.rec, []int32{in.member}, []float32{in.weights})
		}
	}
}

// injectedSpikes appends the spikes injected into population pop for tick t
// to fired (sorted, without duplicates) and returns it.
func (e *Engine) injectedSpikes(t snnsim.Time, pop int, fired []int32) []int32 {
	n := len(fired)
	for _, in := range e.pending {
		if in.spike && in.at == t && in.pop == pop {
			fired = append(fired, in.member)
		}
	}
	if len(fired) > n {
		slices.Sort(fired)
		fired = slices.Compact(fired)
	}
	return fired
}
