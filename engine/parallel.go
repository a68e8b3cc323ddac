package engine

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// This file runs a network on several workers (Config.Workers > 1); the
// package documentation ("Parallel runs") states the rules it keeps.

// serialOnly returns why net must run on one worker, or "" if it can run
// on several.
func serialOnly(net *netlist.Network) string {
	for _, pr := range net.Projections {
		if pr.Consolidation == nil {
			continue
		}
		switch pr.Consolidation.(type) {
		case *consolidation.ZenkeParams: // consolidation.Parted, with or without a rule
		case *consolidation.LT2021Params, *consolidation.TTCParams: // consolidation.Parted
			if pr.Plasticity != nil {
				return fmt.Sprintf("projection %q has the consolidation model %s driven by a plasticity rule, which runs on one worker", pr.Name, pr.Consolidation.Model())
			}
		default:
			return fmt.Sprintf("projection %q has the consolidation model %s, which is not split among workers (consolidation.Parted)", pr.Name, pr.Consolidation.Model())
		}
		if !oneDelayPerSource(pr) {
			return fmt.Sprintf("projection %q has a consolidation model and sources whose synapses have different delays; split among workers, a source's state in the model would move at the arrivals of a part of its spikes", pr.Name)
		}
	}
	for _, s := range net.Stimuli {
		if s.Kind != "current_step" && s.Kind != "ou_current" {
			return fmt.Sprintf("the %s stimulus runs on one worker", s.Kind)
		}
	}
	if len(net.Modulations) > 0 {
		return "neuromodulator levels run on one worker"
	}
	for _, p := range net.Populations {
		if p.Neuron == nil {
			continue
		}
		m, err := p.Neuron.New(0, net.Clock)
		if err != nil {
			return "" // newEngine reports it
		}
		if _, ok := m.(neuron.Part); !ok {
			return fmt.Sprintf("the neuron model %s of %q cannot be split among workers", p.Neuron.Model(), p.Name)
		}
	}
	return ""
}

// oneDelayPerSource reports whether every source's synapses of pr have one
// delay.
func oneDelayPerSource(pr *netlist.Projection) bool {
	if pr.Delay == nil {
		return true
	}
	for i := 0; i+1 < len(pr.RowStart); i++ {
		for s := pr.RowStart[i] + 1; s < pr.RowStart[i+1]; s++ {
			if pr.Delay[s] != pr.Delay[pr.RowStart[i]] {
				return false
			}
		}
	}
	return true
}

// maxEpoch is the longest communication epoch [ticks].
const maxEpoch = 128

// linePad separates the structures that different workers write, so
// that no two workers write the same cache line (or the pair of lines
// that a core's adjacent-line prefetcher fetches together); they are
// allocated one after another when the run is built.
const linePad = 128

// partOf is what a worker knows of its part of the network.
type partOf struct {
	_       [linePad]byte
	index   int
	sources bool            // this worker fires the source populations
	size    []int           // every population's whole size
	lo      []int32         // the first member of each population that the worker owns
	parts   []neuron.Part   // the worker's neuron populations as parts (nil for sources)
	par     *parallel       // the run it belongs to
	all     []bool          // per population, for the tick being simulated: every neuron of the whole population is active
	anyOn   []bool          // ... some neuron of the whole population is active (Update runs)
	mine    []uint8         // scratch: this worker's vote
	count   [][]int32       // per population, ring by arrival tick: input targets of the whole population
	cmask   snnsim.Time     // mask of the count rings
	out     [2]*epochSpikes // the spikes of the epochs, by parity of the epoch number
	cur     *epochSpikes    // the epoch being simulated
	cmd     epochCmd        // the epoch being simulated
	timed   bool            // ... is timed (EpochTimes)
	times   workerTimes     // where the worker's time went
	// The schedule switches its sources made in the epoch (worker 0), for
	// the driver's marks, and per tick of the epoch whether one worker
	// would have stepped it (Stats counts it as stepped or skipped).
	// stepped is kept by parity of the epoch number, as out is: the driver
	// reads an epoch's while the others may have started the next.
	switches []srcSwitch
	stepped  [2][]bool
	parity   int64 // the epoch number's parity (gen&1)
	// due: something other than a neuron, an arrival or a source needs
	// tick t in this worker (a consolidation model's work, an OU current,
	// a stimulus), found before step 0 of the tick. stepAll: with
	// par.stepVote, whether one worker would step the tick (a vote).
	due, stepAll bool
	stepBits     []uint8 // scratch of the step vote
	// The summary of the worker's state that it publishes with its spikes
	// at the end of each epoch, from which the driver plans the next.
	active []int  // per population: Active()
	full   []bool // per population: every neuron is active and none can settle within an epoch
	// spans[k][g]: the worker's synapses of delay group g of projection k
	// (parallel.cuts) and the size of the whole group, in an array of the
	// worker's own, which a spike's fan-out reads; nil for the projections
	// whose spans popSpans holds.
	spans [][]span
	// popSpans[i], for a population whose projections out (its pop.out,
	// m of them) all have one delay and no short-term plasticity: the
	// same spans by source, popSpans[i][j*m+q] that of source j in its
	// q-th projection, so that a spike's spans in all of them share a
	// cache line (nil otherwise).
	popSpans [][]span
	// The worker's own spikes of the last ticks, for the queue of a
	// checkpoint (parallel_checkpoint.go): by tick modulo hmask+1 and
	// population, with the tick each slot holds. The workers' ranges are
	// in order, so a tick's spikes of the whole network are theirs
	// concatenated in worker order.
	hist  [][][]int32
	histT []snnsim.Time
	// fanIDs: scratch of the fan-out, per worker its spikes of one
	// population at one tick.
	fanIDs [][]int32
	_      [linePad]byte
}

// span is a worker's synapses lo..lo+n-1 of a delay group of whole
// synapses. A group's synapses (one source's of one delay) number far
// fewer than 2^31, as the input counts assume.
type span struct {
	lo       int64
	n, whole int32
}

// makeSpans returns worker w's spans of every projection (partOf.spans).
func (par *parallel) makeSpans(w int) [][]span {
	n := par.nworkers
	spans := make([][]span, len(par.cuts))
	for k, c := range par.cuts {
		groups := len(c) / (n + 1)
		sp := make([]span, groups)
		for g := range sp {
			r := c[g*(n+1):][:n+1]
			sp[g] = span{lo: r[w], n: int32(r[w+1] - r[w]), whole: int32(r[n] - r[0])}
		}
		spans[k] = sp
	}
	return spans
}

// makePopSpans returns partOf.popSpans of worker engine we.
func (pt *partOf) makePopSpans(we *Engine) [][]span {
	ps := make([][]span, len(we.pops))
	for i := range we.pops {
		out := we.pops[i].out
		m := len(out)
		if m < 2 {
			continue // nothing to share a line with
		}
		simple := true
		for _, k := range out {
			simple = simple && we.projs[k].segRow == nil && we.projs[k].stp == nil
		}
		if !simple {
			continue
		}
		n := pt.size[i]
		sp := make([]span, n*m)
		for j := 0; j < n; j++ {
			for q, k := range out {
				sp[j*m+q] = pt.spans[k][j]
			}
		}
		ps[i] = sp
	}
	return ps
}

