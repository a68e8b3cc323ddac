package netlist

import (
	"errors"
	"fmt"
)

// Check reports the first way in which n breaks the invariants the engine
// relies on without checking them: populations in consecutive ID ranges,
// each a neuron model or a source; projections onto neuron populations
// with well-formed rows, targets in range, one weight and one delay (of at
// least one tick) per synapse or a constant, every row ordered by
// (delay, target), and valid short-term plasticity parameters; stimuli,
// guards, records and modulations that name existing populations and
// projections; phases in time order inside the run. A compiled scenario
// passes; a network built in code should be checked before it is run.
func (n *Network) Check() error {
	if !(n.Clock.DT > 0) {
		return fmt.Errorf("network: resolution %g ms: must be > 0", n.Clock.DT)
	}
	if n.Duration < 0 {
		return fmt.Errorf("network: duration %d ticks: must be >= 0", n.Duration)
	}
	offset := 0
	for i, p := range n.Populations {
		if err := p.check(offset); err != nil {
			return fmt.Errorf("network: population %d (%s): %w", i, p.Name, err)
		}
		offset += p.Size
	}
	for i, p := range n.Projections {
		if err := p.check(n); err != nil {
			return fmt.Errorf("network: projection %d (%s): %w", i, p.Name, err)
		}
	}
	for i, s := range n.Stimuli {
		if !n.neuronPop(s.Population) {
			return fmt.Errorf("network: stimulus %d: population %d is not a neuron population", i, s.Population)
		}
	}
	for i, g := range n.Guards {
		if !n.pop(g.Population) || g.Window < 1 {
			return fmt.Errorf("network: guard %d: population %d, window %d ticks: needs a population and a window of at least one tick", i, g.Population, g.Window)
		}
	}
	for i, r := range n.Records {
		if err := r.check(n); err != nil {
			return fmt.Errorf("network: record %d (%s): %w", i, r.What, err)
		}
	}
	for i, m := range n.Modulations {
		switch {
		case !n.neuronPop(m.Population):
			return fmt.Errorf("network: modulation %d: population %d is not a neuron population", i, m.Population)
		case i > 0 && m.At < n.Modulations[i-1].At:
			return fmt.Errorf("network: modulation %d: tick %d comes before the tick %d of the one before it: modulations are sorted by tick", i, m.At, n.Modulations[i-1].At)
		}
	}
	return n.CheckPhases()
}

func (n *Network) pop(i int) bool { return i >= 0 && i < len(n.Populations) }

func (n *Network) neuronPop(i int) bool { return n.pop(i) && n.Populations[i].Neuron != nil }

// check checks a population that should start at global ID offset.
func (p *Population) check(offset int) error {
	switch {
	case p.Size < 0:
		return fmt.Errorf("size %d: must be >= 0", p.Size)
	case p.Offset != offset:
		return fmt.Errorf("offset %d: populations occupy consecutive ID ranges in order, so it must be %d", p.Offset, offset)
	case (p.Neuron == nil) == (p.Source == nil):
		return errors.New("exactly one of Neuron and Source must be set")
	case p.InitV != nil && (p.Neuron == nil || len(p.InitV) != p.Size):
		return fmt.Errorf("%d initial potentials for %d members", len(p.InitV), p.Size)
	}
	return nil
}

// check checks a projection of n.
func (p *Projection) check(n *Network) error {
	if !n.pop(p.From) || !n.neuronPop(p.To) {
		return fmt.Errorf("from population %d onto population %d: needs an existing population onto a neuron population", p.From, p.To)
	}
	nFrom, nTo := n.Populations[p.From].Size, n.Populations[p.To].Size
	m := int64(len(p.Target))
	switch {
	case len(p.RowStart) != nFrom+1 || p.RowStart[0] != 0 || p.RowStart[nFrom] != m:
		return fmt.Errorf("RowStart: needs %d entries from 0 to the %d synapses", nFrom+1, m)
	case m > maxSynapses:
		return fmt.Errorf("%d synapses: at most %d", m, maxSynapses)
	case p.Weight != nil && int64(len(p.Weight)) != m:
		return fmt.Errorf("%d weights for %d synapses", len(p.Weight), m)
	case p.Delay != nil && int64(len(p.Delay)) != m:
		return fmt.Errorf("%d delays for %d synapses", len(p.Delay), m)
	case p.Delay == nil && p.ConstDelay < 1:
		return fmt.Errorf("delay %d ticks: must be at least one tick", p.ConstDelay)
	}
	if p.STP != nil {
		if err := p.STP.Validate(); err != nil {
			return err
		}
	}
	for i := 0; i < nFrom; i++ {
		a, e := p.RowStart[i], p.RowStart[i+1]
		if e < a {
			return fmt.Errorf("RowStart decreases at source %d", i)
		}
		for k := a; k < e; k++ {
			t, d := p.Target[k], p.DelayOf(k)
			switch {
			case t < 0 || int(t) >= nTo:
				return fmt.Errorf("synapse %d: target %d is not in [0, %d)", k, t, nTo)
			case d < 1:
				return fmt.Errorf("synapse %d: delay %d ticks: must be at least one tick", k, d)
			case k > a && (d < p.DelayOf(k-1) || d == p.DelayOf(k-1) && t < p.Target[k-1]):
				return fmt.Errorf("source %d: the row is not ordered by (delay, target) at synapse %d (see Projection.SortRows)", i, k)
			}
		}
	}
	return nil
}

// check checks a record of n.
func (r *Record) check(n *Network) error {
	switch r.What {
	case RecordWeights, RecordSynapses, RecordPathway:
		if r.Projection < 0 || r.Projection >= len(n.Projections) {
			return fmt.Errorf("projection %d does not exist", r.Projection)
		}
		for _, k := range r.Synapses {
			if k < 0 || k >= n.Projections[r.Projection].Len() {
				return fmt.Errorf("synapse %d is not in projection %d", k, r.Projection)
			}
		}
	default:
		for _, p := range r.Populations {
			if !n.pop(p) {
				return fmt.Errorf("population %d does not exist", p)
			}
		}
	}
	if r.What.Sampled() && r.Interval < 1 {
		return fmt.Errorf("interval %d ticks: a sampled record needs at least one tick", r.Interval)
	}
	return nil
}
