package spikelog

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/klauspost/compress/zstd"
	"github.com/snnsim/snnsim"
)

// Spike is one spike: neuron ID fired at tick T.
type Spike struct {
	T  snnsim.Time
	ID snnsim.NeuronID
}

// Mark is a tick with a short text, such as "run start" or "checkpoint".
type Mark struct {
	T    snnsim.Time
	Text string
}

// Filter selects spikes by a time window and an ID range. The zero Filter
// selects everything. Because 0 means "no bound", a Filter cannot express
// an empty range ending at 0, which no caller needs.
type Filter struct {
	From, To snnsim.Time     // ticks [From, To); To == 0: no upper bound
	Lo, Hi   snnsim.NeuronID // IDs [Lo, Hi); Hi == 0: no upper bound
}

// Reader reads a spike log block by block; it never holds more than one
// block in memory. Use it like a bufio.Scanner:
//
//	for r.Next() {
//		s := r.Spike()
//		...
//	}
//	if err := r.Err(); err != nil { ... }
//
// Spikes come in order of tick, then ID. Marks and series declarations are
// collected as their blocks pass (see Marks and Series), and blocks of kinds
// this package does not know are skipped. NextSample and Sample iterate over
// the samples of series in the same way; a Reader makes one pass over the
// log, so use one Reader for spikes and another for samples (Next skips
// samples and NextSample skips spikes). When the log is damaged, Next returns every spike of every
// intact block before the damage and then false, and Err returns a
// [*CorruptError] naming the offset. A log that just stops at a block
// boundary is not an error: Complete then reports false. A Reader never
// panics on bad input.
type Reader struct {
	br      *bufio.Reader
	closer  io.Closer
	dec     *zstd.Decoder
	hdr     Header
	version uint16

	off  int64  // offset of the next block
	comp []byte // compressed bytes of the current block
	raw  []byte // raw payload of the current block

	spikes []Spike // spikes of the current block that pass the filter
	pos    int     // index of the current spike in spikes
	filter Filter

	marks      []Mark
	series     []*seriesRead
	widthsOnly bool // series are declared without their indices (Append needs their widths alone)
	sfilter    SampleFilter
	smp        []float64     // values of the samples of the current block that pass the sample filter
	smpT       []snnsim.Time // their ticks
	smpW       int           // their width
	smpID      int           // their series
	spos       int           // index of the current sample
	rows       int64         // sample rows read (a sample split over blocks counts once per block)
	kinds      [256]int64    // blocks read, by kind
	records    int64
	nspikes    int64
	first      snnsim.Time
	last       snnsim.Time
	prevLast   snnsim.Time // last tick of the previous spike block; ticks never decrease across blocks
	rawBytes   int64

	err      error
	eof      bool // no more blocks: end block or clean end of input
	complete bool // the end block was read
	stopped  bool // Next passed the end of the filter's time window
}

// Open opens the log at path and reads its header. Close closes the file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("spikelog: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the header of the log in src and returns a Reader for its
// blocks. The Reader buffers src and may read past the end of the log.
// The error is ErrMagic when src is not a spike log, wraps ErrVersion for a
// format version this package cannot read, and is a [*CorruptError] when
// the header is damaged or cut short.
func NewReader(src io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	var fixed [headerFixedLen]byte
	n, err := io.ReadFull(br, fixed[:len(Magic)])
	if !bytes.Equal(fixed[:n], []byte(Magic)[:n]) {
		return nil, ErrMagic
	}
	if err == nil {
		_, err = io.ReadFull(br, fixed[len(Magic):])
		if err == nil {
			if v := binary.LittleEndian.Uint16(fixed[8:]); v != Version {
				return nil, fmt.Errorf("%w %d: this build reads version %d; use a newer snnsim", ErrVersion, v, Version)
			}
		}
	}
	if err != nil {
		return nil, headerReadErr(err)
	}
	size := binary.LittleEndian.Uint32(fixed[10:])
	if size > MaxHeaderLen {
		return nil, &CorruptError{0, fmt.Errorf("header length %d exceeds %d", size, MaxHeaderLen)}
	}
	var payload bytes.Buffer // grows with the data, so a damaged length cannot force a huge allocation
	if _, err := io.CopyN(&payload, br, int64(size)); err != nil {
		return nil, headerReadErr(err)
	}
	crc := crc32.Update(0, castagnoli, fixed[8:14])
	crc = crc32.Update(crc, castagnoli, payload.Bytes())
	if crc != binary.LittleEndian.Uint32(fixed[14:]) {
		return nil, &CorruptError{0, fmt.Errorf("header: %w", ErrChecksum)}
	}
	h, err := parseHeaderPayload(payload.Bytes())
	if err != nil {
		return nil, &CorruptError{0, fmt.Errorf("header payload: %w", err)}
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(MaxBlockLen),
		zstd.WithDecoderMaxWindow(MaxBlockLen),
		zstd.WithDecodeAllCapLimit(true))
	if err != nil {
		return nil, fmt.Errorf("spikelog: %w", err)
	}
	return &Reader{br: br, dec: dec, hdr: h, version: Version, off: int64(headerFixedLen) + int64(size)}, nil
}

func headerReadErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &CorruptError{0, fmt.Errorf("log ends inside the header: %w", io.ErrUnexpectedEOF)}
	}
	return fmt.Errorf("spikelog: reading header: %w", err)
}

// Header returns the log's header.
func (r *Reader) Header() Header {
	h := r.hdr
	h.Populations = slices.Clone(h.Populations)
	return h
}

// Version returns the log's format version.
func (r *Reader) Version() uint16 { return r.version }

// SetFilter makes Next return only the spikes that f selects. It applies
// from the next block read, so call it before the first Next. Blocks that
// end before f.From are not decoded beyond their tick list, and Next stops
// at the first block that starts at or after f.To without reading further.
func (r *Reader) SetFilter(f Filter) { r.filter = f }

// Next advances to the next spike and reports whether there is one.
func (r *Reader) Next() bool {
	r.pos++
	if r.pos < len(r.spikes) {
		return true
	}
	return r.fill()
}

// fill reads blocks until one yields spikes.
func (r *Reader) fill() bool {
	r.spikes, r.pos = r.spikes[:0], 0
	for !r.stopped && r.step(modeSpikes) {
		if len(r.spikes) > 0 {
			return true
		}
	}
	return false
}

// Spike returns the spike that the last successful Next advanced to.
func (r *Reader) Spike() Spike {
	if r.pos < len(r.spikes) {
		return r.spikes[r.pos]
	}
	return Spike{}
}

// Err returns the error that ended the iteration, or nil when the log was
// read to its end. A log that ends at a block boundary without the end
// block is not an error; see Complete.
func (r *Reader) Err() error { return r.err }

// Complete reports whether the end block that Writer.Close writes has been
// read, that is whether the writing process closed the log. A log read to
// its end without it is "incomplete: the process stopped before Close".
func (r *Reader) Complete() bool { return r.complete }

// Marks returns the marks read so far, in file order. The slice belongs to
// the Reader and grows as blocks are read.
func (r *Reader) Marks() []Mark { return r.marks }

// Close releases the decoder and, for a Reader from Open, closes the file.
// Later calls of Next return false with Err ErrClosed.
func (r *Reader) Close() error {
	if r.dec == nil {
		return ErrClosed
	}
	r.dec.Close()
	r.dec = nil
	r.spikes = r.spikes[:0]
	r.smpT = r.smpT[:0]
	if r.err == nil {
		r.err = ErrClosed
	}
	if r.closer != nil {
		if err := r.closer.Close(); err != nil {
			return fmt.Errorf("spikelog: %w", err)
		}
	}
	return nil
}

// mode says what step decodes beyond what every pass checks and counts.
type mode uint8

const (
	modeCount   mode = iota // Stats: count spikes and samples
	modeSpikes              // Next: decode the spike IDs the filter selects
	modeSamples             // NextSample: decode the values the sample filter selects
)

