package spikelog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/snnsim/snnsim"
)

// Options tune a Writer. The zero value gives the defaults.
type Options struct {
	// BlockSize is the raw (uncompressed) size at which a spike block ends
	// and goes to the encoder [bytes]. 0: 64 KiB. Range 1 B to 1 MiB.
	// On the CUBA-like benchmark stream 16 KiB gives 1.81 B/spike, 64 KiB
	// 1.68 and 256 KiB 1.69; larger blocks also lose more spikes when a
	// process dies.
	BlockSize int

	// FlushInterval is the wall time after which a block that has not
	// filled up is written anyway, so that a long quiet run still leaves a
	// readable log. The encoder goroutine checks eight times per interval
	// (at most every millisecond) and takes the block itself, so it reaches
	// the file at most 9/8 of the interval after its first record even if
	// no further call comes.
	// 0: 2 s. Negative: off; then only a full block, Flush, Mark and Close
	// end a block, and the file's bytes depend only on the calls made, not
	// on timing.
	FlushInterval time.Duration

	// Level is the zstd compression level, numbered as for the zstd
	// command (1 to 22); klauspost/compress maps it to its four speeds.
	// 0: 3 (its SpeedDefault), which compresses spike streams clearly
	// better than 1 at moderate cost; the highest levels gain little and
	// allocate large encoder tables per Writer (BenchmarkWriter measures
	// the levels).
	Level int
}

const (
	defaultBlockSize     = 64 << 10
	maxOptionBlockSize   = 1 << 20
	defaultFlushInterval = 2 * time.Second
	defaultLevel         = 3
	queueLen             = 4 // blocks waiting for the encoder before Spikes waits (the docs say "four")
)

// withDefaults fills zero fields and checks ranges.
func (o Options) withDefaults() (Options, error) {
	if o.BlockSize == 0 {
		o.BlockSize = defaultBlockSize
	}
	if o.BlockSize < 1 || o.BlockSize > maxOptionBlockSize {
		return o, fmt.Errorf("spikelog: Options.BlockSize = %d bytes: must be in [1, %d] (0 selects %d)", o.BlockSize, maxOptionBlockSize, defaultBlockSize)
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = defaultFlushInterval
	}
	if o.Level == 0 {
		o.Level = defaultLevel
	}
	if o.Level < 1 || o.Level > 22 {
		return o, fmt.Errorf("spikelog: Options.Level = %d: must be in [1, 22] (0 selects %d)", o.Level, defaultLevel)
	}
	return o, nil
}

// Writer writes a log. The caller appends records with Spikes, Mark,
// Declare and Sample, which only copy into an in-memory block; one
// goroutine per Writer compresses full blocks and writes them, so the
// caller never waits for zstd or the disk unless the encoder falls four
// blocks behind.
//
// A Writer is meant for one goroutine (the engine's sink phase); its methods
// must not be called concurrently. Errors from the goroutine (a full disk,
// say) are returned by the next call and by Close. A process that stops
// without Close leaves a readable log of every block written so far,
// without the end block; [Options.FlushInterval] bounds how old the
// unwritten spikes can be. Close must be called to stop the goroutine.
type Writer struct {
	hdr       Header
	limit     int64 // first ID past the population table
	blockSize int
	interval  time.Duration
	closer    io.Closer // the file opened by Create, or nil

	mu      sync.Mutex // guards the fields below; the encoder takes it to steal an old block
	cur     *block     // spike block being filled
	last    snnsim.Time
	started bool // a spike has been accepted; last is valid
	series  []*seriesState
	names   map[string]int // series name -> ID
	closed  bool
	err     error // first error of the encoder goroutine; sticky

	size atomic.Int64 // bytes written to the file so far (the encoder's off)

	work    chan msg // caller → encoder, in call order
	free    chan *block
	flushed chan struct{}
	done    chan struct{} // closed when the encoder goroutine returns
}

type op uint8

const (
	opBlock op = iota
	opFlush
	opClose
	opSuspend // stop without the end block
)

// msg is one request to the encoder goroutine: write b (if not nil), then
// acknowledge a flush or finish the log.
type msg struct {
	b  *block
	op op
}

