package neuron

import (
	"fmt"
	"math"
	"slices"

	"github.com/snnsim/snnsim"
)

// This file holds what the three LIF populations share: the active set, the
// wake-up and pending-operation bookkeeping, the memory layout, and the
// propagator helpers. The per-neuron hot loops live in each model's file.
//
// # Time of a neuron's state
//
// A population remembers the tick of its last Update, last. An active neuron
// (status stActive) is always at that tick. An inactive neuron (stInactive)
// or one woken since the last Update (stWoken) is at its own tick
// at[i] <= last; it is brought forward exactly when Update next runs, or
// read without change by V.
//
// # Refractoriness
//
// ref[i] is the last tick of the refractory clamp (s+R after a spike at s),
// stored as a float64 tick so that it lives in the same allocation as the
// other per-neuron arrays (exact for ticks below 2^53). While t <= ref[i] the
// potential is held at v_reset; free evolution restarts from v_reset at ref[i].

// Neuron status.
const (
	stInactive uint8 = iota // settled: state at at[i], not stepped
	stActive                // in the active list: state at the population's last tick
	stWoken                 // inactive but queued for the next Update
)

// noRef is the refractory end of a neuron that has never fired.
var noRef = math.Inf(-1)

// settleMargin [mV] keeps a settled neuron's bound on V this far below
// threshold, far above the rounding differences (about 1e-13 mV) between
// the exact jump of a settled neuron and tick-by-tick stepping, so that both
// make the same threshold decisions.
const settleMargin = 1e-9

// propTableLen is the number of tick counts (0..propTableLen-1) whose
// propagators are tabulated for wake-ups; longer gaps call math.Exp.
const propTableLen = 256

// pendOp is a SetBias or SetV waiting for the end of Update(t).
type pendOp struct {
	t    snnsim.Time
	i    int32
	kind uint8 // opBias or opV
	val  float64
}

const (
	opBias uint8 = iota
	opV
)

// slowPath is what the shared bookkeeping needs from a model; it is called
// per woken neuron or per pending operation, never per neuron per tick.
type slowPath interface {
	// advance brings neuron i exactly from tick from to tick to (no input).
	advance(i int, from, to snnsim.Time)
	// setBias sets the constant input current of neuron i [pA].
	setBias(i int, bias float64)
	// setV sets the membrane potential of neuron i [mV] and ends its
	// refractory period.
	setV(i int, v float64)
	// flushTiny sets synaptic variables below flushBelow in magnitude to 0.
	flushTiny()
}

// flushBelow is the magnitude under which the periodic sweep sets decaying
// synaptic variables to zero. A variable that decays for long without input
// would otherwise become subnormal, and subnormal arithmetic costs about a
// hundred times more per operation on x86. The change to V is below
// 1e-100 mV.
const flushBelow = 1e-100

// flushEvery returns the number of ticks between sweeps such that a variable
// of at least flushBelow cannot decay below 1e-300 (still normal) in between:
// flushEvery * dt/tauMin <= ln(1e200).
func flushEvery(dt, tauMin float64) snnsim.Time {
	k := math.Floor(200 * math.Ln10 * tauMin / dt)
	if k < 1 {
		return 1
	}
	if k > 1<<20 {
		return 1 << 20
	}
	return snnsim.Time(k)
}

// base is the state shared by the LIF populations.
type base struct {
	n     int
	dt    float64     // tick [ms]
	rTick snnsim.Time // refractory ticks R = CeilTicks(t_ref)

	vRest, vTh, vReset, rm float64 // [mV], rm = R [GOhm] so rm*pA is mV
	thS                    float64 // vTh - settleMargin

	status  []uint8
	at      []snnsim.Time // tick of the state of a neuron not in the active list
	active  []int32       // sorted indices of the active neurons
	spare   []int32       // merge buffer
	woken   []int32       // neurons woken since the last Update (unsorted)
	spk     []int32       // spikes of a dense loop (len n), copied to fired after it
	touched []int32       // targets of Deliver since the last Update (with repeats), unless denseIn
	refr    []int32       // neurons still clamped after a spike (repeats only across skipped ticks)
	pend    []pendOp

	bulk   []float64   // biases of a SetBiases waiting for tick bulkT, ahead of pend (bias.go)
	bulkT  snnsim.Time // tick of the waiting SetBiases
	bulkOn bool        // a SetBiases is waiting

	denseIn  bool // Deliver got more than touchMax targets since the last Update; touched is not kept
	denseOK  bool // the model's Update and clearInput handle denseIn (else touched is always kept)
	touchMax int  // see touch

	nLow   int         // neurons whose resting drive is below threshold (can settle)
	last   snnsim.Time // tick of the last Update (0 for a new population)
	flushK snnsim.Time // ticks between sweeps of flushTiny (0: never)
	flushT snnsim.Time // tick of the next sweep
	always bool        // SetAlwaysActive(true)
	slow   slowPath

	// A part of a population split among workers (SetPart): the choices
	// that depend on the whole population come from PartTick.
	part      bool
	partFirst int32 // the whole population's index of neuron 0: Deliver's targets are the whole population's
	partDense bool  // the whole population is active at the next Update
	partIn    int   // input targets of the whole population at the next Update
	partOver  bool  // the part alone got more than touchMax targets: the whole population's input is dense

	model string       // the model's name, for state frames and messages
	par   []stateParam // the model's parameters, for RestoreState
	lay   stateLayout  // where the model keeps its state (state.go)
}

