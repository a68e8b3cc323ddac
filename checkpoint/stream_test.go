package checkpoint

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// streamPayload is a payload longer than a FrameWriter's buffer, so that
// it is written in several pieces.
func streamPayload() []byte {
	p := make([]byte, 3*frameBuf+17)
	for i := range p {
		p[i] = byte(i*7 + i/251)
	}
	return p
}

// TestFrameWriter writes a frame in pieces and compares it with the frame
// Begin and End build at once; a payload of another length than announced
// is an error.
func TestFrameWriter(t *testing.T) {
	payload := streamPayload()
	b, start := Begin(nil, "x/model", 3)
	want := End(append(b, payload...), start)
	for _, piece := range []int{1, 100, frameBuf, len(payload)} {
		var got bytes.Buffer
		fw := BeginFrame(&got, "x/model", 3, int64(len(payload)))
		for lo := 0; lo < len(payload); lo += piece {
			fw.B = append(fw.B, payload[lo:min(lo+piece, len(payload))]...)
			fw.Spill()
		}
		if err := fw.End(); err != nil {
			t.Fatalf("pieces of %d: %v", piece, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("pieces of %d: the frame differs from Begin/End's", piece)
		}
		if FrameLen("x/model", int64(len(payload))) != int64(len(want)) {
			t.Fatalf("FrameLen = %d, the frame has %d bytes", FrameLen("x/model", int64(len(payload))), len(want))
		}
	}
	for _, announced := range []int64{int64(len(payload)) - 1, int64(len(payload)) + 1} {
		fw := BeginFrame(io.Discard, "x/model", 3, announced)
		fw.B = append(fw.B, payload...)
		if err := fw.End(); err == nil {
			t.Errorf("a payload of %d bytes announced as %d was accepted", len(payload), announced)
		}
	}
}

// TestFrameReader reads frames in pieces: a good one yields its payload
// and leaves the reader after it; each refusal of OpenStream and Close
// wraps the documented error.
func TestFrameReader(t *testing.T) {
	payload := streamPayload()
	frame := func(tag string, v byte, p []byte) []byte {
		b, start := Begin(nil, tag, v)
		return End(append(b, p...), start)
	}
	good := frame("x/model", 3, payload)
	read := func(b []byte, n int64, older ...byte) ([]byte, *bytes.Reader, error) {
		r := bytes.NewReader(b)
		fr, err := codec.OpenStream(r, n, "x/model", 3, older...)
		if err != nil {
			return nil, r, err
		}
		var got []byte
		for fr.Left() > 0 {
			d := fr.Next(int(min(fr.Left(), 1000)))
			if d.Short {
				break
			}
			got = append(got, d.B...)
		}
		return got, r, fr.Close()
	}
	got, r, err := read(append(good, "tail"...), int64(len(good)))
	if err != nil || !bytes.Equal(got, payload) || r.Len() != 4 {
		t.Fatalf("good frame: err %v, payload equal %v, %d bytes left after it", err, bytes.Equal(got, payload), r.Len())
	}
	if _, _, err := read(frame("x/model", 2, payload), int64(len(good)), 1, 2); err != nil {
		t.Errorf("an older version that is read: %v", err)
	}
	damaged := bytes.Clone(good)
	damaged[len(damaged)/2] ^= 4
	cases := []struct {
		name string
		b    []byte
		n    int64
		kind error
	}{
		{"truncated", good[:len(good)-5], int64(len(good)), ErrCorrupt},
		{"header truncated", good[:5], int64(len(good)), ErrCorrupt},
		{"length differs", good, int64(len(good)) - 1, ErrCorrupt},
		{"damaged payload", damaged, int64(len(good)), ErrCorrupt},
		{"other tag", frame("y/model", 3, payload), int64(len(good)), ErrMismatch},
		{"other tag length", frame("x/models", 3, payload), int64(len(good)) + 1, ErrMismatch},
		{"next version", frame("x/model", 4, payload), int64(len(good)), ErrVersion},
	}
	for _, c := range cases {
		_, _, err := read(c.b, c.n)
		if !errors.Is(err, c.kind) || !errors.Is(err, ErrUnusable) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.kind)
		}
	}
	// Reading past the payload is refused at Close.
	fr, err := codec.OpenStream(bytes.NewReader(good), int64(len(good)), "x/model", 3)
	if err != nil {
		t.Fatal(err)
	}
	if d := fr.Next(len(payload) + 1); !d.Short {
		t.Errorf("a read past the payload is not short")
	}
	if err := fr.Close(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Close after a read past the payload: %v", err)
	}
}

// TestBody reads a checkpoint file's body as a stream: the metadata and
// the bytes are Read's, and a file damaged, cut or extended after the
// head is refused by Close with ErrCorrupt.
func TestBody(t *testing.T) {
	body := streamPayload()
	meta := Meta{Program: "p", Network: "n", Scenario: "s", Tick: 42}
	var file bytes.Buffer
	if err := Write(&file, meta, body); err != nil {
		t.Fatal(err)
	}
	good := file.Bytes()
	read := func(data []byte) (*Body, []byte, error) {
		b, err := OpenBody(bytes.NewReader(data))
		if err != nil {
			return nil, nil, err
		}
		got, err := io.ReadAll(b)
		if err != nil {
			return b, got, err
		}
		return b, got, b.Close()
	}
	b, got, err := read(good)
	if err != nil || !bytes.Equal(got, body) || b.N != int64(len(body)) || b.Meta.Tick != 42 || b.Meta.Network != "n" {
		t.Fatalf("good file: err %v, %d bytes of %d, meta %+v", err, len(got), len(body), b.Meta)
	}
	damaged := bytes.Clone(good)
	damaged[len(damaged)/2] ^= 1
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"damaged", damaged},
		{"cut in the body", good[:len(good)/2]},
		{"cut in the checksum", good[:len(good)-2]},
		{"a byte more", append(bytes.Clone(good), 0)},
	} {
		_, _, err := read(c.data)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", c.name, err)
		}
	}
	if _, err := OpenBody(bytes.NewReader([]byte("not a checkpoint at all"))); !errors.Is(err, ErrMismatch) {
		t.Errorf("not a checkpoint: err = %v", err)
	}
	// A body not read to its end is refused.
	b, err = OpenBody(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Close before the end of the body: err = %v", err)
	}
}
