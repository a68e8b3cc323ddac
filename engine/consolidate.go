package engine

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/stdp"
)

// consGroup is one consolidation model at run time with the projections it
// serves: all projections onto one target population that name a
// consolidation model share it (per-neuron state such as protein belongs to
// the target neurons). Its synapses are the projections' synapses
// concatenated in projection order; its presynaptic neurons likewise.
//
// The model owns the efficacies: the delivery arrays of its projections are
// windows of w, which only the model writes. A plasticity rule on such a
// projection works in place on the projection's window of the model's rule
// buffer (consolidation.RuleDriven), and the model takes the changes once
// per rule pass.
//
// The model's optional capabilities are looked up here once, when the
// group is built; a nil field is a capability the model lacks.
// gcFromSynapses is the number of consolidated synapses from which
// building an engine collects its construction garbage before each large
// allocation (a model's state, the transposed indices). Below it the
// garbage is a few megabytes, and a forced collection, which pauses the
// whole process, costs more than it saves: a program that builds many
// small engines (a sweep, a branch per cue) would spend its time there.
const gcFromSynapses = 1 << 20

type consGroup struct {
	model          consolidation.Model
	rule           consolidation.RuleDriven      // nil unless a rule can drive the model
	leveled        consolidation.Leveled         // nil unless the model reads levels
	synState       consolidation.Inspector       // nil unless per-synapse variables can be read
	neuronState    consolidation.NeuronInspector // nil unless the model has per-neuron variables
	voltageInduced consolidation.VoltageInduced  // nil unless induction reads the potential
	stater         consolidation.Stater          // nil unless the state can be checkpointed
	lazy           consolidation.LazyDelivery    // nil unless the delivery array lags the state (reads of weights ask the model)
	pop            int                           // target population
	projs          []int                         // projection indices, in order
	w              []float32                     // delivery array of all the group's synapses
	levels         map[string]bool               // level names the model accepts
	rowIndices     []int32                       // 0, 1, 2, …: a source row's synapses for rule.Changed
	potential      func(j int32) float64         // target j's potential at potentialTick, for voltageInduced (made once: no allocation per tick)
	potentialTick  snnsim.Time                   // the tick potential reads
	inDeg          []int32                       // synapses of the group onto each target, for Stats (made when first needed)
}

// groupInDegrees returns the number of synapses of group g onto each
// neuron of its target population.
func (e *Engine) groupInDegrees(g *consGroup) []int32 {
	deg := make([]int32, e.srcSize(g.pop))
	for _, k := range g.projs {
		for _, j := range e.projs[k].Target {
			deg[j]++
		}
	}
	return deg
}

// synVars returns the model's per-synapse variable names (nil if it has
// none that can be read).
func (g *consGroup) synVars() []string {
	if g.synState == nil {
		return nil
	}
	return g.synState.Vars()
}

// neuronVars returns the model's per-neuron variable names (nil if none).
func (g *consGroup) neuronVars() []string {
	if g.neuronState == nil {
		return nil
	}
	return g.neuronState.NeuronVars()
}

