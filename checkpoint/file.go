package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim"
)

// Magic opens every checkpoint file.
const Magic = "SNNSCKPT"

// Version is the version of the checkpoint file layout that Write writes
// and Read reads.
const Version = 1

// headLen is the length of the fixed fields before the metadata: magic,
// version, metadata length.
const headLen = len(Magic) + 2 + 4

// Meta describes a checkpoint; Read returns it without restoring anything.
type Meta struct {
	Program  string          `json:"program"`  // program version that wrote it (snnsim.BuildVersion)
	Network  string          `json:"network"`  // fingerprint of the network (engine.NetworkFingerprint)
	Scenario string          `json:"scenario"` // scenario name
	Tick     snnsim.Time     `json:"tick"`     // the engine's Now() when it was written
	App      json.RawMessage `json:"app,omitempty"`
}

// Write writes a checkpoint file holding meta and body to w.
func Write(w io.Writer, meta Meta, body []byte) error {
	mj, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	b := make([]byte, 0, headLen+len(mj)+8+len(body)+4)
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint16(b, Version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(mj)))
	b = append(b, mj...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(body)))
	b = append(b, body...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err = w.Write(b)
	return err
}

// Read reads a checkpoint file from r and checks it (magic, version,
// checksum, lengths); it returns the metadata and the body. A file that
// cannot be used is refused with an error wrapping [ErrCorrupt],
// [ErrMismatch] (not a checkpoint) or [ErrVersion].
func Read(r io.Reader) (Meta, []byte, error) {
	var meta Meta
	data, err := io.ReadAll(r)
	if err != nil {
		return meta, nil, fmt.Errorf("checkpoint: %w", err)
	}
	bad := func(kind error, format string, args ...any) (Meta, []byte, error) {
		return meta, nil, Errorf(kind, "checkpoint: "+format, args...)
	}
	if !bytes.HasPrefix(data, []byte(Magic)) {
		if len(data) < len(Magic) && bytes.HasPrefix([]byte(Magic), data) {
			return bad(ErrCorrupt, "truncated to %d bytes", len(data))
		}
		return bad(ErrMismatch, "not a snnsim checkpoint (no %q magic)", Magic)
	}
	if len(data) < headLen+8+4 {
		return bad(ErrCorrupt, "truncated to %d bytes", len(data))
	}
	if v := binary.LittleEndian.Uint16(data[len(Magic):]); v != Version {
		return bad(ErrVersion, "format version %d; this program reads version %d", v, Version)
	}
	n := len(data) - 4
	if got, want := crc32.Checksum(data[:n], castagnoli), binary.LittleEndian.Uint32(data[n:]); got != want {
		return bad(ErrCorrupt, "checksum mismatch (the file is truncated or damaged)")
	}
	ml := int64(binary.LittleEndian.Uint32(data[headLen-4:]))
	if int64(headLen)+ml+8 > int64(n) {
		return bad(ErrCorrupt, "metadata length %d runs past the end", ml)
	}
	end := headLen + int(ml)
	if err := json.Unmarshal(data[headLen:end], &meta); err != nil {
		return bad(ErrCorrupt, "metadata: %v", err)
	}
	if bl := binary.LittleEndian.Uint64(data[end:]); uint64(n-(end+8)) != bl {
		return bad(ErrCorrupt, "body length %d does not match the file", bl)
	}
	return meta, data[end+8 : n], nil
}

// WriteFile writes a file atomically: write writes the contents to a
// temporary file in path's folder, which is synced, then renamed over
// path, and the folder synced. A crash at any point leaves either the
// previous file or the new one, never a mix.
func WriteFile(path string, write func(w io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	// The rename is durable only once the folder is synced; a folder that
	// cannot be opened or synced (some file systems) leaves the rename as
	// durable as the system makes it.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
