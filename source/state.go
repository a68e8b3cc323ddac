package source

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Stater is implemented by sources whose run-time state can be saved in a
// checkpoint and restored in a new process: every source of this package.
//
// AppendState appends the source's state to b and returns the extended
// slice. RestoreState reads one state written by AppendState from the front
// of b into a source built by New from the same parameters, size and
// resolution, and returns the rest of b. The engine calls them between
// ticks (after every Fire of the last tick), from the goroutine that runs
// the source; b is not retained.
//
// A state that is truncated, corrupted, of another model, of another
// population size or resolution, or of an unknown version is refused with
// an error wrapping ErrStateCorrupt, ErrStateMismatch or ErrStateVersion,
// and the source is left unchanged; RestoreState never panics.
//
// The state does not include the random stream: the engine saves and
// restores the generator it passed to New (see snnsim.NewPCG). A source
// restored from a state and a generator restored from the same moment
// continue exactly as the original would have, bit for bit
// (TestStateResume).
//
// # Encoding
//
// A state is one frame: a tag (one length byte, then the ASCII name, such
// as "source/poisson"), a version byte, the payload length as a
// little-endian uint64, the payload, and a CRC-32C (Castagnoli) of all of
// the above, little-endian. The frame layout is fixed; the version governs
// the payload. Payload fields are little-endian: integers as int64 or
// uint32, floats as their IEEE 754 bits. Each model's payload begins with
// what identifies the source (its size, resolution, schedule), which
// RestoreState compares with the receiver's.
type Stater interface {
	// AppendState appends the source's state to b as one frame.
	AppendState(b []byte) []byte
	// RestoreState replaces the source's state by the frame at the front of
	// b and returns the bytes after it.
	RestoreState(b []byte) (rest []byte, err error)
}

// Errors of RestoreState; the returned error wraps one of them and says
// what was wrong.
var (
	// ErrStateCorrupt: the state is truncated, fails its checksum, or its
	// payload is inconsistent.
	ErrStateCorrupt = errors.New("source: corrupt or truncated state")
	// ErrStateMismatch: the state is of another kind of source, or of a
	// source with another size, resolution or schedule.
	ErrStateMismatch = errors.New("source: state of another source")
	// ErrStateVersion: the state was written in a format version this
	// program does not read.
	ErrStateVersion = errors.New("source: unknown state version")
)

var (
	_ Stater = (*poissonSource)(nil)
	_ Stater = (*trainSource)(nil)
	_ Stater = (*spikeTimesSource)(nil)
	_ Stater = silent(0)
)

// stateVersion is the payload version that AppendState writes and
// RestoreState reads.
const stateVersion = 1

// Tags of the frames (at most 255 bytes each).
const (
	tagPoisson    = "source/poisson"
	tagTrain      = "source/" // + the model: "source/regular", "source/tetanus", "source/burst"
	tagSpikeTimes = "source/spike_times"
	tagExternal   = "source/external"
)

// stateError is a RestoreState error: a full message and the sentinel it
// wraps.
type stateError struct {
	msg  string
	kind error
}

func (e *stateError) Error() string { return e.msg }
func (e *stateError) Unwrap() error { return e.kind }

// stateErr formats a RestoreState error wrapping kind.
func stateErr(kind error, format string, args ...any) error {
	return &stateError{msg: "source: RestoreState: " + fmt.Sprintf(format, args...), kind: kind}
}

// mismatch is the error for a well-formed state that is not of the
// receiver: another kind of source, or other sizes or parameters.
func mismatch(format string, args ...any) error {
	return stateErr(ErrStateMismatch, format+"; restore a checkpoint into the scenario that wrote it", args...)
}

// castagnoli is the CRC-32C table; it is never written after init.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frameHeader is the length of a frame header after the tag: the version
// byte and the payload length.
const frameHeader = 1 + 8

// beginFrame appends a frame header for tag with a zero payload length and
// returns the slice and the frame's start, for endFrame.
func beginFrame(b []byte, tag string) ([]byte, int) {
	start := len(b)
	b = append(b, byte(len(tag)))
	b = append(b, tag...)
	b = append(b, stateVersion)
	return binary.LittleEndian.AppendUint64(b, 0), start
}

// endFrame fills in the payload length of the frame that starts at start
// and appends its checksum.
func endFrame(b []byte, start int) []byte {
	lenAt := start + 1 + int(b[start]) + 1
	binary.LittleEndian.PutUint64(b[lenAt:], uint64(len(b)-lenAt-8))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// openFrame checks the frame at the front of b and returns its payload and
// the bytes after it. It checks, in this order: the frame is complete, its
// checksum, its tag (want), its version.
func openFrame(b []byte, want string) (payload, rest []byte, err error) {
	if len(b) == 0 {
		return nil, nil, stateErr(ErrStateCorrupt, "no state left for a %s (truncated checkpoint)", want)
	}
	n := int(b[0])
	if len(b) < 1+n+frameHeader {
		return nil, nil, stateErr(ErrStateCorrupt, "state header truncated after %d bytes", len(b))
	}
	tag := string(b[1 : 1+n])
	version := b[1+n]
	size := binary.LittleEndian.Uint64(b[2+n:])
	head := 1 + n + frameHeader
	if size > uint64(len(b)-head) || uint64(len(b)-head)-size < 4 {
		return nil, nil, stateErr(ErrStateCorrupt, "state of %d payload bytes truncated to %d bytes", size, len(b)-head)
	}
	end := head + int(size)
	if got, sum := crc32.Checksum(b[:end], castagnoli), binary.LittleEndian.Uint32(b[end:]); got != sum {
		return nil, nil, stateErr(ErrStateCorrupt, "state checksum %08x, computed %08x: the checkpoint is damaged", sum, got)
	}
	if tag != want {
		return nil, nil, mismatch("state of a %q, this is a %q", tag, want)
	}
	if version != stateVersion {
		return nil, nil, stateErr(ErrStateVersion, "%s state version %d, this program reads version %d: resume with the program version that wrote the checkpoint", tag, version, stateVersion)
	}
	return b[head:end], b[end+4:], nil
}

// Appending payload fields.

func putI64(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) }
func putF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}
func putU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// decoder reads payload fields. Reading past the end yields zeros and sets
// short, so a decoding function checks once at the end (done).
type decoder struct {
	b     []byte
	short bool
}

func (d *decoder) take(n int) []byte {
	if len(d.b) < n {
		d.short, d.b = true, nil
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) i64() int64 {
	if p := d.take(8); p != nil {
		return int64(binary.LittleEndian.Uint64(p))
	}
	return 0
}

func (d *decoder) f64() float64 {
	if p := d.take(8); p != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(p))
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// count reads a length of records of size bytes each, and reports whether
// that many records fit in what is left (so that no allocation trusts a
// corrupted count).
func (d *decoder) count(size int) (int, bool) {
	c := d.i64()
	if d.short || c < 0 || c > int64(len(d.b)/size) {
		d.short = true
		return 0, false
	}
	return int(c), true
}

// done returns an error if the payload was short or has bytes left over.
func (d *decoder) done(tag string) error {
	if d.short || len(d.b) != 0 {
		return stateErr(ErrStateCorrupt, "%s payload does not match its declared length", tag)
	}
	return nil
}

// corrupt is the error for a payload whose fields are inconsistent.
func corrupt(format string, args ...any) error {
	return stateErr(ErrStateCorrupt, format, args...)
}
