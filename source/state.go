package source

import (
	"errors"

	"github.com/snnsim/snnsim/internal/statefmt"
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

// codec makes this package's RestoreState errors; the frame format and the
// field coding are shared with the other checkpointable packages
// (internal/statefmt).
var codec = statefmt.Codec{Pkg: "source", Corrupt: ErrStateCorrupt, Mismatch: ErrStateMismatch, Version: ErrStateVersion}

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