// seriesState is what the Writer keeps per declared series: its width, the
// tick of its last sample and its open samples block.
type seriesState struct {
	width   int
	cols    int // columns per block: width, or fewer when one sample does not fit in a block
	last    snnsim.Time
	started bool
	cur     *block // open samples block, or nil
}

// block is the raw content of one block while it is filled and queued.
// Spike blocks keep their four sections apart until the encoder joins them
// (FORMAT.md, "Spike block"); samples blocks keep their ticks and coded
// values apart (FORMAT.md, "Samples block").
type block struct {
	kind                  Kind
	ticks, counts, lo, hi []byte      // spike sections; ticks also for samples
	payload               []byte      // marks, series declarations
	nrec, nspikes         int64       // records (spike records or samples) and spikes
	last                  snnsim.Time // tick of the last record; -1 before the first
	start                 time.Time   // wall time of the first record

	series, col0, ncols int      // samples: series ID and the columns held
	vals                []uint64 // samples: coded values, sample after sample
	prev                []uint64 // samples: raw bits of the last sample, for the XOR coding
}

func (b *block) reset() {
	b.kind = KindSpikes
	b.ticks, b.counts, b.lo, b.hi, b.payload = b.ticks[:0], b.counts[:0], b.lo[:0], b.hi[:0], b.payload[:0]
	b.nrec, b.nspikes, b.last = 0, 0, -1
	b.series, b.col0, b.ncols = 0, 0, 0
	b.vals, b.prev = b.vals[:0], b.prev[:0]
}

func (b *block) rawLen() int {
	return len(b.ticks) + len(b.counts) + len(b.lo) + len(b.hi) + 8*len(b.vals)
}

// addSample appends one sample's columns [b.col0, b.col0+b.ncols) of values.
func (b *block) addSample(t snnsim.Time, values []float64) {
	b.ticks = binary.AppendUvarint(b.ticks, uint64(t-b.last-1))
	first := b.nrec == 0
	if first {
		b.prev = slices.Grow(b.prev[:0], b.ncols)[:b.ncols]
	}
	for j, v := range values[b.col0 : b.col0+b.ncols] {
		x := math.Float64bits(v)
		c := x
		if !first {
			c ^= b.prev[j]
		}
		b.prev[j] = x
		b.vals = append(b.vals, c)
	}
	b.nrec++
	b.last = t
}

// addSpikes appends one record. It checks ids as it goes and leaves b
// unchanged when they are not strictly increasing in [0, limit).
func (b *block) addSpikes(t snnsim.Time, ids []snnsim.NeuronID, limit int64) error {
	lo, hi := b.lo, b.hi // b changes only once every ID has passed
	prev := int64(-1)
	for i, id := range ids {
		v := int64(id) - prev - 1
		if v < 0 {
			if i == 0 {
				return fmt.Errorf("spikelog: Spikes at tick %d: ids[0] = %d: IDs must be >= 0", t, id)
			}
			return fmt.Errorf("spikelog: Spikes at tick %d: ids[%d] = %d follows %d: IDs must be strictly increasing", t, i, id, prev)
		}
		lo = append(lo, byte(v))
		if h := uint64(v) >> 8; h < 0x80 {
			hi = append(hi, byte(h))
		} else {
			hi = binary.AppendUvarint(hi, h)
		}
		prev = int64(id)
	}
	if prev >= limit {
		return fmt.Errorf("spikelog: Spikes at tick %d: ID %d is past the population table, which ends at %d: the header must list every population", t, prev, limit)
	}
	b.lo, b.hi = lo, hi
	b.ticks = binary.AppendUvarint(b.ticks, uint64(t-b.last-1))
	b.counts = binary.AppendUvarint(b.counts, uint64(len(ids)))
	b.nrec++
	b.nspikes += int64(len(ids))
	b.last = t
	return nil
}

