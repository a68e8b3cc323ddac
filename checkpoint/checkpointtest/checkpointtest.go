// Package checkpointtest checks that an implementation of
// checkpoint.Stater keeps the contract of its RestoreState: a state is
// taken from the front of a buffer and the rest returned; truncated,
// damaged, foreign and other-version states are refused with the right
// sentinel and a message that names the package; a refused state leaves
// the receiver unchanged; nothing panics.
//
// Each model package runs [Run] on a state of every model it has (after
// some activity, so that the payload is not all zeros) and calls [Restore]
// from its fuzz test; what is particular to a model (which fields it
// checks, that a restored model continues bit for bit) stays in the
// package's own tests.
package checkpointtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/checkpoint"
)

// Case is a state and a way to build receivers for it.
type Case struct {
	// Name names the case's subtests.
	Name string
	// State is one frame written by AppendState, after some activity.
	State []byte
	// New returns a new receiver for State, built as the one that wrote
	// it (same model, parameters, sizes and resolution).
	New func(tb testing.TB) checkpoint.Stater
	// Foreign are well-formed states that New's receivers must refuse with
	// checkpoint.ErrMismatch: of other models, sizes, resolutions or
	// parameters.
	Foreign []Foreign
	// Trials is the number of random damages tried after the single-byte
	// ones (0: 200).
	Trials int
}

// Foreign is a state of something else than a Case's receiver.
type Foreign struct {
	Name  string // names the subtest
	State []byte
	Says  string // a part of the refusal's message ("" for any)
}

// Run checks c with these subtests of t, each on a new receiver:
//
//   - rest: State followed by other bytes is restored and those bytes
//     returned, and the receiver writes State back identically;
//   - truncated: every proper prefix of State is refused with ErrCorrupt;
//   - damaged: one byte changed at each of the first 200 positions, then
//     1 to 8 bytes at random (seeded) places, Trials times: each refused
//     with ErrCorrupt (CRC-32C detects every error burst of up to 32 bits);
//   - version: the same payload under the next version byte, with a valid
//     checksum, is refused with ErrVersion and a message naming both
//     versions;
//   - payload_long, payload_short: the payload with a byte added or
//     removed, under a valid checksum, is refused with ErrCorrupt;
//   - foreign: each of c.Foreign is refused with ErrMismatch.
//
// Every refusal must wrap checkpoint.ErrUnusable, start with
// "<pkg>: RestoreState: " where pkg is the first part of State's tag
// ("neuron" for "neuron/adex"), and leave the receiver writing the state
// it wrote before.
func Run(t *testing.T, c Case) {
	t.Helper()
	tag, version, payload, err := split(c.State)
	if err != nil {
		t.Fatalf("%s: State: %v", c.Name, err)
	}
	pkg, _, _ := strings.Cut(tag, "/")
	prefix := pkg + ": RestoreState: "
	// refuse checks the refusal of b by r and its message.
	refuse := func(t *testing.T, r checkpoint.Stater, what string, b []byte, kind error, says string) {
		t.Helper()
		err := Refuse(t, r, b, kind)
		if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), says) {
			t.Fatalf("%s: message %q does not start with %q or does not say %q", what, err, prefix, says)
		}
	}
	sub := func(name string, f func(t *testing.T, r checkpoint.Stater)) {
		t.Run(c.Name+"/"+name, func(t *testing.T) { f(t, c.New(t)) })
	}
	sub("rest", func(t *testing.T, r checkpoint.Stater) {
		tail := []byte("tail")
		rest, err := r.RestoreState(append(slices.Clip(c.State), tail...))
		if err != nil {
			t.Fatalf("RestoreState: %v", err)
		}
		if !bytes.Equal(rest, tail) {
			t.Fatalf("rest = %q, want %q", rest, tail)
		}
		if !bytes.Equal(r.AppendState(nil), c.State) {
			t.Fatalf("the restored receiver writes another state")
		}
	})
	sub("truncated", func(t *testing.T, r checkpoint.Stater) {
		for k := range len(c.State) {
			refuse(t, r, fmt.Sprintf("prefix of %d of %d bytes", k, len(c.State)), c.State[:k], checkpoint.ErrCorrupt, "")
		}
	})
	sub("damaged", func(t *testing.T, r checkpoint.Stater) {
		rng := rand.New(rand.NewPCG(uint64(len(c.State)), 13))
		trials := c.Trials
		if trials == 0 {
			trials = 200
		}
		single := min(len(c.State), 200)
		for trial := range single + trials {
			bad := slices.Clone(c.State)
			if trial < single {
				bad[trial] ^= byte(1 + rng.IntN(255))
			} else {
				for range 1 + rng.IntN(8) {
					bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
				}
			}
			if !bytes.Equal(bad, c.State) {
				refuse(t, r, fmt.Sprintf("damage %d", trial), bad, checkpoint.ErrCorrupt, "")
			}
		}
	})
	sub("version", func(t *testing.T, r checkpoint.Stater) {
		says := fmt.Sprintf("version %d, this program reads version %d", version+1, version)
		refuse(t, r, "next version", Frame(tag, version+1, payload), checkpoint.ErrVersion, says)
	})
	sub("payload_long", func(t *testing.T, r checkpoint.Stater) {
		refuse(t, r, "a byte more", Frame(tag, version, append(slices.Clone(payload), 0)), checkpoint.ErrCorrupt, "")
	})
	if len(payload) > 0 {
		sub("payload_short", func(t *testing.T, r checkpoint.Stater) {
			refuse(t, r, "a byte less", Frame(tag, version, payload[:len(payload)-1]), checkpoint.ErrCorrupt, "")
		})
	}
	for _, f := range c.Foreign {
		sub("foreign/"+f.Name, func(t *testing.T, r checkpoint.Stater) {
			refuse(t, r, f.Name, f.State, checkpoint.ErrMismatch, f.Says)
		})
	}
}

