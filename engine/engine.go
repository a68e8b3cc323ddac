package engine

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// Config holds the engine's options. The zero value is the normal setting.
type Config struct {
	// Shortcuts selects whether neurons at rest leave the active set and the
	// engine jumps over quiet periods (ShortcutsOn, the default) or every
	// neuron is stepped every tick (ShortcutsOff). Both give the same spikes;
	// ShortcutsOff exists to test that.
	Shortcuts Shortcuts
	// Weights selects whether plastic projections change a copy of the
	// network's weights (WeightsCopy, the default: the network stays as
	// compiled and may be shared) or the network's arrays themselves
	// (WeightsInPlace: saves the memory of the copy). On Linux the copy is
	// mapped with transparent huge pages, which makes the postsynaptic
	// plasticity pass faster. Either way only the engine writes them during
	// a run: its plasticity rules keep facts about the weights between
	// spikes (stdp.WeightOwner), so change them with Engine.SetWeight, not
	// by writing the network's arrays.
	Weights Weights
	// Workers is the number of workers that simulate the network together,
	// each owning a contiguous part of every population (see "Parallel
	// runs" in the package documentation); 0 means 1. The spikes and
	// weights are the same, bit for bit, for any number. A network with a
	// feature that does not run on several workers runs on one: see
	// Engine.Workers.
	Workers int
	// stateOnly builds an engine that only holds a network's state, for a
	// checkpoint of the workers of a parallel run to be joined into or
	// split from: it never runs, so its plastic projections need no
	// transposed index.
	stateOnly bool
}

// Weights selects where plastic weights live.
type Weights int

// The weight storage settings.
const (
	WeightsCopy Weights = iota
	WeightsInPlace
)

// Shortcuts switches the active-set and jump shortcuts.
type Shortcuts int

// The shortcut settings.
const (
	ShortcutsOn Shortcuts = iota
	ShortcutsOff
)

// Sink receives the spikes of each tick. The engine calls Spikes at most once
// per tick, in increasing tick order, with the IDs of the sink's populations
// that fired at t in increasing order; ids is valid only during the call. An
// error stops the run and is returned by Run.
type Sink interface {
	Spikes(t snnsim.Time, ids []snnsim.NeuronID) error
}

// Stats counts the work done since the engine was created.
type Stats struct {
	Now            snnsim.Time // next tick to be processed
	TicksStepped   int64       // ticks processed one by one
	TicksSkipped   int64       // ticks jumped over because nothing was active
	Spikes         []int64     // spikes per population, in declaration order
	SynapticEvents int64       // weight deliveries (one per synapse reached by a spike)
	// PlasticityUpdates counts the synapses whose plasticity rule or
	// consolidation model a spike reached: one per synapse of a plastic
	// projection that a presynaptic spike arrives at, and one per synapse
	// of such a projection onto a neuron that fired. Unlike the others it
	// is not saved in checkpoints: it counts the work of this engine since
	// it was made or restored.
	PlasticityUpdates int64
}

// pop is one population at run time: a neuron model or a source.
type pop struct {
	name     string
	offset   int32
	neurons  neuron.Population
	src      source.Source
	switcher source.Switcher // src, when it has a stimulus schedule to log
	out      []int           // indices of projections leaving this population
	in       []int           // indices of plastic projections onto this population
	groups   []int           // indices of consolidation models onto this population
	fired    []int32
	bias     []float64  // stimulus current per neuron [pA] on top of the model's i_bias; nil until used
	injected []float64  // current injected from outside per neuron [pA]; nil until used
	rng      *rand.PCG  // a source's random stream
	base     float64    // the model's i_bias [pA]
	ous      []*ouInput // Ornstein–Uhlenbeck current stimuli (ou.go)
	ouSum    []float64  // their current per neuron [pA]; nil without any; ouOwn or the values of the only current on (sumOU)
	ouOwn    []float64  // the buffer of ouSum when several currents add up
	totalBuf []float64  // total input current per neuron, written by totals (ou.go)
}

