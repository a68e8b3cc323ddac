package stdp

import (
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// stateVersion is the payload version that AppendState writes and
// RestoreState reads.
const stateVersion = 2

// tagOf is the frame tag of a rule: "stdp/" and its name.
func tagOf(rule string) string { return "stdp/" + rule }

// codec makes this package's RestoreState errors.
var codec = checkpoint.Codec{Pkg: "stdp"}

// ident is what identifies a rule's traces: sizes, resolution, time
// constants and pairing. A state is restored only into a rule of the same
// ident.
type ident struct {
	rule        string
	nPre, nPost int
	dt          float64   // resolution [ms]
	keys        []string  // parameter keys of taus
	taus        []float64 // time constants [ms]
	reset       bool      // nearest_spike pairing
}

func (id *ident) append(b []byte) []byte {
	b = checkpoint.PutI64(b, int64(id.nPre))
	b = checkpoint.PutI64(b, int64(id.nPost))
	b = checkpoint.PutF64(b, id.dt)
	for _, v := range id.taus {
		b = checkpoint.PutF64(b, v)
	}
	var r byte
	if id.reset {
		r = 1
	}
	return append(b, r)
}

// check reads an ident from d and compares it with id.
func (id *ident) check(d *checkpoint.Decoder) error {
	nPre, nPost, dt := d.I64(), d.I64(), d.F64()
	taus := make([]float64, len(id.taus))
	for k := range taus {
		taus[k] = d.F64()
	}
	reset := d.U8()
	if d.Short {
		return d.Done(tagOf(id.rule))
	}
	if nPre != int64(id.nPre) || nPost != int64(id.nPost) {
		return codec.Mismatchf("%s state for %d source and %d target neurons, this rule has %d and %d", id.rule, nPre, nPost, id.nPre, id.nPost)
	}
	if math.Float64bits(dt) != math.Float64bits(id.dt) {
		return codec.Mismatchf("%s state at resolution %g ms, this rule has %g ms", id.rule, dt, id.dt)
	}
	for k, v := range taus {
		if math.Float64bits(v) != math.Float64bits(id.taus[k]) {
			return codec.Mismatchf("%s state with %s = %g ms, this rule has %g ms", id.rule, id.keys[k], v, id.taus[k])
		}
	}
	if reset > 1 {
		return codec.Corruptf("%s state has pairing byte %d", id.rule, reset)
	}
	if (reset == 1) != id.reset {
		return codec.Mismatchf("%s state with pairing %s, this rule has %s", id.rule, pairingName(reset == 1), pairingName(id.reset))
	}
	return nil
}

func pairingName(reset bool) Pairing {
	if reset {
		return NearestSpike
	}
	return AllToAll
}

// appendTraces appends each neuron's last tick, value after and value
// before the last increment.
func appendTraces(b []byte, ts *traces1) []byte {
	for i, h := range ts.hot {
		b = checkpoint.PutI64(b, int64(h.last))
		b = checkpoint.PutF64(b, h.after)
		b = checkpoint.PutF64(b, ts.before[i])
	}
	return b
}

// readTraces reads n traces written by appendTraces into a new traces1.
func readTraces(d *checkpoint.Decoder, n int, what string) (traces1, error) {
	if len(d.B) < 24*n {
		d.Short = true
		return traces1{}, nil
	}
	ts := newTraces1(n)
	for i := range ts.hot {
		last, after, before := snnsim.Time(d.I64()), d.F64(), d.F64()
		if err := checkTrace(what, i, last, after, before); err != nil {
			return traces1{}, err
		}
		ts.hot[i] = hot1{last: last, after: after}
		ts.before[i] = before
	}
	return ts, nil
}

// checkTrace checks one neuron's trace: a tick in [0, Never) and values
// finite and >= 0 (traces are sums of decaying counts).
func checkTrace(what string, i int, last snnsim.Time, vals ...float64) error {
	if last < 0 || last == snnsim.Never {
		return codec.Corruptf("%s trace of neuron %d last updated at tick %d", what, i, last)
	}
	for _, v := range vals {
		if !(v >= 0) || math.IsInf(v, 0) {
			return codec.Corruptf("%s trace of neuron %d has the value %g", what, i, v)
		}
	}
	return nil
}

// appendHomTraces appends each target's last tick, (z⁻, z^h) after and
// (z⁻, z^h) before the last increment.
func appendHomTraces(b []byte, ts *homTraces) []byte {
	for j, last := range ts.last {
		b = checkpoint.PutI64(b, int64(last))
		b = checkpoint.PutF64(b, ts.after[j][0])
		b = checkpoint.PutF64(b, ts.after[j][1])
		b = checkpoint.PutF64(b, ts.before[j][0])
		b = checkpoint.PutF64(b, ts.before[j][1])
	}
	return b
}

// readHomTraces reads the traces written by appendHomTraces for the targets
// of ts and returns a copy of ts holding them.
func readHomTraces(d *checkpoint.Decoder, ts *homTraces) (homTraces, error) {
	n := len(ts.last)
	if len(d.B) < 40*n {
		d.Short = true
		return homTraces{}, nil
	}
	out := *ts
	out.last = make([]snnsim.Time, n)
	out.after = make([][2]float64, n)
	out.before = make([][2]float64, n)
	for j := range n {
		last := snnsim.Time(d.I64())
		a := [2]float64{d.F64(), d.F64()}
		bf := [2]float64{d.F64(), d.F64()}
		if err := checkTrace("z⁻/z^hom", j, last, a[0], a[1], bf[0], bf[1]); err != nil {
			return homTraces{}, err
		}
		out.last[j] = last
		out.after[j], out.before[j] = a, bf
	}
	return out, nil
}

// open reads the frame at the front of b (tagged tag) and checks that its
// ident equals id; it returns the decoder positioned after the ident.
func (id *ident) open(b []byte, tag string) (*checkpoint.Decoder, []byte, error) {
	return id.openVersion(b, tag, stateVersion)
}

// openVersion is open for a frame of the given payload version.
func (id *ident) openVersion(b []byte, tag string, version byte) (*checkpoint.Decoder, []byte, error) {
	payload, rest, err := codec.Open(b, tag, version)
	if err != nil {
		return nil, nil, err
	}
	d := &checkpoint.Decoder{B: payload, C: &codec}
	if err := id.check(d); err != nil {
		return nil, nil, err
	}
	return d, rest, nil
}
