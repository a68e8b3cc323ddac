package engine

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// A checkpoint holds the complete state of an engine at a tick boundary:
// every neuron's and source's state and random stream, the plastic weights
// and the traces of their rules, the short-term plasticity of each
// projection that has it, the spikes in flight (with the release each
// carries on such a projection), the stimulus and
// recording positions and the work counters. Restoring it into a new engine
// built from the same network continues the run exactly: the spikes are the
// same, bit for bit, as if it had not stopped.
//
// The file is a checkpoint container (package checkpoint) whose body is a
// sequence of sections, each a tag byte and a uvarint length: the engine's
// own state, then one section per population, projection, consolidation
// group and probe, in the network's order. Models write their state into
// their section as checkpoint frames.

// NetworkFingerprint returns a hash of what makes two networks the same
// for a checkpoint: the scenario text, seed and resolution, and every
// population's and projection's size.
func NetworkFingerprint(net *netlist.Network) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%g\x00", net.Text, net.Seed, net.Clock.DT)
	for _, p := range net.Populations {
		fmt.Fprintf(h, "pop %s %d\x00", p.Name, p.Size)
	}
	for _, p := range net.Projections {
		fmt.Fprintf(h, "proj %s %d\x00", p.Name, p.Len())
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Checkpoint writes the engine's complete state to w as a checkpoint file
// (checkpoint.Write). app is stored in the metadata as is (the command line
// keeps the log offset and run length there). Every model must support
// checkpoints (an error names the one that does not).
func (e *Engine) Checkpoint(w io.Writer, app json.RawMessage) error {
	src := e
	if e.canCheckpoint() {
		j, err := e.joined()
		if err != nil {
			return err
		}
		src = j
	} else if err := e.oneWorker("Checkpoint"); err != nil {
		return err
	}
	// The body is streamed section by section, so that no copy of the
	// whole state exists next to the engine's own (a checkpoint would
	// otherwise double a large network's memory while it is written).
	// The file gives the body's length before the body: a first pass
	// measures the sections, a second writes them; one buffer serves
	// both, in reserved memory of which only the largest section's length
	// becomes resident (the models append their states to it). A model
	// with a state of a few numbers per synapse writes its frame to the
	// file in pieces (checkpoint.StreamStater) and is measured without
	// writing.
	scratch, free := reserveBytes(sectionReserve(src.net))
	defer free()
	var n int64
	if err := src.eachSection(&scratch, func(_ byte, s []byte, big checkpoint.StreamStater) error {
		n += sectionLen(contentLen(s, big))
		return nil
	}); err != nil {
		return err
	}
	meta := checkpoint.Meta{Program: snnsim.BuildVersion(), Network: NetworkFingerprint(e.net), Scenario: e.net.Name, Tick: e.now, App: app}
	return checkpoint.WriteStream(w, meta, n, func(body io.Writer) error {
		var head [1 + binary.MaxVarintLen64]byte
		return src.eachSection(&scratch, func(tag byte, s []byte, big checkpoint.StreamStater) error {
			head[0] = tag
			k := 1 + binary.PutUvarint(head[1:], uint64(contentLen(s, big)))
			if _, err := body.Write(head[:k]); err != nil {
				return err
			}
			if _, err := body.Write(s); err != nil || big == nil {
				return err
			}
			return big.WriteState(body)
		})
	})
}

// WriteCheckpoint writes a checkpoint to path atomically
// (checkpoint.WriteFile): a crash at any point leaves either the previous
// checkpoint or the new one, never a mix.
func (e *Engine) WriteCheckpoint(path string, app json.RawMessage) error {
	return checkpoint.WriteFile(path, func(w io.Writer) error { return e.Checkpoint(w, app) })
}

// Restore loads a checkpoint's state into e, which must be a new engine
// (nothing run yet) built from the same network by the same program
// version, with the same probes and records attached in the same order.
// The metadata and body come from checkpoint.Read. A checkpoint that
// cannot be restored is refused with an error wrapping
// checkpoint.ErrVersion (another program version), checkpoint.ErrMismatch
// (another network) or checkpoint.ErrCorrupt; the engine is then unusable.
func (e *Engine) Restore(meta checkpoint.Meta, body []byte) error {
	return e.restore(meta, &bodySource{top: &checkpoint.Decoder{B: body}})
}

// RestoreStream is Restore from a body of n bytes read from r (a
// checkpoint.Body), section by section: the models whose state is a few
// numbers per synapse (checkpoint.StreamStater) decode it as it is read,
// so that neither the file nor a copy of their state is held in memory. r
// is read no further than n bytes. Whether the bytes are those of a good
// file (checkpoint.Body.Close) is for the caller to check: a refusal then,
// as any here, leaves the engine unusable.
func (e *Engine) RestoreStream(meta checkpoint.Meta, r io.Reader, n int64) error {
	lr := &io.LimitedReader{R: r, N: n}
	// The other sections are read into one buffer in reserved memory, as
	// Checkpoint builds them: only the largest section's length becomes
	// resident, and it is returned to the system at once.
	buf, free := reserveBytes(sectionReserve(e.net))
	defer free()
	return e.restore(meta, &bodySource{lr: lr, r: bufio.NewReaderSize(lr, 64<<10), buf: buf})
}

// restore is Restore from src.
func (e *Engine) restore(meta checkpoint.Meta, src *bodySource) error {
	if e.canCheckpoint() {
		return e.restoreParallel(meta, src)
	}
	if err := e.oneWorker("Restore"); err != nil {
		return err
	}
	if e.now != 0 || e.stats.TicksStepped != 0 {
		return fmt.Errorf("engine: Restore: the engine has already run to tick %d; restore into a new engine", e.now)
	}
	if v := snnsim.BuildVersion(); meta.Program != v {
		return checkpoint.Errorf(checkpoint.ErrVersion, "engine: Restore: written by snnsim %s, this is %s: resume with the version that wrote it", meta.Program, v)
	}
	if fp := NetworkFingerprint(e.net); meta.Network != fp {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "engine: Restore: it belongs to another network (scenario %q; the scenario text, seed, resolution or sizes differ)", meta.Scenario)
	}
	return e.finishRestore(meta, src, nil)
}

