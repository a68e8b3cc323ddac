package consolidation

// Shared machinery of the models with slow dynamics (zenke_2015,
// ziegler_2015): the active set that makes a slow clock cost nothing for
// synapses at rest, the slow-clock grid, lazily decayed spike traces,
// normal deviates from the per-synapse streams, parameter checks and the
// state-frame identity.

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// activeSet is the set of synapses that need slow-clock steps. Adding,
// removing and testing membership are O(1); a slow tick walks only the
// members, so the cost of a quiet period does not depend on the number of
// synapses at rest. The order of the members is arbitrary: the models
// update every synapse independently (per-synapse random streams, shared
// per-neuron variables that depend on time only), so the order never
// changes a result.
type activeSet struct {
	list []int64 // the members
	pos  []int32 // pos[s] = index of s in list + 1, or 0 when s is absent
}

func newActiveSet(n int) activeSet {
	return activeSet{pos: make([]int32, n)}
}

func (a *activeSet) len() int { return len(a.list) }

// add makes s a member (no-op if it is one).
func (a *activeSet) add(s int64) {
	if a.pos[s] != 0 {
		return
	}
	a.list = append(a.list, s)
	a.pos[s] = int32(len(a.list))
}

// removeAt removes the member at index k of list by moving the last member
// into its place: a walk over list from the end down to 0 may remove the
// member it is at.
func (a *activeSet) removeAt(k int) {
	s := a.list[k]
	last := len(a.list) - 1
	if k != last {
		m := a.list[last]
		a.list[k] = m
		a.pos[m] = int32(k + 1)
	}
	a.list = a.list[:last]
	a.pos[s] = 0
}

// fill makes every synapse a member.
func (a *activeSet) fill() {
	a.list = a.list[:0]
	for s := range a.pos {
		a.list = append(a.list, int64(s))
		a.pos[s] = int32(s + 1)
	}
}

// reset replaces the members by list (which the set takes); the caller has
// checked that the indices are in range and distinct.
func (a *activeSet) reset(list []int64) {
	clear(a.pos)
	a.list = list
	for k, s := range list {
		a.pos[s] = int32(k + 1)
	}
}

// restore replaces the members after a RestoreState: by the saved list, or
// by every synapse when the model does not skip settled synapses.
func (a *activeSet) restore(list []int64, skipSettled bool) {
	if skipSettled {
		a.reset(list)
	} else {
		a.fill()
	}
}

// slowClock is a slow clock on the tick grid: it ticks at every multiple of
// period (period, 2·period, …). done is the last slow tick whose work has
// been done, or skipped because no synapse was active. A model steps its
// active synapses at each slow tick and skips the clock entirely while the
// active set is empty, so slow tick k·period applies to the synapses that
// are active at the start of tick k·period, before the events of that
// tick.
type slowClock struct {
	period snnsim.Time
	done   snnsim.Time
}

// due reports whether the next slow tick is at or before t.
func (c *slowClock) due(t snnsim.Time) bool { return c.done <= t-c.period }

// next returns the next slow tick.
func (c *slowClock) next() snnsim.Time { return c.done + c.period }

// skipTo marks every slow tick up to t as done (used when nothing is
// active).
func (c *slowClock) skipTo(t snnsim.Time) {
	if d := t - t%c.period; d > c.done {
		c.done = d
	}
}

// lazyTrace holds one spike trace per neuron: +1 per spike, exponential
// decay with time constant τ, read lazily. Each neuron's trace keeps the
// tick of its last spike and its values just before ("before") and after
// ("after") that spike's increment, so a read at the tick of a spike
// returns the value before it (the t−ε convention of package stdp: a spike
// never sees increments made at its own tick).
type lazyTrace struct {
	rate   float64 // dt/τ
	last   []snnsim.Time
	after  []float64
	before []float64
}

func newLazyTrace(n int, dt, tau float64) lazyTrace {
	return lazyTrace{rate: dt / tau, last: make([]snnsim.Time, n), after: make([]float64, n), before: make([]float64, n)}
}

// at returns neuron i's trace at tick t, without increments made at t.
func (tr *lazyTrace) at(i int32, t snnsim.Time) float64 {
	n := t - tr.last[i]
	if n == 0 {
		return tr.before[i]
	}
	return tr.after[i] * math.Exp(-float64(n)*tr.rate)
}

