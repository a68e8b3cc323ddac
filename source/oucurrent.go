package source

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// OUParams are the parameters of an Ornstein–Uhlenbeck current
//
//	τ dI/dt = (Mean − I) + Sigma·sqrt(2τ)·ξ(t)
//
// (ξ unit Gaussian white noise), whose stationary distribution has mean
// Mean and standard deviation Sigma. Start is the value at the start of
// each window: 0 for the background current of Luboeinski & Tetzlaff
// (2021), the mean for their stimulus pulses.
type OUParams struct {
	Mean  float64 // stationary mean [pA]
	Sigma float64 // stationary standard deviation [pA]
	Tau   float64 // correlation time [ms]
	Start float64 // value at the start of every window [pA]
}

// OUSigmaFromWhiteNoise returns the stationary standard deviation
// sigmaWN/sqrt(2τ) of an OU current whose white-noise amplitude is sigmaWN
// [pA·s^½] and correlation time tau [ms], the conversion of Luboeinski &
// Tetzlaff (2021) for the background input (0.05 nA·s^½, 5 ms → 0.5 nA).
func OUSigmaFromWhiteNoise(sigmaWN, tau float64) float64 {
	return sigmaWN / math.Sqrt(2*tau/1000)
}

// LT2021Stimulus returns the OU stimulus of Luboeinski & Tetzlaff (2021)
// standing for nStim input neurons firing at rate [Hz] through synapses of
// weight [pA] with correlation time tau [ms], with the mean and standard
// deviation exactly as their code computes them:
//
//	Mean  = weight · nStim · rate · 1 s
//	Sigma = weight · sqrt(nStim · rate · 1 s) / sqrt(2 · tau / 1 s)
//
// The mean lacks the factor τ of a shot-noise average, so the stimulated
// neurons fire at the refractory limit; the reference Q and MI values rest
// on that. The process starts at its mean in every pulse.
func LT2021Stimulus(weight float64, nStim int, rate, tau float64) OUParams {
	nf := float64(nStim) * rate
	return OUParams{Mean: weight * nf, Sigma: weight * math.Sqrt(nf) / math.Sqrt(2*tau/1000), Tau: tau, Start: weight * nf}
}

// OUWindow is a window of ticks [From, To) in which an OU current is on:
// the steps from tick s to s+1 for From <= s < To carry it.
type OUWindow struct {
	From, To snnsim.Time
}

// OUCurrent is an Ornstein–Uhlenbeck current injected into each of n
// neurons, independent between neurons, switched on in windows.
//
// The process lives on the tick grid of step dt and is advanced exactly
// (Gillespie 1996, Phys. Rev. E 54:2084): over one step
//
//	x ← Mean + (x − Mean)·e^{−dt/τ} + Sigma·sqrt(1 − e^{−2dt/τ})·N(0,1)
//
// so its distribution at any tick is that of the continuous process, for
// any dt. Following Luboeinski & Tetzlaff (2021), the value is updated
// first and then held over the step: at the start of a window the process
// is set to Start, and the step from tick s to s+1 (From <= s < To)
// carries the value after s−From+1 updates. Outside every window the
// current is 0 and no random numbers are drawn.
//
// Each neuron draws from its own random stream, name + "/" + its index,
// derived from the seed (snnsim.NewPCG), its normal deviates by the
// ziggurat method (Marsaglia & Tsang 2000) on the stream's 64-bit
// outputs, so a neuron's trace does not
// depend on the population size or on the other neurons. The trace does
// not depend on how Advance is called either (every tick, or in jumps).
type OUCurrent struct {
	p       OUParams
	dt      float64
	decay   float64 // e^{−dt/τ}
	noise   float64 // Sigma·sqrt(1 − e^{−2dt/τ})
	windows []OUWindow
	name    string
	keys    []int // a part's: the neurons of the whole it holds (NewOUCurrentPart)

	t   snnsim.Time // current tick
	w   int         // first window whose To is after t (the window containing t or the next)
	on  bool        // x holds the current of the step ending at t
	x   []float64
	pcg []rand.PCG

	kern kernelBufs // stepAVX512's lists
}