// srcSwitch is a source's schedule switch taken at tick t.
type srcSwitch struct {
	t   snnsim.Time
	pop int
	sw  source.Switch
}

// publish writes the worker's state summary (partOf.active, full).
func (pt *partOf) publish(e *Engine) {
	for i, p := range pt.parts {
		if p == nil {
			continue
		}
		n := e.pops[i].neurons
		a := n.Active()
		pt.active[i] = a
		pt.full[i] = a == n.Len() && !p.Settling(pt.par.epoch)
	}
}

// cut returns the worker's synapses of delay group g of projection k (a
// source's row, or one delay of it): lo..hi-1 of the whole projection.
func (pt *partOf) cut(k int, g int64) (lo, hi int64) {
	w1 := int64(pt.par.nworkers + 1)
	c := pt.par.cuts[k][g*w1+int64(pt.index):]
	return c[0], c[1]
}

// groupSynapses returns the worker's synapses of consolidation group g of
// worker engine e, numbered as in the group's model (each projection's
// from its consOffset on), as the ranges spans[2k] .. spans[2k+1]−1 of
// consolidation.SynapseParted: one per delay group of each projection,
// merged where they meet.
func (pt *partOf) groupSynapses(e *Engine, g *consGroup) []int64 {
	var spans []int64
	for _, k := range g.projs {
		off := e.projs[k].consOffset
		for gr := range pt.par.full[k].delayGroups() {
			lo, hi := pt.cut(k, gr)
			if lo == hi {
				continue
			}
			lo, hi = lo+off, hi+off
			if n := len(spans); n > 0 && spans[n-1] == lo {
				spans[n-1] = hi
				continue
			}
			spans = append(spans, lo, hi)
		}
	}
	return spans
}

// transpose returns the transposed index of the worker's synapses of
// projection p (index k), by target of the whole population, each column
// by source as in netlist.Projection.Transpose.
func (pt *partOf) transpose(p *proj, k int) *netlist.Transposed {
	nPost := pt.size[p.To]
	tr := &netlist.Transposed{ColStart: make([]int64, nPost+1)}
	pt.eachSynapse(p, k, func(i int32, s int64) { tr.ColStart[p.Target[s]+1]++ })
	for j := 0; j < nPost; j++ {
		tr.ColStart[j+1] += tr.ColStart[j]
	}
	n := tr.ColStart[nPost]
	tr.ColSyn, tr.ColSrc = make([]int32, n), make([]int32, n)
	fill := slices.Clone(tr.ColStart[:nPost])
	pt.eachSynapse(p, k, func(i int32, s int64) {
		j := p.Target[s]
		tr.ColSyn[fill[j]], tr.ColSrc[fill[j]] = int32(s), i
		fill[j]++
	})
	return tr
}

// eachSynapse calls f for each of the worker's synapses of projection p
// (index k), by source, with the source and the synapse's index.
func (pt *partOf) eachSynapse(p *proj, k int, f func(i int32, s int64)) {
	for i := 0; i+1 < len(p.RowStart); i++ {
		g0, g1 := int64(i), int64(i+1)
		if p.segRow != nil {
			g0, g1 = int64(p.segRow[i]), int64(p.segRow[i+1])
		}
		for g := g0; g < g1; g++ {
			lo, hi := pt.cut(k, g)
			for s := lo; s < hi; s++ {
				f(int32(i), s)
			}
		}
	}
}

// fanOutPart is fanOut for a worker: it queues the deliveries of the
// spikes fired at t through projection k, fired[v] those of worker v, to
// the worker's synapses, and adds the targets of the whole projection to
// the input counts of their arrival ticks. Both come from the worker's
// span of each delay group (partOf.spans), so that a spike costs one
// look-up of 16 bytes per projection in an array of the worker's own.
//
// On a projection with short-term plasticity every worker takes the
// release of every spike, whether or not it has synapses of the source:
// each keeps the x and u of every source neuron, the same in all since
// they see the same spikes in the same order, and its deliveries carry
// the release as on one worker.
func (e *Engine) fanOutPart(t snnsim.Time, k int32, fired [][]int32) {
	p, pt := &e.projs[k], e.part
	spans, count := pt.spans[k], pt.count[p.To]
	if p.segRow == nil && p.stp == nil {
		at := t + p.ConstDelay
		in := int32(0)
		for _, f := range fired {
			for _, i := range f {
				sp := &spans[i]
				in += sp.whole
				if sp.n > 0 {
					e.queue.push(at, delivery{k, i, sp.lo, sp.lo + int64(sp.n), 0})
				}
			}
		}
		count[at&pt.cmask] += in
		return
	}
	for _, f := range fired {
		for _, i := range f {
			var r float32
			if p.stp != nil {
				r = float32(p.stp.Release(i, t))
				if pt.index == 0 {
					pt.par.keepRelease(t, k, r)
				}
			}
			g0, g1 := int64(i), int64(i+1)
			if p.segRow != nil {
				g0, g1 = int64(p.segRow[i]), int64(p.segRow[i+1])
			}
			for g := g0; g < g1; g++ {
				d := p.ConstDelay
				if p.segRow != nil {
					d = p.segDelay[g]
				}
				sp := &spans[g]
				count[(t+d)&pt.cmask] += sp.whole
				if sp.n > 0 {
					e.queue.push(t+d, delivery{k, i, sp.lo, sp.lo + int64(sp.n), r})
				}
			}
		}
	}
}

// fanOutPop is fanOutPart for every projection from population i, which
// has partOf.popSpans: projection by projection, as fanOutPart, but
// reading a spike's spans from the line they share.
func (e *Engine) fanOutPop(t snnsim.Time, i int, fired [][]int32) {
	pt := e.part
	out, ps := e.pops[i].out, pt.popSpans[i]
	m := len(out)
	for q, k := range out {
		p := &e.projs[k]
		at := t + p.ConstDelay
		in := int32(0)
		for _, f := range fired {
			for _, j := range f {
				sp := &ps[int(j)*m+q]
				in += sp.whole
				if sp.n > 0 {
					e.queue.push(at, delivery{int32(k), j, sp.lo, sp.lo + int64(sp.n), 0})
				}
			}
		}
		pt.count[p.To][at&pt.cmask] += in
	}
}

// epochSpikes holds one worker's spikes of one epoch, tick by tick and
// population by population: the members (indices into the whole
// population) of population i at tick t0+s are ids[start[s*P+i]:start[s*P+i+1]].
type epochSpikes struct {
	_     [linePad]byte
	ids   []int32
	start []int32
	_     [linePad]byte
}

func (o *epochSpikes) reset() {
	o.ids = o.ids[:0]
	o.start = append(o.start[:0], 0)
}

// at returns the members of population i that fired at the s-th tick of the
// epoch, of P populations.
func (o *epochSpikes) at(s, i, P int) []int32 {
	k := s*P + i
	return o.ids[o.start[k]:o.start[k+1]]
}