// MustRestore restores state, one frame, into r and fails tb unless r
// takes all of it and then writes it back identically.
func MustRestore(tb testing.TB, r checkpoint.Stater, state []byte) {
	tb.Helper()
	rest, err := r.RestoreState(state)
	switch {
	case err != nil:
		tb.Fatalf("RestoreState: %v", err)
	case len(rest) != 0:
		tb.Fatalf("RestoreState left %d of %d bytes", len(rest), len(state))
	case !bytes.Equal(r.AppendState(nil), state):
		tb.Fatalf("the restored receiver writes another state")
	}
}

// Refuse restores b into r and checks that it is refused with an error
// wrapping kind (and checkpoint.ErrUnusable), and that r still writes the
// state it wrote before. It returns the error, for checks of its message.
func Refuse(tb testing.TB, r checkpoint.Stater, b []byte, kind error) error {
	tb.Helper()
	before := r.AppendState(nil)
	_, err := r.RestoreState(b)
	if !errors.Is(err, kind) || !errors.Is(err, checkpoint.ErrUnusable) {
		tb.Fatalf("err = %v, want %v", err, kind)
	}
	if !bytes.Equal(r.AppendState(nil), before) {
		tb.Fatalf("a refused state changed the receiver: %v", err)
	}
	return err
}

// Restore restores in into r and checks what holds for any input, for fuzz
// tests: a refusal wraps one of the three sentinels and leaves r writing
// the state it wrote before; an accepted state is written back as the
// bytes it took. It reports whether r accepted in.
func Restore(tb testing.TB, r checkpoint.Stater, in []byte) bool {
	tb.Helper()
	before := r.AppendState(nil)
	rest, err := r.RestoreState(in)
	if err != nil {
		if !errors.Is(err, checkpoint.ErrCorrupt) && !errors.Is(err, checkpoint.ErrMismatch) && !errors.Is(err, checkpoint.ErrVersion) {
			tb.Fatalf("error %v wraps no sentinel", err)
		}
		if !bytes.Equal(r.AppendState(nil), before) {
			tb.Fatalf("a refused state changed the receiver: %v", err)
		}
		return false
	}
	if len(rest) > len(in) {
		tb.Fatalf("RestoreState returned %d bytes of %d", len(rest), len(in))
	}
	if used := in[:len(in)-len(rest)]; !bytes.Equal(r.AppendState(nil), used) {
		tb.Fatalf("an accepted state is not written back as it was read")
	}
	return true
}

// Frame returns a frame of tag and version around payload, with a valid
// checksum.
func Frame(tag string, version byte, payload []byte) []byte {
	b, start := checkpoint.Begin(nil, tag, version)
	return checkpoint.End(append(b, payload...), start)
}

// Payload returns the payload of the frame at the front of b, or nil if b
// does not start with a complete frame.
func Payload(b []byte) []byte {
	_, _, p, _ := split(b)
	return p
}

// Reseal returns a copy of frame with its payload length and checksum
// recomputed: everything between the header and the last 4 bytes is taken
// as the payload, so that a test can edit or cut the payload in place.
func Reseal(frame []byte) []byte {
	b := slices.Clone(frame)
	n := int(b[0])
	head := 1 + n + checkpoint.FrameHeader
	binary.LittleEndian.PutUint64(b[2+n:], uint64(len(b)-head-4))
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// split returns the parts of the frame at the front of b, checking only
// its lengths.
func split(b []byte) (tag string, version byte, payload []byte, err error) {
	if len(b) == 0 || len(b) < 1+int(b[0])+checkpoint.FrameHeader {
		return "", 0, nil, errors.New("not a frame: too short")
	}
	n := int(b[0])
	size := binary.LittleEndian.Uint64(b[2+n:])
	head := 1 + n + checkpoint.FrameHeader
	if size > uint64(len(b)-head) || uint64(len(b)-head)-size < 4 {
		return "", 0, nil, fmt.Errorf("not a frame: %d payload bytes in %d", size, len(b)-head)
	}
	return string(b[1 : 1+n]), b[1+n], b[head : head+int(size)], nil
}
