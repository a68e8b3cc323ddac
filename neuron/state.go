package neuron

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

var (
	_ checkpoint.Stater = (*lifDeltaPop)(nil)
	_ checkpoint.Stater = (*lifExpPop)(nil)
	_ checkpoint.Stater = (*lifCondPop)(nil)
	_ checkpoint.Stater = (*lifAmpaNmdaPop)(nil)
	_ checkpoint.Stater = (*adexPop)(nil)
	_ checkpoint.Stater = (*aifPop)(nil)
)

// stateVersion is the payload version that AppendState writes and
// RestoreState reads.
const stateVersion = 1

// tagPrefix precedes the model's name in a frame's tag.
const tagPrefix = "neuron/"

// stateParam is one parameter of a population's model, for the identity
// check of RestoreState.
type stateParam struct {
	name string // TOML key
	unit string // "" for dimensionless
	v    float64
}

// paramsOf returns every parameter of p (a struct of float64 and int
// fields with `toml` and `unit` tags, possibly embedding LIFBase) in field
// order, embedded fields first where they stand.
func paramsOf(p any) []stateParam {
	var out []stateParam
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			switch {
			case f.Anonymous && f.Type.Kind() == reflect.Struct:
				walk(v.Field(i))
			case f.Type.Kind() == reflect.Float64:
				unit := f.Tag.Get("unit")
				if unit == "dimensionless" {
					unit = ""
				}
				out = append(out, stateParam{name: f.Tag.Get("toml"), unit: unit, v: v.Field(i).Float()})
			case f.Type.Kind() == reflect.Int:
				// A count (adex's substeps), exact as a float64.
				out = append(out, stateParam{name: f.Tag.Get("toml"), v: float64(v.Field(i).Int())})
			default:
				// Every parameter of this package is a float64 or an int; a
				// new kind must be added here so that it is compared on
				// restore.
				panic(fmt.Sprintf("neuron: parameter %s of %T is a %s", f.Name, p, f.Type))
			}
		}
	}
	walk(reflect.ValueOf(p))
	return out
}

// stateLayout tells the shared state code where a model keeps its
// per-neuron state.
type stateLayout struct {
	// vars are the per-neuron arrays saved in full, in the order of the
	// state. They alias the population's arrays.
	vars [][]float64
	// drive and ref are the indices in vars of the resting drive [mV]
	// (v_rest + R i_bias) and of the refractory end.
	drive, ref int
	// negligible are the indices in vars of the synaptic variables that a
	// neuron outside the active list has below tol in magnitude (the
	// models that step such a neuron tick by tick until they are; empty
	// for the exactly propagated ones).
	negligible []int
	tol        float64
	// finiteV is set for a model that brings a neuron with a NaN or
	// infinite V (vars[0]) up to date tick by tick: a neuron outside the
	// active list has a finite V unless its state is at the tick of the
	// last Update (SetV stores V as given).
	finiteV bool
	// bufs are the input buffers, saved sparsely.
	bufs [][]float64
	// derive, if not nil, recomputes what the model derives from vars.
	derive func()
	// check, if not nil, checks the model's own invariants of a decoded
	// state (vars as above, the status and state tick of each neuron, the
	// tick of the last Update) and returns a checkpoint.ErrCorrupt error.
	check func(last snnsim.Time, status []uint8, at []snnsim.Time, vars [][]float64) error
}

// initState records the model's parameters and state layout for
// AppendState and RestoreState.
func (b *base) initState(params any, lay stateLayout) {
	b.par = paramsOf(params)
	b.lay = lay
}

// codec makes this package's RestoreState errors.
var codec = checkpoint.Codec{Pkg: "neuron"}

// tag returns the frame tag of the population's model.
func (b *base) tag() string { return tagPrefix + b.model }

