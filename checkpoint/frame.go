package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Stater is implemented by everything whose run-time state goes into a
// checkpoint: every neuron population, source, plasticity rule and
// consolidation model.
//
// AppendState appends the complete state to b as one frame and returns the
// extended slice. RestoreState reads one frame written by AppendState from
// the front of b into a receiver built from the same parameters, sizes and
// resolution, replacing all of its state, and returns the bytes after the
// frame. The engine calls them between ticks, from the goroutine that runs
// the receiver; b is not retained.
//
// A state that is truncated, corrupted, of another model, size, resolution
// or parameter value, or of an unknown version is refused with an error
// wrapping [ErrCorrupt], [ErrMismatch] or [ErrVersion], and the receiver is
// left unchanged; RestoreState never panics. A receiver restored from a
// state continues exactly as the original would have, bit for bit.
type Stater interface {
	// AppendState appends the state to b as one frame.
	AppendState(b []byte) []byte
	// RestoreState replaces the state by the frame at the front of b and
	// returns the bytes after it.
	RestoreState(b []byte) (rest []byte, err error)
}

// ErrUnusable is wrapped by every error about a state or a checkpoint that
// cannot be restored; [ErrCorrupt], [ErrMismatch] and [ErrVersion] say why.
var ErrUnusable = errors.New("checkpoint: unusable")

// Errors of RestoreState and of restoring a checkpoint; the returned error
// wraps one of them and says what was wrong.
var (
	// ErrCorrupt: the state is truncated, fails its checksum, or its
	// payload is inconsistent.
	ErrCorrupt error = &sentinel{"checkpoint: corrupt or truncated state"}
	// ErrMismatch: the state is well formed but of something else: another
	// model, or another size, resolution, parameter value or network.
	ErrMismatch error = &sentinel{"checkpoint: state of something else"}
	// ErrVersion: the state was written in a format version this program
	// does not read.
	ErrVersion error = &sentinel{"checkpoint: unknown state version"}
)

// sentinel is a kind of refusal; each wraps ErrUnusable.
type sentinel struct{ msg string }

func (s *sentinel) Error() string { return s.msg }
func (s *sentinel) Unwrap() error { return ErrUnusable }

// refusal is an error of a kind (a sentinel) with its own message.
type refusal struct {
	msg  string
	kind error
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.kind }

// Errorf returns an error with the message format that wraps kind (one of
// [ErrCorrupt], [ErrMismatch], [ErrVersion]); the sentinel's own text is
// not part of the message.
func Errorf(kind error, format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), kind: kind}
}

// Codec makes the RestoreState errors of one package: each starts with
// "<Pkg>: RestoreState: ".
type Codec struct {
	Pkg string // "neuron", "source", "stdp", "consolidation"
}

// Err formats an error wrapping kind.
func (c *Codec) Err(kind error, format string, args ...any) error {
	return Errorf(kind, c.Pkg+": RestoreState: "+format, args...)
}

// Mismatchf is the error for a well-formed state of something else: another
// model, or other sizes or parameters.
func (c *Codec) Mismatchf(format string, args ...any) error {
	return c.Err(ErrMismatch, format+"; restore a checkpoint into the scenario that wrote it", args...)
}

// Corruptf is the error for a damaged state or inconsistent fields.
func (c *Codec) Corruptf(format string, args ...any) error {
	return c.Err(ErrCorrupt, format, args...)
}

// castagnoli is the CRC-32C table of frames and checkpoint files.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FrameHeader is the length of a frame header after the tag: the version
// byte and the payload length.
const FrameHeader = 1 + 8

// Begin appends a frame header for tag and version with a zero payload
// length, and returns the slice and the frame's start, for End.
func Begin(b []byte, tag string, version byte) ([]byte, int) {
	start := len(b)
	b = append(b, byte(len(tag)))
	b = append(b, tag...)
	b = append(b, version)
	return binary.LittleEndian.AppendUint64(b, 0), start
}