// Create creates the file path (truncating an existing one), writes the
// header and returns a Writer whose Close also closes the file.
func Create(path string, h Header, opts Options) (*Writer, error) {
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("spikelog: %w", err)
	}
	w, err := NewWriter(f, h, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// NewWriter writes the header of a log to dst and returns a Writer for its
// blocks. The header is written before NewWriter returns; an error means
// nothing usable was written. Close does not close dst.
func NewWriter(dst io.Writer, h Header, opts Options) (*Writer, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	head, err := appendHeader(nil, h)
	if err != nil {
		return nil, err
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	if _, err := dst.Write(head); err != nil {
		return nil, fmt.Errorf("spikelog: writing header: %w", err)
	}
	w, e, err := newWriter(dst, h, opts, int64(len(head)))
	if err != nil {
		return nil, err
	}
	go w.run(e)
	return w, nil
}

// newWriter makes a Writer whose encoder continues dst at byte off, without
// starting the encoder goroutine.
func newWriter(dst io.Writer, h Header, opts Options, off int64) (*Writer, *encoder, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	z, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(opts.Level)),
		zstd.WithEncoderConcurrency(1), // one goroutine per Writer is ours already
		zstd.WithEncoderCRC(false),     // the block CRC-32C covers the frames
		zstd.WithZeroFrames(true))      // an empty section still gets a frame
	if err != nil {
		return nil, nil, fmt.Errorf("spikelog: %w", err)
	}
	h.Populations = slices.Clone(h.Populations)
	w := &Writer{
		hdr:       h,
		names:     make(map[string]int),
		limit:     h.idLimit(),
		blockSize: opts.BlockSize,
		interval:  opts.FlushInterval,
		cur:       newBlock(),
		work:      make(chan msg, queueLen),
		free:      make(chan *block, queueLen+2),
		flushed:   make(chan struct{}),
		done:      make(chan struct{}),
	}
	w.size.Store(off)
	e := &encoder{w: dst, z: z, off: off, size: &w.size, out: make([]byte, blockHeadMax, blockHeadMax+64<<10)}
	return w, e, nil
}

func newBlock() *block {
	b := new(block)
	b.reset()
	return b
}

// usableLocked returns the error that stops further calls.
func (w *Writer) usableLocked() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

// takeLocked returns a fresh block from the free list.
func (w *Writer) takeLocked() *block {
	select {
	case b := <-w.free:
		return b
	default:
		return newBlock()
	}
}

// swapLocked ends the current spike block: it returns it, or nil when it
// is empty, and starts a fresh one.
func (w *Writer) swapLocked() *block {
	b := w.cur
	if b.nrec == 0 {
		return nil
	}
	w.cur = w.takeLocked()
	return b
}

// openLocked appends every open block, the spike block first, to dst and
// leaves none open.
func (w *Writer) openLocked(dst []*block) []*block {
	if b := w.swapLocked(); b != nil {
		dst = append(dst, b)
	}
	for _, s := range w.series {
		if s.cur != nil {
			dst = append(dst, s.cur)
			s.cur = nil
		}
	}
	return dst
}

// Spikes records that the neurons ids fired at tick t. The ids must be
// strictly increasing, >= 0 and inside the header's population table; t
// must be >= 0 and later than the t of the previous call. An empty ids is
// ignored. The slice is not retained.
//
// Spikes copies into the current block (no allocation once the block
// buffers have grown). When the block reaches Options.BlockSize it goes to
// the encoder; Spikes waits only if four blocks are already waiting.
// Invalid arguments return an error and record nothing; an error from
// writing an earlier block is returned here and by every later call.
func (w *Writer) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error {
	if len(ids) > maxRecordSpikes {
		return w.spikesSplit(t, ids)
	}
	w.mu.Lock()
	if err := w.usableLocked(); err != nil {
		w.mu.Unlock()
		return err
	}
	if len(ids) == 0 {
		w.mu.Unlock()
		return nil
	}
	if err := w.checkTickLocked(t); err != nil {
		w.mu.Unlock()
		return err
	}
	full, err := w.addLocked(t, ids, false)
	w.mu.Unlock()
	if full != nil {
		w.work <- msg{b: full}
	}
	return err
}

func (w *Writer) checkTickLocked(t snnsim.Time) error {
	if t < 0 || (w.started && t <= w.last) {
		return fmt.Errorf("spikelog: Spikes at tick %d: ticks must be >= 0 and increase from call to call (the last call had tick %d)", t, w.last)
	}
	return nil
}