// step reads and handles one block. It returns false when there are no
// more blocks or an error ended the reading.
func (r *Reader) step(m mode) bool {
	if r.err != nil || r.eof {
		return false
	}
	if r.dec == nil {
		r.err = ErrClosed
		return false
	}
	start := r.off
	kind, rawLen, err := r.readBlock()
	if err == io.EOF {
		r.eof = true
		return false
	}
	if err == nil {
		err = r.handle(start, kind, rawLen, m)
	}
	if err != nil {
		r.spikes = r.spikes[:0]
		r.smpT = r.smpT[:0]
		r.err = err
		return false
	}
	return true
}

// readBlock reads the framing and the compressed bytes of the next block
// into r.comp and checks the CRC. It returns io.EOF at a clean end.
func (r *Reader) readBlock() (Kind, int, error) {
	start := r.off
	var h [blockHeadMax]byte
	c, err := r.br.ReadByte()
	if err != nil {
		if err == io.EOF {
			return 0, 0, io.EOF
		}
		return 0, 0, fmt.Errorf("spikelog: reading block at byte %d: %w", start, err)
	}
	h[0] = c
	n := 1
	var lens [2]uint64
	for i := range lens {
		var s uint
		for {
			c, err := r.br.ReadByte()
			if err != nil {
				return 0, 0, r.blockReadErr(start, err)
			}
			h[n] = c
			n++
			if s == 63 && c > 1 {
				return 0, 0, &CorruptError{start, errors.New("block length overflows 64 bits")}
			}
			lens[i] |= uint64(c&0x7f) << s
			if c < 0x80 {
				break
			}
			s += 7
		}
		if lens[i] > MaxBlockLen {
			return 0, 0, &CorruptError{start, fmt.Errorf("block length %d exceeds %d", lens[i], MaxBlockLen)}
		}
	}
	var crcb [4]byte
	if _, err := io.ReadFull(r.br, crcb[:]); err != nil {
		return 0, 0, r.blockReadErr(start, err)
	}
	comp := int(lens[1])
	if cap(r.comp) < comp {
		r.comp = make([]byte, comp)
	}
	r.comp = r.comp[:comp]
	if _, err := io.ReadFull(r.br, r.comp); err != nil {
		return 0, 0, r.blockReadErr(start, err)
	}
	crc := crc32.Update(crc32.Update(0, castagnoli, h[:n]), castagnoli, r.comp)
	if crc != binary.LittleEndian.Uint32(crcb[:]) {
		return 0, 0, &CorruptError{start, ErrChecksum}
	}
	r.off += int64(n + 4 + comp)
	return Kind(h[0]), int(lens[0]), nil
}

func (r *Reader) blockReadErr(start int64, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &CorruptError{start, fmt.Errorf("log ends inside a block (was the writer stopped, or is it still writing?): %w", io.ErrUnexpectedEOF)}
	}
	return fmt.Errorf("spikelog: reading block at byte %d: %w", start, err)
}

// decompress decodes r.comp, which must hold exactly rawLen bytes.
func (r *Reader) decompress(start int64, rawLen int) ([]byte, error) {
	if cap(r.raw) < rawLen {
		r.raw = make([]byte, 0, rawLen)
	}
	out, err := r.dec.DecodeAll(r.comp, r.raw[:0:rawLen])
	if err != nil {
		return nil, &CorruptError{start, fmt.Errorf("decompressing: %w", err)}
	}
	if cap(out) > cap(r.raw) {
		r.raw = out[:0]
	}
	if len(out) != rawLen {
		return nil, &CorruptError{start, fmt.Errorf("block decompresses to %d bytes, its header says %d", len(out), rawLen)}
	}
	return out, nil
}

