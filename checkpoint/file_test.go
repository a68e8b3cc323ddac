package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// reseal recomputes a file's checksum after an edit.
func reseal(b []byte) []byte {
	b = bytes.Clone(b)
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.Checksum(b[:n], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// TestReadGolden reads a checkpoint that an earlier build of snnsim wrote
// (a plastic network stopped at 2 s, at 0.1 ms) and writes it back: the
// metadata is what that run recorded, and the bytes are the same.
func TestReadGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "pair_stdp_2s.snnckpt"))
	if err != nil {
		t.Fatal(err)
	}
	meta, body, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Program != "0.1.0-dev" || meta.Scenario != "plastic_stdp" || meta.Tick != 20000 || len(meta.Network) != 32 {
		t.Errorf("meta = %+v", meta)
	}
	var app struct {
		File string `json:"scenario_file"`
	}
	if err := json.Unmarshal(meta.App, &app); err != nil || app.File != "plastic_stdp.toml" {
		t.Errorf("app data: %q, %v", app.File, err)
	}
	var again bytes.Buffer
	if err := Write(&again, meta, body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), data) {
		t.Fatalf("written back: %d bytes, differing from the %d read", again.Len(), len(data))
	}
}

// TestReadRefused: truncated, damaged, foreign and other-version files are
// refused with the right sentinel and a message saying what is wrong.
func TestReadRefused(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, Meta{Program: "p", Network: "n", Scenario: "s", Tick: 5}, []byte("body")); err != nil {
		t.Fatal(err)
	}
	data := good.Bytes()
	if meta, body, err := Read(bytes.NewReader(data)); err != nil || string(body) != "body" || meta.Tick != 5 || meta.Scenario != "s" {
		t.Fatalf("Read = %+v, %q, %v", meta, body, err)
	}
	type refusal struct {
		name string
		b    []byte
		kind error
		says string
	}
	var cases []refusal
	for n := range len(data) {
		cases = append(cases, refusal{"truncated", data[:n], ErrCorrupt, ""})
	}
	for k := range data {
		b := bytes.Clone(data)
		b[k] ^= 0x21
		kind := ErrCorrupt
		switch {
		case k < len(Magic):
			kind = ErrMismatch // not a checkpoint any more
		case k < len(Magic)+2:
			kind = ErrVersion // read before the checksum: another version may end differently
		}
		cases = append(cases, refusal{"damaged", b, kind, ""})
	}
	cases[0].says = "truncated to 0 bytes"
	edit := func(at int, v ...byte) []byte {
		b := bytes.Clone(data)
		copy(b[at:], v)
		return reseal(b)
	}
	ml := len(data) - headLen - 8 - len("body") - 4
	cases = append(cases,
		refusal{"foreign", []byte("PK\x03\x04 a zip file, not a checkpoint"), ErrMismatch, `not a snnsim checkpoint (no "SNNSCKPT" magic)`},
		refusal{"version", edit(8, 2, 0), ErrVersion, "format version 2; this program reads version 1"},
		refusal{"meta_length", edit(10, 0xff, 0xff), ErrCorrupt, "metadata length 65535 runs past the end"},
		refusal{"meta_json", edit(headLen, '['), ErrCorrupt, "metadata: "},
		refusal{"body_length", edit(headLen+ml, 3), ErrCorrupt, "body length 3 does not match the file"},
	)
	for _, c := range cases {
		_, _, err := Read(bytes.NewReader(c.b))
		if !errors.Is(err, c.kind) || !strings.HasPrefix(err.Error(), "checkpoint: ") || !strings.Contains(err.Error(), c.says) {
			t.Fatalf("%s (%d bytes): err = %v, want %v saying %q", c.name, len(c.b), err, c.kind, c.says)
		}
		// Verify, reading a stream, refuses the same files with the same
		// kind of error (its message may name the first problem its order
		// of reading meets).
		if _, err := Verify(bytes.NewReader(c.b)); !errors.Is(err, c.kind) || !strings.HasPrefix(err.Error(), "checkpoint: ") {
			t.Fatalf("%s (%d bytes): Verify: err = %v, want %v", c.name, len(c.b), err, c.kind)
		}
	}
	if meta, err := Verify(bytes.NewReader(data)); err != nil || meta.Tick != 5 || meta.Scenario != "s" {
		t.Fatalf("Verify = %+v, %v", meta, err)
	}
}