// proj is one projection at run time with its delay groups.
type proj struct {
	*netlist.Projection
	target neuron.Population
	// w is the weight array that delivery reads: the network's own for a
	// static projection, the engine's copy (or, with WeightsInPlace, the
	// network's) for a plastic one. It is nil for a projection with one
	// constant weight (netlist.Projection.ConstWeight), whose deliveries
	// read constW, that weight repeated for the longest row, and for one
	// whose consolidation model hands out the weights itself (preUpdate).
	w       []float32
	constW  []float32
	plastic *plastic // the plasticity rule at run time; nil for static synapses
	// Delay groups: the synapses of source row i are split into groups of
	// equal delay; group g of the whole projection spans synapses
	// segEnd[g-1]..segEnd[g]-1 (segEnd[-1] being the row start) with delay
	// segDelay[g]; row i's groups are segRow[i]..segRow[i+1]-1. Nil for a
	// constant delay, where a row is one group.
	segRow   []int32
	segEnd   []int64
	segDelay []snnsim.Time
	// Consolidation (consolidate.go).
	consGroup     *consGroup                // the consolidation model of the projection; nil for none
	consOffset    snnsim.SynapseID          // the model's index of this projection's first synapse
	consPreOffset int32                     // the model's index of this projection's first presynaptic neuron
	ruleBuf       []float32                 // a plastic projection's window of the model's rule buffer, on which the rule works
	postFactors   stdp.PostFactorer         // with postUpdate: the rule whose postsynaptic update the model applies
	postUpdate    consolidation.PostUpdater // nil unless the model applies the rule's postsynaptic update itself
	postBounds    [2]float64                // the rule's weight bounds, for postUpdate
	preFactors    stdp.PreFactorer          // with preUpdate: the rule whose presynaptic update the model applies
	preUpdate     consolidation.PreUpdater  // nil unless the model applies the rule's presynaptic update and keeps no delivery array (w is then nil)
	rowBuf        []float32                 // with preUpdate: scratch for the weights a spike delivers
	// Short-term plasticity (stp.go).
	stp    *stdp.STPState // x and u of each source neuron; nil for none
	stpBuf []float32      // scratch: a row's weights times a spike's release
}

// stimEvent changes the stimulus current of some neurons at a tick.
type stimEvent struct {
	t     snnsim.Time
	pop   int
	ids   []int // nil: all members
	delta float64
}

type sinkEntry struct {
	sink Sink
	keep []bool // per population
}

// Engine simulates one network. It holds all run-time state, so several
// engines may run concurrently in one process. Its methods are not safe for
// concurrent use.
type Engine struct {
	_        [linePad]byte // a worker's engine writes its counters at every delivery (parallel.go)
	net      *netlist.Network
	cfg      Config
	now      snnsim.Time
	pops     []pop
	projs    []proj
	queue    *ring  // spike deliveries waiting for their delay, by tick
	touchSum uint32 // see touchRows
	stims    []stimEvent
	nextStim int // index in stims of the next stimulus event
	sinks    []sinkEntry
	stats    Stats
	sinkIDs  []snnsim.NeuronID // scratch: the global IDs of a tick's spikes, for the sinks
	rec      *probeSet         // probes (record.go); nil when none

	onMark   func(t snnsim.Time, text string) error
	switches []source.Switch // scratch for switchMarks

	pending []injection // spikes and inputs injected for tick now (api.go)
	guards  []guard     // rate guards (guard.go)
	frees   []func()    // releases memory mapped outside Go's heap (plastic weights); run when the engine is collected

	groups  []*consGroup // consolidation models (consolidate.go)
	nextMod int          // next of net.Modulations to apply
	phases  *phaseState  // phases without spiking (phase.go); nil for none

	par      *parallel // the workers of a run on several (parallel.go); nil on one
	part     *partOf   // in a worker: which part of the network it owns; nil otherwise
	fallback string    // why the engine runs on one worker when Config.Workers asked for more
	// popCounters: a plasticity rule counts its target population's
	// spikes (stdp.PopulationCounter), which the engine passes it.
	popCounters bool
	_           [linePad]byte
}

// OnMark registers f to receive a short text for each event of the
// protocol as it happens (a current step starting or ending), for logs to
// record as marks. A later call replaces f; nil removes it. An error from f
// stops the run and is returned by Run.
func (e *Engine) OnMark(f func(t snnsim.Time, text string) error) { e.onMark = f }

// New builds an engine for net: it creates every population's model at rest
// (then sets the initial potentials), derives each source's random stream
// from the network seed and the population name, and prepares the delay
// queue. The network is not modified and may be shared.
func New(net *netlist.Network, cfg Config) (*Engine, error) {
	if cfg.Workers > 1 {
		why := serialOnly(net)
		if why == "" {
			e, w, err := newParallel(net, cfg)
			if e != nil || err != nil {
				return e, err
			}
			why = w
		}
		cfg.Workers = 1
		e, err := newEngine(net, cfg, nil)
		if err != nil {
			return nil, err
		}
		e.fallback = why
		e.keepFrees()
		return e, nil
	}
	e, err := newEngine(net, cfg, nil)
	if err != nil {
		return nil, err
	}
	e.keepFrees()
	return e, nil
}

