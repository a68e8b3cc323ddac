package stdp

import (
	"errors"
	"math"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/statefmt"
)

// Stater saves and restores the traces of a rule, for checkpoints. Every
// [Rule] implements it.
//
// AppendState appends the rule's state to b and returns the extended
// slice: every trace of every neuron (its value after and before the last
// increment and the tick of that increment, all that the t−ε reads need).
// The weights are not part of it: the engine owns and saves them.
// RestoreState reads one state written by AppendState from the front of b
// into a rule built by New from the same parameters, sizes and resolution,
// and returns the rest of b. The engine calls them between calls to Pre and
// Post (normally between ticks), from the goroutine that runs the rule; b
// is not retained.
//
// A state that is truncated, corrupted, of another rule, of other sizes,
// resolution, time constants or pairing, or of an unknown version is
// refused with an error wrapping ErrStateCorrupt, ErrStateMismatch or
// ErrStateVersion, and the rule is left unchanged; RestoreState never
// panics. Amplitudes and weight bounds are not compared: they do not enter
// the traces. A rule restored from a state continues exactly as the
// original would have, bit for bit (TestStateResume).
//
// # Encoding
//
// A state is one frame: a tag (one length byte, then the ASCII name, such
// as "stdp/pair"), a version byte, the payload length as a little-endian
// uint64, the payload, and a CRC-32C (Castagnoli) of all of the above,
// little-endian. The frame layout is fixed; the version governs the
// payload. Payload fields are little-endian, integers as int64 and floats
// as their IEEE 754 bits. Version 2: source and target counts, the
// resolution [ms], the rule's time constants [ms] in the order of its
// parameter table, the pairing (one byte, 1 for nearest_spike), then each
// trace array, neuron by neuron: last tick, value after, value before (the
// homeostatic z⁻, z^h pair: last tick, z⁻ and z^h after, z⁻ and z^h
// before). The homeostatic rule then adds the copies its hot loops read:
// the current tick, the epochs of z⁺ and of z⁻ (z^h)², the sources and
// targets whose spikes at the current tick are not yet in the copies (count,
// then uint32 indices), and the copies' values. Version 1 lacked these.
type Stater interface {
	// AppendState appends the rule's traces to b as one frame.
	AppendState(b []byte) []byte
	// RestoreState replaces the rule's traces by the frame at the front of
	// b and returns the bytes after it.
	RestoreState(b []byte) (rest []byte, err error)
}

// Errors of RestoreState; the returned error wraps one of them and says
// what was wrong.
var (
	// ErrStateCorrupt: the state is truncated, fails its checksum, or its
	// payload is inconsistent.
	ErrStateCorrupt = errors.New("stdp: corrupt or truncated state")
	// ErrStateMismatch: the state is of another rule, or of a rule with
	// other sizes, resolution, time constants or pairing.
	ErrStateMismatch = errors.New("stdp: state of another rule")
	// ErrStateVersion: the state was written in a format version this
	// program does not read.
	ErrStateVersion = errors.New("stdp: unknown state version")
)

// stateVersion is the payload version that AppendState writes and
// RestoreState reads.
const stateVersion = 2

// tagOf is the frame tag of a rule: "stdp/" and its name.
func tagOf(rule string) string { return "stdp/" + rule }

// codec makes this package's RestoreState errors; the frame format and the
// field coding are shared with the other checkpointable packages
// (internal/statefmt).
var codec = statefmt.Codec{Pkg: "stdp", Corrupt: ErrStateCorrupt, Mismatch: ErrStateMismatch, Version: ErrStateVersion}

// frameHeader is the frame header's length after the tag (for tests).
const frameHeader = statefmt.FrameHeader

// decoder reads payload fields (see statefmt.Decoder).
type decoder = statefmt.Decoder

func stateErr(kind error, format string, args ...any) error { return codec.Err(kind, format, args...) }
func mismatch(format string, args ...any) error             { return codec.Mismatchf(format, args...) }
func corrupt(format string, args ...any) error              { return codec.Corruptf(format, args...) }

func beginFrame(b []byte, tag string) ([]byte, int) { return statefmt.Begin(b, tag, stateVersion) }
func openFrame(b []byte, want string) (payload, rest []byte, err error) {
	return codec.Open(b, want, stateVersion)
}

var (
	endFrame   = statefmt.End
	putI64     = statefmt.PutI64
	putF64     = statefmt.PutF64
	putU32     = statefmt.PutU32
	putBool    = statefmt.PutBool
	putIndices = statefmt.PutIndices
)

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
	b = putI64(b, int64(id.nPre))
	b = putI64(b, int64(id.nPost))
	b = putF64(b, id.dt)
	for _, v := range id.taus {
		b = putF64(b, v)
	}
	var r byte
	if id.reset {
		r = 1
	}
	return append(b, r)
}

// check reads an ident from d and compares it with id.
func (id *ident) check(d *decoder) error {
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
		return mismatch("%s state for %d source and %d target neurons, this rule has %d and %d", id.rule, nPre, nPost, id.nPre, id.nPost)
	}
	if math.Float64bits(dt) != math.Float64bits(id.dt) {
		return mismatch("%s state at resolution %g ms, this rule has %g ms", id.rule, dt, id.dt)
	}
	for k, v := range taus {
		if math.Float64bits(v) != math.Float64bits(id.taus[k]) {
			return mismatch("%s state with %s = %g ms, this rule has %g ms", id.rule, id.keys[k], v, id.taus[k])
		}
	}
	if reset > 1 {
		return corrupt("%s state has pairing byte %d", id.rule, reset)
	}
	if (reset == 1) != id.reset {
		return mismatch("%s state with pairing %s, this rule has %s", id.rule, pairingName(reset == 1), pairingName(id.reset))
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
		b = putI64(b, int64(h.last))
		b = putF64(b, h.after)
		b = putF64(b, ts.before[i])
	}
	return b
}

// readTraces reads n traces written by appendTraces into a new traces1.
func readTraces(d *decoder, n int, what string) (traces1, error) {
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
		return corrupt("%s trace of neuron %d last updated at tick %d", what, i, last)
	}
	for _, v := range vals {
		if !(v >= 0) || math.IsInf(v, 0) {
			return corrupt("%s trace of neuron %d has the value %g", what, i, v)
		}
	}
	return nil
}

// appendHomTraces appends each target's last tick, (z⁻, z^h) after and
// (z⁻, z^h) before the last increment.
func appendHomTraces(b []byte, ts *homTraces) []byte {
	for j, last := range ts.last {
		b = putI64(b, int64(last))
		b = putF64(b, ts.after[j][0])
		b = putF64(b, ts.after[j][1])
		b = putF64(b, ts.before[j][0])
		b = putF64(b, ts.before[j][1])
	}
	return b
}

// readHomTraces reads the traces written by appendHomTraces for the targets
// of ts and returns a copy of ts holding them.
func readHomTraces(d *decoder, ts *homTraces) (homTraces, error) {
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
func (id *ident) open(b []byte, tag string) (*decoder, []byte, error) {
	payload, rest, err := openFrame(b, tag)
	if err != nil {
		return nil, nil, err
	}
	d := &decoder{B: payload, C: &codec}
	if err := id.check(d); err != nil {
		return nil, nil, err
	}
	return d, rest, nil
}