func (b *base) init(p LIFBase, n int, clock snnsim.Clock, model string) error {
	if n < 0 {
		return fmt.Errorf("neuron: %s population size %d: must be >= 0", model, n)
	}
	if !(clock.DT > 0) || math.IsInf(clock.DT, 0) {
		return fmt.Errorf("neuron: %s: resolution %g ms: must be > 0", model, clock.DT)
	}
	b.n = n
	b.model = model
	b.dt = clock.DT
	b.rTick = clock.CeilTicks(p.TRef)
	b.vRest, b.vTh, b.vReset = p.VRest, p.VThreshold, p.VReset
	b.rm = p.R()
	b.thS = p.VThreshold - settleMargin
	b.status = make([]uint8, n)
	b.at = make([]snnsim.Time, n)
	b.active = make([]int32, 0, n)
	b.spare = make([]int32, 0, n)
	b.woken = make([]int32, 0, 16)
	b.spk = make([]int32, n)
	b.touchMax = n / denseInputDiv
	return nil
}

// denseInputDiv sets touchMax = n/denseInputDiv, the number of Deliver
// targets per tick beyond which adding the input buffers to the synaptic
// state by a dense pass over all n neurons (folded into the dense loop, at
// the cost of two more arrays streamed) is cheaper than visiting each
// target again (a random access to four arrays per target, slowest in a
// network run, where the synapse arrays evict the neuron state from the
// caches). In B2 "coba" and B3 "plastic" a population gets far more than
// n/16 targets per tick (BenchmarkDeliverUpdate, BenchmarkB3Neurons).
const denseInputDiv = 16

// touch records the targets of a Deliver for the pass that adds the input
// buffers to the synaptic state, or, once more than touchMax targets have
// come since the last Update, sets denseIn instead: the whole buffers are
// then added (lif_exp_cond and lif_cond_ampa_nmda use it; the other
// models keep appending to touched).
func (b *base) touch(targets []int32) {
	if !b.denseOK {
		b.touched = append(b.touched, targets...)
		return
	}
	if b.part { // a part decides denseIn in begin, from PartTick
		if b.partOver {
			return
		}
		if len(b.touched)+len(targets) > b.touchMax { // so does the whole population
			b.partOver = true
			b.touched = b.touched[:0]
			return
		}
		b.touched = append(b.touched, targets...)
		return
	}
	if b.denseIn {
		return
	}
	if len(b.touched)+len(targets) > b.touchMax {
		b.denseIn = true
		b.touched = b.touched[:0]
		return
	}
	b.touched = append(b.touched, targets...)
}

// arena returns k float64 slices of length n carved out of one allocation.
// Go gives large allocations page-aligned spans, so equal-sized arrays
// allocated separately start at the same offset in a 4 KiB page and the
// structure-of-arrays loops would alias in the cache (4K aliasing: the
// same offset in every page maps to the same cache sets). Here array j starts j*512 bytes further into the page.
func arena(k, n int) [][]float64 {
	stride := (n + 7) &^ 7
	if n >= 512 {
		stride = (n+511)&^511 + 64 // stride*8 ≡ 512 (mod 4096)
	}
	buf := make([]float64, k*stride)
	out := make([][]float64, k)
	for j := range out {
		out[j] = buf[j*stride : j*stride+n : j*stride+n]
	}
	return out
}

// Len returns the number of neurons.
func (b *base) Len() int { return b.n }

