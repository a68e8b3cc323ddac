package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
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
	return WriteStream(w, meta, int64(len(body)), func(bw io.Writer) error {
		_, err := bw.Write(body)
		return err
	})
}

// WriteStream writes a checkpoint file holding meta and a body of n bytes
// to w; body writes the body's bytes to the writer it is given, in as many
// calls as it likes. The file is the one [Write] writes for the same bytes,
// but no copy of the body is held: a large state can be written from the
// pieces it is kept in. A body that writes other than n bytes is an error.
func WriteStream(w io.Writer, meta Meta, n int64, body func(w io.Writer) error) error {
	if n < 0 {
		return fmt.Errorf("checkpoint: body length %d", n)
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10) // the sections' small headers go out with their neighbours
	cw := &crcWriter{w: bw}
	head := make([]byte, 0, headLen+len(mj)+8)
	head = append(head, Magic...)
	head = binary.LittleEndian.AppendUint16(head, Version)
	head = binary.LittleEndian.AppendUint32(head, uint32(len(mj)))
	head = append(head, mj...)
	head = binary.LittleEndian.AppendUint64(head, uint64(n))
	if _, err := cw.Write(head); err != nil {
		return err
	}
	cw.n = 0
	if err := body(cw); err != nil {
		return err
	}
	if cw.n != n {
		return fmt.Errorf("checkpoint: the body has %d bytes, %d were announced", cw.n, n)
	}
	if _, err := bw.Write(binary.LittleEndian.AppendUint32(nil, cw.crc)); err != nil {
		return err
	}
	return bw.Flush()
}

// crcWriter passes bytes on to w, counting them and updating their
// CRC-32C.
type crcWriter struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, castagnoli, p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// Read reads a checkpoint file from r and checks it (magic, version,
// checksum, lengths); it returns the metadata and the body. A file that
// cannot be used is refused with an error wrapping [ErrCorrupt],
// [ErrMismatch] (not a checkpoint) or [ErrVersion].
func Read(r io.Reader) (Meta, []byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Meta{}, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return parse(data)
}

// ReadFile reads and checks the checkpoint file path as [Read] does. The
// body it returns is part of the one buffer the file is read into, of the
// file's size (Read's buffer grows as it reads, which holds up to twice a
// large checkpoint at once).
func ReadFile(path string) (Meta, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Meta{}, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return parse(data)
}

// Verify reads a checkpoint file from r as a stream and checks it as
// [Read] does (magic, version, metadata, lengths, checksum), returning its
// metadata, without holding its body: a large checkpoint can be refused
// or accepted before the memory for its state is taken. Its refusals wrap
// the errors Read's do.
func Verify(r io.Reader) (Meta, error) {
	cr, meta, n, err := readHead(r)
	if err != nil {
		return meta, err
	}
	want := int64(min(n, 1<<62)) // a damaged length reads to the end of the file
	var body int64
	for body < want {
		k, err := io.CopyN(io.Discard, cr, min(want-body, 1<<20))
		body += k
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return meta, fmt.Errorf("checkpoint: %w", err)
		}
	}
	crc := cr.crc
	var tail [5]byte // the checksum, and one byte too many
	k, err := io.ReadFull(cr.r, tail[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return meta, fmt.Errorf("checkpoint: %w", err)
	}
	if uint64(body) < n || k != 4 {
		// The file ends early or goes on: its last 4 bytes are not where
		// the body length puts the checksum.
		return meta, Errorf(ErrCorrupt, "checkpoint: body length %d does not match the file", n)
	}
	if got, want := crc, binary.LittleEndian.Uint32(tail[:4]); got != want {
		return meta, Errorf(ErrCorrupt, "checkpoint: checksum mismatch (the file is truncated or damaged)")
	}
	return meta, nil
}

// readHead reads the head of a checkpoint file from r (magic, version,
// metadata, body length) through a reader that sums what follows for the
// checksum. The metadata is returned once read, even when the body length
// is missing.
func readHead(r io.Reader) (*crcReader, Meta, uint64, error) {
	cr := &crcReader{r: bufio.NewReaderSize(r, 64<<10)}
	meta, err := ReadMeta(cr)
	if err != nil {
		return nil, meta, 0, err
	}
	var bl [8]byte
	if _, err := io.ReadFull(cr, bl[:]); err != nil {
		return nil, meta, 0, truncated(err, "checkpoint: truncated before the body length")
	}
	return cr, meta, binary.LittleEndian.Uint64(bl[:]), nil
}

// truncated maps a short read to ErrCorrupt with msg, and passes other
// errors on.
func truncated(err error, msg string) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return Errorf(ErrCorrupt, "%s", msg)
	}
	return fmt.Errorf("checkpoint: %w", err)
}

// crcReader passes bytes on from r, updating their CRC-32C.
type crcReader struct {
	r   io.Reader
	crc uint32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

// Parse checks the bytes of a checkpoint file as [Read] does and returns
// the metadata and the body, which is part of data (not a copy).
func Parse(data []byte) (Meta, []byte, error) { return parse(data) }

// ReadMeta reads the metadata at the start of a checkpoint file from r,
// without reading the body or checking the file's checksum (which [Read]
// and [ReadFile] do): enough to learn what the checkpoint is of before its
// state is needed. Its errors are those of Read.
func ReadMeta(r io.Reader) (Meta, error) {
	var meta Meta
	head := make([]byte, headLen)
	if n, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			_, _, err := parse(head[:n]) // magic, then truncation
			return meta, err
		}
		return meta, fmt.Errorf("checkpoint: %w", err)
	}
	if string(head[:len(Magic)]) != Magic {
		return meta, Errorf(ErrMismatch, "checkpoint: not a snnsim checkpoint (no %q magic)", Magic)
	}
	if v := binary.LittleEndian.Uint16(head[len(Magic):]); v != Version {
		return meta, Errorf(ErrVersion, "checkpoint: format version %d; this program reads version %d", v, Version)
	}
	ml := int64(binary.LittleEndian.Uint32(head[headLen-4:]))
	// Read as it comes rather than into an array of the announced length,
	// which a damaged file could make huge.
	mj, err := io.ReadAll(io.LimitReader(r, ml))
	if err != nil {
		return meta, fmt.Errorf("checkpoint: %w", err)
	}
	if int64(len(mj)) < ml {
		return meta, Errorf(ErrCorrupt, "checkpoint: metadata length %d runs past the end", ml)
	}
	if err := json.Unmarshal(mj, &meta); err != nil {
		return meta, Errorf(ErrCorrupt, "checkpoint: metadata: %v", err)
	}
	return meta, nil
}

// parse checks a whole checkpoint file (magic, version, checksum, lengths)
// and returns its metadata and its body, a part of data.
func parse(data []byte) (Meta, []byte, error) {
	var meta Meta
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
