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