// newGroups builds one consGroup per target population whose incoming
// projections have consolidation, and points those projections' delivery
// arrays into it.
func (e *Engine) newGroups() error {
	byPop := map[int]*consGroup{}
	var order []int
	for k := range e.projs {
		p := &e.projs[k]
		if p.Consolidation == nil {
			continue
		}
		g := byPop[p.To]
		if g == nil {
			g = &consGroup{pop: p.To}
			byPop[p.To] = g
			order = append(order, p.To)
		} else if first := &e.projs[g.projs[0]]; p.Consolidation.Model() != first.Consolidation.Model() {
			return fmt.Errorf("engine: projections %q and %q onto %q use different consolidation models (%s, %s); per-neuron state is shared, so they must agree",
				first.Name, p.Name, e.pops[p.To].name, first.Consolidation.Model(), p.Consolidation.Model())
		}
		g.projs = append(g.projs, k)
	}
	for _, to := range order {
		g := byPop[to]
		var l consolidation.Layout
		l.Clock = e.net.Clock
		l.NPost = e.srcSize(to) // in a worker, the whole population: the model numbers targets in it
		total := 0
		for _, k := range g.projs {
			total += e.projs[k].Len()
		}
		l.Source, l.Target, l.Unit = make([]int32, 0, total), make([]int32, 0, total), make([]float32, 0, total)
		name := ""
		var off int64
		var pre int32
		for _, k := range g.projs {
			p := &e.projs[k]
			n := int64(p.Len())
			p.consGroup, p.consOffset, p.consPreOffset = g, off, pre
			l.Projections = append(l.Projections, off)
			for i := 0; i+1 < len(p.RowStart); i++ {
				for s := p.RowStart[i]; s < p.RowStart[i+1]; s++ {
					l.Source = append(l.Source, pre+int32(i))
				}
			}
			l.Target = append(l.Target, p.Target...)
			if p.Weight != nil {
				l.Unit = append(l.Unit, p.Weight...)
			} else { // a constant weight: no array of it to copy
				for range n {
					l.Unit = append(l.Unit, p.ConstWeight)
				}
			}
			off += n
			pre += int32(e.srcSize(p.From))
			name += "/" + p.Name
		}
		l.Projections = append(l.Projections, off)
		l.NPre = int(pre)
		l.Seed, _ = snnsim.StreamSeed(e.net.Seed, "consolidation"+name)
		// A model's per-synapse state is one large allocation; collecting
		// the construction garbage first lets it reuse that memory instead
		// of adding to it (the collector would otherwise wait for the heap
		// to double), which bounds the start-up peak.
		if total >= gcFromSynapses {
			runtime.GC()
		}
		m, err := consolidation.New(e.projs[g.projs[0]].Consolidation, l)
		if err != nil {
			return fmt.Errorf("engine: consolidation onto %q: %w", e.pops[to].name, err)
		}
		g.model = m
		g.rule, _ = m.(consolidation.RuleDriven)
		g.leveled, _ = m.(consolidation.Leveled)
		g.synState, _ = m.(consolidation.Inspector)
		g.neuronState, _ = m.(consolidation.NeuronInspector)
		g.voltageInduced, _ = m.(consolidation.VoltageInduced)
		g.stater, _ = m.(consolidation.Stater)
		g.lazy, _ = m.(consolidation.LazyDelivery)
		first := int32(0)
		if e.part != nil {
			// Each worker has a model of the whole layout, called only for
			// the synapses onto its own targets.
			pm, ok := m.(consolidation.Parted)
			if !ok {
				return fmt.Errorf("engine: consolidation onto %q: the model %s cannot be split among workers", e.pops[to].name, m.Name())
			}
			first = e.part.lo[to]
			pm.SetPart(first, first+int32(e.pops[to].neurons.Len()))
			if sp, ok := m.(consolidation.SynapseParted); ok {
				sp.SetPartSynapses(e.part.groupSynapses(e, g))
			}
		}
		if g.voltageInduced != nil {
			neu := e.pops[to].neurons
			g.potential = func(j int32) float64 { return neu.V(int(j-first), g.potentialTick) }
		}
		g.levels = map[string]bool{}
		if g.leveled != nil {
			for _, n := range g.leveled.Modulators() {
				g.levels[n] = true
			}
		}
		fused := e.fusedGroup(g)
		if !fused {
			g.w = make([]float32, off)
			m.Bind(g.w)
		}
		for _, k := range g.projs {
			p := &e.projs[k]
			if !fused {
				p.w = g.w[p.consOffset : p.consOffset+int64(p.Len())]
			}
			if p.plastic == nil {
				continue
			}
			if g.rule == nil {
				return fmt.Errorf("engine: projection %q: the consolidation model %s takes no plasticity signals; remove the plasticity rule", p.Name, m.Name())
			}
			if err := p.useReference(m); err != nil {
				return err
			}
			if fused {
				p.preFactors, p.preUpdate = p.plastic.rule.(stdp.PreFactorer), m.(consolidation.PreUpdater)
				p.rowBuf = make([]float32, p.longestRow())
			} else {
				p.ruleBuf = g.rule.RuleWeights()[p.consOffset : p.consOffset+int64(p.Len())]
			}
			pf, ok1 := p.plastic.rule.(stdp.PostFactorer)
			pu, ok2 := m.(consolidation.PostUpdater)
			if ok1 && ok2 {
				p.postFactors, p.postUpdate = pf, pu
				p.postBounds[0], p.postBounds[1] = pf.WeightBounds()
			}
			for i := 0; i+1 < len(p.RowStart); i++ {
				for n := p.RowStart[i+1] - p.RowStart[i]; int64(len(g.rowIndices)) < n; {
					g.rowIndices = append(g.rowIndices, int32(len(g.rowIndices)))
				}
			}
		}
		e.groups = append(e.groups, g)
		e.pops[to].groups = append(e.pops[to].groups, len(e.groups)-1)
	}
	return nil
}

