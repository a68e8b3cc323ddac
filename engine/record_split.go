package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/spikelog"
)

// splitStats are the running statistics of the parts of a split record
// for one variable at one sample tick.
type splitStats struct {
	n        []float64
	mean, m2 []float64
	at       snnsim.Time // e.now when computed; -1 before the first sample
}

// reset prepares k parts.
func (s *splitStats) reset(k int) {
	if len(s.n) != k {
		s.n, s.mean, s.m2 = make([]float64, k), make([]float64, k), make([]float64, k)
	}
	clear(s.n)
	clear(s.mean)
	clear(s.m2)
}

// add adds value x to part g (Welford's update).
func (s *splitStats) add(g int, x float64) {
	s.n[g]++
	d := x - s.mean[g]
	s.mean[g] += d / s.n[g]
	s.m2[g] += d * (x - s.mean[g])
}

// value returns statistic stat of part g: the mean, the population
// standard deviation or the count; NaN for the mean and s.d. of an empty
// part.
func (s *splitStats) value(g int, stat string) float64 {
	switch {
	case stat == spikelog.StatN:
		return s.n[g]
	case s.n[g] == 0:
		return math.NaN()
	case stat == spikelog.StatMean:
		return s.mean[g]
	}
	return math.Sqrt(s.m2[g] / s.n[g])
}

// setIndex maps each of n members to the index of its set in sets, or −1.
func setIndex(sets []netlist.NeuronSet, n int, owner string) ([]int16, error) {
	if len(sets) > math.MaxInt16 {
		return nil, fmt.Errorf("engine: split of %s: %d sets, at most %d", owner, len(sets), math.MaxInt16)
	}
	of := make([]int16, n)
	for i := range of {
		of[i] = -1
	}
	for k, s := range sets {
		if len(s.Members) == 0 {
			return nil, fmt.Errorf("engine: split of %s: set %q is empty", owner, s.Name)
		}
		for j, m := range s.Members {
			switch {
			case m < 0 || m >= n:
				return nil, fmt.Errorf("engine: split of %s: set %q: member %d outside 0..%d", owner, s.Name, m, n-1)
			case j > 0 && m <= s.Members[j-1]:
				return nil, fmt.Errorf("engine: split of %s: set %q: members must be strictly increasing", owner, s.Name)
			case of[m] >= 0:
				return nil, fmt.Errorf("engine: split of %s: member %d is in sets %q and %q: the sets must be disjoint", owner, m, sets[of[m]].Name, s.Name)
			}
			of[m] = int16(k)
		}
	}
	return of, nil
}