// Active returns the number of neurons that the next Update will advance.
func (b *base) Active() int { return len(b.active) + len(b.woken) }

// SetAlwaysActive switches the active-set shortcut off (on = true) or back on.
func (b *base) SetAlwaysActive(on bool) {
	b.always = on
	if on {
		for i, s := range b.status {
			if s == stInactive {
				b.wake(i)
			}
		}
	}
}

// wake queues an inactive neuron for the next Update.
func (b *base) wake(i int) {
	if b.status[i] == stInactive {
		b.status[i] = stWoken
		b.woken = append(b.woken, int32(i))
	}
}

// stateTick returns the tick at which neuron i's stored state is.
func (b *base) stateTick(i int) snnsim.Time {
	if b.status[i] == stActive {
		return b.last
	}
	return b.at[i]
}

// begin brings every neuron that Update(t) will step to tick t-1 and merges
// the woken neurons into the sorted active list. It reports whether the
// loop can be dense (every neuron active), which needs no index list and
// leaves the settle test to a separate scan (see scanDue).
func (b *base) begin(t snnsim.Time) bool {
	if t <= b.last {
		panic(fmt.Sprintf("neuron: Update(%d) after Update(%d): ticks must increase", t, b.last))
	}
	if len(b.pend) > 0 || b.bulkOn {
		b.applyLate(t)
	}
	if len(b.active) > 0 && b.last < t-1 {
		// Ticks were skipped while neurons were active (the engine should
		// call Update every tick while Active() > 0): propagate exactly,
		// without threshold tests at the skipped ticks.
		for _, i := range b.active {
			b.slow.advance(int(i), b.last, t-1)
		}
	}
	if len(b.woken) > 0 {
		for _, i := range b.woken {
			if a := b.at[i]; a < t-1 {
				b.slow.advance(int(i), a, t-1)
			}
			b.status[i] = stActive
		}
		slices.Sort(b.woken)
		b.merge()
	}
	if b.part {
		return b.beginPart()
	}
	return len(b.active) == b.n
}

// SetPart makes the population one part of a population of total neurons
// that is split among workers in contiguous ranges starting at multiples of
// 4, so that each neuron is computed exactly as in the whole population:
// the choices the whole population makes for all its neurons at once
// (the dense loop when every neuron is active, the dense input pass when it
// received more than total/16 targets) are then taken from PartTick
// instead of from the part's own neurons.
func (b *base) SetPart(total, first int) {
	if first%4 != 0 || first < 0 || first+b.n > total {
		panic(fmt.Sprintf("neuron: SetPart(%d, %d) for %d neurons: the part must lie in the population and start at a multiple of 4", total, first, b.n))
	}
	b.part = true
	b.partFirst = int32(first)
	b.touchMax = total / denseInputDiv
}

// PartTick tells a part (SetPart), before its next Update, whether every
// neuron of the whole population will be active in it and how many input
// targets (with repeats) the whole population received for it.
func (b *base) PartTick(allActive bool, inputs int) { b.partDense, b.partIn = allActive, inputs }

// Settling reports whether some neuron could leave the active set in the
// next ticks Updates: one whose resting drive is below threshold, with the
// shortcut on.
func (b *base) Settling(ticks snnsim.Time) bool { return b.nLow > 0 && !b.always }

// beginPart ends begin for a part: it takes the whole population's choices.
func (b *base) beginPart() bool {
	if b.partDense && len(b.active) != b.n {
		panic(fmt.Sprintf("neuron: PartTick says every neuron is active but %d of %d are", len(b.active), b.n))
	}
	if b.denseOK {
		b.denseIn = b.partIn > b.touchMax
		if b.partOver && !b.denseIn {
			panic(fmt.Sprintf("neuron: PartTick says the whole population got %d input targets, but this part alone got more than %d", b.partIn, b.touchMax))
		}
		if b.denseIn {
			b.touched = b.touched[:0]
		}
		b.partOver = false
	}
	return b.partDense
}

// settleScanEvery is the number of ticks between settle scans while every
// neuron is active and some could settle (resting drive below threshold).
// Settling later than possible changes nothing but the cost; the scan costs
// about as much as a dense step, so this keeps it near 1/8 of the total.
const settleScanEvery = 8

