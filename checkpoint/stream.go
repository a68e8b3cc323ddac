package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// StreamStater is implemented by a [Stater] whose state is large (numbers
// per synapse), so that a checkpoint can write and read its frame in
// pieces: then no copy of the state is held in memory next to the model's
// own arrays, neither while the checkpoint is written nor while it is
// restored. The frame is the one AppendState appends.
type StreamStater interface {
	Stater
	// StateLen returns the length of the frame AppendState would append.
	StateLen() int64
	// WriteState writes the frame AppendState would append to w.
	WriteState(w io.Writer) error
	// ReadState replaces the state by the frame of n bytes read from r,
	// as RestoreState does from a buffer, reading no more than n bytes.
	// Its refusals are RestoreState's, but a refused frame may leave the
	// receiver partly restored (its state is decoded in place as it is
	// read): the caller must discard the receiver then.
	ReadState(r io.Reader, n int64) error
}

// FrameLen returns the length of a frame of tag with a payload of payload
// bytes.
func FrameLen(tag string, payload int64) int64 {
	return int64(1+len(tag)+FrameHeader) + payload + 4
}

// FrameWriter writes one frame to a writer in pieces: the writing function
// appends the payload's fields to B (with [PutI64], [PutF64] and the
// others) and calls Spill from time to time, which writes B out once it is
// long; [FrameWriter.End] writes the rest and the checksum. The payload's
// length is given in advance ([BeginFrame]), since it precedes the payload.
type FrameWriter struct {
	B    []byte // the bytes not written yet
	w    io.Writer
	crc  uint32
	n    int64 // bytes written
	want int64 // the frame's length without its checksum
	err  error
}

// frameBuf is the length at which a FrameWriter writes its bytes out.
const frameBuf = 64 << 10

// BeginFrame starts a frame of tag and version with a payload of payload
// bytes, to be written to w.
func BeginFrame(w io.Writer, tag string, version byte, payload int64) *FrameWriter {
	fw := &FrameWriter{w: w, B: make([]byte, 0, frameBuf+1024)}
	fw.B, _ = Begin(fw.B, tag, version)
	binary.LittleEndian.PutUint64(fw.B[len(fw.B)-8:], uint64(payload))
	fw.want = int64(len(fw.B)) + payload
	return fw
}

// Spill writes B out once it holds frameBuf bytes or more.
func (fw *FrameWriter) Spill() {
	if len(fw.B) >= frameBuf {
		fw.flush()
	}
}

func (fw *FrameWriter) flush() {
	if fw.err == nil && len(fw.B) > 0 {
		fw.crc = crc32.Update(fw.crc, castagnoli, fw.B)
		fw.n += int64(len(fw.B))
		_, fw.err = fw.w.Write(fw.B)
	}
	fw.B = fw.B[:0]
}

// End writes what B holds and the frame's checksum. A payload of other
// than the announced length is an error, as is any error of the writer.
func (fw *FrameWriter) End() error {
	fw.flush()
	if fw.err != nil {
		return fw.err
	}
	if fw.n != fw.want {
		return fmt.Errorf("checkpoint: a frame of %d bytes was announced as %d", fw.n, fw.want)
	}
	_, err := fw.w.Write(binary.LittleEndian.AppendUint32(nil, fw.crc))
	return err
}

// FrameReader reads the payload of one frame from a reader in pieces
// ([Codec.OpenStream]); [FrameReader.Close] checks the checksum once the
// payload is read.
type FrameReader struct {
	version byte
	tag     string
	r       io.Reader
	left    int64 // payload bytes not read yet
	crc     uint32
	buf     []byte
	d       Decoder
	err     error // of the reader
	short   bool  // a read went past the payload
	c       *Codec
}

// OpenStream reads the header of the frame of n bytes at the front of r
// and checks it, in this order: the header is complete and the payload
// length fits n, its tag (want), its version (version, or one of older).
// The checksum is checked by Close, after the payload.
func (c *Codec) OpenStream(r io.Reader, n int64, want string, version byte, older ...byte) (*FrameReader, error) {
	head := make([]byte, 1+len(want)+FrameHeader)
	if n < int64(len(head)) {
		return nil, c.Corruptf("a %s state of %d bytes: too short for its header", want, n)
	}
	if _, err := io.ReadFull(r, head[:1]); err != nil {
		return nil, streamErr(c, err)
	}
	if int(head[0]) != len(want) {
		return nil, c.Mismatchf("state with a tag of %d bytes, this is a %q", head[0], want)
	}
	if _, err := io.ReadFull(r, head[1:]); err != nil {
		return nil, streamErr(c, err)
	}
	size := binary.LittleEndian.Uint64(head[2+len(want):])
	if size != uint64(n)-uint64(len(head))-4 || n < int64(len(head))+4 {
		return nil, c.Corruptf("state of %d payload bytes in a frame of %d bytes", size, n)
	}
	if tag := string(head[1 : 1+len(want)]); tag != want {
		return nil, c.Mismatchf("state of a %q, this is a %q", tag, want)
	}
	v := head[1+len(want)]
	if v != version && !containsByte(older, v) {
		return nil, c.Err(ErrVersion, "%s state version %d, this program reads version %d: resume with the program version that wrote the checkpoint", want, v, version)
	}
	return &FrameReader{version: v, tag: want, r: r, left: int64(size), crc: crc32.Checksum(head, castagnoli), c: c}, nil
}