// bump adds a spike of neuron i at tick t, once per tick: a second bump at
// the same tick (a spike whose arrivals are reported in several calls) is
// ignored.
func (tr *lazyTrace) bump(i int32, t snnsim.Time) {
	if tr.last[i] == t {
		if tr.after[i] > tr.before[i] {
			return
		}
	} else {
		v := tr.at(i, t)
		tr.last[i], tr.before[i], tr.after[i] = t, v, v
	}
	tr.after[i]++
}

// stateLen is the length of what appendTo appends.
func (tr *lazyTrace) stateLen() int { return 24 * len(tr.last) }

// appendTo appends every neuron's last tick, value after and value before.
func (tr *lazyTrace) appendTo(b []byte) []byte {
	for i := range tr.last {
		b = checkpoint.PutI64(b, int64(tr.last[i]))
		b = checkpoint.PutF64(b, tr.after[i])
		b = checkpoint.PutF64(b, tr.before[i])
	}
	return b
}

// read reads n traces written by appendTo into a new trace of the same
// time constant; ticks must lie in [0, now] and values be finite and >= 0.
func (tr *lazyTrace) read(d *checkpoint.Decoder, now snnsim.Time, what string) (lazyTrace, error) {
	n := len(tr.last)
	if len(d.B) < 24*n {
		d.Short = true
		return lazyTrace{}, nil
	}
	out := lazyTrace{rate: tr.rate, last: make([]snnsim.Time, n), after: make([]float64, n), before: make([]float64, n)}
	for i := range n {
		last, after, before := snnsim.Time(d.I64()), d.F64(), d.F64()
		if last < 0 || last > now {
			return lazyTrace{}, stateCodec.Corruptf("%s trace of neuron %d last updated at tick %d, outside [0, %d]", what, i, last, now)
		}
		if !(after >= 0) || !(before >= 0) || math.IsInf(after, 0) || math.IsInf(before, 0) {
			return lazyTrace{}, stateCodec.Corruptf("%s trace of neuron %d has the values %g, %g", what, i, after, before)
		}
		out.last[i], out.after[i], out.before[i] = last, after, before
	}
	return out, nil
}

// synapseSource makes one synapse's stream of a [Streams] a rand.Source,
// so that math/rand/v2 can draw normal deviates from it (the ziggurat of
// Rand.NormFloat64: about one 64-bit draw per deviate, no transcendental
// function on the fast path). The deviates a synapse gets are a function of
// the seed, the synapse and its draw count only.
type synapseSource struct {
	st *Streams
	s  int64
}

func (a *synapseSource) Uint64() uint64 { return a.st.Uint64(a.s) }

// synapseNormals draws standard normal deviates from per-synapse streams.
type synapseNormals struct {
	src *synapseSource
	rng *rand.Rand
}

func newSynapseNormals(st *Streams) synapseNormals {
	src := &synapseSource{st: st}
	return synapseNormals{src: src, rng: rand.New(src)}
}

// of selects synapse s's stream for the next draws.
func (g synapseNormals) of(s int64) *rand.Rand {
	g.src.s = s
	return g.rng
}

// checkParams starts the checks of the parameters p of the named model.
func checkParams(model string, p any) *snnsim.ParamCheck {
	return snnsim.CheckParams("consolidation", model, p)
}

// slowPeriod converts a slow-clock step [ms] to ticks of the layout's
// resolution; it must be a whole number of ticks, at least one.
func slowPeriod(model, key string, ms float64, c snnsim.Clock) (snnsim.Time, error) {
	n, err := c.Ticks(ms)
	if err != nil {
		return 0, &snnsim.ParamError{Pkg: "consolidation", Model: model, Key: key, Value: ms, Unit: "ms", Constraint: err.Error()}
	}
	if n < 1 {
		return 0, &snnsim.ParamError{Pkg: "consolidation", Model: model, Key: key, Value: ms, Unit: "ms",
			Constraint: fmt.Sprintf("must be at least one tick (%g ms)", c.DT)}
	}
	return n, nil
}

// stateCodec makes the RestoreState errors of this package's models.
var stateCodec = checkpoint.Codec{Pkg: "consolidation"}

// stateVersion is the payload version the models of this file set write.
const stateVersion = 1