// NewOUCurrent returns the current of n neurons at tick 0 (off until the
// first step of the first window). Windows must be non-empty and in
// increasing order without overlap; they may touch, and a window that
// starts where the previous one stops restarts the process at Start.
func NewOUCurrent(n int, p OUParams, dt float64, windows []OUWindow, seed uint64, name string) (*OUCurrent, error) {
	return newOUCurrent(n, nil, p, dt, windows, seed, name)
}

// NewOUCurrentPart returns the part of the current NewOUCurrent would
// return made of its neurons keys[0], keys[1], …: neuron i of the part
// draws from the stream of neuron keys[i] of the whole, so that its values
// are those of that neuron of the whole, bit for bit (a population split
// among the workers of a parallel run).
func NewOUCurrentPart(keys []int, p OUParams, dt float64, windows []OUWindow, seed uint64, name string) (*OUCurrent, error) {
	return newOUCurrent(len(keys), keys, p, dt, windows, seed, name)
}

// newOUCurrent is NewOUCurrent with the stream keys of the neurons (nil:
// 0, 1, 2, …).
func newOUCurrent(n int, keys []int, p OUParams, dt float64, windows []OUWindow, seed uint64, name string) (*OUCurrent, error) {
	switch {
	case n < 0:
		return nil, fmt.Errorf("ou current %s: %d neurons", name, n)
	case !(dt > 0) || math.IsInf(dt, 0):
		return nil, fmt.Errorf("ou current %s: resolution %g ms: must be > 0", name, dt)
	case !(p.Tau > 0) || math.IsInf(p.Tau, 0):
		return nil, fmt.Errorf("ou current %s: tau = %g ms: must be > 0", name, p.Tau)
	case !(p.Sigma >= 0) || math.IsInf(p.Sigma, 0):
		return nil, fmt.Errorf("ou current %s: sigma = %g pA: must be >= 0", name, p.Sigma)
	case math.IsNaN(p.Mean) || math.IsInf(p.Mean, 0) || math.IsNaN(p.Start) || math.IsInf(p.Start, 0):
		return nil, fmt.Errorf("ou current %s: mean %g pA and start %g pA must be finite", name, p.Mean, p.Start)
	}
	for k, w := range windows {
		if w.From < 0 || w.To <= w.From {
			return nil, fmt.Errorf("ou current %s: window %d [%d, %d) is empty or before tick 0", name, k, w.From, w.To)
		}
		if k > 0 && w.From < windows[k-1].To {
			return nil, fmt.Errorf("ou current %s: window %d [%d, %d) starts before window %d ends at %d", name, k, w.From, w.To, k-1, windows[k-1].To)
		}
	}
	o := &OUCurrent{p: p, dt: dt, windows: append([]OUWindow(nil), windows...), name: name,
		x: make([]float64, n), pcg: make([]rand.PCG, n), keys: keys}
	o.decay = math.Exp(-dt / p.Tau)
	o.noise = p.Sigma * math.Sqrt(-math.Expm1(-2*dt/p.Tau))
	for i := range o.pcg {
		k := i
		if keys != nil {
			k = keys[i]
		}
		o.pcg[i] = *snnsim.NewPCG(seed, name+"/"+strconv.Itoa(k))
	}
	return o, nil
}

// Len returns the number of neurons.
func (o *OUCurrent) Len() int { return len(o.x) }

// Tick returns the tick the current has been advanced to.
func (o *OUCurrent) Tick() snnsim.Time { return o.t }

// On reports whether the step ending at the current tick carries the
// current.
func (o *OUCurrent) On() bool { return o.on }

// Current returns the current of neuron i over the step ending at the
// current tick [pA]: 0 when the current is off.
func (o *OUCurrent) Current(i int) float64 {
	if !o.on {
		return 0
	}
	return o.x[i]
}

// Values returns the currents of all neurons over the step ending at the
// current tick, or nil when the current is off. The slice is the
// current's own: read it, do not keep it across Advance.
func (o *OUCurrent) Values() []float64 {
	if !o.on {
		return nil
	}
	return o.x
}