type workerTimes struct {
	compute, exchange, wait, serial time.Duration
}

// cpuClock, when not nil, makes EpochTimes measure the CPU time of the
// calling thread instead of the wall time, and the workers keep their OS
// threads so that it is theirs: a test's view of the work done on a
// machine whose cores other processes share.
var cpuClock func() time.Duration

var clockBase = time.Now()

// epochClock returns the time for EpochTimes, or 0 when on is false.
func epochClock(on bool) time.Duration {
	if !on {
		return 0
	}
	if cpuClock != nil {
		return cpuClock()
	}
	return time.Since(clockBase)
}

// timeEvery is how often EpochTimes times an epoch: the epochs whose
// number is a multiple of it. A clock reading costs a noticeable share of
// an epoch of a small network, and a workers' epoch reads it several
// times.
const timeEvery = 8

// timed reports whether epoch gen is timed (timeEvery).
func timed(gen int64) bool { return gen%timeEvery == 0 }

// parallel is the driver of a run on several workers. Worker 0 runs in the
// goroutine that calls Run, which also merges the spikes for the sinks,
// probes and guards after each epoch; the others run in goroutines that
// live for one call of Run.
type parallel struct {
	workers  []*Engine
	net      *netlist.Network // the whole network
	tr       transport
	bounds   [][]int32   // per population: the workers' ranges, bounds[i][w] .. bounds[i][w+1]-1
	epoch    snnsim.Time // the communication epoch: the smallest delay of the network
	nworkers int
	// cuts[k] splits each delay group g of projection k (a source's row, or
	// one delay of it; sorted by target) among the workers: worker w owns
	// its synapses cuts[k][g*(n+1)+w] .. cuts[k][g*(n+1)+w+1]-1.
	cuts    [][]int64
	weights [][]float32 // per projection: the weights the workers share (each writes those of its own synapses)
	full    []proj      // the whole projections' delay groups, for the input counts
	ouPop   []bool      // per population: it has an OU current
	// stepVote: the network has a consolidation model with voltage-based
	// induction, which runs at the ticks one worker steps: the workers
	// vote on them.
	stepVote bool

	cmds    [2]epochCmd // the epochs' commands, by parity of the epoch number
	slowBuf [2][]bool   // their slow flags
	gen     *gate       // number of epochs started
	done    *gate       // epochs finished by workers 1.. (summed), with their fan-out
	fence   *fence      // the run's failure flag, which every gate and the transport watch
	failure atomic.Pointer[workerPanic]
	running sync.WaitGroup // the goroutines of workers 1.. in a call of Run
	started bool           // some tick was simulated: the engine can no longer fall back to one worker
	epochs  int64          // epochs timed (EpochTimes)

	// For checkpoints (parallel_checkpoint.go): the size of the workers'
	// rings of spikes (partOf.hist) minus one; the deliveries restored
	// from a checkpoint at tick restoredAt.
	maxDelay   snnsim.Time
	hmask      snnsim.Time
	rel        [][][]float32 // by tick modulo hmask+1 and projection: the releases of the spikes through a projection with short-term plasticity (keepRelease)
	relT       []snnsim.Time
	restored   []queued
	restoredAt snnsim.Time
	// stepT is the tick after the last one that one worker would have
	// stepped: the tick of the OU currents of a one-worker engine, which
	// advances them at the ticks it steps (the workers step every tick of
	// an epoch; the currents draw nothing while off).
	stepT snnsim.Time
	// The arrivals of the last phase without spiking entered,
	// dropFrom..dropTo-1, which a checkpoint's queue does not hold.
	dropFrom, dropTo snnsim.Time
}

// epochCmd is what the driver tells the workers for one epoch.
type epochCmd struct {
	from, to snnsim.Time // the ticks from..to-1
	busy     bool        // some neuron is active at from
	probe    snnsim.Time // the tick a probe samples (one worker steps it)
	slow     []bool      // per population: the workers vote at each tick on whether it is all active
	stop     bool        // leave the goroutine
}

// partition returns the workers' ranges of a population of n neurons:
// contiguous, in order, each starting at a multiple of 4 (see neuron.Part).
func partition(n, workers int) []int32 {
	b := make([]int32, workers+1)
	for w := 1; w < workers; w++ {
		b[w] = int32(n*w/workers) &^ 3
	}
	b[workers] = int32(n)
	return b
}