// scanDue reports whether a dense step at tick t should be followed by a
// settle scan. None is due while new biases for every neuron wait, as one
// SetBiases or as at least one pending operation per neuron: end(t) would
// wake the neurons that the scan settles at the tick they settled, without
// a step in between (an Ornstein–Uhlenbeck current on every neuron sets
// the biases at every tick and would pay for scans that change nothing).
// Settling later changes nothing but the cost, and both ways of setting
// the biases skip alike, so that they leave the same state.
func (b *base) scanDue(t snnsim.Time) bool {
	return !b.always && b.nLow > 0 && t%settleScanEvery == 0 && !b.bulkOn && len(b.pend) < b.n
}

// rebuild recomputes the sorted active list from the status array after a
// settle scan.
func (b *base) rebuild() {
	a := b.active[:0]
	for i, s := range b.status {
		if s == stActive {
			a = append(a, int32(i))
		}
	}
	b.active = a
}

// setDrive records a change of a neuron's resting drive from old to new [mV]
// in the count of neurons that can settle.
func (b *base) setDrive(old, new float64) {
	if old < b.thS {
		b.nLow--
	}
	if new < b.thS {
		b.nLow++
	}
}

// merge merges the sorted woken list into the sorted active list.
func (b *base) merge() {
	a, w := b.active, b.woken
	out := b.spare[:0]
	if len(a) == 0 {
		out = append(out, w...)
	} else {
		j := 0
		for _, x := range a {
			for j < len(w) && w[j] < x {
				out = append(out, w[j])
				j++
			}
			out = append(out, x)
		}
		out = append(out, w[j:]...)
	}
	b.spare = a[:0]
	b.active = out
	b.woken = b.woken[:0]
}

// clampRefractory ends the update at tick t of a population whose potentials
// are v and refractory ends ref: it holds every refractory neuron at v_reset
// (the dense loops leave that to this pass, so that they need no per-neuron
// refractory test) and adds the neurons that fired at t, spikes, to the list.
//
// An entry leaves the list at the last tick of its clamp (t == ref[j]), not
// at the first tick after it: a neuron driven at its maximum rate fires again
// exactly at ref[j]+1, which moves ref[j] forward before this pass runs, so
// an entry kept until then would never be dropped and the list (and the
// cost of this pass) would grow with every spike.
func (b *base) clampRefractory(t snnsim.Time, v, ref []float64, spikes []int32) {
	tf, vr := float64(t), b.vReset
	w := 0
	for _, j := range b.refr {
		if r := ref[j]; tf <= r {
			v[j] = vr
			if tf < r {
				b.refr[w] = j
				w++
			}
		}
	}
	b.refr = append(b.refr[:w], spikes...)
}

// finishDense completes a dense step at tick t: spk[:nc] are the neurons
// whose new potential exceeded threshold (in increasing order), still
// unreset. Those past their refractory period fire; all are set to v_reset.
// The refractory clamp is then applied and the spikes appended to fired.
func (b *base) finishDense(t snnsim.Time, v, ref []float64, nc int, fired []int32) []int32 {
	spk := b.spk[:nc]
	tf, tr, vr := float64(t), float64(t+b.rTick), b.vReset
	nf := 0
	for _, j := range spk {
		if tf > ref[j] {
			ref[j] = tr
			spk[nf] = j
			nf++
		}
		v[j] = vr
	}
	b.clampRefractory(t, v, ref, spk[:nf])
	return append(fired, spk[:nf]...)
}

// end finishes Update(t): records the tick and applies the pending
// SetBias/SetV operations that are due.
func (b *base) end(t snnsim.Time) {
	b.last = t
	if b.flushK > 0 && t >= b.flushT {
		b.slow.flushTiny()
		b.flushT = t + b.flushK
	}
	if b.bulkOn {
		if b.bulkT <= t {
			b.applyBulk(t)
		} else {
			b.wakeAll() // keep them stepped until the batch is due
		}
	}
	if len(b.pend) == 0 {
		return
	}
	keep := b.pend[:0]
	for _, op := range b.pend {
		i := int(op.i)
		if op.t > t {
			keep = append(keep, op)
			b.wake(i) // keep it stepped until the operation is due
			continue
		}
		b.apply(i, op, t)
	}
	b.pend = keep
}

// applyLate performs, at their own ticks, the pending operations whose
// Update was skipped (the caller jumped over quiet ticks): Update(t) is
// running and op.t < t. The neurons concerned are woken, so that begin then
// brings them from op.t to t-1.
func (b *base) applyLate(t snnsim.Time) {
	if b.bulkOn && b.bulkT < t {
		b.applyBulk(b.bulkT)
	}
	keep := b.pend[:0]
	for _, op := range b.pend {
		if op.t >= t {
			keep = append(keep, op)
			continue
		}
		b.apply(int(op.i), op, op.t)
	}
	b.pend = keep
}