// NextOn returns the first tick s >= t after which the step from s to s+1
// carries the current, or snnsim.Never: an engine may skip to it when
// nothing else happens.
func (o *OUCurrent) NextOn(t snnsim.Time) snnsim.Time {
	k := sort.Search(len(o.windows), func(k int) bool { return o.windows[k].To > t })
	if k == len(o.windows) {
		return snnsim.Never
	}
	return max(t, o.windows[k].From)
}

// Advance moves the current to tick t (t >= Tick()), drawing one update per
// neuron for every step in a window.
func (o *OUCurrent) Advance(t snnsim.Time) {
	if t < o.t {
		panic(fmt.Sprintf("ou current %s: advance to tick %d from tick %d", o.name, t, o.t))
	}
	for o.t < t {
		for o.w < len(o.windows) && o.windows[o.w].To <= o.t {
			o.w++
		}
		if o.w == len(o.windows) {
			o.t, o.on = t, false
			return
		}
		w := o.windows[o.w]
		if o.t < w.From {
			// Off until the window starts: jump without drawing.
			o.t, o.on = min(t, w.From), false
			continue
		}
		// Steps ending at o.t+1 .. end lie in window w.
		end := min(t, w.To)
		if o.t == w.From {
			for i := range o.x {
				o.x[i] = o.p.Start
			}
		}
		k := int(end - o.t)
		m, a, s := o.p.Mean, o.decay, o.noise
		xs, gs := o.x, o.pcg[:len(o.x)]
		if k == 1 && useAVX512 && len(xs) >= 8 {
			o.stepAVX512()
			o.t, o.on = end, true
			continue
		}
		for i := range xs {
			x, g := xs[i], &gs[i]
			for range k {
				// normal(g), with its common case inlined
				b := g.Uint64()
				n, ok := zigFast(b)
				if !ok {
					n = normalSlow(g, b)
				}
				x = ouStep(x, m, a, s, n)
			}
			xs[i] = x
		}
		o.t, o.on = end, true
	}
}

// ouStep returns the value after one step from x with deviate n, for the
// mean m, decay a and noise amplitude s of an OU current. The conversions
// keep the compiler from fusing a multiply-add, so that every build and
// the assembly kernel round alike.
func ouStep(x, m, a, s, n float64) float64 {
	return m + float64((x-m)*a) + float64(s*n)
}

// stepAVX512 advances every neuron by one step: the kernels take the
// neurons in groups of eight, drawing their deviates as normal does; the
// Go code finishes the draws they leave to it (the tail and the wedge
// points near the curve) and the last len%8 neurons, from the same
// streams, so the values are those of the Go loop.
func (o *OUCurrent) stepAVX512() {
	n8 := len(o.x) &^ 7
	m, a, s := o.p.Mean, o.decay, o.noise
	o.kern.step(o.x[:n8], o.pcg[:n8], m, a, s)
	for j := n8; j < len(o.x); j++ {
		o.x[j] = ouStep(o.x[j], m, a, s, normal(&o.pcg[j]))
	}
}

// kernelBufs are the lists of the assembly kernels.
type kernelBufs struct {
	idx    []int64  // the neurons whose draws the fast path refused
	draws  []uint64 // every neuron's draw in the fast path
	first  []uint64 // the last draw of each neuron left to Go
	second []uint64 // its wedge height draw
	fail   []uint8  // a bit per position of idx whose draw is left to Go
}