func (r *Reader) handle(start int64, kind Kind, rawLen int, m mode) error {
	switch kind {
	case 0:
		return &CorruptError{start, errors.New("block kind 0 is reserved")}
	case KindSpikes, KindMark, KindSeries, KindSamples, KindEnd:
	default:
		r.kinds[kind]++ // a later record kind: skip it
		r.rawBytes += int64(rawLen)
		return nil
	}
	p, err := r.decompress(start, rawLen)
	if err != nil {
		return err
	}
	switch kind {
	case KindSpikes:
		err = r.spikeBlock(start, p, m == modeSpikes)
	case KindMark:
		err = r.markBlock(start, p)
	case KindSeries:
		err = r.seriesBlock(start, p)
	case KindSamples:
		err = r.samplesBlock(start, p, m == modeSamples)
	case KindEnd:
		err = r.endBlock(start, p)
	}
	if err != nil {
		return err
	}
	r.kinds[kind]++
	r.rawBytes += int64(rawLen)
	return nil
}

func corruptf(start int64, format string, args ...any) error {
	return &CorruptError{start, fmt.Errorf(format, args...)}
}

// spikeBlock checks a spike block's record list, counts it, and unless
// only counting, decodes the spikes the filter selects into r.spikes.
func (r *Reader) spikeBlock(start int64, p []byte, decode bool) error {
	var head [4]uint64 // records, spikes, tick section length, count section length
	i := 0
	for k := range head {
		var ok bool
		if head[k], i, ok = uvarint(p, i); !ok {
			return corruptf(start, "spike block: bad section header")
		}
	}
	rest := uint64(len(p) - i)
	nrec, nspk, tl, cl := head[0], head[1], head[2], head[3]
	if tl > rest || cl > rest-tl || nspk > (rest-tl-cl)/2 || nrec > tl || nrec > nspk {
		return corruptf(start, "spike block: section lengths %d, %d and %d spikes do not fit in %d bytes", tl, cl, nspk, rest)
	}
	ticks := p[i : i+int(tl)]
	counts := p[i+int(tl) : i+int(tl+cl)]
	lo := p[i+int(tl+cl) : i+int(tl+cl+nspk)]
	hi := p[i+int(tl+cl+nspk):]

	var first, last snnsim.Time
	var err error
	all := decode && nrec > 0 && r.filter == (Filter{})
	if all {
		// No filter: check and decode in one pass.
		first, last, err = r.decodeAll(start, nrec, nspk, ticks, counts, lo, hi)
	} else {
		first, last, err = checkRecords(start, nrec, nspk, ticks, counts)
	}
	if err != nil {
		return err
	}
	if nrec > 0 && first < r.prevLast {
		return corruptf(start, "spike block starts at tick %d, before the last tick %d of the block before it", first, r.prevLast)
	}

	if decode && nrec > 0 && !all {
		switch {
		case r.filter.To != 0 && first >= r.filter.To:
			// Past the time window: Next reads no further. The IDs of
			// this block are left unchecked.
			r.stopped = true
		case last < r.filter.From:
			// Before the window: the IDs need not be decoded.
		default:
			if err := r.decodeIDs(start, nrec, ticks, counts, lo, hi); err != nil {
				return err
			}
		}
	}
	if nrec > 0 {
		r.prevLast = last
		if r.nspikes == 0 || first < r.first {
			r.first = first
		}
		if r.nspikes == 0 || last > r.last {
			r.last = last
		}
	}
	r.records += int64(nrec)
	r.nspikes += int64(nspk)
	return nil
}

// checkRecords checks the tick and count sections of a spike block (pass
// 1) and returns the first and last tick.
func checkRecords(start int64, nrec, nspk uint64, ticks, counts []byte) (first, last snnsim.Time, err error) {
	var sum uint64
	prev := int64(-1)
	ti, ci := 0, 0
	for k := uint64(0); k < nrec; k++ {
		var d, c uint64
		ok := true
		if ti < len(ticks) && ticks[ti] < 0x80 {
			d, ti = uint64(ticks[ti]), ti+1
		} else {
			d, ti, ok = uvarint(ticks, ti)
		}
		if !ok || d > uint64(math.MaxInt64-1-prev) {
			return 0, 0, corruptf(start, "spike block: bad tick in record %d", k)
		}
		prev += int64(d) + 1
		if ci < len(counts) && counts[ci] < 0x80 {
			c, ci = uint64(counts[ci]), ci+1
		} else {
			c, ci, ok = uvarint(counts, ci)
		}
		if !ok || c == 0 || c > nspk-sum {
			return 0, 0, corruptf(start, "spike block: bad spike count in record %d", k)
		}
		sum += c
		if k == 0 {
			first = snnsim.Time(prev)
		}
	}
	last = snnsim.Time(prev)
	if ti != len(ticks) || ci != len(counts) || sum != nspk {
		return 0, 0, corruptf(start, "spike block: %d records and %d spikes do not match its sections", nrec, nspk)
	}
	return first, last, nil
}