// stateTag is the frame tag of a model: "consolidation/" and its name.
func stateTag(model string) string { return "consolidation/" + model }

// layoutHash is a fingerprint of a layout's connectivity (sources and
// targets), so that a state is not restored into another network of the
// same size.
func layoutHash(l *Layout) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	for s := range l.Target {
		u := uint32(l.Source[s])
		v := uint32(l.Target[s])
		buf[0], buf[1], buf[2], buf[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		buf[4], buf[5], buf[6], buf[7] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		h.Write(buf[:])
	}
	return h.Sum64()
}

// stateIdent is what identifies a model's state: the model, the layout's
// sizes, resolution, seed and connectivity, and the parameters that give
// the state its meaning (time constants, slow-clock step). A state is
// restored only into a model of the same identity.
type stateIdent struct {
	model             string
	nSyn, nPre, nPost int
	dt                float64
	seed, topo        uint64
	keys              []string  // TOML keys of vals
	vals              []float64 // parameters
	version           byte      // payload version; 0 means stateVersion
}

// ver returns the payload version of the model's frames.
func (id *stateIdent) ver() byte {
	if id.version == 0 {
		return stateVersion
	}
	return id.version
}

func newStateIdent(model string, l *Layout, keys []string, vals []float64) stateIdent {
	return stateIdent{model: model, nSyn: len(l.Target), nPre: l.NPre, nPost: l.NPost, dt: l.Clock.DT,
		seed: l.Seed, topo: layoutHash(l), keys: keys, vals: vals}
}

func (id *stateIdent) appendTo(b []byte) []byte {
	b = checkpoint.PutI64(b, int64(id.nSyn))
	b = checkpoint.PutI64(b, int64(id.nPre))
	b = checkpoint.PutI64(b, int64(id.nPost))
	b = checkpoint.PutF64(b, id.dt)
	b = checkpoint.PutI64(b, int64(id.seed))
	b = checkpoint.PutI64(b, int64(id.topo))
	for _, v := range id.vals {
		b = checkpoint.PutF64(b, v)
	}
	return b
}

// clockedLen is the length of what appendClocked appends.
func (id *stateIdent) clockedLen() int64 { return 8*6 + 8*int64(len(id.vals)) + 16 }

// open opens the frame at the front of b and checks the identity; it
// returns a decoder positioned after it and the bytes after the frame.
func (id *stateIdent) open(b []byte) (*checkpoint.Decoder, []byte, error) {
	tag := stateTag(id.model)
	payload, rest, err := stateCodec.Open(b, tag, id.ver())
	if err != nil {
		return nil, nil, err
	}
	d := &checkpoint.Decoder{B: payload, C: &stateCodec}
	if err := id.check(d); err != nil {
		return nil, nil, err
	}
	return d, rest, nil
}

// check reads the identity at the front of a payload and checks it against
// id.
func (id *stateIdent) check(d *checkpoint.Decoder) error {
	tag := stateTag(id.model)
	nSyn, nPre, nPost, dt := d.I64(), d.I64(), d.I64(), d.F64()
	seed, topo := uint64(d.I64()), uint64(d.I64())
	vals := make([]float64, len(id.vals))
	for k := range vals {
		vals[k] = d.F64()
	}
	if d.Short {
		return d.Done(tag)
	}
	switch {
	case nSyn != int64(id.nSyn) || nPre != int64(id.nPre) || nPost != int64(id.nPost):
		return stateCodec.Mismatchf("%s state for %d synapses from %d onto %d neurons, this model has %d, %d and %d",
			id.model, nSyn, nPre, nPost, id.nSyn, id.nPre, id.nPost)
	case math.Float64bits(dt) != math.Float64bits(id.dt):
		return stateCodec.Mismatchf("%s state at resolution %g ms, this model has %g ms", id.model, dt, id.dt)
	case seed != id.seed:
		return stateCodec.Mismatchf("%s state with seed %d, this model has %d", id.model, seed, id.seed)
	case topo != id.topo:
		return stateCodec.Mismatchf("%s state of another connectivity (same sizes)", id.model)
	}
	for k, v := range vals {
		if math.Float64bits(v) != math.Float64bits(id.vals[k]) {
			return stateCodec.Mismatchf("%s state with %s = %g, this model has %g", id.model, id.keys[k], v, id.vals[k])
		}
	}
	return nil
}