// keepFrees releases the memory mapped outside Go's heap when e is
// collected.
func (e *Engine) keepFrees() {
	if len(e.frees) > 0 {
		runtime.AddCleanup(e, func(fs []func()) {
			for _, f := range fs {
				f()
			}
		}, e.frees)
	}
}

// newEngine builds an engine for net on one worker; part, when not nil,
// makes it the worker that owns one part of a network split among several
// (net is then that part, see parallel.go).
func newEngine(net *netlist.Network, cfg Config, part *partOf) (*Engine, error) {
	if net.Clock.DT <= 0 {
		return nil, fmt.Errorf("engine: resolution %g ms: must be > 0", net.Clock.DT)
	}
	e := &Engine{net: net, cfg: cfg, part: part}
	e.stats.Spikes = make([]int64, len(net.Populations))
	for _, p := range net.Populations {
		r := pop{name: p.Name, offset: int32(p.Offset)}
		switch {
		case p.Neuron != nil:
			m, err := p.Neuron.New(p.Size, net.Clock)
			if err != nil {
				return nil, fmt.Errorf("engine: population %q: %w", p.Name, err)
			}
			if cfg.Shortcuts == ShortcutsOff {
				m.SetAlwaysActive(true)
			}
			for i, v := range p.InitV {
				m.SetV(0, i, v)
			}
			if part != nil {
				m.(neuron.Part).SetPart(part.size[len(e.pops)], int(part.lo[len(e.pops)]))
			}
			r.neurons = m
			r.base = p.Neuron.Bias()
		case p.Source != nil:
			r.rng = snnsim.NewPCG(net.Seed, "source/"+p.Name) // kept: its state goes into checkpoints
			s, err := p.Source.New(p.Size, net.Clock, rand.New(r.rng))
			if err != nil {
				return nil, fmt.Errorf("engine: population %q: %w", p.Name, err)
			}
			r.src = s
			r.switcher, _ = s.(source.Switcher)
		default:
			return nil, fmt.Errorf("engine: population %q has neither a neuron model nor a source", p.Name)
		}
		e.pops = append(e.pops, r)
	}
	maxDelay := snnsim.Time(1)
	for k, pr := range net.Projections {
		if pr.From < 0 || pr.From >= len(e.pops) || pr.To < 0 || pr.To >= len(e.pops) {
			return nil, fmt.Errorf("engine: projection %q: population index out of range", pr.Name)
		}
		tgt := e.pops[pr.To].neurons
		if tgt == nil {
			return nil, fmt.Errorf("engine: projection %q: target %q is a source, not a neuron population", pr.Name, e.pops[pr.To].name)
		}
		if len(pr.RowStart) != e.srcSize(pr.From)+1 {
			return nil, fmt.Errorf("engine: projection %q: %d row starts for %d sources", pr.Name, len(pr.RowStart), e.srcSize(pr.From))
		}
		p := proj{Projection: pr, target: tgt, w: pr.Weight}
		if pr.Weight == nil { // one constant weight: a row's worth of it serves every delivery
			longest := int64(0)
			for i := 0; i+1 < len(pr.RowStart); i++ {
				longest = max(longest, pr.RowStart[i+1]-pr.RowStart[i])
			}
			p.constW = make([]float32, longest)
			for k := range p.constW {
				p.constW[k] = pr.ConstWeight
			}
		}
		if pr.STP != nil {
			if err := p.newSTP(net, e.srcSize(pr.From)); err != nil {
				return nil, err
			}
		}
		if pr.Delay == nil {
			if pr.ConstDelay < 1 {
				return nil, fmt.Errorf("engine: projection %q: delay %d ticks: must be >= 1", pr.Name, pr.ConstDelay)
			}
			maxDelay = max(maxDelay, pr.ConstDelay)
		} else {
			if part != nil { // the driver's, which every worker shares
				f := &part.par.full[k]
				p.segRow, p.segEnd, p.segDelay = f.segRow, f.segEnd, f.segDelay
			} else {
				p.buildGroups()
			}
			for _, d := range p.segDelay {
				if d < 1 {
					return nil, fmt.Errorf("engine: projection %q: delay %d ticks: must be >= 1", pr.Name, d)
				}
				maxDelay = max(maxDelay, d)
			}
		}
		if part != nil && pr.Weight != nil {
			p.w = part.par.weights[k] // shared by the workers, each writing its own synapses
		}
		if pr.Plasticity != nil {
			var pl *plastic
			var err error
			if part != nil {
				pl, err = newPlastic(&p, net, e.srcSize(pr.From), part.size[pr.To], part.transpose(&p, k))
			} else {
				pl, err = newPlastic(&p, net, e.srcSize(pr.From), net.Populations[pr.To].Size, nil)
			}
			if err != nil {
				return nil, err
			}
			p.plastic = pl
			e.popCounters = e.popCounters || pl.counter != nil
			if o, ok := pl.rule.(stdp.WeightOwner); ok && pr.Consolidation == nil {
				o.OwnWeights() // a consolidation model writes its rule buffer too
			}
			if cfg.Weights != WeightsInPlace && pr.Consolidation == nil && part == nil {
				// The engine's own copy, never handed out (Weights copies
				// it), so memory outside Go's heap is safe here; it is
				// freed with the engine.
				var free func()
				p.w, free = hugeFloat32s(len(pr.Weight))
				copy(p.w, pr.Weight)
				e.frees = append(e.frees, free)
			}
			e.pops[pr.To].in = append(e.pops[pr.To].in, k)
		}
		e.projs = append(e.projs, p)
		e.pops[pr.From].out = append(e.pops[pr.From].out, k)
	}
	if err := e.newGroups(); err != nil {
		return nil, err
	}
	consolidated := 0
	for k := range e.projs {
		if e.projs[k].consGroup != nil {
			consolidated += e.projs[k].Len()
		}
	}
	if consolidated >= gcFromSynapses {
		// The consolidation layouts are garbage now; collecting them
		// before the transposed indices are made lets those reuse their
		// memory, so that the start-up peak does not hold both.
		runtime.GC()
	}
	if !cfg.stateOnly {
		e.transposeAll()
	}
	if err := e.newPhases(); err != nil {
		return nil, err
	}
	for _, md := range net.Modulations {
		if md.Population < 0 || md.Population >= len(e.pops) || e.pops[md.Population].neurons == nil {
			return nil, fmt.Errorf("engine: %s: population %d is not a neuron population", md.Name, md.Population)
		}
		found := false
		for _, gi := range e.pops[md.Population].groups {
			found = found || e.groups[gi].levels[md.Name]
		}
		if !found {
			return nil, fmt.Errorf("engine: %s on %q: no consolidation model onto it reads this level", md.Name, e.pops[md.Population].name)
		}
	}
	e.queue = newRing(maxDelay)
	for k, s := range net.Stimuli {
		if s.Kind == "ou_current" && s.Population >= 0 && s.Population < len(e.pops) && e.pops[s.Population].neurons != nil {
			if err := e.newOU(k, s); err != nil {
				return nil, err
			}
			continue
		}
		if s.Kind != "current_step" {
			return nil, fmt.Errorf("engine: stimulus kind %q is not supported", s.Kind)
		}
		if e.pops[s.Population].neurons == nil {
			return nil, fmt.Errorf("engine: current step on %q: not a neuron population", e.pops[s.Population].name)
		}
		e.stims = append(e.stims, stimEvent{s.Start, s.Population, s.Neurons, s.Amplitude})
		if s.Stop != snnsim.Never {
			e.stims = append(e.stims, stimEvent{s.Stop, s.Population, s.Neurons, -s.Amplitude})
		}
	}
	sort.SliceStable(e.stims, func(i, j int) bool { return e.stims[i].t < e.stims[j].t })
	for _, g := range net.Guards {
		if g.Population < 0 || g.Population >= len(e.pops) || g.Window < 1 || !(g.MaxRate > 0) {
			return nil, fmt.Errorf("engine: guard on population %d: bad population, window (%d ticks) or rate (%g Hz)", g.Population, g.Window, g.MaxRate)
		}
		e.guards = append(e.guards, guard{Guard: *g})
	}
	return e, nil
}