// newParallel builds the driver engine and its workers. It returns a
// reason instead when the network cannot be split.
func newParallel(net *netlist.Network, cfg Config) (*Engine, string, error) {
	n := cfg.Workers
	e := &Engine{net: net, cfg: cfg}
	e.stats.Spikes = make([]int64, len(net.Populations))
	f := &fence{}
	par := &parallel{net: net, tr: newLocalTransport(n, len(net.Populations)+1, f), nworkers: n, gen: f.newGate(n), done: f.newGate(n), fence: f}
	par.slowBuf = [2][]bool{make([]bool, len(net.Populations)), make([]bool, len(net.Populations))}
	par.ouPop = make([]bool, len(net.Populations))
	for _, s := range net.Stimuli {
		if s.Kind == "ou_current" {
			par.ouPop[s.Population] = true
		}
	}
	size := make([]int, len(net.Populations))
	for i, p := range net.Populations {
		size[i] = p.Size
		if p.Neuron != nil {
			par.bounds = append(par.bounds, partition(p.Size, n))
		} else {
			par.bounds = append(par.bounds, nil)
		}
	}
	// The driver's projections: the whole ones with their delay groups.
	for k, pr := range net.Projections {
		if pr.From < 0 || pr.From >= len(size) || pr.To < 0 || pr.To >= len(size) || par.bounds[pr.To] == nil ||
			len(pr.RowStart) != size[pr.From]+1 {
			return nil, "", fmt.Errorf("engine: projection %q: bad populations or row starts", pr.Name)
		}
		p := proj{Projection: pr, w: pr.Weight}
		if pr.Delay != nil {
			p.buildGroups()
		}
		e.projs = append(e.projs, p)
		if why := par.cut(&e.projs[k], n); why != "" {
			return nil, why, nil
		}
	}
	par.full = e.projs // the workers share their delay groups
	// The epoch is the smallest delay: a spike emitted in an epoch arrives
	// in a later one, so the workers need each other's spikes only at its
	// end. It is at most maxEpoch ticks, which bounds the spikes a worker
	// holds for the exchange (a network without projections has no delay).
	par.epoch = maxEpoch
	maxDelay := snnsim.Time(1)
	for _, pr := range net.Projections {
		if pr.Delay == nil {
			par.epoch, maxDelay = min(par.epoch, pr.ConstDelay), max(maxDelay, pr.ConstDelay)
			continue
		}
		for _, d := range pr.Delay {
			par.epoch, maxDelay = min(par.epoch, snnsim.Time(d)), max(maxDelay, snnsim.Time(d))
		}
	}
	par.epoch = max(par.epoch, 1)
	par.maxDelay = maxDelay
	hn := snnsim.Time(1)
	for hn <= maxDelay {
		hn <<= 1
	}
	par.hmask = hn - 1
	par.rel = make([][][]float32, hn)
	par.relT = make([]snnsim.Time, hn)
	for s := range par.rel {
		par.rel[s] = make([][]float32, len(net.Projections))
		par.relT[s] = -1
	}
	par.weights = make([][]float32, len(net.Projections))
	for k, pr := range net.Projections {
		par.weights[k] = pr.Weight
		if pr.Plasticity != nil && cfg.Weights != WeightsInPlace {
			// The engine's own copy, as on one worker.
			w, free := hugeFloat32s(len(pr.Weight))
			copy(w, pr.Weight)
			e.frees = append(e.frees, free)
			par.weights[k] = w
			e.projs[k].w = w
		}
	}
	for w := 0; w < n; w++ {
		pt := &partOf{index: w, sources: w == 0, size: size, par: par}
		pt.lo = make([]int32, len(net.Populations))
		for i, b := range par.bounds {
			if b != nil {
				pt.lo[i] = b[w]
			}
		}
		we, err := newEngine(subNetwork(net, par.bounds, w), Config{Shortcuts: cfg.Shortcuts, Weights: WeightsInPlace}, pt)
		if err != nil {
			return nil, "", err
		}
		pt.parts = make([]neuron.Part, len(we.pops))
		for i := range we.pops {
			if m := we.pops[i].neurons; m != nil {
				pt.parts[i] = m.(neuron.Part)
			}
		}
		for _, g := range we.groups {
			par.stepVote = par.stepVote || g.voltageInduced != nil
		}
		// The flags each worker writes at every tick or epoch, in one
		// allocation of its own (small ones share lines otherwise).
		P := len(we.pops)
		// The spike counts too: small allocations made one after another
		// share cache lines, and each worker adds to its own at every
		// tick it fires.
		we.stats.Spikes = make([]int64, 2*linePad/8+P)[linePad/8:][:P:P]
		flags := make([]bool, 2*linePad+4*P)[linePad:]
		pt.all, pt.anyOn, pt.full = flags[:P:P], flags[P:2*P:2*P], flags[2*P:3*P:3*P]
		pt.mine = make([]uint8, 2*linePad+P)[linePad:][:P:P]
		pt.active = make([]int, 2*linePad/8+P)[linePad/8:][:P:P]
		pt.stepBits = make([]uint8, 2*linePad+P+1)[linePad:][: P+1 : P+1]
		ring := snnsim.Time(1)
		for ring <= maxDelay {
			ring <<= 1
		}
		pt.cmask = ring - 1
		pt.count = make([][]int32, len(we.pops))
		counts := make([]int32, 2*linePad/4+int(ring)*P)[linePad/4:]
		for i := range pt.count {
			if we.pops[i].neurons != nil {
				pt.count[i] = counts[int(ring)*i:][:ring:ring]
			}
		}
		pt.out = [2]*epochSpikes{{}, {}}
		pt.spans = par.makeSpans(w)
		pt.popSpans = pt.makePopSpans(we)
		for i, ps := range pt.popSpans {
			if ps != nil { // the fan-out reads these projections' spans from popSpans only
				for _, k := range we.pops[i].out {
					pt.spans[k] = nil
				}
			}
		}
		// The ring's slice headers and ticks, which the worker writes at
		// every tick, in allocations of their own lines.
		pt.hist = make([][][]int32, hn)
		pt.histT = make([]snnsim.Time, 2*linePad/8+int(hn))[linePad/8:][:hn:hn]
		heads := make([][]int32, 2*linePad/24+2+int(hn)*P)[linePad/24+1:]
		for s := range pt.hist {
			pt.hist[s] = heads[s*P:][:P:P]
			pt.histT[s] = -1
		}
		pt.fanIDs = make([][]int32, 2*linePad/24+2+n)[linePad/24+1:][:n:n]
		par.workers = append(par.workers, we)
	}
	// The driver's view: names, sinks, marks, probes, guards.
	for i, p := range net.Populations {
		r := pop{name: p.Name, offset: int32(p.Offset)}
		if p.Neuron != nil {
			v := &partsView{n: p.Size, bounds: par.bounds[i]}
			for _, we := range par.workers {
				v.parts = append(v.parts, we.pops[i].neurons)
			}
			r.neurons = v
		} else {
			r.src = par.workers[0].pops[i].src // changed only between runs (SetRate)
		}
		e.pops = append(e.pops, r)
	}
	for k, pr := range net.Projections {
		e.pops[pr.From].out = append(e.pops[pr.From].out, k)
	}
	for _, s := range net.Stimuli {
		if s.Kind != "current_step" {
			continue // an OU current: the workers' (ou.go)
		}
		e.stims = append(e.stims, stimEvent{s.Start, s.Population, s.Neurons, s.Amplitude})
		if s.Stop != snnsim.Never {
			e.stims = append(e.stims, stimEvent{s.Stop, s.Population, s.Neurons, -s.Amplitude})
		}
	}
	slices.SortStableFunc(e.stims, func(a, b stimEvent) int { return int(a.t - b.t) })
	for _, g := range net.Guards {
		if g.Population < 0 || g.Population >= len(e.pops) || g.Window < 1 || !(g.MaxRate > 0) {
			return nil, "", fmt.Errorf("engine: guard on population %d: bad population, window (%d ticks) or rate (%g Hz)", g.Population, g.Window, g.MaxRate)
		}
		e.guards = append(e.guards, guard{Guard: *g})
	}
	phases, err := driverPhases(net)
	if err != nil {
		return nil, "", err
	}
	e.phases = phases
	e.par = par
	e.keepFrees()
	return e, "", nil
}

// cut splits each delay group of projection p among n workers by the
// ranges of its target population (see parallel.cuts). A group must be
// sorted by target, as compiled networks are; it returns why not otherwise.
func (par *parallel) cut(p *proj, n int) string {
	b := par.bounds[p.To]
	groups := p.delayGroups()
	c := make([]int64, groups*int64(n+1))
	start := func(g int64) int64 { // first synapse of group g
		if p.segRow == nil {
			return p.RowStart[g]
		}
		if g == 0 {
			return 0
		}
		return p.segEnd[g-1]
	}
	for g := int64(0); g < groups; g++ {
		lo, hi := start(g), int64(0)
		if p.segRow != nil {
			hi = p.segEnd[g]
		} else {
			hi = p.RowStart[g+1]
		}
		tg := p.Target[lo:hi]
		if hi-lo > math.MaxInt32 {
			return fmt.Sprintf("projection %q has a source with %d synapses of one delay, more than the input counts of a split network hold", p.Name, hi-lo)
		}
		if !slices.IsSorted(tg) {
			return fmt.Sprintf("projection %q has synapses of one source and delay that are not ordered by target", p.Name)
		}
		for w := 0; w <= n; w++ {
			k, _ := slices.BinarySearch(tg, b[w])
			c[g*int64(n+1)+int64(w)] = lo + int64(k)
		}
	}
	par.cuts = append(par.cuts, c)
	return ""
}