// TestWriteFileAtomic replaces a file, leaves a partial temporary file as
// a kill during a write would, and fails a write: the file always holds
// one complete version, and a failed write leaves no temporary file.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck")
	put := func(s string) error {
		return WriteFile(path, func(w io.Writer) error { _, err := w.Write([]byte(s)); return err })
	}
	if err := put("first"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ck.tmp123"), []byte("SNNSCKPT partial"), 0o644)
	if err := put("second"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Fatalf("file holds %q", b)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error { w.Write([]byte("half")); return boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Fatalf("failed write: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Fatalf("a failed write left %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 { // ck and the planted ck.tmp123
		t.Fatalf("%d files after a failed write, want 2", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "dir"), nil); err == nil {
		t.Fatalf("a write into a missing folder succeeded")
	}
}

// FuzzRead reads arbitrary bytes: never a panic; a refusal is an
// ErrUnusable; an accepted file's body lies within it and can be written
// again.
func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	Write(&good, Meta{Program: "p", Tick: 1}, []byte{1, 2, 3})
	f.Add(good.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, body, err := Read(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error %v is not ErrUnusable", err)
			}
			return
		}
		var again bytes.Buffer
		if err := Write(&again, meta, body); err != nil {
			t.Fatal(err)
		}
		if len(body) > len(data) {
			t.Fatalf("body of %d bytes from %d", len(body), len(data))
		}
	})
}

// TestWriteStream writes bodies in pieces of several sizes: the file is
// the one Write writes for the same bytes; a body that writes more or
// fewer bytes than announced, or fails, is an error.
func TestWriteStream(t *testing.T) {
	body := make([]byte, 70_000) // more than the writer's buffer
	for i := range body {
		body[i] = byte(i * 7)
	}
	meta := Meta{Program: "p", Network: "n", Scenario: "s", Tick: 9, App: json.RawMessage(`{"a":1}`)}
	var want bytes.Buffer
	if err := Write(&want, meta, body); err != nil {
		t.Fatal(err)
	}
	for _, piece := range []int{1, 3, 4096, 65536, len(body)} {
		var got bytes.Buffer
		err := WriteStream(&got, meta, int64(len(body)), func(w io.Writer) error {
			for lo := 0; lo < len(body); lo += piece {
				if _, err := w.Write(body[lo:min(lo+piece, len(body))]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("pieces of %d: %d bytes, %v; Write gives %d bytes", piece, got.Len(), err, want.Len())
		}
		if _, back, err := Read(&got); err != nil || !bytes.Equal(back, body) {
			t.Fatalf("pieces of %d: read back: %v", piece, err)
		}
	}
	boom := errors.New("boom")
	for _, c := range []struct {
		name  string
		n     int64
		write func(w io.Writer) error
		says  string
	}{
		{"short", 5, func(w io.Writer) error { _, err := w.Write([]byte("four")); return err }, "the body has 4 bytes, 5 were announced"},
		{"long", 3, func(w io.Writer) error { _, err := w.Write([]byte("four")); return err }, "the body has 4 bytes, 3 were announced"},
		{"failing", 4, func(w io.Writer) error { return boom }, "boom"},
		{"negative", -1, func(w io.Writer) error { return nil }, "body length -1"},
	} {
		err := WriteStream(io.Discard, meta, c.n, c.write)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.says)
		}
	}
}

// TestReadMeta reads the metadata of a file as Read does, from its first
// bytes only, and refuses a foreign file, another version, a truncated or
// damaged head or metadata as Read does.
func TestReadMeta(t *testing.T) {
	var good bytes.Buffer
	want := Meta{Program: "p", Network: "n", Scenario: "s", Tick: 5, App: json.RawMessage(`{"text":"x"}`)}
	if err := Write(&good, want, []byte("body")); err != nil {
		t.Fatal(err)
	}
	data := good.Bytes()
	ml := len(data) - headLen - 8 - len("body") - 4
	got, err := ReadMeta(bytes.NewReader(data[:headLen+ml])) // the body is not read
	if err != nil || got.Program != want.Program || got.Tick != want.Tick || got.Scenario != want.Scenario || string(got.App) != string(want.App) {
		t.Fatalf("ReadMeta = %+v, %v; want %+v", got, err, want)
	}
	edit := func(at int, v ...byte) []byte {
		b := bytes.Clone(data)
		copy(b[at:], v)
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		kind error
		says string
	}{
		{"empty", nil, ErrCorrupt, "truncated to 0 bytes"},
		{"short_magic", []byte("SNNS"), ErrCorrupt, "truncated to 4 bytes"},
		{"short_head", data[:headLen-1], ErrCorrupt, "truncated to 13 bytes"},
		{"short_meta", data[:headLen+ml-1], ErrCorrupt, "runs past the end"},
		{"foreign", []byte("PK\x03\x04 a zip file, not a checkpoint"), ErrMismatch, `no "SNNSCKPT" magic`},
		{"version", edit(8, 2, 0), ErrVersion, "format version 2; this program reads version 1"},
		{"meta_length", edit(10, 0xff, 0xff), ErrCorrupt, "metadata length 65535 runs past the end"},
		{"meta_json", edit(headLen, '['), ErrCorrupt, "metadata: "},
	} {
		_, err := ReadMeta(bytes.NewReader(c.b))
		if !errors.Is(err, c.kind) || !strings.HasPrefix(err.Error(), "checkpoint: ") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %v saying %q", c.name, err, c.kind, c.says)
		}
	}
}