// srcSize returns the number of neurons of population i as the sources of
// projections see it: in a worker, the whole population's.
func (e *Engine) srcSize(i int) int {
	if e.part != nil {
		return e.part.size[i]
	}
	return e.net.Populations[i].Size
}

// buildGroups splits each source row into groups of equal delay (rows are
// ordered by delay, see netlist.Projection).
func (p *proj) buildGroups() {
	n := len(p.RowStart) - 1
	p.segRow = make([]int32, n+1)
	for i := 0; i < n; i++ {
		p.segRow[i] = int32(len(p.segEnd))
		lo, hi := p.RowStart[i], p.RowStart[i+1]
		for k := lo; k < hi; {
			d := p.Delay[k]
			j := k + 1
			for j < hi && p.Delay[j] == d {
				j++
			}
			p.segEnd = append(p.segEnd, j)
			p.segDelay = append(p.segDelay, snnsim.Time(d))
			k = j
		}
	}
	p.segRow[n] = int32(len(p.segEnd))
}

// Attach adds a sink that receives the spikes of the given populations
// (indices into the network's populations; nil for all).
func (e *Engine) Attach(s Sink, populations []int) error {
	keep := make([]bool, len(e.pops))
	for i := range keep {
		keep[i] = populations == nil
	}
	for _, p := range populations {
		if p < 0 || p >= len(e.pops) {
			return fmt.Errorf("engine: Attach: population index %d out of range", p)
		}
		keep[p] = true
	}
	e.sinks = append(e.sinks, sinkEntry{s, keep})
	return nil
}