// subNetwork returns worker w's part of net: its range of every neuron
// population (sources whole) and the current steps on it, with members
// numbered from the range's start. The projections are the whole ones:
// the worker reaches its synapses through parallel.cuts.
func subNetwork(net *netlist.Network, bounds [][]int32, w int) *netlist.Network {
	sub := *net
	sub.Populations = make([]*netlist.Population, len(net.Populations))
	for i, p := range net.Populations {
		c := *p
		if b := bounds[i]; b != nil {
			lo, hi := b[w], b[w+1]
			c.Size = int(hi - lo)
			if len(p.InitV) > 0 {
				c.InitV = p.InitV[lo:hi]
			}
		}
		sub.Populations[i] = &c
	}
	sub.Stimuli = nil
	for _, s := range net.Stimuli {
		c := *s
		if b := bounds[s.Population]; b != nil && s.Neurons != nil {
			c.Neurons = nil
			for _, i := range s.Neurons {
				if int32(i) >= b[w] && int32(i) < b[w+1] {
					c.Neurons = append(c.Neurons, i-int(b[w]))
				}
			}
			if c.Neurons == nil {
				// Kept, with no member, so that the stimuli keep their
				// indices, which key the OU currents' random streams.
				c.Neurons = []int{}
			}
		}
		sub.Stimuli = append(sub.Stimuli, &c)
	}
	sub.Guards, sub.Records, sub.Modulations = nil, nil, nil
	return &sub
}

// partTick does steps 3 to 5 of tick t in a worker: its sources (worker 0)
// and neurons, the postsynaptic side of plasticity, and the record of the
// spikes, whose fan-out waits for the end of the epoch.
func (e *Engine) partTick(t snnsim.Time) error {
	pt := e.part
	// Whether one worker would step tick t rather than jump over it: some
	// neuron is active (anyOn, the same in every worker), a delivery
	// arrives (the input counts) or a source fires; the driver adds the
	// stimuli and probes (mergeEpoch). Worker 0 keeps the answer.
	step := (t == pt.cmd.from && pt.cmd.busy) || pt.due || t == pt.cmd.probe
	if t > 0 {
		pt.decide(e, t)
	}
	if pt.par.stepVote {
		pt.voteStep(e, t, step)
	}
	for i := range e.pops {
		p := &e.pops[i]
		p.fired = p.fired[:0]
		if p.src != nil {
			if pt.sources && p.src.Next() == t {
				step = true
				p.fired = p.src.Fire(t, p.fired)
				if p.switcher != nil {
					e.switches = p.switcher.TakeSwitches(e.switches[:0])
					for _, sw := range e.switches {
						pt.switches = append(pt.switches, srcSwitch{t, i, sw})
					}
				}
			}
		} else {
			c := &pt.count[i][t&pt.cmask]
			step = step || *c > 0 || (t > 0 && pt.anyOn[i])
			if t > 0 && pt.anyOn[i] {
				pt.parts[i].PartTick(pt.all[i], int(*c))
				p.fired = p.neurons.Update(t, p.fired)
			}
			*c = 0
		}
		if len(p.fired) > 0 {
			e.stats.Spikes[i] += int64(len(p.fired))
		}
	}
	pt.stepped[pt.parity] = append(pt.stepped[pt.parity], step)
	o := pt.cur
	h := t & pt.par.hmask
	pt.histT[h] = t
	for i := range e.pops {
		p := &e.pops[i]
		pt.hist[h][i] = pt.hist[h][i][:0]
		if len(p.fired) > 0 {
			lo := pt.lo[i]
			n := len(o.ids)
			for _, j := range p.fired {
				o.ids = append(o.ids, j+lo)
			}
			pt.hist[h][i] = append(pt.hist[h][i], o.ids[n:]...)
			for _, k := range p.in { // the rules and transposed indices number targets in the whole population
				if pr := &e.projs[k]; pr.consGroup != nil {
					pr.consPost(t, o.ids[n:])
				} else {
					pr.post(t, o.ids[n:])
					e.stats.PlasticityUpdates += pr.inSynapses(o.ids[n:])
				}
			}
		}
		o.start = append(o.start, int32(len(o.ids)))
	}
	// 5b: the consolidation models onto the worker's targets, after every
	// population's update, as on one worker.
	if len(e.groups) > 0 && (!pt.par.stepVote || pt.stepAll) {
		s, P := int(t-pt.cmd.from), len(e.pops)
		for i := range e.pops {
			if len(e.pops[i].groups) > 0 {
				e.consAfterUpdate(t, i, o.at(s, i, P))
			}
		}
	}
	return nil
}

// voteStep finds whether one worker would step tick t rather than jump
// over it, from the workers' votes: step is what this worker knows
// (something due here, the epoch's busy start, a probe), to which it adds
// its neurons' activity, the arrivals (the input counts of the whole
// populations) and, in worker 0, the sources.
func (pt *partOf) voteStep(e *Engine, t snnsim.Time, step bool) {
	for i := range e.pops {
		p := &e.pops[i]
		if p.src != nil {
			step = step || (pt.sources && p.src.Next() == t)
			continue
		}
		step = step || pt.count[i][t&pt.cmask] > 0 || p.neurons.Active() > 0
	}
	P := len(e.pops)
	pt.stepBits[P] = 0
	if step {
		pt.stepBits[P] = 2
	}
	t0 := epochClock(pt.timed)
	res := pt.par.tr.vote(pt.index, t, pt.stepBits)
	pt.times.wait += epochClock(pt.timed) - t0
	pt.stepAll = res[P]&2 != 0
}

// due reports whether something other than a neuron, an arrival or a
// source needs tick t in worker e (see partOf.due): it is called before
// step 0 of the tick.
func (pt *partOf) dueAt(e *Engine, t snnsim.Time) bool {
	for _, g := range e.groups {
		if g.model.Next() <= t {
			return true
		}
	}
	if e.nextStim < len(e.stims) && e.stims[e.nextStim].t <= t {
		return true
	}
	for i := range e.pops {
		for _, o := range e.pops[i].ous {
			if o.cur.On() || o.cur.NextOn(t) <= t {
				return true
			}
		}
	}
	return false
}

// decide sets, for tick t, whether each population of the whole network is
// all active and whether any of its neurons is: from the part itself for
// the populations the driver found all active for the epoch, by a vote of
// the workers for the others.
func (pt *partOf) decide(e *Engine, t snnsim.Time) {
	slow := pt.cmd.slow
	voting := false
	for i, p := range pt.parts {
		if p == nil {
			continue
		}
		if !slow[i] {
			pt.all[i], pt.anyOn[i] = true, true
			continue
		}
		n := e.pops[i].neurons
		a := n.Active()
		var b uint8
		if a == n.Len() {
			b |= 1
		}
		if a > 0 {
			b |= 2
		}
		pt.mine[i] = b
		voting = true
	}
	if !voting {
		return
	}
	t0 := epochClock(pt.timed)
	res := pt.par.tr.vote(pt.index, t, pt.mine)
	pt.times.wait += epochClock(pt.timed) - t0
	for i, p := range pt.parts {
		if p != nil && slow[i] {
			pt.all[i], pt.anyOn[i] = res[i]&1 != 0, res[i]&2 != 0
		}
	}
}