// TestReadFile reads a file as Read reads its bytes, into one buffer of
// the file's size: the bytes allocated are the file's and little more,
// not the two or more copies of a buffer grown while reading.
func TestReadFile(t *testing.T) {
	body := make([]byte, 4<<20)
	for i := range body {
		body[i] = byte(i)
	}
	path := filepath.Join(t.TempDir(), "ck")
	if err := WriteFile(path, func(w io.Writer) error { return Write(w, Meta{Program: "p", Tick: 3}, body) }); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	meta, got, err := ReadFile(path)
	runtime.ReadMemStats(&after)
	if err != nil || meta.Tick != 3 || !bytes.Equal(got, body) {
		t.Fatalf("ReadFile: tick %d, %d body bytes, %v", meta.Tick, len(got), err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(body))+64<<10 {
		t.Errorf("ReadFile of a %d-byte body allocated %d bytes", len(body), alloc)
	}
	if _, _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzReadMeta reads arbitrary bytes: never a panic; a refusal is an
// ErrUnusable; a file that Read accepts has the metadata ReadMeta reads.
func FuzzReadMeta(f *testing.F) {
	var good bytes.Buffer
	Write(&good, Meta{Program: "p", Tick: 1}, []byte{1, 2, 3})
	f.Add(good.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, err := ReadMeta(bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrUnusable) {
			t.Fatalf("error %v is not ErrUnusable", err)
		}
		full, _, ferr := Read(bytes.NewReader(data))
		if ferr == nil && (err != nil || meta.Tick != full.Tick || meta.Program != full.Program || string(meta.App) != string(full.App)) {
			t.Fatalf("Read accepts the file (meta %+v), ReadMeta gives %+v, %v", full, meta, err)
		}
	})
}

// FuzzVerify checks arbitrary bytes as a stream: never a panic; a refusal
// is an ErrUnusable; Verify accepts exactly the files Read accepts, with
// the same metadata.
func FuzzVerify(f *testing.F) {
	var good bytes.Buffer
	Write(&good, Meta{Program: "p", Tick: 1}, []byte{1, 2, 3})
	f.Add(good.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, err := Verify(bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrUnusable) {
			t.Fatalf("error %v is not ErrUnusable", err)
		}
		full, _, ferr := Read(bytes.NewReader(data))
		if (err == nil) != (ferr == nil) {
			t.Fatalf("Verify: %v; Read: %v", err, ferr)
		}
		if err == nil && (meta.Tick != full.Tick || meta.Program != full.Program || string(meta.App) != string(full.App)) {
			t.Fatalf("Verify gives %+v, Read %+v", meta, full)
		}
	})
}