// attachSplit sets up a "pathway" or "neuron_state" record with
// r.Split: for each variable and each part (an ordered pair of sets for a
// pathway, a set for neuron state) the series ".../<part>/<var>/mean",
// ".../sd" and ".../n" (see spikelog.StatN). The statistics of all parts
// of one variable are computed in one pass at the first of its series to
// be sampled at a tick.
func (e *Engine) attachSplit(r *netlist.Record, unique func(string) string, add func(Series, int, int, func([]float64)) error) error {
	type part struct {
		name string
		g    int
	}
	var (
		prefix string
		parts  []part
		vars   []string
		pop    int
		proj   = -1
		// fill computes the statistics of variable v into st.
		fill func(v string, st *splitStats)
	)
	k := len(r.Split)
	if r.What == netlist.RecordNeuronState {
		if len(r.Populations) != 1 || r.Populations[0] < 0 || r.Populations[0] >= len(e.pops) {
			return fmt.Errorf("engine: AttachRecords: neuron_state: one population expected")
		}
		pop = r.Populations[0]
		ep := &e.pops[pop]
		if ep.neurons == nil {
			return fmt.Errorf("engine: neuron_state record of %q: a source population has no neuron state", ep.name)
		}
		if r.Neurons != nil {
			return fmt.Errorf("engine: neuron_state record of %q: split and neurons exclude each other (the sets choose the neurons)", ep.name)
		}
		of, err := setIndex(r.Split, ep.neurons.Len(), ep.name)
		if err != nil {
			return err
		}
		vars = r.Variables
		if vars == nil {
			vars = e.neuronVars(pop)
		}
		type neuronVar struct {
			get func(i int32) float64
			at  func()
		}
		nv := map[string]neuronVar{}
		for _, name := range vars {
			get, at, err := e.neuronVar(pop, name)
			if err != nil {
				return err
			}
			nv[name] = neuronVar{get, at}
		}
		fill = func(name string, st *splitStats) {
			x := nv[name]
			x.at()
			for i, s := range of {
				if s >= 0 {
					st.add(int(s), x.get(int32(i)))
				}
			}
		}
		prefix = spikelog.NeuronStatePrefix + ep.name + "/"
		for a, s := range r.Split {
			parts = append(parts, part{s.Name, a})
		}
	} else {
		if r.Projection < 0 || r.Projection >= len(e.projs) {
			return fmt.Errorf("engine: AttachRecords: projection index %d out of range", r.Projection)
		}
		proj = r.Projection
		p := &e.projs[proj]
		if p.From != p.To {
			return fmt.Errorf("engine: pathway record of %q: split needs a projection within one population (%s to %s)", p.Name, e.pops[p.From].name, e.pops[p.To].name)
		}
		pop = p.To
		of, err := setIndex(r.Split, e.net.Populations[p.To].Size, p.Name)
		if err != nil {
			return err
		}
		// group[s] is the part of synapse s, or −1.
		group := make([]int32, p.Len())
		for i := range len(p.RowStart) - 1 {
			a := int32(of[i])
			for s := p.RowStart[i]; s < p.RowStart[i+1]; s++ {
				b := int32(of[p.Target[s]])
				if a < 0 || b < 0 {
					group[s] = -1
				} else {
					group[s] = a*int32(k) + b
				}
			}
		}
		cvars := e.synVars(proj)
		vars = r.Variables
		if vars == nil {
			if cvars != nil {
				vars = cvars
			} else {
				vars = []string{spikelog.VarWeight}
			}
		}
		getters := map[string]func(s int) float64{}
		ats := map[string]func(){}
		for _, name := range vars {
			switch get, at := e.synVar(proj, name); {
			case get != nil:
				getters[name], ats[name] = get, at
			case cvars == nil && name == spikelog.VarWeight:
				getters[name], ats[name] = func(s int) float64 { return float64(p.weightAt(int64(s), e.readTick())) }, func() {}
			default:
				known := []string{spikelog.VarWeight}
				if cvars != nil {
					known = cvars
				}
				return fmt.Errorf("engine: pathway record of %q: no variable %q (known: %v)", p.Name, name, known)
			}
		}
		fill = func(v string, st *splitStats) {
			ats[v]()
			get := getters[v]
			for s, g := range group {
				if g >= 0 {
					st.add(int(g), get(s))
				}
			}
		}
		prefix = spikelog.PathwayPrefix + p.Name + "/"
		for a, s := range r.Split {
			for b, t := range r.Split {
				parts = append(parts, part{s.Name + spikelog.SplitArrow + t.Name, a*k + b})
			}
		}
	}
	for _, name := range vars {
		st := &splitStats{at: -1}
		for _, pt := range parts {
			for _, stat := range []string{spikelog.StatMean, spikelog.StatSD, spikelog.StatN} {
				se := Series{Name: unique(prefix + pt.name + "/" + name + "/" + stat), Record: r.What, What: name, Unit: stat, Population: pop, Projection: proj}
				if err := add(se, pop, 1, func(vals []float64) {
					if st.at != e.now {
						st.reset(len(parts))
						fill(name, st)
						st.at = e.now
					}
					vals[0] = st.value(pt.g, stat)
				}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// consEngine returns the engine whose consolidation models give the
// names of the variables: e, or in a parallel run its first worker, whose
// models have every name (the driver has none).
func (e *Engine) consEngine() *Engine {
	if e.par != nil {
		return e.par.workers[0]
	}
	return e
}

// neuronVars returns the per-neuron variable names of the models onto
// population pop.
func (e *Engine) neuronVars(pop int) []string {
	c := e.consEngine()
	var vars []string
	for _, gi := range c.pops[pop].groups {
		vars = append(vars, c.groups[gi].neuronVars()...)
	}
	return vars
}

// neuronVar finds the consolidation model onto population pop that has
// the per-neuron variable name, and returns a reader of the variable of
// member i and a function that brings the models to the sampled tick. In
// a parallel run member i's value is in the model of its worker.
func (e *Engine) neuronVar(pop int, name string) (get func(i int32) float64, at func(), err error) {
	c := e.consEngine()
	var known []string
	for _, gi := range c.pops[pop].groups {
		vars := c.groups[gi].neuronVars()
		v := slices.Index(vars, name)
		if v < 0 {
			known = append(known, vars...)
			continue
		}
		if e.par == nil {
			g := e.groups[gi]
			return func(i int32) float64 { return g.neuronState.NeuronGet(v, i) }, func() { sampleAt(g.model, e.now-1) }, nil
		}
		par := e.par
		return func(i int32) float64 {
				return par.workers[par.owner(pop, i)].groups[gi].neuronState.NeuronGet(v, i)
			}, func() {
				for _, we := range par.workers {
					sampleAt(we.groups[gi].model, e.now-1)
				}
			}, nil
	}
	return nil, nil, fmt.Errorf("engine: neuron_state record of %q: no consolidation model onto it has a neuron variable %q (known: %v)", e.pops[pop].name, name, known)
}

// synVars returns the consolidation variable names of projection k's
// synapses, or nil for a projection without a consolidation model.
func (e *Engine) synVars(k int) []string {
	if g := e.consEngine().projs[k].consGroup; g != nil {
		return g.synVars()
	}
	return nil
}

// synVar returns a reader of consolidation variable name of projection
// k's synapse s and a function that brings the models to the sampled
// tick, or nil when the projection's model has no such variable. In a
// parallel run synapse s's value is in the model of its target's worker.
func (e *Engine) synVar(k int, name string) (get func(s int) float64, at func()) {
	v := slices.Index(e.synVars(k), name)
	if v < 0 {
		return nil, nil
	}
	if e.par == nil {
		p := &e.projs[k]
		m, off := p.consGroup.synState, p.consOffset
		return func(s int) float64 { return m.Get(v, off+int64(s)) }, func() { sampleAt(p.consGroup.model, e.now-1) }
	}
	par, p := e.par, &e.projs[k]
	return func(s int) float64 {
			q := &par.workers[par.owner(p.To, p.Target[s])].projs[k]
			return q.consGroup.synState.Get(v, q.consOffset+int64(s))
		}, func() {
			for _, we := range par.workers {
				sampleAt(we.projs[k].consGroup.model, e.now-1)
			}
		}
}