// beginState starts the frame of the model of id and appends the identity;
// checkpoint.End closes the frame.
func beginState(b []byte, id *stateIdent) ([]byte, int) {
	b, start := checkpoint.Begin(b, stateTag(id.model), id.ver())
	return id.appendTo(b), start
}

// beginClocked is beginState for a slow-clock model, followed by the model
// tick now and the last slow tick; openClocked reads them back.
func beginClocked(b []byte, id *stateIdent, now snnsim.Time, c *slowClock) ([]byte, int) {
	b, start := checkpoint.Begin(b, stateTag(id.model), id.ver())
	return appendClocked(b, id, now, c), start
}

// appendClocked appends the identity, the model tick now and the last slow
// tick: the front of a slow-clock model's payload.
func appendClocked(b []byte, id *stateIdent, now snnsim.Time, c *slowClock) []byte {
	b = id.appendTo(b)
	b = checkpoint.PutI64(b, int64(now))
	return checkpoint.PutI64(b, int64(c.done))
}

// openClockedStream is openClocked for a frame of n bytes read from r
// (checkpoint.StreamStater), which may also be of one of the versions
// older; it returns the frame's reader positioned after the slow clock.
func (id *stateIdent) openClockedStream(r io.Reader, n int64, period snnsim.Time, older ...byte) (fr *checkpoint.FrameReader, now, done snnsim.Time, err error) {
	tag := stateTag(id.model)
	if fr, err = stateCodec.OpenStream(r, n, tag, id.ver(), older...); err != nil {
		return nil, 0, 0, err
	}
	d := fr.Next(int(id.clockedLen()))
	if err := id.check(d); err != nil {
		return nil, 0, 0, err
	}
	now, done = snnsim.Time(d.I64()), snnsim.Time(d.I64())
	if d.Short {
		return nil, 0, 0, d.Done(tag)
	}
	if err := checkClock(now, done, period, id.model); err != nil {
		return nil, 0, 0, err
	}
	return fr, now, done, nil
}

// openClocked opens a frame written after beginClocked and checks the
// identity, the model tick and the slow clock (of step period); it returns
// a decoder positioned after them, the bytes after the frame, the model
// tick and the last slow tick.
func (id *stateIdent) openClocked(b []byte, period snnsim.Time) (d *checkpoint.Decoder, rest []byte, now, done snnsim.Time, err error) {
	d, rest, err = id.open(b)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	now, done = snnsim.Time(d.I64()), snnsim.Time(d.I64())
	if d.Short {
		return nil, nil, 0, 0, d.Done(stateTag(id.model))
	}
	if err := checkClock(now, done, period, id.model); err != nil {
		return nil, nil, 0, 0, err
	}
	return d, rest, now, done, nil
}

// closeActive reads the active synapses that end a frame (appendActive)
// and checks that nothing follows them.
func (id *stateIdent) closeActive(d *checkpoint.Decoder) ([]int64, error) {
	list, err := readActive(d, id.nSyn, id.model)
	if err != nil {
		return nil, err
	}
	if err := d.Done(stateTag(id.model)); err != nil {
		return nil, err
	}
	return list, nil
}

// appendActive appends the members of an active set.
func appendActive(b []byte, a *activeSet) []byte {
	b = checkpoint.PutI64(b, int64(len(a.list)))
	for _, s := range a.list {
		b = checkpoint.PutI64(b, s)
	}
	return b
}

// appendAll appends, as appendActive, an active set that holds the
// synapses 0..n-1 in this order.
func appendAll(b []byte, n int) []byte {
	b = checkpoint.PutI64(b, int64(n))
	for s := range n {
		b = checkpoint.PutI64(b, int64(s))
	}
	return b
}

// pieces yields a frame's payload a piece at a time: from a buffer
// (bufPieces, RestoreState) or from a stream (checkpoint.FrameReader,
// ReadState).
type pieces interface {
	// Next returns a decoder of the next k bytes; it is short past the
	// end.
	Next(k int) *checkpoint.Decoder
	// Left returns the bytes not read yet.
	Left() int64
	// Version returns the frame's version.
	Version() byte
}

// pieceLen is the number of records (synapses) read in one piece.
const pieceLen = 4096