// decodeIDs decodes the records that pass pass 1 into r.spikes, keeping
// the spikes in the filter. It sets r.stopped at the end of the window.
func (r *Reader) decodeIDs(start int64, nrec uint64, ticks, counts, lo, hi []byte) error {
	f := r.filter
	idLo, idHi := int64(f.Lo), int64(math.MaxInt32)
	if f.Hi != 0 {
		idHi = int64(f.Hi) - 1
	}
	sp := slices.Grow(r.spikes[:0], len(lo))
	t := int64(-1)
	ti, ci, li, hj := 0, 0, 0, 0
	for k := uint64(0); k < nrec; k++ {
		// Pass 1 checked ticks and counts; only the ID planes need checks.
		var d, c uint64
		if ti < len(ticks) && ticks[ti] < 0x80 {
			d, ti = uint64(ticks[ti]), ti+1
		} else {
			d, ti, _ = uvarint(ticks, ti)
		}
		t += int64(d) + 1
		if ci < len(counts) && counts[ci] < 0x80 {
			c, ci = uint64(counts[ci]), ci+1
		} else {
			c, ci, _ = uvarint(counts, ci)
		}
		if f.To != 0 && snnsim.Time(t) >= f.To {
			r.stopped = true
			break
		}
		keep := snnsim.Time(t) >= f.From
		prev := int64(-1)
		for range c {
			if hj >= len(hi) || li >= len(lo) {
				return corruptf(start, "spike block: ID section ends early in record %d", k)
			}
			h := uint64(hi[hj])
			hj++
			if h >= 0x80 {
				var ok bool
				if h, hj, ok = uvarint(hi, hj-1); !ok {
					return corruptf(start, "spike block: bad ID in record %d", k)
				}
			}
			v := uint64(lo[li]) | h<<8
			li++
			if h > math.MaxInt32>>8 || v > uint64(math.MaxInt32-1-prev) {
				return corruptf(start, "spike block: ID out of range in record %d", k)
			}
			prev += int64(v) + 1
			if keep && prev >= idLo && prev <= idHi {
				sp = append(sp, Spike{snnsim.Time(t), snnsim.NeuronID(prev)})
			}
		}
	}
	if !r.stopped && (li != len(lo) || hj != len(hi)) {
		return corruptf(start, "spike block: %d bytes left over after the last ID", len(lo)-li+len(hi)-hj)
	}
	r.spikes = sp
	return nil
}