// AppendState appends the population's complete state to buf as one
// frame (see [checkpoint.Stater]): every neuron's state variables, resting
// drive (which SetBias changes) and refractory end, the active set and the
// ticks of the neurons brought up to date lazily, the input delivered for
// the next Update, the pending SetBias/SetV operations, the tick of the
// last Update, the position of the periodic flush of tiny synaptic
// variables, and the SetAlwaysActive setting. RestoreState replaces all of
// it, including any SetV, SetBias, Deliver or SetAlwaysActive since New
// (the restored population takes the saved setting). A restored population
// continues with the same spikes and potentials as the original, with the
// assembly or the Go loops, with or without the active-set shortcut
// (TestStateResume).
//
// The frame's tag is "neuron/" and the model, such as
// "neuron/lif_exp_cond". Payload version 1:
//
//	identity     n, resolution [ms], the number of parameters, and each
//	             parameter in the order of the model's struct fields
//	             (those of LIFBase first)
//	bookkeeping  tick of the last Update, tick of the next flush,
//	             SetAlwaysActive flag, dense-input flag, the status of
//	             each neuron (0 settled, 1 active, 2 woken), the tick of
//	             each neuron's stored state, then the woken, refractory
//	             and touched lists (each a count and the indices in list
//	             order), then the pending SetBias/SetV operations (a
//	             count, then tick, neuron, kind (0 SetBias, 1 SetV) and
//	             value of each, in order)
//	neurons      each per-neuron array in full, one after the other:
//	             lif_delta v, v_inf, refractory end; lif_exp_current v,
//	             R·I_exc, R·I_inh, v_inf, refractory end; lif_exp_cond v,
//	             g_exc, g_inh, drive, refractory end; lif_cond_ampa_nmda
//	             v, g_ampa, g_nmda, g_gaba, theta, drive, refractory end;
//	             adex v, w, i_bias, rest potential V*, refractory end;
//	             aif_cond_ampa_nmda v, g_ampa, g_nmda, g_gaba, g_a1, g_a2,
//	             theta, drive, refractory end
//	input        each input buffer (lif_delta and adex one, the others exc
//	             then inh) as a count and its entries with non-zero bits
//	             (index, value) in increasing index order
//
// The active list is not stored: it is the sorted list of the neurons
// whose status is active. What the models derive from the parameters and
// the drive (propagator tables, lif_exp_cond's per-neuron step constant) is
// recomputed.
func (b *base) AppendState(buf []byte) []byte {
	b.spillBulk()
	n := b.n
	nz := make([]int, len(b.lay.bufs))
	size := 64 + 8*len(b.par) + 9*n + 8*len(b.lay.vars)*n +
		4*(len(b.woken)+len(b.refr)+len(b.touched)) + 21*len(b.pend)
	for j, x := range b.lay.bufs {
		for _, v := range x {
			if math.Float64bits(v) != 0 {
				nz[j]++
			}
		}
		size += 8 + 12*nz[j]
	}
	buf = slices.Grow(buf, size)
	buf, start := checkpoint.Begin(buf, b.tag(), stateVersion)
	buf = checkpoint.PutI64(buf, int64(n))
	buf = checkpoint.PutF64(buf, b.dt)
	buf = checkpoint.PutI64(buf, int64(len(b.par)))
	for _, p := range b.par {
		buf = checkpoint.PutF64(buf, p.v)
	}
	buf = checkpoint.PutI64(buf, int64(b.last))
	buf = checkpoint.PutI64(buf, int64(b.flushT))
	buf = checkpoint.PutBool(buf, b.always)
	buf = checkpoint.PutBool(buf, b.denseIn)
	buf = append(buf, b.status...)
	for _, a := range b.at {
		buf = checkpoint.PutI64(buf, int64(a))
	}
	buf = checkpoint.PutIndices(buf, b.woken)
	buf = checkpoint.PutIndices(buf, b.refr)
	buf = checkpoint.PutIndices(buf, b.touched)
	buf = checkpoint.PutI64(buf, int64(len(b.pend)))
	for _, op := range b.pend {
		buf = checkpoint.PutI64(buf, int64(op.t))
		buf = checkpoint.PutU32(buf, uint32(op.i))
		buf = append(buf, op.kind)
		buf = checkpoint.PutF64(buf, op.val)
	}
	for _, x := range b.lay.vars {
		for _, v := range x {
			buf = checkpoint.PutF64(buf, v)
		}
	}
	for j, x := range b.lay.bufs {
		buf = checkpoint.PutI64(buf, int64(nz[j]))
		for i, v := range x {
			if math.Float64bits(v) != 0 {
				buf = checkpoint.PutU32(buf, uint32(i))
				buf = checkpoint.PutF64(buf, v)
			}
		}
	}
	return checkpoint.End(buf, start)
}