// finishRestore restores src into e (a branch's when b is not nil) and
// classifies the error.
func (e *Engine) finishRestore(meta checkpoint.Meta, src *bodySource, b *Branch) error {
	err := e.restoreState(src, b)
	switch {
	case err == nil && src.left() != 0:
		err = fmt.Errorf("%d bytes left over", src.left())
	case err == nil && e.now != meta.Tick:
		err = fmt.Errorf("state at tick %d, metadata says %d", e.now, meta.Tick)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, checkpoint.ErrUnusable): // a model's refusal
		return fmt.Errorf("engine: Restore: %w", err)
	}
	return checkpoint.Errorf(checkpoint.ErrCorrupt, "engine: Restore: %v", err)
}

// Body sections.
const (
	secEngine byte = iota + 1
	secPop
	secProj
	secProbe
	secCons
)

func appendSection(b []byte, tag byte, body []byte) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

// sectionReserve is the room reserved for the largest section of a
// checkpoint of net: generous for every model's state (a few numbers per
// synapse and per neuron); a larger section moves to Go's heap.
func sectionReserve(net *netlist.Network) int {
	var syn, neu int64
	for _, p := range net.Projections {
		syn += int64(p.Len())
	}
	for _, p := range net.Populations {
		neu += int64(p.Size)
	}
	return int(min(64*syn+1024*neu+16<<20, 1<<40))
}

// sectionLen is the length of a section of n bytes of contents: its tag,
// its length and the contents.
func sectionLen(n int64) int64 {
	var head [binary.MaxVarintLen64]byte
	return int64(1+binary.PutUvarint(head[:], uint64(n))) + n
}