// fusedGroup reports whether group g's model applies both the pre- and the
// postsynaptic update of every projection's rule itself
// (consolidation.PreUpdater and PostUpdater, stdp.PreFactorer and
// PostFactorer), so that it needs neither a delivery array nor a rule
// buffer.
func (e *Engine) fusedGroup(g *consGroup) bool {
	if _, ok := g.model.(consolidation.PreUpdater); !ok {
		return false
	}
	if _, ok := g.model.(consolidation.PostUpdater); !ok {
		return false
	}
	for _, k := range g.projs {
		p := &e.projs[k]
		if p.plastic == nil {
			return false
		}
		_, ok1 := p.plastic.rule.(stdp.PreFactorer)
		_, ok2 := p.plastic.rule.(stdp.PostFactorer)
		if !ok1 || !ok2 {
			return false
		}
	}
	return true
}

// longestRow returns the number of synapses of p's longest source row.
func (p *proj) longestRow() int64 {
	longest := int64(0)
	for i := 0; i+1 < len(p.RowStart); i++ {
		longest = max(longest, p.RowStart[i+1]-p.RowStart[i])
	}
	return longest
}

// useReference gives projection p's rule, if it reads reference weights
// (stdp.ReferenceReader, the P11 rule's w̃), its window of the model's
// reference weights. A model that keeps none, or that applies a
// heterosynaptic term of its own besides the rule's, is an error.
func (p *proj) useReference(m consolidation.Model) error {
	rr, ok := p.plastic.rule.(stdp.ReferenceReader)
	if !ok || !rr.ReadsReference() {
		return nil
	}
	ref, ok := m.(consolidation.Referenced)
	if !ok {
		return fmt.Errorf("engine: projection %q: the plasticity rule %s reads reference weights, which the consolidation model %s does not keep; use the model zenke_2015 or set the rule's beta = 0",
			p.Name, p.Plasticity.Rule(), m.Name())
	}
	if ref.Heterosynaptic() {
		return fmt.Errorf("engine: projection %q: both the plasticity rule %s and the consolidation model %s apply the heterosynaptic term; set the model's beta = 0 (its preset \"sim_rc_p11\" does) or the rule's",
			p.Name, p.Plasticity.Rule(), m.Name())
	}
	w, stride := ref.ReferenceWeights()
	rr.UseReference(w[int64(stride)*p.consOffset:], stride)
	return nil
}

// advanceGroups does the models' internal work due at ticks <= t.
func (e *Engine) advanceGroups(t snnsim.Time) {
	for _, g := range e.groups {
		if g.model.Next() <= t {
			g.model.Advance(t)
		}
	}
}

// applyMods applies the neuromodulator and drug changes due at ticks <= t.
func (e *Engine) applyMods(t snnsim.Time) error {
	for e.nextMod < len(e.net.Modulations) && e.net.Modulations[e.nextMod].At <= t {
		md := e.net.Modulations[e.nextMod]
		e.nextMod++
		if err := e.setLevel(t, md.Population, md.Name, md.Level); err != nil {
			return err
		}
		if e.onMark != nil {
			if err := e.onMark(t, fmt.Sprintf("%s on %s: %g", md.Name, e.pops[md.Population].name, md.Level)); err != nil {
				return fmt.Errorf("engine: mark at tick %d: %w", t, err)
			}
		}
	}
	return nil
}

// setLevel passes a level to every model onto population pop that reads it.
func (e *Engine) setLevel(t snnsim.Time, pop int, name string, level float64) error {
	found := false
	for _, gi := range e.pops[pop].groups {
		g := e.groups[gi]
		if !g.levels[name] {
			continue
		}
		found = true
		if err := g.leveled.SetLevel(t, name, level); err != nil {
			return fmt.Errorf("engine: %s on %q: %w", name, e.pops[pop].name, err)
		}
	}
	if !found {
		return fmt.Errorf("engine: no consolidation model onto %q reads the level %q", e.pops[pop].name, name)
	}
	return nil
}

