package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"strings"
	"testing"
)

var codec = Codec{Pkg: "test"}

// TestFrameLayout builds a frame by hand, field by field as the package
// documentation lays it out, and compares it with Begin and End.
func TestFrameLayout(t *testing.T) {
	payload := []byte{1, 2, 3, 4, 5}
	var want []byte
	want = append(want, 7)
	want = append(want, "x/model"...)
	want = append(want, 3)
	want = append(want, 5, 0, 0, 0, 0, 0, 0, 0)
	want = append(want, payload...)
	want = binary.LittleEndian.AppendUint32(want, crc32.Checksum(want, crc32.MakeTable(crc32.Castagnoli)))

	b, start := Begin([]byte("before"), "x/model", 3)
	b = End(append(b, payload...), start)
	if !bytes.Equal(b[len("before"):], want) || string(b[:len("before")]) != "before" {
		t.Fatalf("frame\n%x, want\n%x", b, want)
	}
	if FrameHeader != 9 {
		t.Fatalf("FrameHeader = %d, want a version byte and a uint64", FrameHeader)
	}
}

// TestOpen checks each refusal of Open, in the documented order, and that
// a good frame yields its payload and the bytes after it.
func TestOpen(t *testing.T) {
	frame := func(tag string, v byte, payload string) []byte {
		b, start := Begin(nil, tag, v)
		return End(append(b, payload...), start)
	}
	good := frame("test/a", 1, "payload")
	flipped := bytes.Clone(good)
	flipped[len(flipped)-6] ^= 1
	for _, c := range []struct {
		name string
		b    []byte
		kind error
		says string
	}{
		{"empty", nil, ErrCorrupt, "no state left for a test/a (truncated checkpoint)"},
		{"header", good[:5], ErrCorrupt, "state header truncated after 5 bytes"},
		{"payload", good[:len(good)-5], ErrCorrupt, "state of 7 payload bytes truncated"},
		{"checksum", flipped, ErrCorrupt, "the checkpoint is damaged"},
		{"tag", frame("test/b", 1, "payload"), ErrMismatch, `state of a "test/b", this is a "test/a"; restore a checkpoint into the scenario that wrote it`},
		{"version", frame("test/a", 2, "payload"), ErrVersion, "test/a state version 2, this program reads version 1"},
		{"tag before version", frame("test/b", 2, "payload"), ErrMismatch, "test/b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := codec.Open(c.b, "test/a", 1)
			if !errors.Is(err, c.kind) || !errors.Is(err, ErrUnusable) {
				t.Fatalf("err = %v, want %v", err, c.kind)
			}
			if !strings.HasPrefix(err.Error(), "test: RestoreState: ") || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("message %q does not say %q", err, c.says)
			}
		})
	}
	payload, rest, err := codec.Open(append(bytes.Clone(good), "rest"...), "test/a", 1)
	if err != nil || string(payload) != "payload" || string(rest) != "rest" {
		t.Fatalf("Open = %q, %q, %v", payload, rest, err)
	}
}

// TestSentinels: each kind of refusal is an ErrUnusable and no other kind.
func TestSentinels(t *testing.T) {
	kinds := []error{ErrCorrupt, ErrMismatch, ErrVersion}
	for i, k := range kinds {
		err := Errorf(k, "what %d", i)
		if err.Error() != "what "+string(rune('0'+i)) || !errors.Is(err, ErrUnusable) {
			t.Errorf("%v: message %q, or not ErrUnusable", k, err)
		}
		for j, o := range kinds {
			if errors.Is(err, o) != (i == j) {
				t.Errorf("Errorf(%v) is %v: %v", k, o, i != j)
			}
		}
	}
}

// TestDecoder reads back what the Put functions and binary's varints
// write, then reads past the end.
func TestDecoder(t *testing.T) {
	var b []byte
	b = PutI64(b, -5)
	b = PutF64(b, math.Inf(-1))
	b = PutU32(b, 0xdeadbeef)
	b = PutBool(b, true)
	b = PutIndices(b, []int32{4, 0, 9})
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -300)
	d := codec.NewDecoder(b)
	if v := d.I64(); v != -5 {
		t.Errorf("I64 = %d", v)
	}
	if v := d.F64(); !math.IsInf(v, -1) {
		t.Errorf("F64 = %g", v)
	}
	if v := d.U32(); v != 0xdeadbeef {
		t.Errorf("U32 = %x", v)
	}
	if v := d.U8(); v != 1 {
		t.Errorf("U8 = %d", v)
	}
	bad := false
	if v := d.Indices(10, &bad); bad || len(v) != 3 || v[0] != 4 || v[2] != 9 {
		t.Errorf("Indices = %v (bad %v)", v, bad)
	}
	if u, v := d.Uvarint(), d.Varint(); u != 300 || v != -300 {
		t.Errorf("varints = %d, %d", u, v)
	}
	if err := d.Done("test/a"); err != nil {
		t.Fatal(err)
	}
	if v := d.I64(); v != 0 || !d.Short {
		t.Errorf("past the end: %d, Short %v", v, d.Short)
	}
	if err := d.Done("test/a"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Done after a short read: %v", err)
	}

	// An index out of range, a count larger than what is left, a varint
	// cut short, bytes left over.
	d = codec.NewDecoder(PutIndices(nil, []int32{3}))
	if d.Indices(3, &bad); !bad {
		t.Errorf("index 3 of 3 accepted")
	}
	d = codec.NewDecoder(PutI64(nil, 1<<40))
	if _, ok := d.Count(4); ok || !d.Short {
		t.Errorf("a count of 2^40 records in 0 bytes accepted")
	}
	d = codec.NewDecoder([]byte{0x80})
	if d.Uvarint(); !d.Short {
		t.Errorf("a cut varint accepted")
	}
	d = codec.NewDecoder([]byte{1, 2})
	d.U8()
	if err := d.Done("test/a"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a byte left over: %v", err)
	}
}

// FuzzOpen opens arbitrary bytes: never a panic; an accepted frame's
// payload and rest account for all of the input.
func FuzzOpen(f *testing.F) {
	b, start := Begin(nil, "test/a", 1)
	f.Add(End(append(b, "payload"...), start))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		payload, rest, err := codec.Open(data, "test/a", 1)
		if err != nil {
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error %v is not ErrUnusable", err)
			}
			return
		}
		if 1+len("test/a")+FrameHeader+len(payload)+4+len(rest) != len(data) {
			t.Fatalf("payload %d and rest %d bytes of %d", len(payload), len(rest), len(data))
		}
	})
}