// decodeAll checks a spike block as checkRecords does and decodes every
// spike into r.spikes in the same pass, for the common case of reading a
// whole log: one pass over the tick and count sections instead of two.
func (r *Reader) decodeAll(start int64, nrec, nspk uint64, ticks, counts, lo, hi []byte) (first, last snnsim.Time, err error) {
	n := len(lo)
	sp := slices.Grow(r.spikes[:0], n)[:n]
	t := int64(-1)
	ti, ci, li, hj := 0, 0, 0, 0
	for k := uint64(0); k < nrec; k++ {
		var d, c uint64
		ok := true
		if ti < len(ticks) && ticks[ti] < 0x80 {
			d, ti = uint64(ticks[ti]), ti+1
		} else {
			d, ti, ok = uvarint(ticks, ti)
		}
		if !ok || d > uint64(math.MaxInt64-1-t) {
			return 0, 0, corruptf(start, "spike block: bad tick in record %d", k)
		}
		t += int64(d) + 1
		if ci < len(counts) && counts[ci] < 0x80 {
			c, ci = uint64(counts[ci]), ci+1
		} else {
			c, ci, ok = uvarint(counts, ci)
		}
		if !ok || c == 0 || c > uint64(n-li) {
			return 0, 0, corruptf(start, "spike block: bad spike count in record %d", k)
		}
		if k == 0 {
			first = snnsim.Time(t)
		}
		T := snnsim.Time(t)
		prev := int64(-1)
		rec := sp[li : li+int(c)]
		low := lo[li : li+int(c)]
		for j := range rec {
			if hj >= len(hi) {
				return 0, 0, corruptf(start, "spike block: ID section ends early in record %d", k)
			}
			h := uint64(hi[hj])
			hj++
			if h >= 0x80 {
				if h, hj, ok = uvarint(hi, hj-1); !ok {
					return 0, 0, corruptf(start, "spike block: bad ID in record %d", k)
				}
			}
			v := uint64(low[j]) | h<<8
			if h > math.MaxInt32>>8 || v > uint64(math.MaxInt32-1-prev) {
				return 0, 0, corruptf(start, "spike block: ID out of range in record %d", k)
			}
			prev += int64(v) + 1
			rec[j] = Spike{T, snnsim.NeuronID(prev)}
		}
		li += int(c)
	}
	if ti != len(ticks) || ci != len(counts) || uint64(li) != nspk {
		return 0, 0, corruptf(start, "spike block: %d records and %d spikes do not match its sections", nrec, nspk)
	}
	if hj != len(hi) {
		return 0, 0, corruptf(start, "spike block: %d bytes left over after the last ID", len(hi)-hj)
	}
	r.spikes = sp
	return first, snnsim.Time(t), nil
}

// markBlock decodes the marks of a mark block.
func (r *Reader) markBlock(start int64, p []byte) error {
	n := len(r.marks)
	for i := 0; i < len(p); {
		t, next, ok := uvarint(p, i)
		if !ok || t > math.MaxInt64 {
			r.marks = r.marks[:n]
			return corruptf(start, "mark block: bad tick")
		}
		l, next, ok := uvarint(p, next)
		if !ok || l > uint64(len(p)-next) {
			r.marks = r.marks[:n]
			return corruptf(start, "mark block: bad text length")
		}
		i = next + int(l)
		r.marks = append(r.marks, Mark{snnsim.Time(t), string(p[next:i])})
	}
	return nil
}

// endBlock checks the totals of the end block against what was read and
// that nothing follows it.
func (r *Reader) endBlock(start int64, p []byte) error {
	// blocks, records, spikes, marks; then, from the writers that know
	// series, series and sample rows; later versions may append fields.
	var tot [6]uint64
	i, n := 0, 0
	for k := range tot {
		if k >= 4 && i == len(p) {
			break
		}
		var ok bool
		if tot[k], i, ok = uvarint(p, i); !ok {
			return corruptf(start, "end block: bad totals")
		}
		n++
	}
	var blocks int64
	for _, n := range r.kinds {
		blocks += n
	}
	got := [6]uint64{uint64(blocks), uint64(r.records), uint64(r.nspikes), uint64(len(r.marks)), uint64(len(r.series)), uint64(r.rows)}
	if [4]uint64(tot[:4]) != [4]uint64(got[:4]) {
		return corruptf(start, "end block counts %d blocks, %d records, %d spikes and %d marks, but the log holds %d, %d, %d and %d: blocks are missing or were added",
			tot[0], tot[1], tot[2], tot[3], got[0], got[1], got[2], got[3])
	}
	if n == 6 && [2]uint64(tot[4:]) != [2]uint64(got[4:]) {
		return corruptf(start, "end block counts %d series and %d sample rows, but the log holds %d and %d: blocks are missing or were added",
			tot[4], tot[5], got[4], got[5])
	}
	r.eof = true
	if _, err := r.br.ReadByte(); err != io.EOF {
		if err != nil {
			return fmt.Errorf("spikelog: reading after the end block at byte %d: %w", r.off, err)
		}
		return corruptf(r.off, "data after the end block")
	}
	r.complete = true
	return nil
}