// addLocked appends a record to the current block and returns the block
// if it is now full (or end is set), after replacing it with a fresh one.
func (w *Writer) addLocked(t snnsim.Time, ids []snnsim.NeuronID, end bool) (*block, error) {
	b := w.cur
	if b.nrec == 0 {
		b.start = time.Now()
	}
	if err := b.addSpikes(t, ids, w.limit); err != nil {
		return nil, err
	}
	w.last, w.started = t, true
	if end || b.rawLen() >= w.blockSize {
		w.cur = w.takeLocked()
		return b, nil
	}
	return nil, nil
}

// spikesSplit writes a tick with more than maxRecordSpikes spikes as
// several records, each ending its block, so the next block repeats the tick.
func (w *Writer) spikesSplit(t snnsim.Time, ids []snnsim.NeuronID) error {
	if err := checkIDs(t, ids, w.limit); err != nil { // all or nothing
		return err
	}
	for first := true; len(ids) > 0; first = false {
		n := min(len(ids), maxRecordSpikes)
		w.mu.Lock()
		err := w.usableLocked()
		if err == nil && first {
			err = w.checkTickLocked(t)
		}
		if err != nil {
			w.mu.Unlock()
			return err
		}
		full, err := w.addLocked(t, ids[:n], n < len(ids))
		w.mu.Unlock()
		if full != nil {
			w.work <- msg{b: full}
		}
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// checkIDs applies the checks of addSpikes to ids without writing.
func checkIDs(t snnsim.Time, ids []snnsim.NeuronID, limit int64) error {
	prev := int64(-1)
	for i, id := range ids {
		if int64(id) <= prev {
			if i == 0 {
				return fmt.Errorf("spikelog: Spikes at tick %d: ids[0] = %d: IDs must be >= 0", t, id)
			}
			return fmt.Errorf("spikelog: Spikes at tick %d: ids[%d] = %d follows %d: IDs must be strictly increasing", t, i, id, prev)
		}
		prev = int64(id)
	}
	if prev >= limit {
		return fmt.Errorf("spikelog: Spikes at tick %d: ID %d is past the population table, which ends at %d: the header must list every population", t, prev, limit)
	}
	return nil
}

// Mark records a short text at tick t, such as "run start" or
// "checkpoint". Marks need not be in time order. Each mark ends the current
// spike block, so that blocks keep the order of the calls; marks are meant
// to be rare.
func (w *Writer) Mark(t snnsim.Time, text string) error {
	if t < 0 {
		return fmt.Errorf("spikelog: Mark at tick %d: must be >= 0", t)
	}
	if len(text) > MaxMarkLen {
		return fmt.Errorf("spikelog: Mark at tick %d: text is %d bytes: must be at most %d", t, len(text), MaxMarkLen)
	}
	w.mu.Lock()
	if err := w.usableLocked(); err != nil {
		w.mu.Unlock()
		return err
	}
	spikes := w.swapLocked()
	m := w.takeLocked()
	w.mu.Unlock()
	m.kind = KindMark
	m.payload = binary.AppendUvarint(m.payload, uint64(t))
	m.payload = binary.AppendUvarint(m.payload, uint64(len(text)))
	m.payload = append(m.payload, text...)
	if spikes != nil {
		w.work <- msg{b: spikes}
	}
	w.work <- msg{b: m}
	return nil
}

// Flush ends every open block (spikes and each series') and returns once
// every block so far has been handed to the underlying writer (it does not
// fsync). It returns the
// first write error, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	if err := w.usableLocked(); err != nil {
		w.mu.Unlock()
		return err
	}
	open := w.openLocked(nil)
	w.mu.Unlock()
	for _, b := range open {
		w.work <- msg{b: b}
	}
	w.work <- msg{op: opFlush}
	<-w.flushed
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Size returns the number of bytes of the log written so far. Right after
// Flush it is the offset at which the log can be continued with [Append]
// (a checkpoint records it).
func (w *Writer) Size() int64 { return w.size.Load() }

// Suspend writes every open block, stops the encoder goroutine and, for a
// Writer from Create or Append, closes the file, without the end block: the
// log stays incomplete, readable, and continuable at byte Size with
// [Append] (a run that stops with a checkpoint leaves its log so). Calls
// after Suspend or Close return ErrClosed.
func (w *Writer) Suspend() error { return w.finish(opSuspend) }

// Close writes the last block and the end block, stops the encoder
// goroutine and, for a Writer from Create, closes the file. It returns the
// first error met since the Writer was made. Calls after Close, Close
// included, return ErrClosed.
func (w *Writer) Close() error { return w.finish(opClose) }

// finish ends the Writer with the last request op (opClose or opSuspend).
func (w *Writer) finish(last op) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.closed = true
	open := w.openLocked(nil)
	w.mu.Unlock()
	for _, b := range open {
		w.work <- msg{b: b}
	}
	w.work <- msg{op: last}
	<-w.done
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if w.closer != nil {
		if cerr := w.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("spikelog: %w", cerr)
		}
	}
	return err
}