// consPre runs the consolidation side of the arrival of source src's spike
// at synapses lo..hi-1 of projection p at tick t: the rule on the model's
// rule buffer, whose changes the model then takes in one call, and the
// model's own presynaptic handling, which may refresh the delivered
// weights. Before PlasticityStart the rule only records the spike.
func (p *proj) consPre(t snnsim.Time, src int32, lo, hi int64) {
	g := p.consGroup
	if p.plastic != nil {
		if t >= p.plastic.start {
			p.plastic.rule.Pre(t, src, p.Target[lo:hi], p.ruleBuf[lo:hi])
			g.rule.Changed(t, p.consOffset+lo, g.rowIndices[:hi-lo])
		} else {
			p.plastic.rule.TracePre(t, src)
		}
	}
	g.model.Pre(t, p.consPreOffset+src, p.consOffset+lo, p.consOffset+hi)
}

// consPreFused is consPre and the choice of the weights to deliver for a
// projection whose model applies the rule's presynaptic update itself
// (preUpdate): one pass over the synapses lo..hi-1 updates them and writes
// the weights the spike delivers into the projection's scratch row, which
// it returns (valid until the next call).
func (p *proj) consPreFused(t snnsim.Time, src int32, lo, hi int64) []float32 {
	g, dst := p.consGroup, p.rowBuf[:hi-lo]
	if t >= p.plastic.start {
		c, delta, wMin, q := p.preFactors.PreFactors(t, src)
		p.preUpdate.PreUpdate(t, p.consOffset+lo, p.Target[lo:hi], q, c, delta, wMin, dst)
	} else {
		p.plastic.rule.TracePre(t, src)
		p.preUpdate.Efficacies(dst, p.consOffset+lo)
	}
	g.model.Pre(t, p.consPreOffset+src, p.consOffset+lo, p.consOffset+hi)
	return dst
}

// efficacies returns the weights that projection p delivers, in the
// order of its synapses, as a new array; p's model hands them out
// (preUpdate).
func (p *proj) efficacies() []float32 {
	w := make([]float32, p.Len())
	p.preUpdate.Efficacies(w, p.consOffset)
	return w
}

// consPost runs the rule's postsynaptic side on the rule buffer of
// projection p for the targets that fired at t; the model takes each
// target's changes in one call.
//
// When the model can apply the rule's postsynaptic update itself
// (consolidation.PostUpdater with a stdp.PostFactorer rule), the rule only
// gives the factors of each spike and the model makes one pass over the
// target's synapses, with the same result.
func (p *proj) consPost(t snnsim.Time, fired []int32) {
	tr, rd := p.plastic.transposed, p.consGroup.rule
	for _, j := range fired {
		if t < p.plastic.start {
			p.plastic.rule.TracePost(t, j)
			continue
		}
		lo, hi := tr.ColStart[j], tr.ColStart[j+1]
		syn := tr.ColSyn[lo:hi]
		if p.postUpdate != nil {
			if a, b, zp := p.postFactors.PostFactors(t, j); a != 0 || b != 0 {
				p.postUpdate.PostUpdate(t, p.consOffset, syn, tr.ColSrc[lo:hi], zp, a, b, p.postBounds[0], p.postBounds[1])
			}
			continue
		}
		p.plastic.rule.Post(t, j, tr.ColSrc[lo:hi], syn, p.ruleBuf)
		rd.Changed(t, p.consOffset, syn)
	}
}

// consAfterUpdate runs, at every stepped tick, the voltage-reading
// induction of the models onto population i and the models' postsynaptic
// handling of the neurons that fired (fired: in a worker, their indices in
// the whole population).
func (e *Engine) consAfterUpdate(t snnsim.Time, i int, fired []int32) {
	p := &e.pops[i]
	for _, gi := range p.groups {
		g := e.groups[gi]
		if g.voltageInduced != nil {
			g.potentialTick = t
			g.voltageInduced.Voltage(t, g.potential, fired)
		}
		for _, j := range fired {
			g.model.Post(t, j)
		}
		if g.inDeg == nil {
			g.inDeg = e.groupInDegrees(g)
		}
		for _, j := range fired {
			e.stats.PlasticityUpdates += int64(g.inDeg[j])
		}
	}
}

// consProjection returns projection k's model and the offset of its first
// synapse in the model, or an error naming op.
func (e *Engine) consProjection(op string, k int, syn snnsim.SynapseID) (*consGroup, snnsim.SynapseID, error) {
	if k < 0 || k >= len(e.projs) {
		return nil, 0, fmt.Errorf("engine: %s: projection %d out of range [0, %d)", op, k, len(e.projs))
	}
	p := &e.projs[k]
	if p.consGroup == nil {
		return nil, 0, fmt.Errorf("engine: %s: projection %q has no consolidation model", op, p.Name)
	}
	if syn < 0 || syn >= snnsim.SynapseID(p.Len()) {
		return nil, 0, fmt.Errorf("engine: %s: synapse %d of %q out of range [0, %d)", op, syn, p.Name, p.Len())
	}
	return p.consGroup, p.consOffset + syn, nil
}