// step advances the len(x) neurons (a multiple of 8) by one step in the
// kernels: the fast path for all, the slow path for the refused ones, the
// Go code for the draws left to it.
func (k *kernelBufs) step(x []float64, pcg []rand.PCG, m, a, s float64) {
	n := len(x)
	if n == 0 {
		return
	}
	if len(k.idx) != n+8 {
		k.idx, k.draws = make([]int64, n+8), make([]uint64, n+8)
		k.first, k.second = make([]uint64, n+8), make([]uint64, n+8)
		k.fail = make([]uint8, n/8+1)
	}
	zk := &zigKernel[0][0]
	cnt := ouStepAVX512(&x[0], &pcg[0], &k.idx[0], &k.draws[0], n, m, a, s, zk)
	if cnt == 0 {
		return
	}
	ouSlowAVX512(&x[0], &pcg[0], &k.idx[0], &k.draws[0], cnt, m, a, s, zk, &k.first[0], &k.second[0], &k.fail[0])
	for g, f := range k.fail[:(cnt+7)/8] {
		for f != 0 {
			p := g*8 + bits.TrailingZeros8(f)
			f &= f - 1
			j := k.idx[p]
			x[j] = ouStep(x[j], m, a, s, normalFinish(&pcg[j], k.first[p], k.second[p]))
		}
	}
}

// Hold moves the current to tick t (t >= Tick()) without an update: the
// value of the step ending at Tick() is kept, as the current of every
// neuron stays frozen during a phase without spiking, and the next Advance
// continues from it. The windows must not start or end between Tick() and
// t (a scenario refuses a stimulus that switches inside such a phase).
func (o *OUCurrent) Hold(t snnsim.Time) {
	if t < o.t {
		panic(fmt.Sprintf("ou current %s: hold to tick %d from tick %d", o.name, t, o.t))
	}
	o.t = t
}

// tagOU is the frame tag of an OU current's state.
const tagOU = "source/ou_current"

// AppendState saves the tick, the values and every neuron's random stream.
// Unlike a spike source's, the streams are part of the state: the current
// owns one per neuron. See [checkpoint.Stater].
func (o *OUCurrent) AppendState(b []byte) []byte {
	b, start := checkpoint.Begin(b, tagOU, stateVersion)
	b = checkpoint.PutI64(b, int64(len(o.x)))
	b = checkpoint.PutF64(b, o.dt)
	b = checkpoint.PutF64(b, o.p.Mean)
	b = checkpoint.PutF64(b, o.p.Sigma)
	b = checkpoint.PutF64(b, o.p.Tau)
	b = checkpoint.PutF64(b, o.p.Start)
	b = checkpoint.PutI64(b, int64(len(o.windows)))
	for _, w := range o.windows {
		b = checkpoint.PutI64(b, int64(w.From))
		b = checkpoint.PutI64(b, int64(w.To))
	}
	b = checkpoint.PutI64(b, int64(o.t))
	b = checkpoint.PutBool(b, o.on)
	for i := range o.x {
		b = checkpoint.PutF64(b, o.x[i])
		st, _ := o.pcg[i].MarshalBinary() // never fails
		b = append(b, byte(len(st)))
		b = append(b, st...)
	}
	return checkpoint.End(b, start)
}

// RestoreState restores a state written by AppendState of a current with
// the same size, resolution and parameters whose windows that started
// before the saved tick are this current's (the windows from the saved
// tick on may differ: nothing was drawn in them). See [checkpoint.Stater].
func (o *OUCurrent) RestoreState(b []byte) ([]byte, error) {
	payload, rest, err := codec.Open(b, tagOU, stateVersion)
	if err != nil {
		return nil, err
	}
	d := checkpoint.Decoder{B: payload, C: &codec}
	n, dt := d.I64(), d.F64()
	p := OUParams{Mean: d.F64(), Sigma: d.F64(), Tau: d.F64(), Start: d.F64()}
	nw, ok := d.Count(16)
	if !ok {
		return nil, codec.Corruptf("%s payload does not match its declared length", tagOU)
	}
	ws := make([]OUWindow, nw)
	for k := range ws {
		ws[k] = OUWindow{From: snnsim.Time(d.I64()), To: snnsim.Time(d.I64())}
	}
	if d.Short {
		return nil, codec.Corruptf("%s payload does not match its declared length", tagOU)
	}
	if n != int64(len(o.x)) || dt != o.dt || p != o.p {
		return nil, codec.Mismatchf("ou current state of %d neurons, dt %g ms, %+v; this current has %d, %g ms, %+v", n, dt, p, len(o.x), o.dt, o.p)
	}
	t := snnsim.Time(d.I64())
	// Only the windows that had started by the saved tick are history: a
	// window starting at or after it has drawn nothing yet, so the windows
	// from there on may differ (a protocol continued with another future).
	if past, mine := startedBefore(ws, t), startedBefore(o.windows, t); !slices.Equal(past, mine) {
		return nil, codec.Mismatchf("ou current state at tick %d with windows %v started before it; this current's are %v", t, past, mine)
	}
	on := d.U8()
	x := make([]float64, len(o.x))
	pcg := make([]rand.PCG, len(o.x))
	for i := range x {
		x[i] = d.F64()
		st := d.Take(int(d.U8()))
		if d.Short || pcg[i].UnmarshalBinary(st) != nil {
			return nil, codec.Corruptf("%s: random stream of neuron %d unreadable", tagOU, i)
		}
	}
	if err := d.Done(tagOU); err != nil {
		return nil, err
	}
	if t < 0 || on > 1 {
		return nil, codec.Corruptf("%s at tick %d, on = %d", tagOU, t, on)
	}
	o.t, o.on, o.w = t, on == 1, 0
	copy(o.x, x)
	copy(o.pcg, pcg)
	return rest, nil
}