func containsByte(s []byte, b byte) bool {
	for _, x := range s {
		if x == b {
			return true
		}
	}
	return false
}

// streamErr maps a short read to ErrCorrupt and passes other errors on.
func streamErr(c *Codec, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return c.Corruptf("state truncated")
	}
	return fmt.Errorf("%s: RestoreState: %w", c.Pkg, err)
}

// Next returns a decoder of the next k bytes of the payload, which is
// valid until the next call; past the end of the payload (or after an
// error of the reader) the decoder is short (Decoder.Short).
func (f *FrameReader) Next(k int) *Decoder {
	f.d = Decoder{C: f.c}
	if f.err != nil || int64(k) > f.left {
		f.d.Short, f.short = true, true
		return &f.d
	}
	if cap(f.buf) < k {
		f.buf = make([]byte, k)
	}
	b := f.buf[:k]
	if _, err := io.ReadFull(f.r, b); err != nil {
		f.err = streamErr(f.c, err)
		f.d.Short = true
		return &f.d
	}
	f.crc = crc32.Update(f.crc, castagnoli, b)
	f.left -= int64(k)
	f.d.B = b
	return &f.d
}

// Version returns the frame's version.
func (f *FrameReader) Version() byte { return f.version }

// Left returns the payload bytes not read yet.
func (f *FrameReader) Left() int64 { return f.left }

// Close reads the checksum and checks it; an error of the reader, a
// payload not read to its end (or read past it) or a checksum that does
// not match is an error.
func (f *FrameReader) Close() error {
	if f.err != nil {
		return f.err
	}
	if f.left != 0 || f.short || f.d.Short {
		return f.c.Corruptf("%s payload does not match its declared length", f.tag)
	}
	var sum [4]byte
	if _, err := io.ReadFull(f.r, sum[:]); err != nil {
		return streamErr(f.c, err)
	}
	if want := binary.LittleEndian.Uint32(sum[:]); want != f.crc {
		return f.c.Corruptf("state checksum %08x, computed %08x: the checkpoint is damaged", want, f.crc)
	}
	return nil
}

// Body is the body of a checkpoint file read as a stream ([OpenBody]):
// reading it yields the body's bytes, and Close checks the file's
// checksum, so that a large state is restored without the file being held
// in memory.
type Body struct {
	Meta Meta  // the file's metadata
	N    int64 // the body's length
	cr   *crcReader
	left int64
}

// OpenBody reads the head of a checkpoint file from r (magic, version,
// metadata, body length) and returns the body, to be read to its end and
// closed. Its refusals are those of [Read]; the checksum, which follows
// the body, is checked by Close.
func OpenBody(r io.Reader) (*Body, error) {
	cr, meta, n, err := readHead(r)
	if err != nil {
		return nil, err
	}
	if n > 1<<62 {
		return nil, Errorf(ErrCorrupt, "checkpoint: body length %d does not match the file", n)
	}
	return &Body{Meta: meta, N: int64(n), cr: cr, left: int64(n)}, nil
}

// Read reads the body's bytes; at its end it returns io.EOF.
func (b *Body) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.cr.Read(p)
	b.left -= int64(n)
	if errors.Is(err, io.EOF) && b.left > 0 {
		err = Errorf(ErrCorrupt, "checkpoint: the file ends %d bytes before the end of its body", b.left)
	}
	return n, err
}

// Close checks that the body was read to its end and that the file's
// checksum follows it and matches; an error wraps [ErrCorrupt].
func (b *Body) Close() error {
	if b.left != 0 {
		return Errorf(ErrCorrupt, "checkpoint: %d bytes of the body were not read", b.left)
	}
	crc := b.cr.crc
	var tail [5]byte // the checksum, and one byte too many
	k, err := io.ReadFull(b.cr.r, tail[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if k != 4 {
		return Errorf(ErrCorrupt, "checkpoint: body length %d does not match the file", b.N)
	}
	if got, want := crc, binary.LittleEndian.Uint32(tail[:4]); got != want {
		return Errorf(ErrCorrupt, "checkpoint: checksum mismatch (the file is truncated or damaged)")
	}
	return nil
}