// apply performs a SetBias or SetV on neuron i at tick tick: a neuron not
// in the active list is first brought to that tick (an active one is at
// b.last, which is tick).
func (b *base) apply(i int, op pendOp, tick snnsim.Time) {
	if b.status[i] != stActive {
		if a := b.at[i]; a < tick {
			b.slow.advance(i, a, tick)
			b.at[i] = tick
		}
	}
	switch op.kind {
	case opBias:
		b.slow.setBias(i, op.val)
	case opV:
		b.slow.setV(i, op.val)
	}
	b.wake(i)
}

// SetBias sets the constant input current of neuron i to bias [pA] from
// tick t on; see the Population interface for the timing.
func (b *base) SetBias(t snnsim.Time, i int, bias float64) { b.schedule(t, i, opBias, bias) }

// SetV sets the membrane potential of neuron i at tick t [mV] and ends its
// refractory period; see the Population interface for the timing.
func (b *base) SetV(t snnsim.Time, i int, v float64) { b.schedule(t, i, opV, v) }

// schedule records a SetBias/SetV at tick t: now if the state is already at
// t (Update(t) has run), else at the end of Update(t).
func (b *base) schedule(t snnsim.Time, i int, kind uint8, val float64) {
	if i < 0 || i >= b.n {
		panic(fmt.Sprintf("neuron: index %d out of range [0, %d)", i, b.n))
	}
	op := pendOp{t: t, i: int32(i), kind: kind, val: val}
	if t <= b.last {
		b.apply(i, op, b.last)
		return
	}
	b.pend = append(b.pend, op)
	b.wake(i)
}

// Shift moves the population's state d >= 0 ticks later without changing
// it ([Shifter]): every tick it keeps (its last Update, each settled
// neuron's tick, refractory ends, pending operations and SetBiases, the
// next sweep of tiny variables) moves by d, so the invariants between them
// hold.
func (b *base) Shift(d snnsim.Time) {
	if d < 0 {
		panic(fmt.Sprintf("neuron: Shift(%d): must be >= 0", d))
	}
	b.last += d
	for i := range b.at {
		b.at[i] += d
	}
	ref := b.lay.vars[b.lay.ref]
	for i, r := range ref {
		if !math.IsInf(r, -1) {
			ref[i] = r + float64(d)
		}
	}
	if b.flushK > 0 {
		b.flushT += d
	}
	for k := range b.pend {
		b.pend[k].t += d
	}
	if b.bulkOn {
		b.bulkT += d
	}
}

// decayTable returns exp(-k*dt/tau) for k = 0..len-1, each computed directly.
func decayTable(dt, tau float64) []float64 {
	p := make([]float64, propTableLen)
	for k := range p {
		p[k] = math.Exp(-float64(k) * dt / tau)
	}
	return p
}

// decay returns exp(-n*dt/tau) from the table or math.Exp.
func decay(tab []float64, n snnsim.Time, dt, tau float64) float64 {
	if n >= 0 && n < snnsim.Time(len(tab)) {
		return tab[n]
	}
	return math.Exp(-float64(n) * dt / tau)
}

// kernel returns the voltage response at time T [ms] of the membrane
// (time constant tauM) to a unit exponential current (time constant tauS)
// starting at 0:
//
//	tauS/(tauS - tauM) * (exp(-T/tauS) - exp(-T/tauM))
//
// evaluated without cancellation when tauS is close to tauM, and equal to
// its limit (T/tauM) exp(-T/tauM) when they are equal.
func kernel(T, tauM, tauS float64) float64 {
	d := 1/tauM - 1/tauS // = (tauS - tauM)/(tauM tauS)
	x := T * d
	if math.Abs(x) < 1 {
		if d == 0 {
			return T / tauM * math.Exp(-T/tauM)
		}
		// exp(-T/tauS) - exp(-T/tauM) = exp(-T/tauM) * expm1(T d)
		return math.Exp(-T/tauM) * math.Expm1(x) / (tauM * d)
	}
	return (math.Exp(-T/tauS) - math.Exp(-T/tauM)) / (tauM * d)
}