// startedBefore returns the windows that start before tick t.
func startedBefore(ws []OUWindow, t snnsim.Time) []OUWindow {
	k := sort.Search(len(ws), func(k int) bool { return ws[k].From >= t })
	return ws[:k]
}

// JoinOUParts sets whole, a current that NewOUCurrent returned, to the
// state of its parts (NewOUCurrentPart, with the same parameters, windows
// and name, and each of whole's neurons in one of them) at tick t: every
// neuron's value and random stream from the part that holds it. The parts
// are at one tick at or after t, at which they are on or off as whole is
// at t (advanced further while off, they drew nothing since t). The
// state whole then saves (AppendState) is, byte for byte, the one current's.
func JoinOUParts(whole *OUCurrent, parts []*OUCurrent, t snnsim.Time) error {
	seen := 0
	for k, p := range parts {
		if err := whole.sameAs(p, k); err != nil {
			return err
		}
		if p.t < t || p.t != parts[0].t || p.on != parts[0].on {
			return fmt.Errorf("ou current %s: part %d at tick %d (on: %v), part 0 at %d (on: %v), joined at %d", whole.name, k, p.t, p.on, parts[0].t, parts[0].on, t)
		}
		for i, j := range p.keys {
			whole.x[j], whole.pcg[j] = p.x[i], p.pcg[i]
		}
		seen += len(p.keys)
	}
	if seen != len(whole.x) {
		return fmt.Errorf("ou current %s: the parts hold %d neurons of %d", whole.name, seen, len(whole.x))
	}
	whole.t, whole.w, whole.on = t, 0, len(parts) > 0 && parts[0].on
	return nil
}

// SplitOUParts sets every part of whole (see JoinOUParts) to whole's state:
// the tick, and the value and random stream of each of its neurons.
func SplitOUParts(whole *OUCurrent, parts []*OUCurrent) error {
	for k, p := range parts {
		if err := whole.sameAs(p, k); err != nil {
			return err
		}
		for i, j := range p.keys {
			p.x[i], p.pcg[i] = whole.x[j], whole.pcg[j]
		}
		p.t, p.w, p.on = whole.t, 0, whole.on
	}
	return nil
}

// sameAs checks that part k of o is a part of a current of o's parameters.
func (o *OUCurrent) sameAs(part *OUCurrent, k int) error {
	if o.keys != nil || part.keys == nil || part.name != o.name || part.p != o.p || part.dt != o.dt || !slices.Equal(part.windows, o.windows) {
		return fmt.Errorf("ou current %s: part %d (%s) is not a part of it", o.name, k, part.name)
	}
	for _, j := range part.keys {
		if j < 0 || j >= len(o.x) {
			return fmt.Errorf("ou current %s: part %d holds neuron %d of %d", o.name, k, j, len(o.x))
		}
	}
	return nil
}