// Now returns the next tick to be simulated: every tick before it is done.
func (e *Engine) Now() snnsim.Time { return e.now }

// Network returns the network the engine runs.
func (e *Engine) Network() *netlist.Network { return e.net }

// Stats returns a copy of the work counters.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Now = e.now
	s.Spikes = append([]int64(nil), e.stats.Spikes...)
	if e.par != nil {
		for _, we := range e.par.workers {
			s.SynapticEvents += we.stats.SynapticEvents
			s.PlasticityUpdates += we.stats.PlasticityUpdates
		}
	}
	return s
}

// V returns the membrane potential [mV] of member i of neuron population p
// at the engine's last completed tick.
func (e *Engine) V(p, i int) (float64, error) {
	if p < 0 || p >= len(e.pops) || e.pops[p].neurons == nil {
		return 0, fmt.Errorf("engine: V: population %d is not a neuron population", p)
	}
	if i < 0 || i >= e.pops[p].neurons.Len() {
		return 0, fmt.Errorf("engine: V: neuron %d out of range [0, %d)", i, e.pops[p].neurons.Len())
	}
	return e.pops[p].neurons.V(i, e.neuronTick(max(e.now-1, 0))), nil
}

// Schedule describes the order of operations within a tick.
func (e *Engine) Schedule() string {
	var b strings.Builder
	b.WriteString("Within tick t:\n")
	b.WriteString("  0. consolidation  models do their slow-clock steps and scheduled events (tag decays) due at t\n")
	b.WriteString("  1. stimuli      current steps starting or ending at t change the bias of their neurons;\n")
	b.WriteString("                 neuromodulator and drug levels changing at t reach the consolidation models\n")
	b.WriteString("  2. delivery     spikes arriving at t: presynaptic side of plasticity (depression), then their weights go to the targets' inputs\n")
	for _, p := range e.projs {
		fmt.Fprintf(&b, "                 %s: %s -> %s (%s, %d synapses)\n", p.Name, e.pops[p.From].name, e.pops[p.To].name, p.Receptor, p.Len())
	}
	b.WriteString("  3. sources      spike sources due at t fire\n")
	b.WriteString("  4. neurons      active neurons advance to t, add the input of step 2, test V > threshold\n")
	for _, p := range e.pops {
		if p.neurons != nil {
			fmt.Fprintf(&b, "                 %s (%d neurons)\n", p.name, p.neurons.Len())
		}
	}
	b.WriteString("  4b. plasticity  postsynaptic side of the plastic projections (potentiation) for the neurons that fired\n")
	b.WriteString("  5. fan-out      spikes of t are queued for arrival at t + delay\n")
	b.WriteString("  5b. induction   consolidation models read the potentials of t (voltage-based tags) and the spikes of t\n")
	b.WriteString("  6. sinks        spikes of t go to the log and callbacks\n")
	b.WriteString("  7. probes       sampled state (v, rates, weights) after tick t; then rate guards\n")
	b.WriteString("When no neuron is active the engine jumps to the next source spike, arrival, stimulus or level change,\n")
	b.WriteString("consolidation event (slow-clock step of a synapse not at rest, tag decay) or the end.\n")
	for _, ph := range e.net.Phases {
		if !ph.Spiking() {
			fmt.Fprintf(&b, "Ticks %d to %d (phase %s) are not ticked: spiking is off, neurons are frozen, only the consolidation models advance.\n", ph.Start, ph.Stop-1, ph.Name)
		}
	}
	return b.String()
}

// transposeAll builds the transposed index of every plastic projection
// that has none yet (one engine's whole projection). It runs after the
// consolidation models are built, so that their per-synapse state and the
// layout they are built from are not in memory together with every
// transposed index: the start-up peak is then the larger of the two, not
// their sum.
func (e *Engine) transposeAll() {
	for k := range e.projs {
		if p := &e.projs[k]; p.plastic != nil && p.plastic.transposed == nil {
			p.plastic.transposed = p.Transpose(e.net.Populations[p.To].Size)
		}
	}
}