// contentLen is the length of the contents of a section made of s and the
// frame of big (if not nil).
func contentLen(s []byte, big checkpoint.StreamStater) int64 {
	if big == nil {
		return int64(len(s))
	}
	return int64(len(s)) + big.StateLen()
}

// appendState appends the body of a checkpoint to b.
func (e *Engine) appendState(b []byte) ([]byte, error) {
	var scratch []byte
	err := e.eachSection(&scratch, func(tag byte, s []byte, big checkpoint.StreamStater) error {
		if big != nil {
			s = big.AppendState(s)
		}
		b = appendSection(b, tag, s)
		return nil
	})
	return b, err
}

// eachSection calls f with the tag and the contents of each section of a
// checkpoint's body, in order: s followed, when big is not nil, by big's
// frame, which f writes itself (a state too large to be built in memory).
// s is built in *scratch, which is reused from section to section (and
// kept grown for the next call): f must not retain it.
func (e *Engine) eachSection(scratch *[]byte, f func(tag byte, s []byte, big checkpoint.StreamStater) error) error {
	s := (*scratch)[:0]
	defer func() { *scratch = s[:0] }()
	s = binary.AppendVarint(s, int64(e.now))
	s = binary.AppendUvarint(s, uint64(e.nextStim))
	s = binary.AppendUvarint(s, uint64(e.nextMod))
	s = binary.AppendVarint(s, e.stats.TicksStepped)
	s = binary.AppendVarint(s, e.stats.TicksSkipped)
	s = binary.AppendVarint(s, e.stats.SynapticEvents)
	for _, n := range e.stats.Spikes {
		s = binary.AppendVarint(s, n)
	}
	// Spikes in flight, by arrival tick.
	s = binary.AppendUvarint(s, uint64(e.queue.pending))
	for k := snnsim.Time(0); k <= e.queue.mask; k++ {
		for _, d := range e.queue.slots[(e.now+k)&e.queue.mask] {
			s = binary.AppendVarint(s, int64(e.now+k))
			s = binary.AppendUvarint(s, uint64(d.proj))
			s = binary.AppendUvarint(s, uint64(d.src))
			s = binary.AppendVarint(s, d.lo)
			s = binary.AppendVarint(s, d.hi)
			if e.projs[d.proj].stp != nil { // the release it carries
				s = binary.LittleEndian.AppendUint32(s, math.Float32bits(d.scale))
			}
		}
	}
	s = binary.AppendUvarint(s, uint64(len(e.pending)))
	for _, in := range e.pending {
		s = binary.AppendVarint(s, int64(in.at))
		s = binary.AppendUvarint(s, uint64(in.pop))
		s = binary.AppendUvarint(s, uint64(in.member))
		spike := byte(0)
		if in.spike {
			spike = 1
		}
		s = append(s, spike, byte(in.rec))
		s = binary.LittleEndian.AppendUint32(s, math.Float32bits(in.weights))
	}
	for _, g := range e.guards {
		s = binary.AppendVarint(s, int64(g.start))
		s = binary.AppendVarint(s, g.count0)
	}
	if err := f(secEngine, s, nil); err != nil {
		return err
	}
	for i := range e.pops {
		p := &e.pops[i]
		s = s[:0]
		s = appendFloats(s, p.bias)
		s = appendFloats(s, p.injected)
		for _, o := range p.ous {
			s = o.cur.AppendState(s)
		}
		var st checkpoint.Stater
		if p.neurons != nil {
			st, _ = p.neurons.(checkpoint.Stater)
		} else {
			st, _ = p.src.(checkpoint.Stater)
			rs, err := p.rng.MarshalBinary()
			if err != nil {
				return err
			}
			s = binary.AppendUvarint(s, uint64(len(rs)))
			s = append(s, rs...)
		}
		if st == nil {
			return fmt.Errorf("engine: checkpoint: population %q: its model does not support checkpoints", p.name)
		}
		s = st.AppendState(s)
		if err := f(secPop, s, nil); err != nil {
			return err
		}
	}
	for k := range e.projs {
		p := &e.projs[k]
		s = s[:0]
		// own: the weights may differ from the network's (plastic, or set
		// through SetWeight, which gives a constant-weight projection its
		// own array).
		own := p.plastic != nil || (p.Len() > 0 && p.w != nil && (p.Weight == nil || &p.w[0] != &p.Weight[0]))
		if own {
			s = append(s, 1)
			if p.preUpdate != nil {
				// The model's weights, as a delivery array would hold
				// them, read a block at a time rather than into an array
				// of the projection's size.
				var buf [1024]float32
				for lo := int64(0); lo < int64(p.Len()); lo += int64(len(buf)) {
					w := buf[:min(int64(len(buf)), int64(p.Len())-lo)]
					p.preUpdate.Efficacies(w, p.consOffset+lo)
					s = appendFloat32s(s, w)
				}
			} else {
				s = appendFloat32s(s, p.w)
			}
		} else {
			s = append(s, 0)
		}
		if p.stp != nil {
			s = p.stp.AppendState(s)
		}
		if p.plastic != nil {
			st, ok := p.plastic.rule.(checkpoint.Stater)
			if !ok {
				return fmt.Errorf("engine: checkpoint: projection %q: its plasticity rule does not support checkpoints", p.Name)
			}
			s = st.AppendState(s)
		}
		if err := f(secProj, s, nil); err != nil {
			return err
		}
	}
	for _, g := range e.groups {
		if g.stater == nil {
			return fmt.Errorf("engine: checkpoint: the consolidation model %s onto %q does not support checkpoints", g.model.Name(), e.pops[g.pop].name)
		}
		if big, ok := g.stater.(checkpoint.StreamStater); ok {
			if err := f(secCons, s[:0], big); err != nil {
				return err
			}
			continue
		}
		s = g.stater.AppendState(s[:0])
		if err := f(secCons, s, nil); err != nil {
			return err
		}
	}
	if e.rec != nil {
		for _, pr := range e.rec.probes {
			s = s[:0]
			s = binary.AppendUvarint(s, uint64(pr.window))
			s = binary.AppendVarint(s, int64(pr.next))
			open := byte(0)
			if pr.open {
				open = 1
			}
			s = append(s, open)
			s = binary.AppendVarint(s, pr.countBefore)
			if err := f(secProbe, s, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendFloat32s appends the bits of each of v.
func appendFloat32s(s []byte, v []float32) []byte {
	for _, w := range v {
		s = binary.LittleEndian.AppendUint32(s, math.Float32bits(w))
	}
	return s
}

func appendFloats(s []byte, v []float64) []byte {
	if v == nil {
		return append(s, 0)
	}
	s = append(s, 1)
	s = binary.AppendUvarint(s, uint64(len(v)))
	for _, x := range v {
		s = binary.LittleEndian.AppendUint64(s, math.Float64bits(x))
	}
	return s
}

// bodySource hands out the sections of a checkpoint's body: from the body
// in memory (top), or read from a stream (r) into a buffer that serves
// every section, or, for a checkpoint.StreamStater, handed over as a
// stream.
type bodySource struct {
	top *checkpoint.Decoder // the body in memory, or nil
	r   *bufio.Reader       // the body as a stream, reading lr
	lr  *io.LimitedReader
	buf []byte // a streamed section
	err error  // of the stream
}

// left returns the bytes of the body not read yet.
func (b *bodySource) left() int64 {
	if b.top != nil {
		return int64(len(b.top.B))
	}
	return b.lr.N + int64(b.r.Buffered())
}

// head reads the tag and the length of the next section, which must have
// tag.
func (b *bodySource) head(tag byte) (int64, error) {
	if b.top != nil {
		d := b.top
		t := d.U8()
		if d.Short {
			return 0, fmt.Errorf("truncated before section %d", tag)
		}
		if t != tag {
			return 0, fmt.Errorf("section %d where %d was expected (different records or model layout)", t, tag)
		}
		n := d.Uvarint()
		if d.Short || n > uint64(len(d.B)) {
			return 0, fmt.Errorf("section %d truncated: %d bytes needed, %d left", tag, n, len(d.B))
		}
		return int64(n), nil
	}
	t, err := b.r.ReadByte()
	if err != nil {
		return 0, b.fail(err, fmt.Errorf("truncated before section %d", tag))
	}
	if t != tag {
		return 0, fmt.Errorf("section %d where %d was expected (different records or model layout)", t, tag)
	}
	n, err := binary.ReadUvarint(b.r)
	if err != nil || n > uint64(b.left()) {
		return 0, b.fail(err, fmt.Errorf("section %d truncated: %d bytes needed, %d left", tag, n, b.left()))
	}
	return int64(n), nil
}

// fail returns the error of the stream, if the stream failed, or else
// short (the body ends early).
func (b *bodySource) fail(err, short error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return short
	}
	b.err = err
	return err
}

// next reads the next section, which must have tag.
func (b *bodySource) next(tag byte) (*checkpoint.Decoder, error) {
	n, err := b.head(tag)
	if err != nil {
		return nil, err
	}
	if b.top != nil {
		return &checkpoint.Decoder{B: b.top.Take(int(n))}, nil
	}
	if int64(cap(b.buf)) < n {
		b.buf = make([]byte, n)
	}
	s := b.buf[:n]
	if _, err := io.ReadFull(b.r, s); err != nil {
		return nil, b.fail(err, fmt.Errorf("section %d truncated", tag))
	}
	return &checkpoint.Decoder{B: s}, nil
}

// restoreBig restores st from the next section, which must have tag and
// hold st's frame alone: from a stream as it is read, when st reads one.
func (b *bodySource) restoreBig(tag byte, st checkpoint.Stater) error {
	big, ok := st.(checkpoint.StreamStater)
	if !ok || b.top != nil {
		d, err := b.next(tag)
		if err != nil {
			return err
		}
		return restoreAll(st, d.B)
	}
	n, err := b.head(tag)
	if err != nil {
		return err
	}
	lr := &io.LimitedReader{R: b.r, N: n}
	if err := big.ReadState(lr, n); err != nil {
		if b.err == nil && lr.N > 0 { // a refusal rather than the stream's error
			io.Copy(io.Discard, lr)
		}
		return err
	}
	if lr.N != 0 {
		return fmt.Errorf("%d bytes left over", lr.N)
	}
	return nil
}

// floats reads what appendFloats wrote: nil, or want values.
func floats(d *checkpoint.Decoder, want int) ([]float64, error) {
	if flag := d.U8(); d.Short || flag == 0 {
		return nil, nil // d.Short is reported by the caller
	}
	n := d.Uvarint()
	if d.Short || n != uint64(want) {
		return nil, fmt.Errorf("%d values for %d neurons", n, want)
	}
	raw := d.Take(8 * want)
	if raw == nil {
		return nil, fmt.Errorf("truncated: %d values for %d neurons", want, want)
	}
	v := make([]float64, want)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return v, nil
}

// errTruncated is the error of a section that ends early.
var errTruncated = errors.New("truncated")

func (e *Engine) restoreState(src *bodySource, b *Branch) error {
	if err := e.restoreEngine(src, b != nil); err != nil {
		return fmt.Errorf("engine state: %w", err)
	}
	for i := range e.pops {
		if err := e.restorePop(src, i, b); err != nil {
			return fmt.Errorf("population %q: %w", e.pops[i].name, err)
		}
	}
	for k := range e.projs {
		if err := e.restoreProj(src, k); err != nil {
			return fmt.Errorf("projection %q: %w", e.projs[k].Name, err)
		}
	}
	for _, g := range e.groups {
		if g.stater == nil {
			return fmt.Errorf("consolidation onto %q: the model %s does not support checkpoints", e.pops[g.pop].name, g.model.Name())
		}
		if err := src.restoreBig(secCons, g.stater); err != nil {
			return fmt.Errorf("consolidation onto %q: %w", e.pops[g.pop].name, err)
		}
	}
	if b != nil && !b.KeepRecords {
		// The parent's recording positions are of other records: skip
		// them, and start every probe at the checkpoint's tick.
		for src.left() > 0 {
			if _, err := src.next(secProbe); err != nil {
				return fmt.Errorf("recording positions: %w", err)
			}
		}
		if e.rec != nil {
			e.rec.next = snnsim.Never
			for _, pr := range e.rec.probes {
				pr.window = 0
				pr.seek(e.now, e.stats.Spikes[pr.Population])
				e.rec.next = min(e.rec.next, pr.due())
			}
		}
		return nil
	}
	if e.rec != nil {
		for _, pr := range e.rec.probes {
			d, err := src.next(secProbe)
			if err != nil {
				return fmt.Errorf("recording positions: %w", err)
			}
			pr.window = int(d.Uvarint())
			pr.next = snnsim.Time(d.Varint())
			open := d.U8()
			pr.countBefore = d.Varint()
			if d.Short || pr.window > len(pr.Windows) {
				return fmt.Errorf("recording positions: window %d of %d, or truncated", pr.window, len(pr.Windows))
			}
			pr.open = open == 1
		}
		e.rec.next = snnsim.Never
		for _, pr := range e.rec.probes {
			e.rec.next = min(e.rec.next, pr.due())
		}
	}
	return nil
}

// restoreAll restores st from all of b: nothing may be left over.
func restoreAll(st checkpoint.Stater, b []byte) error {
	rest, err := st.RestoreState(b)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%d bytes left over", len(rest))
	}
	return err
}

// restoreEngine reads the engine's own section: tick, positions, counters,
// spikes in flight, pending injections, guards.
func (e *Engine) restoreEngine(src *bodySource, branch bool) error {
	d, err := src.next(secEngine)
	if err != nil {
		return err
	}
	e.now = snnsim.Time(d.Varint())
	e.nextStim = int(d.Uvarint())
	e.nextMod = int(d.Uvarint())
	if e.nextMod > len(e.net.Modulations) {
		return fmt.Errorf("level change position %d of %d", e.nextMod, len(e.net.Modulations))
	}
	e.stats.TicksStepped = d.Varint()
	e.stats.TicksSkipped = d.Varint()
	e.stats.SynapticEvents = d.Varint()
	for i := range e.stats.Spikes {
		e.stats.Spikes[i] = d.Varint()
	}
	if branch {
		// The parent's position is in its own list of stimulus events:
		// the events before the checkpoint's tick are done.
		e.nextStim = sort.Search(len(e.stims), func(k int) bool { return e.stims[k].t >= e.now })
	}
	if e.nextStim > len(e.stims) {
		return fmt.Errorf("stimulus position %d of %d", e.nextStim, len(e.stims))
	}
	nq := d.Uvarint()
	for k := uint64(0); k < nq && !d.Short; k++ {
		at := snnsim.Time(d.Varint())
		pj, src := d.Uvarint(), d.Uvarint()
		lo, hi := d.Varint(), d.Varint()
		if d.Short {
			break
		}
		if pj >= uint64(len(e.projs)) || lo < 0 || hi < lo || hi > int64(e.projs[pj].Len()) || at < e.now || at > e.now+e.queue.mask {
			return errors.New("spike in flight out of range")
		}
		var scale float32
		if e.projs[pj].stp != nil {
			raw := d.Take(4)
			if raw == nil {
				break
			}
			scale = math.Float32frombits(binary.LittleEndian.Uint32(raw))
			if !(scale >= 0 && scale <= 1) {
				return fmt.Errorf("spike in flight with release %g", scale)
			}
		}
		e.queue.push(at, delivery{proj: int32(pj), src: int32(src), lo: lo, hi: hi, scale: scale})
	}
	np := d.Uvarint()
	for k := uint64(0); k < np && !d.Short; k++ {
		var in injection
		in.at = snnsim.Time(d.Varint())
		in.pop, in.member = int(d.Uvarint()), int32(d.Uvarint())
		fl := d.Take(6)
		if d.Short || in.pop >= len(e.pops) {
			return errors.New("bad injection")
		}
		in.spike, in.rec, in.weights = fl[0] == 1, neuron.Receptor(fl[1]), math.Float32frombits(binary.LittleEndian.Uint32(fl[2:]))
		e.pending = append(e.pending, in)
	}
	for i := range e.guards {
		e.guards[i].start = snnsim.Time(d.Varint())
		e.guards[i].count0 = d.Varint()
	}
	switch {
	case d.Short:
		return errTruncated
	case len(d.B) != 0:
		return fmt.Errorf("%d bytes left over", len(d.B))
	}
	return nil
}

// restorePop reads population i's section: bias, external input, the
// states of its OU currents, the random stream of a source, and the
// model's state.
func (e *Engine) restorePop(src *bodySource, i int, b *Branch) error {
	p := &e.pops[i]
	d, err := src.next(secPop)
	if err != nil {
		return err
	}
	n := e.net.Populations[i].Size
	if p.bias, err = floats(d, n); err != nil {
		return err
	}
	if p.injected, err = floats(d, n); err != nil {
		return err
	}
	if d.Short {
		return errTruncated
	}
	if b != nil {
		if d.B, err = e.restoreBranchOUs(d.B, i, b); err != nil {
			return err
		}
	} else {
		for k, o := range p.ous {
			if d.B, err = o.cur.RestoreState(d.B); err != nil {
				return fmt.Errorf("ou current %d: %w", k, err)
			}
		}
	}
	if len(p.ous) > 0 {
		p.sumOU()
	}
	var st checkpoint.Stater
	if p.neurons != nil {
		st, _ = p.neurons.(checkpoint.Stater)
	} else {
		st, _ = p.src.(checkpoint.Stater)
		rn := d.Uvarint()
		if d.Short || rn > uint64(len(d.B)) {
			return errTruncated
		}
		if err := p.rng.UnmarshalBinary(d.Take(int(rn))); err != nil {
			return fmt.Errorf("random stream: %w", err)
		}
	}
	if st == nil {
		return errors.New("its model does not support checkpoints")
	}
	return restoreAll(st, d.B)
}

// restoreProj reads projection k's section: its own weights, if any, and
// the state of its plasticity rule.
func (e *Engine) restoreProj(src *bodySource, k int) error {
	p := &e.projs[k]
	d, err := src.next(secProj)
	if err != nil {
		return err
	}
	own := d.U8()
	if d.Short {
		return errTruncated
	}
	if own == 1 {
		raw := d.Take(4 * p.Len())
		if raw == nil {
			return errTruncated
		}
		// A model that hands out the weights itself (preUpdate) restores
		// them from its own frame.
		if p.preUpdate == nil {
			if p.w == nil || (p.plastic == nil && e.cfg.Weights != WeightsInPlace && p.Len() > 0 && p.Weight != nil && &p.w[0] == &p.Weight[0]) {
				p.w, p.constW = make([]float32, p.Len()), nil
			}
			for j := range p.w {
				p.w[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			p.weightsChanged(-1)
		}
	}
	if p.stp != nil {
		if d.B, err = p.stp.RestoreState(d.B); err != nil {
			return fmt.Errorf("short-term plasticity: %w", err)
		}
	}
	if p.plastic == nil {
		if len(d.B) != 0 {
			return fmt.Errorf("%d bytes left over", len(d.B))
		}
		return nil
	}
	st, ok := p.plastic.rule.(checkpoint.Stater)
	if !ok {
		return errors.New("its plasticity rule does not support checkpoints")
	}
	return restoreAll(st, d.B)
}