// runEpoch simulates the epoch of cmd in worker w, publishes its spikes
// and state summary, exchanges them and queues every worker's spikes for
// their arrival at this worker's synapses, in the order one worker would:
// tick by tick, population by population, projection by projection, and
// within a projection by source. The driver (w = 0) passes next, which it
// calls as soon as every worker's spikes and summary are published, to
// start the next epoch before its own fan-out (see runParallel).
func (par *parallel) runEpoch(w int, gen int64, cmd epochCmd, next func()) {
	we := par.workers[w]
	pt := we.part
	on := timed(gen)
	pt.timed = on
	t0 := epochClock(on)
	pt.cmd = cmd
	pt.switches = pt.switches[:0]
	pt.parity = gen & 1
	pt.stepped[pt.parity] = pt.stepped[pt.parity][:0]
	o := pt.out[gen&1]
	o.reset()
	pt.cur = o
	for t := cmd.from; t < cmd.to; t++ {
		if tickHook != nil {
			tickHook(w, t)
		}
		if err := we.tick(t); err != nil {
			panic(err) // a worker has no sinks or marks, the only sources of errors
		}
	}
	we.now = cmd.to
	we.stats.TicksStepped += int64(cmd.to - cmd.from)
	pt.publish(we)
	t1 := epochClock(on)
	par.tr.exchange(w)
	t2 := epochClock(on)
	t3 := t2
	if next != nil {
		next()
		t3 = epochClock(on)
	}
	P := len(we.pops)
	ids := pt.fanIDs
	for s := 0; s < int(cmd.to-cmd.from); s++ {
		t := cmd.from + snnsim.Time(s)
		for i := range we.pops {
			out := we.pops[i].out
			if len(out) == 0 {
				continue
			}
			fired := false
			for v, vw := range par.workers {
				ids[v] = vw.part.out[gen&1].at(s, i, P)
				fired = fired || len(ids[v]) > 0
			}
			if !fired {
				continue
			}
			if pt.popSpans[i] != nil {
				we.fanOutPop(t, i, ids)
				continue
			}
			for _, k := range out {
				we.fanOutPart(t, int32(k), ids)
			}
		}
	}
	we.countPopulations(gen, cmd.from, cmd.to)
	t4 := epochClock(on)
	pt.times.compute += t1 - t0
	pt.times.wait += t2 - t1
	pt.times.serial += t3 - t2
	pt.times.exchange += t4 - t3
}

// work is the loop of worker w >= 1 during one call of Run: it simulates
// each epoch the driver starts, with its exchange and fan-out, until told
// to stop. It keeps its OS thread, so that the operating system keeps the
// worker's neurons and queue in the caches of the core it runs on rather
// than the Go scheduler moving it to the driver's thread when one of them
// sleeps. Its CPU profile samples carry the label snnsim_worker=w (the
// driver's, 0), with the labels of the context of Run.
func (par *parallel) work(ctx context.Context, w int, from int64) {
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("snnsim_worker", strconv.Itoa(w))))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer par.running.Done()
	defer par.catch(w)
	pt := par.workers[w].part
	for gen := from + 1; ; gen++ {
		on := timed(gen)
		t0 := epochClock(on)
		par.gen.wait(gen)
		pt.times.wait += epochClock(on) - t0
		cmd := par.cmds[gen&1]
		if cmd.stop {
			par.done.add(1)
			return
		}
		par.runEpoch(w, gen, cmd, nil)
		par.done.add(1)
	}
}

// tickHook, when not nil, is called by every worker before each tick:
// tests inject failures through it.
var tickHook func(w int, t snnsim.Time)

// workerPanic is a panic in a worker of a parallel run: Run raises the
// panic of a worker w >= 1 again in the goroutine that called it, and
// keeps the first of any worker's (the driver's is worker 0) to refuse
// later calls.
type workerPanic struct {
	worker int
	value  any
	stack  []byte // the worker's stack at the panic
}

func (p *workerPanic) Error() string {
	return fmt.Sprintf("engine: worker %d of a parallel run: panic: %v\n\n%s", p.worker, p.value, p.stack)
}