// encoder is the state of the encoder goroutine; only it touches dst.
type encoder struct {
	w       io.Writer
	z       *zstd.Encoder
	off     int64         // bytes written so far
	size    *atomic.Int64 // the Writer's copy of off, for Size
	out     []byte        // blockHeadMax bytes of room, then the frames
	scratch []byte
	err     error

	blocks, records, spikes, marks int64 // totals for the end block
	series, samples                int64
}

// run is the encoder goroutine: it writes blocks in the order the caller
// sent them, and ends a block that has been open for w.interval.
func (w *Writer) run(e *encoder) {
	defer close(w.done)
	var tick <-chan time.Time
	if w.interval > 0 {
		// Wake eight times per interval: a block is written at most
		// interval*9/8 after it started, and an idle Writer costs a few
		// wake-ups per second. Below 1 ms the ticker would only burn CPU.
		tk := time.NewTicker(max(w.interval/8, time.Millisecond))
		defer tk.Stop()
		tick = tk.C
	}
	var stale []msg
	for {
		select {
		case m := <-w.work:
			if w.handle(e, m) {
				return
			}
		case now := <-tick:
			stale = w.stealStale(now, stale[:0])
			for _, m := range stale {
				if w.handle(e, m) {
					return
				}
			}
		}
	}
}

// stealStale takes the caller's current block if it has been open for the
// flush interval, preceded by every request already queued, so that the
// order of blocks stays the order of calls. The caller sends a block it took
// out of cur before it appends to the next one, so when cur is not empty
// every earlier block is already in w.work.
func (w *Writer) stealStale(now time.Time, dst []msg) []msg {
	w.mu.Lock()
	defer w.mu.Unlock()
	stale := func(b *block) bool { return b != nil && b.nrec > 0 && now.Sub(b.start) >= w.interval }
	any := stale(w.cur)
	for _, s := range w.series {
		any = any || stale(s.cur)
	}
	if !any {
		return dst
	}
	for {
		select {
		case m := <-w.work:
			dst = append(dst, m)
			continue
		default:
		}
		break
	}
	if stale(w.cur) {
		dst = append(dst, msg{b: w.cur})
		w.cur = w.takeLocked()
	}
	for _, s := range w.series {
		if stale(s.cur) {
			dst = append(dst, msg{b: s.cur})
			s.cur = nil
		}
	}
	return dst
}