// bufPieces yields the pieces of a payload held in a buffer.
type bufPieces struct {
	d *checkpoint.Decoder
	v byte
}

func (p *bufPieces) Next(k int) *checkpoint.Decoder {
	b := p.d.Take(k)
	return &checkpoint.Decoder{B: b, Short: b == nil, C: p.d.C}
}

func (p *bufPieces) Left() int64   { return int64(len(p.d.B)) }
func (p *bufPieces) Version() byte { return p.v }

// readActivePieces reads what appendActive wrote for n synapses, as
// readActive does, from p; it returns the list only when keep is set, and
// checks that the indices are distinct with one bit per synapse.
func readActivePieces(p pieces, n int, model string, keep bool) ([]int64, error) {
	tag := stateTag(model)
	d := p.Next(8)
	c := d.I64()
	if d.Short || c < 0 || c > int64(n) || c > p.Left()/8 {
		return nil, stateCodec.Corruptf("%s payload does not match its declared length", tag)
	}
	var list []int64
	if keep {
		list = make([]int64, 0, c)
	}
	seen := make([]uint64, (n+63)/64)
	for lo := int64(0); lo < c; lo += pieceLen {
		hi := min(lo+pieceLen, c)
		d := p.Next(8 * int(hi-lo))
		if d.Short {
			return nil, d.Done(tag)
		}
		for range hi - lo {
			s := d.I64()
			if s < 0 || s >= int64(n) || seen[s/64]&(1<<(s%64)) != 0 {
				return nil, stateCodec.Corruptf("%s state: active synapse %d out of range or repeated", model, s)
			}
			seen[s/64] |= 1 << (s % 64)
			if keep {
				list = append(list, s)
			}
		}
	}
	return list, nil
}

// readActive reads what appendActive wrote for n synapses from d; it
// checks the indices are in range and distinct.
func readActive(d *checkpoint.Decoder, n int, model string) ([]int64, error) {
	return readActivePieces(&bufPieces{d: d}, n, model, true)
}

// checkClock checks the saved model time and slow clock of a state.
func checkClock(now, done, period snnsim.Time, model string) error {
	if now < 0 || now == snnsim.Never || done < 0 || done > now || done%period != 0 {
		return stateCodec.Corruptf("%s state at tick %d with slow clock at tick %d (step %d ticks)", model, now, done, period)
	}
	return nil
}

// targetIndex is the transposed index of a layout: the synapses onto each
// target neuron, in increasing synapse order.
type targetIndex struct {
	start []int64 // start[j]..start[j+1] index syn
	syn   []int64
}

func newTargetIndex(l *Layout) targetIndex {
	start := make([]int64, l.NPost+1)
	for _, j := range l.Target {
		start[j+1]++
	}
	for j := range l.NPost {
		start[j+1] += start[j]
	}
	fill := make([]int64, l.NPost)
	copy(fill, start[:l.NPost])
	syn := make([]int64, len(l.Target))
	for s, j := range l.Target {
		syn[fill[j]] = int64(s)
		fill[j]++
	}
	return targetIndex{start: start, syn: syn}
}

// of returns the synapses onto target j.
func (x *targetIndex) of(j int32) []int64 { return x.syn[x.start[j]:x.start[j+1]] }

// checkVar checks a variable index passed to a Model method;
// an index out of range is a programmer error (as for a synapse index).
func checkVar(model string, v, n int) {
	if v < 0 || v >= n {
		panic(fmt.Sprintf("consolidation: %s: variable index %d out of range [0, %d)", model, v, n))
	}
}

// bindWeights is the Bind of a model whose efficacy is its weight w[s]: it
// checks the length of the delivery array dst, fills it from w and returns
// it.
func bindWeights(model string, dst []float32, w []float64) []float32 {
	if len(dst) != len(w) {
		panic(fmt.Sprintf("consolidation: %s: Bind with %d weights for %d synapses", model, len(dst), len(w)))
	}
	for s, v := range w {
		dst[s] = float32(v)
	}
	return dst
}

// finiteIn reports an error unless lo <= x <= hi and x is finite.
func finiteIn(model, name string, x, lo, hi float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < lo || x > hi {
		return fmt.Errorf("consolidation: %s: %s = %g: must be a finite number in [%g, %g]", model, name, x, lo, hi)
	}
	return nil
}