// Unwrap returns the panic's value when it is an error.
func (p *workerPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// catch, deferred by worker w >= 1, turns its panic into the failure of
// the run: it keeps the first, and trips the fence so that every other
// worker and the driver leave their waits instead of waiting for this one.
func (par *parallel) catch(w int) {
	r := recover()
	if r == nil {
		return
	}
	if r != errAborted {
		par.failure.CompareAndSwap(nil, &workerPanic{worker: w, value: r, stack: debug.Stack()})
	}
	par.fence.trip()
}

// launch starts the next epoch with cmd and returns its number. The
// workers copy their command when they start an epoch, and the driver
// writes the command of epoch g+2 only after every worker has reached the
// exchange of epoch g+1, so two commands suffice.
func (par *parallel) launch(cmd epochCmd) int64 {
	g := par.gen.v.Load() + 1
	par.cmds[g&1] = cmd
	par.gen.set(g)
	return g
}

// plan returns the command of the epoch that starts at from, in a run
// that ends at end: at most the communication epoch, and ending after
// the tick of the next probe and at the end of every guard's bin.
func (par *parallel) plan(e *Engine, from, end snnsim.Time) epochCmd {
	to := min(from+par.epoch, end)
	if e.phases != nil {
		to = min(to, max(e.nextPhase(), from+1)) // a phase without spiking starts at an epoch's start
	}
	if e.rec != nil {
		to = min(to, max(e.rec.next+1, from+1)) // probes read the state after their tick
	}
	for i := range e.guards {
		// A guard that trips stops the run after its bin's last tick, as
		// on one worker: no epoch runs past the end of a bin.
		to = min(to, max(e.guards[i].start+e.guards[i].Window, from+1))
	}
	slow := par.slowBuf[(par.gen.v.Load()+1)&1]
	par.slowPops(e, from, to, slow)
	par.started = true
	probe := snnsim.Never
	if e.rec != nil {
		probe = e.rec.next
	}
	return epochCmd{from: from, to: to, slow: slow, probe: probe, busy: e.cfg.Shortcuts == ShortcutsOff || par.busy()}
}

// early reports whether the epoch after cmd can start before the driver
// has passed cmd's spikes on: the run goes on past it, no probe samples
// and no guard's bin ends in it (both act on the state at the epoch's end,
// before the next), and no jump over a quiet period may follow it (a
// jump needs every worker's queue).
func (par *parallel) early(ctx context.Context, e *Engine, cmd epochCmd, end snnsim.Time) bool {
	if cmd.to >= end || ctx.Err() != nil || (e.cfg.Shortcuts == ShortcutsOn && !par.busy()) {
		return false
	}
	if e.rec != nil && e.rec.next < cmd.to {
		return false
	}
	if e.phases != nil && e.nextPhase() <= cmd.to {
		return false // the driver runs the phase, with every worker idle
	}
	for i := range e.guards {
		if e.guards[i].start+e.guards[i].Window <= cmd.to {
			return false
		}
	}
	return true
}

// runParallel is Run on several workers. The driver plans each epoch from
// the state summaries the workers published with their spikes. When it
// may (parallel.early), it starts the next epoch as soon as every
// worker has published, so that the others go on from their fan-out to
// the next epoch without waiting, while the driver fans out, passes the
// spikes to the sinks, probes and guards (mergeEpoch) and then simulates
// its part of the next epoch; otherwise the others wait for it, and before
// a jump over a quiet period it waits for their fan-out.
func (e *Engine) runParallel(ctx context.Context, end snnsim.Time) error {
	par := e.par
	n := len(par.workers)
	runtime.LockOSThread() // see work
	defer runtime.UnlockOSThread()
	for _, we := range par.workers { // idle between calls of Run
		we.part.publish(we)
	}
	if f := par.failure.Load(); f != nil {
		return fmt.Errorf("engine: an earlier run of this engine failed (worker %d: %v)", f.worker, f.value)
	}
	base := par.gen.v.Load()
	par.running.Add(n - 1)
	for w := 1; w < n; w++ {
		go par.work(ctx, w, base)
	}
	finished := false
	defer func() { // stop the workers, whatever ended the run
		if finished {
			par.launch(epochCmd{stop: true})
			par.running.Wait()
			if f := par.failure.Load(); f != nil { // after its last exchange
				panic(f)
			}
			return
		}
		// A panic here (or runtime.Goexit): the workers leave their
		// waits, and a worker's panic is raised in this goroutine, with
		// its stack, instead of the errAborted of a wait.
		r := recover()
		par.failure.CompareAndSwap(nil, &workerPanic{worker: 0, value: r, stack: debug.Stack()})
		par.fence.trip()
		par.running.Wait()
		if r == errAborted {
			panic(par.failure.Load())
		}
		if r != nil {
			panic(r)
		}
	}()
	var err error
	pprof.Do(ctx, pprof.Labels("snnsim_worker", "0"), func(ctx context.Context) { err = e.runEpochs(ctx, end) })
	finished = true
	return err
}

// runEpochs is the driver's loop of runParallel.
func (e *Engine) runEpochs(ctx context.Context, end snnsim.Time) error {
	par := e.par
	n := len(par.workers)
	pt0 := par.workers[0].part
	var gen, nextGen int64 // the epoch to simulate, and the next if it was started early
	for e.now < end {
		on := timed(par.gen.v.Load() + 1) // the next epoch's, when it has not started
		if nextGen != 0 {
			on = timed(nextGen)
		}
		t0 := epochClock(on)
		if nextGen != 0 {
			gen, nextGen = nextGen, 0
		} else {
			if err := ctx.Err(); err != nil {
				return err
			}
			if e.phases != nil {
				if ph := e.phaseNow(); ph != nil {
					par.done.wait(par.gen.v.Load() * int64(n-1)) // every worker is idle
					t1 := epochClock(on)
					if err := e.fastForward(ctx, ph, end); err != nil {
						return err
					}
					pt0.times.serial += t1 - t0
					continue
				}
			}
			if e.cfg.Shortcuts == ShortcutsOn && !par.busy() {
				par.done.wait(par.gen.v.Load() * int64(n-1)) // every worker's queue is complete
				next := min(par.nextEvent(e), end)
				if next > e.now {
					e.stats.TicksSkipped += int64(next - e.now)
					e.now = next
					for _, we := range par.workers {
						we.now = next
					}
					pt0.times.serial += epochClock(on) - t0
					continue
				}
			}
			gen = par.launch(par.plan(e, e.now, end))
		}
		cmd := par.cmds[gen&1]
		t1 := epochClock(on)
		par.runEpoch(0, gen, cmd, func() {
			if par.early(ctx, e, cmd, end) {
				nextGen = par.launch(par.plan(e, cmd.to, end))
			}
		})
		t2 := epochClock(on)
		if on {
			par.epochs++
		}
		err := e.mergeEpoch(gen, cmd.from, cmd.to, false)
		if err != nil && nextGen != 0 {
			// The others are simulating the next epoch: finish it, without
			// passing its spikes on, so that every worker stops at its end.
			cmd := par.cmds[nextGen&1]
			par.runEpoch(0, nextGen, cmd, nil)
			if timed(nextGen) {
				par.epochs++
			}
			e.mergeEpoch(nextGen, cmd.from, cmd.to, true)
			nextGen = 0
		}
		pt0.times.serial += t1 - t0 + epochClock(on) - t2
		if err != nil {
			e.now = max(e.now, cmd.to)
			return err
		}
	}
	return ctx.Err()
}

// busy reports whether some worker had an active neuron at the end of the
// last epoch.
func (par *parallel) busy() bool {
	for _, we := range par.workers {
		for _, a := range we.part.active {
			if a > 0 {
				return true
			}
		}
	}
	return false
}

// nextEvent is Engine.nextEvent over the workers and the driver's probes and marks.
func (par *parallel) nextEvent(e *Engine) snnsim.Time {
	next := snnsim.Never
	for _, we := range par.workers {
		next = min(next, we.nextEvent())
	}
	if e.nextStim < len(e.stims) {
		next = min(next, e.stims[e.nextStim].t)
	}
	if e.rec != nil {
		next = min(next, e.rec.next)
	}
	return min(next, e.nextPhase())
}

// slowPops sets slow[i] for the neuron populations that need a vote at each
// tick of the epoch from..to-1: all but those whose every neuron is active
// in every worker and cannot settle, and whose bias no current step
// changes in the epoch (they stay all active throughout).
func (par *parallel) slowPops(e *Engine, from, to snnsim.Time, slow []bool) {
	for i := range slow {
		slow[i] = false
		if par.bounds[i] == nil {
			continue
		}
		if par.ouPop[i] { // its bias changes at every tick while the current is on
			slow[i] = true
			continue
		}
		for _, we := range par.workers {
			if !we.part.full[i] {
				slow[i] = true
				break
			}
		}
	}
	for k := e.nextStim; k < len(e.stims) && e.stims[k].t < to; k++ {
		if e.stims[k].t >= from {
			slow[e.stims[k].pop] = true
		}
	}
}

// mergeEpoch passes the spikes of the ticks from..to-1 to the sinks, marks,
// guards and probes, tick by tick, as one worker does after each tick.
// Quiet, after an error, it passes nothing to the sinks and marks and
// ignores the errors of guards and probes.
func (e *Engine) mergeEpoch(gen int64, from, to snnsim.Time, quiet bool) error {
	par := e.par
	P := len(e.pops)
	pt0, sw := par.workers[0].part, 0
	// The merged fired lists are for the sinks alone (the workers keep
	// their own spikes for checkpoints, guards count the spikes).
	sinks := len(e.sinks) > 0 && !quiet
	for s := 0; s < int(to-from); s++ {
		t := from + snnsim.Time(s)
		stimAt := false
		for e.nextStim < len(e.stims) && e.stims[e.nextStim].t <= t {
			st := e.stims[e.nextStim]
			e.nextStim++
			stimAt = true
			if e.onMark != nil && !quiet {
				if err := e.onMark(t, fmt.Sprintf("current_step on %s: %+g pA", e.pops[st.pop].name, st.delta)); err != nil {
					return fmt.Errorf("engine: mark at tick %d: %w", t, err)
				}
			}
		}
		for ; sw < len(pt0.switches) && pt0.switches[sw].t == t; sw++ {
			s := pt0.switches[sw]
			if quiet {
				continue
			}
			if err := e.markSwitches(t, e.pops[s.pop].name, []source.Switch{s.sw}); err != nil {
				return err
			}
		}
		any := false
		for i := range e.pops {
			p := &e.pops[i]
			p.fired = p.fired[:0]
			n := 0
			for _, we := range par.workers {
				ids := we.part.out[gen&1].at(s, i, P)
				n += len(ids)
				if sinks {
					p.fired = append(p.fired, ids...)
				}
			}
			if n > 0 {
				any = true
				e.stats.Spikes[i] += int64(n)
			}
		}
		if any && sinks {
			if err := e.toSinks(t); err != nil {
				return err
			}
		}
		e.now = t + 1
		stepped := false
		for _, we := range par.workers {
			stepped = stepped || we.part.stepped[gen&1][s]
		}
		if stepped || (e.rec != nil && e.rec.next == t) || stimAt || e.cfg.Shortcuts == ShortcutsOff {
			e.stats.TicksStepped++
			par.stepT = t + 1
		} else {
			e.stats.TicksSkipped++
		}
		if len(e.guards) > 0 {
			if err := e.checkGuards(t); err != nil && !quiet {
				return err
			}
		}
		if e.rec != nil && e.now > e.rec.next {
			if err := e.sample(t); err != nil && !quiet {
				return err
			}
		}
	}
	return nil
}

// partsView is the driver's view of a neuron population split among the
// workers: it reads the state of each neuron from the worker that owns it.
// The engine changes the state only through the workers.
type partsView struct {
	n      int
	bounds []int32
	parts  []neuron.Population
}

// worker returns the worker that owns member i.
func (v *partsView) worker(i int) int {
	w, _ := slices.BinarySearch(v.bounds, int32(i)+1) // the first bound > i (or the first of equal bounds)
	for w--; v.bounds[w] > int32(i) || v.bounds[w+1] <= int32(i); w-- {
	}
	return w
}

func (v *partsView) owner(i int) (neuron.Population, int) {
	w := v.worker(i)
	return v.parts[w], i - int(v.bounds[w])
}

func (v *partsView) Len() int { return v.n }
func (v *partsView) Active() int {
	a := 0
	for _, p := range v.parts {
		a += p.Active()
	}
	return a
}
func (v *partsView) V(i int, t snnsim.Time) float64 {
	p, j := v.owner(i)
	return p.V(j, t)
}
func (v *partsView) Deliver(snnsim.Time, neuron.Receptor, []int32, []float32) {
	panic("engine: Deliver on a population split among workers")
}
func (v *partsView) Update(snnsim.Time, []int32) []int32 {
	panic("engine: Update on a population split among workers")
}
func (v *partsView) SetBias(snnsim.Time, int, float64) {
	panic("engine: SetBias on a population split among workers")
}
func (v *partsView) SetV(snnsim.Time, int, float64) {
	panic("engine: SetV on a population split among workers")
}
func (v *partsView) SetAlwaysActive(bool) {
	panic("engine: SetAlwaysActive on a population split among workers")
}

// owner returns the worker that owns member j of neuron population i.
func (par *parallel) owner(i int, j int32) int {
	b := par.bounds[i]
	w, _ := slices.BinarySearch(b, j+1) // the first bound > j
	for w--; b[w] > j || b[w+1] <= j; w-- {
	}
	return w
}

// weightAt returns the weight of synapse s of projection k at tick t,
// after freshen(k, t); in a parallel run, that of a projection with a
// consolidation model comes from the model of its target's worker.
func (e *Engine) weightAt(k int, s int64, t snnsim.Time) float32 {
	if p := &e.projs[k]; e.par != nil && p.Consolidation != nil {
		return e.par.workers[e.par.owner(p.To, p.Target[s])].projs[k].weightAt(s, t)
	}
	return e.projs[k].weightAt(s, t)
}

// Workers returns the number of workers the engine runs on and, when that
// is one although Config.Workers asked for more, why.
func (e *Engine) Workers() (int, string) {
	if e.par != nil {
		return len(e.par.workers), ""
	}
	return 1, e.fallback
}

// EpochTimes is where the workers of a run on several spent their time.
// Each epoch (the network's smallest delay) a worker computes its ticks,
// waits for the others (at the end of the epoch, and at each tick's vote
// for populations whose neurons can settle), then queues every worker's
// spikes for its own synapses (the exchange).
//
// Only every eighth epoch is timed, since reading the clock costs a
// noticeable share of an epoch of a small network: the durations are sums
// over the timed epochs, and Epochs counts them.
type EpochTimes struct {
	Epochs   int64           // epochs timed
	Compute  []time.Duration // per worker: simulating ticks, without the votes' waits
	Exchange []time.Duration // per worker: queueing the epoch's spikes
	Wait     []time.Duration // per worker: waiting for the others
	// Serial is the driver's time outside its own computing, exchange
	// and fan-out: planning each epoch and passing its spikes to the
	// sinks, probes and guards. The others wait for it at the next
	// exchange, or at the start of the next epoch when that could not
	// start early (see the package documentation).
	Serial time.Duration
}

// EpochTimes returns the time split of a run on several workers, or the
// zero value on one.
func (e *Engine) EpochTimes() EpochTimes {
	if e.par == nil {
		return EpochTimes{}
	}
	r := EpochTimes{Epochs: e.par.epochs, Serial: e.par.workers[0].part.times.serial}
	for _, we := range e.par.workers {
		tm := we.part.times
		r.Compute = append(r.Compute, tm.compute)
		r.Exchange = append(r.Exchange, tm.exchange)
		r.Wait = append(r.Wait, tm.wait)
	}
	return r
}

// oneWorker makes an engine built for several workers run on one before
// its first tick, for an operation that needs one (op names it); after
// the first tick it is an error.
func (e *Engine) oneWorker(op string) error {
	if e.par == nil {
		return nil
	}
	if e.par.started {
		return fmt.Errorf("engine: %s needs an engine on one worker: this one runs on %d (build it with Config.Workers = 1)", op, len(e.par.workers))
	}
	cfg := e.cfg
	cfg.Workers = 1
	s, err := newEngine(e.net, cfg, nil)
	if err != nil {
		return err
	}
	s.sinks, s.onMark, s.rec = e.sinks, e.onMark, e.rec
	s.fallback = op + " needs one worker"
	*e = *s
	e.keepFrees()
	return nil
}