// SynapseVars returns the names of the consolidation variables of
// projection k's synapses (the first is the efficacy), or nil for a
// projection without a consolidation model.
func (e *Engine) SynapseVars(k int) []string {
	if e.par != nil {
		return e.par.workers[0].SynapseVars(k)
	}
	if k < 0 || k >= len(e.projs) || e.projs[k].consGroup == nil {
		return nil
	}
	return slices.Clone(e.projs[k].consGroup.synVars())
}

// SynapseState returns consolidation variable name of synapse syn of
// projection k, as of the model's last slow-clock step.
func (e *Engine) SynapseState(k int, syn snnsim.SynapseID, name string) (float64, error) {
	if e.par != nil { // the synapse's state is its target's worker's
		if k < 0 || k >= len(e.projs) || syn < 0 || syn >= snnsim.SynapseID(e.projs[k].Len()) {
			return 0, fmt.Errorf("engine: SynapseState: synapse %d of projection %d out of range", syn, k)
		}
		p := &e.projs[k]
		return e.par.workers[e.par.owner(p.To, p.Target[syn])].SynapseState(k, syn, name)
	}
	if err := e.oneWorker("SynapseState"); err != nil {
		return 0, err
	}
	g, s, err := e.consProjection("SynapseState", k, syn)
	if err != nil {
		return 0, err
	}
	v := slices.Index(g.synVars(), name)
	if v < 0 {
		return 0, fmt.Errorf("engine: SynapseState: model %s has no variable %q (has %v)", g.model.Name(), name, g.synVars())
	}
	g.model.Advance(max(e.now-1, 0))
	return g.synState.Get(v, s), nil
}

// SetSynapseState sets consolidation variable name of synapse syn of
// projection k from the next tick on, and with it the transmitted weight.
func (e *Engine) SetSynapseState(k int, syn snnsim.SynapseID, name string, x float64) error {
	if err := e.oneWorker("SetSynapseState"); err != nil {
		return err
	}
	g, s, err := e.consProjection("SetSynapseState", k, syn)
	if err != nil {
		return err
	}
	v := slices.Index(g.synVars(), name)
	if v < 0 {
		return fmt.Errorf("engine: SetSynapseState: model %s has no variable %q (has %v)", g.model.Name(), name, g.synVars())
	}
	g.model.Advance(e.now)
	return g.synState.Set(e.now, v, s, x)
}

// NeuronState returns per-neuron consolidation variable name (such as
// "protein") of member i of population pop, from the first model onto pop
// that has it.
func (e *Engine) NeuronState(pop, i int, name string) (float64, error) {
	src := e // the engine whose models hold neuron i
	if e.par != nil {
		if err := e.checkNeuron("NeuronState", pop, i); err != nil {
			return 0, err
		}
		src = e.par.workers[e.par.owner(pop, int32(i))] // its models number the whole population
	} else {
		if err := e.oneWorker("NeuronState"); err != nil {
			return 0, err
		}
		if err := e.checkNeuron("NeuronState", pop, i); err != nil {
			return 0, err
		}
	}
	for _, gi := range src.pops[pop].groups {
		g := src.groups[gi]
		if v := slices.Index(g.neuronVars(), name); v >= 0 {
			g.model.Advance(max(e.now-1, 0))
			return g.neuronState.NeuronGet(v, int32(i)), nil
		}
	}
	return 0, fmt.Errorf("engine: NeuronState: no consolidation model onto %q has a neuron variable %q", e.pops[pop].name, name)
}

// SetLevel sets a neuromodulator or drug level (such as "dopamine" or
// "inhibitor") for population pop from the next tick on, as a
// [[neuromodulator]] or [[drug]] table of the scenario would. A later
// scheduled change of the same level overrides it.
func (e *Engine) SetLevel(pop int, name string, level float64) error {
	if err := e.oneWorker("SetLevel"); err != nil {
		return err
	}
	if pop < 0 || pop >= len(e.pops) || e.pops[pop].neurons == nil {
		return fmt.Errorf("engine: SetLevel: population %d is not a neuron population", pop)
	}
	e.advanceGroups(e.now)
	return e.setLevel(e.now, pop, name, level)
}