// handle carries out one request and reports whether the goroutine is done.
func (w *Writer) handle(e *encoder, m msg) bool {
	if m.b != nil {
		if e.err == nil {
			if err := e.block(m.b); err != nil {
				e.err = err
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		m.b.reset()
		select {
		case w.free <- m.b:
		default:
		}
	}
	switch m.op {
	case opFlush:
		w.flushed <- struct{}{}
	case opSuspend:
		return true
	case opClose:
		if e.err == nil {
			if err := e.end(); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		return true
	}
	return false
}

// Spike blocks smaller than this go into one zstd frame; larger ones get a
// frame per section, so that each section has its own entropy tables.
const sectionFrameMin = 4 << 10

// block compresses b and writes it.
func (e *encoder) block(b *block) error {
	e.out = e.out[:blockHeadMax]
	raw := 0
	switch b.kind {
	case KindSpikes:
		s := e.scratch[:0]
		s = binary.AppendUvarint(s, uint64(b.nrec))
		s = binary.AppendUvarint(s, uint64(b.nspikes))
		s = binary.AppendUvarint(s, uint64(len(b.ticks)))
		s = binary.AppendUvarint(s, uint64(len(b.counts)))
		s = append(s, b.ticks...)
		raw = len(s) + len(b.counts) + len(b.lo) + len(b.hi)
		if raw < sectionFrameMin {
			s = append(append(append(s, b.counts...), b.lo...), b.hi...)
			e.out = e.z.EncodeAll(s, e.out)
		} else {
			e.out = e.z.EncodeAll(s, e.out)
			e.out = e.z.EncodeAll(b.counts, e.out)
			e.out = e.z.EncodeAll(b.lo, e.out)
			e.out = e.z.EncodeAll(b.hi, e.out)
		}
		e.scratch = s
		e.records += b.nrec
		e.spikes += b.nspikes
	case KindMark, KindSeries:
		raw = len(b.payload)
		e.out = e.z.EncodeAll(b.payload, e.out)
		if b.kind == KindMark {
			e.marks++
		} else {
			e.series++
		}
	case KindSamples:
		s := e.scratch[:0]
		for _, v := range [...]int{b.series, int(b.nrec), b.col0, b.ncols, len(b.ticks)} {
			s = binary.AppendUvarint(s, uint64(v))
		}
		s = append(s, b.ticks...)
		head := len(s)
		s = xorPlanes(s, b.vals)
		raw = len(s)
		if raw < sectionFrameMin {
			e.out = e.z.EncodeAll(s, e.out)
		} else {
			e.out = e.z.EncodeAll(s[:head], e.out)
			n := len(b.vals)
			for p := range 8 {
				e.out = e.z.EncodeAll(s[head+p*n:head+(p+1)*n], e.out)
			}
		}
		e.scratch = s
		e.samples += b.nrec
	default:
		return fmt.Errorf("spikelog: internal error: block of kind %v", b.kind)
	}
	e.blocks++
	return e.write(b.kind, raw)
}

// end writes the end block.
func (e *encoder) end() error {
	s := e.scratch[:0]
	for _, v := range [...]int64{e.blocks, e.records, e.spikes, e.marks, e.series, e.samples} {
		s = binary.AppendUvarint(s, uint64(v))
	}
	e.scratch = s
	e.out = e.z.EncodeAll(s, e.out[:blockHeadMax])
	return e.write(KindEnd, len(s))
}

// write frames the compressed bytes in e.out[blockHeadMax:] and writes the
// block with one Write call.
func (e *encoder) write(kind Kind, raw int) error {
	comp := e.out[blockHeadMax:]
	if raw > MaxBlockLen || len(comp) > MaxBlockLen {
		return fmt.Errorf("spikelog: internal error: %v block of %d raw, %d compressed bytes exceeds MaxBlockLen", kind, raw, len(comp))
	}
	var h [blockHeadMax]byte
	h[0] = byte(kind)
	n := 1
	n += binary.PutUvarint(h[n:], uint64(raw))
	n += binary.PutUvarint(h[n:], uint64(len(comp)))
	crc := crc32.Update(crc32.Update(0, castagnoli, h[:n]), castagnoli, comp)
	binary.LittleEndian.PutUint32(h[n:], crc)
	n += 4
	start := blockHeadMax - n
	copy(e.out[start:], h[:n])
	if _, err := e.w.Write(e.out[start:]); err != nil {
		return fmt.Errorf("spikelog: writing %v block at byte %d: %w", kind, e.off, err)
	}
	e.off += int64(len(e.out) - start)
	e.size.Store(e.off)
	return nil
}

// Declare declares a series of samples and returns its ID, which Sample
// takes. The ID is the number of series declared before (s.ID is ignored).
// The name must be new to the log; the population, when the header has a
// population table, must be in it, with every index inside it; see [Series]
// for the other fields. The declaration is queued at once, so it precedes
// the series' samples in the file. s.Indices is copied.
func (w *Writer) Declare(s Series) (int, error) {
	if err := s.validate(&w.hdr); err != nil {
		return 0, err
	}
	w.mu.Lock()
	if err := w.usableLocked(); err != nil {
		w.mu.Unlock()
		return 0, err
	}
	if id, dup := w.names[s.Name]; dup {
		w.mu.Unlock()
		return 0, fmt.Errorf("spikelog: Declare %q: a series of that name was declared already (ID %d): names must be unique", s.Name, id)
	}
	s.ID = len(w.series)
	b := w.takeLocked()
	w.mu.Unlock()
	b.kind = KindSeries
	var err error
	if b.payload, err = appendSeries(b.payload[:0], s); err != nil {
		return 0, err
	}
	if len(b.payload) > MaxBlockLen {
		return 0, fmt.Errorf("spikelog: Declare %q: the declaration takes %d bytes, more than a block holds (%d): sample fewer or more regular indices", s.Name, len(b.payload), MaxBlockLen)
	}
	st := &seriesState{width: s.Width(), last: -1}
	st.cols = min(st.width, max(1, w.blockSize/8))
	w.mu.Lock()
	if err := w.usableLocked(); err != nil { // closed meanwhile by a misuse; keep the state sane
		w.mu.Unlock()
		return 0, err
	}
	w.series = append(w.series, st)
	w.names[s.Name] = s.ID
	w.mu.Unlock()
	w.work <- msg{b: b}
	return s.ID, nil
}

// ErrUnknownSeries is returned by Sample for an ID that Declare did not
// return.
var ErrUnknownSeries = errors.New("spikelog: unknown series ID: declare the series first")

// Sample records the values of series id at tick t, one per index of the
// series (one value for a series without indices). Ticks must be >= 0 and
// increase from call to call of the same series; series are independent of
// each other and of Spikes. The values are copied bit for bit (NaN
// payloads included); the slice is not retained.
//
// Like Spikes, Sample copies into the series' open block and hands full
// blocks to the encoder goroutine. A sample wider than Options.BlockSize/8
// values is split over several blocks, which the Reader joins again.
func (w *Writer) Sample(id int, t snnsim.Time, values []float64) error {
	w.mu.Lock()
	if err := w.usableLocked(); err != nil {
		w.mu.Unlock()
		return err
	}
	if id < 0 || id >= len(w.series) {
		w.mu.Unlock()
		return fmt.Errorf("%w (got %d, %d declared)", ErrUnknownSeries, id, len(w.series))
	}
	s := w.series[id]
	switch {
	case len(values) != s.width:
		w.mu.Unlock()
		return fmt.Errorf("spikelog: Sample of series %d at tick %d: %d values, the series has width %d", id, t, len(values), s.width)
	case t < 0 || (s.started && t <= s.last):
		w.mu.Unlock()
		return fmt.Errorf("spikelog: Sample of series %d at tick %d: ticks must be >= 0 and increase from sample to sample (the last had tick %d)", id, t, s.last)
	}
	s.last, s.started = t, true
	if s.cols == s.width { // the common case: whole samples, several per block
		b := s.cur
		if b == nil {
			b = w.takeLocked()
			b.kind, b.series, b.col0, b.ncols, b.start = KindSamples, id, 0, s.width, time.Now()
			s.cur = b
		}
		b.addSample(t, values)
		var full *block
		if b.rawLen() >= w.blockSize {
			full, s.cur = b, nil
		}
		w.mu.Unlock()
		if full != nil {
			w.work <- msg{b: full}
		}
		return nil
	}
	// A wide sample: one block per slice of columns, each queued before the
	// next is filled, so that memory stays at a few blocks.
	for col := 0; col < s.width; col += s.cols {
		if col > 0 {
			w.mu.Lock()
		}
		b := w.takeLocked()
		w.mu.Unlock()
		b.kind, b.series, b.col0, b.ncols, b.start = KindSamples, id, col, min(s.cols, s.width-col), time.Now()
		b.addSample(t, values)
		w.work <- msg{b: b}
	}
	return nil
}