// End fills in the payload length of the frame that starts at start and
// appends its checksum.
func End(b []byte, start int) []byte {
	lenAt := start + 1 + int(b[start]) + 1
	binary.LittleEndian.PutUint64(b[lenAt:], uint64(len(b)-lenAt-8))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// Open checks the frame at the front of b and returns its payload and the
// bytes after it. It checks, in this order: the frame is complete, its
// checksum, its tag (want), its version.
func (c *Codec) Open(b []byte, want string, version byte) (payload, rest []byte, err error) {
	if len(b) == 0 {
		return nil, nil, c.Corruptf("no state left for a %s (truncated checkpoint)", want)
	}
	n := int(b[0])
	if len(b) < 1+n+FrameHeader {
		return nil, nil, c.Corruptf("state header truncated after %d bytes", len(b))
	}
	tag := string(b[1 : 1+n])
	v := b[1+n]
	size := binary.LittleEndian.Uint64(b[2+n:])
	head := 1 + n + FrameHeader
	if size > uint64(len(b)-head) || uint64(len(b)-head)-size < 4 {
		return nil, nil, c.Corruptf("state of %d payload bytes truncated to %d bytes", size, len(b)-head)
	}
	end := head + int(size)
	if got, sum := crc32.Checksum(b[:end], castagnoli), binary.LittleEndian.Uint32(b[end:]); got != sum {
		return nil, nil, c.Corruptf("state checksum %08x, computed %08x: the checkpoint is damaged", sum, got)
	}
	if tag != want {
		return nil, nil, c.Mismatchf("state of a %q, this is a %q", tag, want)
	}
	if v != version {
		return nil, nil, c.Err(ErrVersion, "%s state version %d, this program reads version %d: resume with the program version that wrote the checkpoint", tag, v, version)
	}
	return b[head:end], b[end+4:], nil
}

// PutI64 appends v.
func PutI64(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) }

// PutF64 appends the bits of v.
func PutF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// PutU32 appends v.
func PutU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// PutBool appends v as one byte.
func PutBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// PutIndices appends a count and the indices.
func PutIndices(b []byte, idx []int32) []byte {
	b = PutI64(b, int64(len(idx)))
	for _, i := range idx {
		b = PutU32(b, uint32(i))
	}
	return b
}

// NewDecoder returns a decoder of payload whose Done reports with c.
func (c *Codec) NewDecoder(payload []byte) *Decoder { return &Decoder{B: payload, C: c} }

// Decoder reads payload fields. Reading past the end yields zeros and sets
// Short, so a decoding function checks once at the end (Done).
type Decoder struct {
	B     []byte // the bytes not read yet
	Short bool   // a read went past the end, or a count was impossible
	C     *Codec // for Done's error
}

// Take returns the next n bytes, or nil past the end.
func (d *Decoder) Take(n int) []byte {
	if len(d.B) < n {
		d.Short, d.B = true, nil
		return nil
	}
	p := d.B[:n]
	d.B = d.B[n:]
	return p
}

// I64 reads an int64.
func (d *Decoder) I64() int64 {
	if p := d.Take(8); p != nil {
		return int64(binary.LittleEndian.Uint64(p))
	}
	return 0
}

// F64 reads a float64.
func (d *Decoder) F64() float64 {
	if p := d.Take(8); p != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(p))
	}
	return 0
}

// U32 reads a uint32.
func (d *Decoder) U32() uint32 {
	if p := d.Take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// U8 reads a byte.
func (d *Decoder) U8() byte {
	if p := d.Take(1); p != nil {
		return p[0]
	}
	return 0
}

// Uvarint reads an unsigned varint (encoding/binary).
func (d *Decoder) Uvarint() uint64 {
	v, n := binary.Uvarint(d.B)
	return d.skip(v, n)
}

// Varint reads a signed varint (encoding/binary).
func (d *Decoder) Varint() int64 {
	v, n := binary.Varint(d.B)
	return int64(d.skip(uint64(v), n))
}

// skip consumes a varint of n bytes (n <= 0: truncated or overlong) and
// returns its value v, or 0 past the end.
func (d *Decoder) skip(v uint64, n int) uint64 {
	if n <= 0 {
		d.Short, d.B = true, nil
		return 0
	}
	d.B = d.B[n:]
	return v
}

// Count reads a length of records of size bytes each, and reports whether
// that many records fit in what is left (so that no allocation trusts a
// corrupted count).
func (d *Decoder) Count(size int) (int, bool) {
	c := d.I64()
	if d.Short || c < 0 || c > int64(len(d.B)/size) {
		d.Short = true
		return 0, false
	}
	return int(c), true
}

// Indices reads what PutIndices wrote; an index >= n sets *bad.
func (d *Decoder) Indices(n int, bad *bool) []int32 {
	c, ok := d.Count(4)
	if !ok {
		return nil
	}
	out := make([]int32, c)
	for k := range out {
		i := d.U32()
		if i >= uint32(n) {
			*bad = true
			return nil
		}
		out[k] = int32(i)
	}
	return out
}

// Done returns an error if the payload was short or has bytes left over.
func (d *Decoder) Done(tag string) error {
	if d.Short || len(d.B) != 0 {
		return d.C.Corruptf("%s payload does not match its declared length", tag)
	}
	return nil
}