// kernelPeak returns the maximum over T >= 0 of kernel(T, tauM, tauS),
// enlarged by one part in 1e9 so that it bounds the rounded kernel too.
func kernelPeak(tauM, tauS float64) float64 {
	// The maximum is at T* = tauM tauS ln(tauS/tauM)/(tauS - tauM), which
	// tends to tauM as tauS -> tauM.
	var tp float64
	if r := (tauS - tauM) / tauM; math.Abs(r) < 1e-12 {
		tp = tauM
	} else {
		tp = tauM * tauS * math.Log1p(r) / (tauS - tauM)
	}
	return kernel(tp, tauM, tauS) * (1 + 1e-9)
}

// initActive records the resting drive (v_rest + R i_bias [mV]) common to
// all neurons of a new population, and puts every neuron in the active list
// unless the drive and the rest potential are both below threshold.
func (b *base) initActive(drive float64) {
	if drive < b.thS {
		b.nLow = b.n
	}
	if max(drive, b.vRest) < b.thS {
		return
	}
	for i := range b.status {
		b.status[i] = stActive
		b.active = append(b.active, int32(i))
	}
}

// flushSlice sets the elements of x below flushBelow in magnitude to 0.
func flushSlice(x []float64) {
	for i, v := range x {
		if v != 0 && math.Abs(v) < flushBelow {
			x[i] = 0
		}
	}
}

// addInput is the body of every model's Deliver: it adds weights[k] to
// buf[targets[k]] (an input buffer that the next Update adds to the state)
// and marks the targets at rest to be woken. A negative input (lif_delta's
// inhibition) passes negate, which costs a second loop rather than a
// multiplication in the common one.
func (b *base) addInput(buf []float64, negate bool, targets []int32, weights []float32) {
	if b.partFirst != 0 {
		b.addInputPart(buf, negate, targets, weights)
		return
	}
	weights = weights[:len(targets)]
	b.touch(targets)
	switch {
	case negate:
		for k, j := range targets {
			buf[j] -= float64(weights[k])
		}
	default:
		for k, j := range targets {
			buf[j] += float64(weights[k])
		}
	}
	if len(b.active) == b.n { // nobody to wake
		return
	}
	st := b.status
	for _, j := range targets {
		if st[j] == stInactive {
			b.wake(int(j))
		}
	}
}

// addInputPart is addInput for a part that does not start at neuron 0:
// targets are indices in the whole population. The loop that adds the
// weights numbers each target from the part's first neuron as it goes,
// writing the local index straight into the list of touched targets when
// touch would keep them, so that a delivery costs one pass over its
// targets, as on a whole population. The additions are the same, in the
// same order.
func (b *base) addInputPart(buf []float64, negate bool, targets []int32, weights []float32) {
	weights = weights[:len(targets)]
	keep := !b.denseOK
	if b.denseOK && !b.partOver { // touch's choice for a part
		if len(b.touched)+len(targets) > b.touchMax {
			b.partOver = true
			b.touched = b.touched[:0]
		} else {
			keep = true
		}
	}
	off := b.partFirst
	if keep {
		n := len(b.touched)
		b.touched = slices.Grow(b.touched, len(targets))[:n+len(targets)]
		loc := b.touched[n:]
		if negate {
			for k, j := range targets {
				j -= off
				loc[k] = j
				buf[j] -= float64(weights[k])
			}
		} else {
			for k, j := range targets {
				j -= off
				loc[k] = j
				buf[j] += float64(weights[k])
			}
		}
	} else if negate {
		for k, j := range targets {
			buf[j-off] -= float64(weights[k])
		}
	} else {
		for k, j := range targets {
			buf[j-off] += float64(weights[k])
		}
	}
	if len(b.active) == b.n {
		return
	}
	st := b.status
	for _, j := range targets {
		if st[j-off] == stInactive {
			b.wake(int(j - off))
		}
	}
}

// stepper is what a model adds to base for Update: its two loops and the
// clearing of its input buffers.
type stepper interface {
	stepDense(t snnsim.Time, fired []int32) []int32
	stepSparse(t snnsim.Time, fired []int32) []int32
	clearInput()
}

// update is the body of every model's Update (see [Population]).
func (b *base) update(m stepper, t snnsim.Time, fired []int32) []int32 {
	dense := b.begin(t)
	if len(b.active) > 0 {
		if dense {
			fired = m.stepDense(t, fired)
		} else {
			fired = m.stepSparse(t, fired)
		}
	}
	m.clearInput()
	b.end(t)
	return fired
}