// bufEntry is a non-zero entry of an input buffer.
type bufEntry struct {
	i int32
	v float64
}

// RestoreState replaces the population's state by a state written by
// AppendState of a population of the same model, size, resolution and
// parameters. See [checkpoint.Stater].
func (b *base) RestoreState(data []byte) ([]byte, error) {
	tag := b.tag()
	payload, rest, err := codec.Open(data, tag, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}

	// Identity.
	n, dt, np := d.I64(), d.F64(), d.I64()
	if d.Short {
		return nil, d.Done(tag)
	}
	if n != int64(b.n) {
		return nil, codec.Mismatchf("%s state for %d neurons, this population has %d", b.model, n, b.n)
	}
	if math.Float64bits(dt) != math.Float64bits(b.dt) {
		return nil, codec.Mismatchf("%s state at resolution %g ms, this population has %g ms", b.model, dt, b.dt)
	}
	if np != int64(len(b.par)) {
		return nil, codec.Mismatchf("%s state with %d parameters, this program's %s has %d", b.model, np, b.model, len(b.par))
	}
	for _, p := range b.par {
		v := d.F64()
		if d.Short {
			return nil, d.Done(tag)
		}
		if math.Float64bits(v) != math.Float64bits(p.v) {
			return nil, codec.Mismatchf("%s state with %s = %s, this population has %s = %s",
				b.model, p.name, withUnit(v, p.unit), p.name, withUnit(p.v, p.unit))
		}
	}

	// Bookkeeping.
	last, flushT := snnsim.Time(d.I64()), snnsim.Time(d.I64())
	always, denseIn := d.U8(), d.U8()
	status := slices.Clone(d.Take(b.n))
	var at []snnsim.Time
	if raw := d.Take(8 * b.n); raw != nil {
		at = make([]snnsim.Time, b.n)
		for i := range at {
			at[i] = snnsim.Time(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	badIndex := false
	woken := d.Indices(b.n, &badIndex)
	refr := d.Indices(b.n, &badIndex)
	touched := d.Indices(b.n, &badIndex)
	if badIndex {
		return nil, codec.Corruptf("%s state lists a neuron index out of range [0, %d)", b.model, b.n)
	}
	npend, _ := d.Count(8 + 4 + 1 + 8)
	pend := make([]pendOp, npend)
	for k := range pend {
		pend[k] = pendOp{t: snnsim.Time(d.I64()), i: int32(d.U32()), kind: d.U8(), val: d.F64()}
	}

	// Neurons and input.
	vars := make([][]float64, len(b.lay.vars))
	for j := range vars {
		raw := d.Take(8 * b.n)
		if raw == nil {
			break
		}
		vars[j] = make([]float64, b.n)
		for i := range vars[j] {
			vars[j][i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	bufs := make([][]bufEntry, len(b.lay.bufs))
	for j := range bufs {
		c, ok := d.Count(12)
		if !ok {
			break
		}
		bufs[j] = make([]bufEntry, c)
		for k := range bufs[j] {
			bufs[j][k] = bufEntry{i: int32(d.U32()), v: d.F64()}
		}
	}
	if err := d.Done(tag); err != nil {
		return nil, err
	}
	if err := b.checkState(last, flushT, always, denseIn, status, at, woken, touched, pend, vars, bufs); err != nil {
		return nil, err
	}

	// Everything is consistent: replace the state.
	b.last, b.flushT, b.always, b.denseIn = last, flushT, always == 1, denseIn == 1
	copy(b.status, status)
	copy(b.at, at)
	b.woken = append(b.woken[:0], woken...)
	b.refr = append(b.refr[:0], refr...)
	b.touched = append(b.touched[:0], touched...)
	b.pend = append(b.pend[:0], pend...)
	b.bulkOn = false
	for j, x := range b.lay.vars {
		copy(x, vars[j])
	}
	for j, x := range b.lay.bufs {
		clear(x)
		for _, e := range bufs[j] {
			x[e.i] = e.v
		}
	}
	b.settled()
	return rest, nil
}

// settled recomputes, after the state was replaced (RestoreState,
// JoinParts, SplitParts), what follows from it: the active list, the
// count of neurons that can settle and what the model derives.
func (b *base) settled() {
	b.active = b.active[:0]
	for i, s := range b.status {
		if s == stActive {
			b.active = append(b.active, int32(i))
		}
	}
	b.nLow = 0
	for _, v := range b.lay.vars[b.lay.drive] {
		if v < b.thS {
			b.nLow++
		}
	}
	if b.lay.derive != nil {
		b.lay.derive()
	}
}

// checkState checks the consistency of a decoded state (whose lists hold
// indices in range) with the invariants that the population keeps between
// ticks, so that a state accepted by RestoreState cannot make the
// population misbehave (or panic, or step a neuron tick by tick over a
// corrupted gap).
func (b *base) checkState(last, flushT snnsim.Time, always, denseIn byte, status []uint8, at []snnsim.Time,
	woken, touched []int32, pend []pendOp, vars [][]float64, bufs [][]bufEntry) error {
	m := b.model
	if last < 0 {
		return codec.Corruptf("%s state at tick %d", m, last)
	}
	if always > 1 || denseIn > 1 {
		return codec.Corruptf("%s state has flags %d, %d (0 or 1)", m, always, denseIn)
	}
	if (b.flushK == 0 && flushT != 0) || (b.flushK > 0 && (flushT <= last || flushT-last > b.flushK)) {
		return codec.Corruptf("%s state at tick %d has its next flush at tick %d (every %d ticks)", m, last, flushT, b.flushK)
	}
	nWoken := 0
	for i, s := range status {
		switch {
		case s > stWoken:
			return codec.Corruptf("%s state: neuron %d has status %d", m, i, s)
		case s == stInactive && always == 1:
			return codec.Corruptf("%s state: neuron %d is settled with the shortcut off", m, i)
		case at[i] < 0 || at[i] > last:
			return codec.Corruptf("%s state at tick %d: neuron %d at tick %d", m, last, i, at[i])
		}
		if s == stWoken {
			nWoken++
		}
	}
	seen := make([]bool, b.n)
	for _, i := range woken {
		if status[i] != stWoken || seen[i] {
			return codec.Corruptf("%s state: the woken list does not match the status of neuron %d", m, i)
		}
		seen[i] = true
	}
	if len(woken) != nWoken {
		return codec.Corruptf("%s state: %d neurons woken, %d listed", m, nWoken, len(woken))
	}
	if denseIn == 1 && len(touched) > 0 {
		return codec.Corruptf("%s state has dense input and %d touched neurons", m, len(touched))
	}
	for k, op := range pend {
		if op.i < 0 || int(op.i) >= b.n || op.kind > opV || op.t <= last || status[op.i] == stInactive {
			return codec.Corruptf("%s state at tick %d: pending operation %d (kind %d, neuron %d, tick %d) is invalid", m, last, k, op.kind, op.i, op.t)
		}
	}
	maxRef := float64(last + b.rTick)
	for i, r := range vars[b.lay.ref] {
		if !math.IsInf(r, -1) && !(r >= 0 && r <= maxRef && r == math.Floor(r)) {
			return codec.Corruptf("%s state at tick %d: neuron %d refractory until tick %g", m, last, i, r)
		}
		if status[i] == stActive {
			continue
		}
		if r > float64(at[i]) {
			return codec.Corruptf("%s state: neuron %d settled at tick %d while refractory until tick %g", m, i, at[i], r)
		}
		for _, j := range b.lay.negligible {
			if !(math.Abs(vars[j][i]) <= b.lay.tol) {
				return codec.Corruptf("%s state: neuron %d settled with a synaptic variable of %g", m, i, vars[j][i])
			}
		}
		if v := vars[0][i]; b.lay.finiteV && at[i] < last && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return codec.Corruptf("%s state: neuron %d settled at %g mV", m, i, v)
		}
	}
	clear(seen)
	for _, i := range touched {
		seen[i] = true
	}
	for j, es := range bufs {
		for k, e := range es {
			if e.i < 0 || int(e.i) >= b.n || (k > 0 && e.i <= es[k-1].i) || math.Float64bits(e.v) == 0 {
				return codec.Corruptf("%s state: input buffer %d entry %d (neuron %d) is out of order or zero", m, j, k, e.i)
			}
			if denseIn == 0 && !seen[e.i] {
				return codec.Corruptf("%s state: input to neuron %d that is not in the touched list", m, e.i)
			}
		}
	}
	if b.lay.check != nil {
		return b.lay.check(last, status, at, vars)
	}
	return nil
}
