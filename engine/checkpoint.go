package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// A checkpoint holds the complete state of an engine at a tick boundary:
// every neuron's and source's state and random stream, the plastic weights
// and the traces of their rules, the spikes in flight, the stimulus and
// recording positions and the work counters. Restoring it into a new engine
// built from the same network continues the run exactly: the spikes are the
// same, bit for bit, as if it had not stopped.
//
// Layout (little-endian):
//
//	magic "SNNSCKPT" | version uint16 | meta length uint32 | meta (JSON, CheckpointMeta)
//	| body length uint64 | body | CRC-32C (Castagnoli) of everything before it, uint32
//
// The body is a sequence of sections, each a tag byte and a uvarint length.

// ErrCheckpoint is wrapped by every error about a checkpoint that cannot be
// used: damaged, truncated, or from another program version or network.
var ErrCheckpoint = errors.New("engine: unusable checkpoint")

const (
	checkpointMagic   = "SNNSCKPT"
	checkpointVersion = 1
)

// CheckpointMeta describes a checkpoint; it is readable without restoring.
type CheckpointMeta struct {
	Program  string          `json:"program"`  // program version that wrote it
	Network  string          `json:"network"`  // fingerprint of the network (NetworkFingerprint)
	Scenario string          `json:"scenario"` // scenario name
	Tick     snnsim.Time     `json:"tick"`     // Now() when it was written
	App      json.RawMessage `json:"app,omitempty"`
}

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

// stater is implemented by models whose state goes into checkpoints.
type stater interface {
	AppendState(b []byte) []byte
	RestoreState(b []byte) ([]byte, error)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checkpoint writes the engine's complete state to w. app is stored in the
// metadata as is (the command line keeps the log offset and run length
// there). Every model must support checkpoints (an error names the one that
// does not).
func (e *Engine) Checkpoint(w io.Writer, app json.RawMessage) error {
	body, err := e.appendState(nil)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(CheckpointMeta{Program: snnsim.BuildVersion(), Network: NetworkFingerprint(e.net), Scenario: e.net.Name, Tick: e.now, App: app})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(checkpointMagic)
	binary.Write(&b, binary.LittleEndian, uint16(checkpointVersion))
	binary.Write(&b, binary.LittleEndian, uint32(len(meta)))
	b.Write(meta)
	binary.Write(&b, binary.LittleEndian, uint64(len(body)))
	b.Write(body)
	binary.Write(&b, binary.LittleEndian, crc32.Checksum(b.Bytes(), castagnoli))
	_, err = w.Write(b.Bytes())
	return err
}

// WriteCheckpoint writes a checkpoint to path atomically: to a temporary
// file in the same folder, synced, then renamed over path, and the folder
// synced. A crash at any point leaves either the previous checkpoint or the
// new one, never a mix.
func (e *Engine) WriteCheckpoint(path string, app json.RawMessage) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("engine: checkpoint: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("engine: checkpoint %s: %w", path, err)
	}
	if err := e.Checkpoint(f, app); err != nil {
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
		return fmt.Errorf("engine: checkpoint %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ReadCheckpoint reads and checks a checkpoint (magic, version, checksum)
// and returns its metadata and body for Restore.
func ReadCheckpoint(r io.Reader) (CheckpointMeta, []byte, error) {
	var meta CheckpointMeta
	data, err := io.ReadAll(io.LimitReader(r, 1<<40))
	if err != nil {
		return meta, nil, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	bad := func(format string, args ...any) (CheckpointMeta, []byte, error) {
		return meta, nil, fmt.Errorf("%w: %s", ErrCheckpoint, fmt.Sprintf(format, args...))
	}
	if len(data) < len(checkpointMagic)+2+4+8+4 || string(data[:8]) != checkpointMagic {
		return bad("not a snnsim checkpoint (no %q magic)", checkpointMagic)
	}
	if v := binary.LittleEndian.Uint16(data[8:]); v != checkpointVersion {
		return bad("format version %d; this program reads version %d", v, checkpointVersion)
	}
	n := len(data) - 4
	if got, want := crc32.Checksum(data[:n], castagnoli), binary.LittleEndian.Uint32(data[n:]); got != want {
		return bad("checksum mismatch (the file is truncated or damaged)")
	}
	ml := int(binary.LittleEndian.Uint32(data[10:]))
	if 14+ml+8 > n {
		return bad("metadata length %d runs past the end", ml)
	}
	if err := json.Unmarshal(data[14:14+ml], &meta); err != nil {
		return bad("metadata: %v", err)
	}
	bl := binary.LittleEndian.Uint64(data[14+ml:])
	if uint64(n-(14+ml+8)) != bl {
		return bad("body length %d does not match the file", bl)
	}
	return meta, data[14+ml+8 : n], nil
}

// Restore loads a checkpoint's state into e, which must be a new engine
// (nothing run yet) built from the same network by the same program
// version, with the same probes and records attached in the same order.
// The metadata comes from ReadCheckpoint.
func (e *Engine) Restore(meta CheckpointMeta, body []byte) error {
	if e.now != 0 || e.stats.TicksStepped != 0 {
		return fmt.Errorf("engine: Restore: the engine has already run to tick %d; restore into a new engine", e.now)
	}
	if v := snnsim.BuildVersion(); meta.Program != v {
		return fmt.Errorf("%w: written by snnsim %s, this is %s: resume with the version that wrote it", ErrCheckpoint, meta.Program, v)
	}
	if fp := NetworkFingerprint(e.net); meta.Network != fp {
		return fmt.Errorf("%w: it belongs to another network (scenario %q; the scenario text, seed, resolution or sizes differ)", ErrCheckpoint, meta.Scenario)
	}
	rest, err := e.restoreState(body)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%d bytes left over", len(rest))
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err) // both stay testable with errors.Is
	}
	if e.now != meta.Tick {
		return fmt.Errorf("%w: state at tick %d, metadata says %d", ErrCheckpoint, e.now, meta.Tick)
	}
	return nil
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

func (e *Engine) appendState(b []byte) ([]byte, error) {
	var s []byte
	s = binary.AppendVarint(s, int64(e.now))
	s = binary.AppendUvarint(s, uint64(e.nextS))
	s = binary.AppendUvarint(s, uint64(e.nextMod))
	s = binary.AppendVarint(s, e.stats.TicksStepped)
	s = binary.AppendVarint(s, e.stats.TicksSkipped)
	s = binary.AppendVarint(s, e.stats.SynapticEvents)
	for _, n := range e.stats.Spikes {
		s = binary.AppendVarint(s, n)
	}
	// Spikes in flight, by arrival tick.
	s = binary.AppendUvarint(s, uint64(e.q.pending))
	for k := snnsim.Time(0); k <= e.q.mask; k++ {
		for _, d := range e.q.slots[(e.now+k)&e.q.mask] {
			s = binary.AppendVarint(s, int64(e.now+k))
			s = binary.AppendUvarint(s, uint64(d.proj))
			s = binary.AppendUvarint(s, uint64(d.src))
			s = binary.AppendVarint(s, d.lo)
			s = binary.AppendVarint(s, d.hi)
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
	b = appendSection(b, secEngine, s)
	for i := range e.pops {
		p := &e.pops[i]
		s = s[:0]
		s = appendFloats(s, p.bias)
		s = appendFloats(s, p.ext)
		var st stater
		if p.neu != nil {
			st, _ = p.neu.(stater)
		} else {
			st, _ = p.src.(stater)
			rs, err := p.rng.MarshalBinary()
			if err != nil {
				return nil, err
			}
			s = binary.AppendUvarint(s, uint64(len(rs)))
			s = append(s, rs...)
		}
		if st == nil {
			return nil, fmt.Errorf("engine: checkpoint: population %q: its model does not support checkpoints", p.name)
		}
		s = st.AppendState(s)
		b = appendSection(b, secPop, s)
	}
	for k := range e.projs {
		p := &e.projs[k]
		s = s[:0]
		// own: the weights may differ from the network's (plastic, or set
		// through SetWeight, which gives a constant-weight projection its
		// own array).
		own := p.pl != nil || (p.Len() > 0 && p.w != nil && (p.Weight == nil || &p.w[0] != &p.Weight[0]))
		if own {
			s = append(s, 1)
			for _, w := range p.w {
				s = binary.LittleEndian.AppendUint32(s, math.Float32bits(w))
			}
		} else {
			s = append(s, 0)
		}
		if p.pl != nil {
			st, ok := p.pl.rule.(stater)
			if !ok {
				return nil, fmt.Errorf("engine: checkpoint: projection %q: its plasticity rule does not support checkpoints", p.Name)
			}
			s = st.AppendState(s)
		}
		b = appendSection(b, secProj, s)
	}
	for _, g := range e.groups {
		if g.st == nil {
			return nil, fmt.Errorf("engine: checkpoint: the consolidation model %s onto %q does not support checkpoints", g.m.Name(), e.pops[g.pop].name)
		}
		b = appendSection(b, secCons, g.st.AppendState(nil))
	}
	if e.rec != nil {
		for _, pr := range e.rec.probes {
			s = s[:0]
			s = binary.AppendUvarint(s, uint64(pr.wi))
			s = binary.AppendVarint(s, int64(pr.t))
			open := byte(0)
			if pr.open {
				open = 1
			}
			s = append(s, open)
			s = binary.AppendVarint(s, pr.count0)
			b = appendSection(b, secProbe, s)
		}
	}
	return b, nil
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

// dec reads the body; its first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("truncated number")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("truncated number")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail("truncated: %d bytes needed, %d left", n, len(d.b))
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) section(tag byte) *dec {
	t := d.bytes(1)
	if d.err != nil {
		return &dec{err: d.err}
	}
	if t[0] != tag {
		d.fail("section %d where %d was expected (different records or model layout)", t[0], tag)
		return &dec{err: d.err}
	}
	return &dec{b: d.bytes(d.uvarint())}
}

func (d *dec) floats(want int) []float64 {
	flag := d.bytes(1)
	if d.err != nil || flag[0] == 0 {
		return nil
	}
	n := d.uvarint()
	if int(n) != want {
		d.fail("%d values for %d neurons", n, want)
		return nil
	}
	raw := d.bytes(8 * n)
	if d.err != nil {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return v
}

func (e *Engine) restoreState(body []byte) ([]byte, error) {
	top := &dec{b: body}
	d := top.section(secEngine)
	e.now = snnsim.Time(d.varint())
	e.nextS = int(d.uvarint())
	e.nextMod = int(d.uvarint())
	if e.nextMod > len(e.net.Modulations) {
		d.fail("level change position %d of %d", e.nextMod, len(e.net.Modulations))
	}
	e.stats.TicksStepped = d.varint()
	e.stats.TicksSkipped = d.varint()
	e.stats.SynapticEvents = d.varint()
	for i := range e.stats.Spikes {
		e.stats.Spikes[i] = d.varint()
	}
	if e.nextS > len(e.stims) {
		d.fail("stimulus position %d of %d", e.nextS, len(e.stims))
	}
	nq := d.uvarint()
	for k := uint64(0); k < nq && d.err == nil; k++ {
		at := snnsim.Time(d.varint())
		pj, src := d.uvarint(), d.uvarint()
		lo, hi := d.varint(), d.varint()
		if d.err != nil {
			break
		}
		if pj >= uint64(len(e.projs)) || lo < 0 || hi < lo || hi > int64(e.projs[pj].Len()) || at < e.now || at > e.now+e.q.mask {
			d.fail("spike in flight out of range")
			break
		}
		e.q.push(at, delivery{proj: int32(pj), src: int32(src), lo: lo, hi: hi})
	}
	np := d.uvarint()
	for k := uint64(0); k < np && d.err == nil; k++ {
		var in injection
		in.at = snnsim.Time(d.varint())
		in.pop, in.member = int(d.uvarint()), int32(d.uvarint())
		fl := d.bytes(6)
		if d.err != nil || in.pop >= len(e.pops) {
			d.fail("bad injection")
			break
		}
		in.spike, in.rec, in.weights = fl[0] == 1, neuron.Receptor(fl[1]), math.Float32frombits(binary.LittleEndian.Uint32(fl[2:]))
		e.pending = append(e.pending, in)
	}
	for i := range e.guards {
		e.guards[i].start = snnsim.Time(d.varint())
		e.guards[i].count0 = d.varint()
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("engine state: %w", d.err)
	}
	for i := range e.pops {
		p := &e.pops[i]
		d := top.section(secPop)
		n := e.net.Populations[i].Size
		p.bias = d.floats(n)
		p.ext = d.floats(n)
		if d.err != nil {
			return nil, fmt.Errorf("population %q: %w", p.name, d.err)
		}
		var st stater
		if p.neu != nil {
			st, _ = p.neu.(stater)
		} else {
			st, _ = p.src.(stater)
			rs := d.bytes(d.uvarint())
			if d.err != nil {
				return nil, fmt.Errorf("population %q: %w", p.name, d.err)
			}
			if err := p.rng.UnmarshalBinary(rs); err != nil {
				return nil, fmt.Errorf("population %q: random stream: %w", p.name, err)
			}
		}
		if st == nil {
			return nil, fmt.Errorf("population %q: its model does not support checkpoints", p.name)
		}
		rest, err := st.RestoreState(d.b)
		if err != nil {
			return nil, fmt.Errorf("population %q: %w", p.name, err)
		}
		if len(rest) != 0 {
			return nil, fmt.Errorf("population %q: %d bytes left over", p.name, len(rest))
		}
	}
	for k := range e.projs {
		p := &e.projs[k]
		d := top.section(secProj)
		own := d.bytes(1)
		if d.err != nil {
			return nil, fmt.Errorf("projection %q: %w", p.Name, d.err)
		}
		if own[0] == 1 {
			raw := d.bytes(4 * uint64(p.Len()))
			if d.err != nil {
				return nil, fmt.Errorf("projection %q: %w", p.Name, d.err)
			}
			if p.w == nil || (p.pl == nil && e.cfg.Weights != WeightsInPlace && p.Len() > 0 && p.Weight != nil && &p.w[0] == &p.Weight[0]) {
				p.w, p.constW = make([]float32, p.Len()), nil
			}
			for j := range p.w {
				p.w[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			p.weightsChanged(-1)
		}
		if p.pl != nil {
			st, ok := p.pl.rule.(stater)
			if !ok {
				return nil, fmt.Errorf("projection %q: its plasticity rule does not support checkpoints", p.Name)
			}
			rest, err := st.RestoreState(d.b)
			if err != nil {
				return nil, fmt.Errorf("projection %q: %w", p.Name, err)
			}
			d.b = rest
		}
		if len(d.b) != 0 {
			return nil, fmt.Errorf("projection %q: %d bytes left over", p.Name, len(d.b))
		}
	}
	for _, g := range e.groups {
		d := top.section(secCons)
		if d.err != nil {
			return nil, fmt.Errorf("consolidation onto %q: %w", e.pops[g.pop].name, d.err)
		}
		if g.st == nil {
			return nil, fmt.Errorf("consolidation onto %q: the model %s does not support checkpoints", e.pops[g.pop].name, g.m.Name())
		}
		rest, err := g.st.RestoreState(d.b)
		if err != nil {
			return nil, fmt.Errorf("consolidation onto %q: %w", e.pops[g.pop].name, err)
		}
		if len(rest) != 0 {
			return nil, fmt.Errorf("consolidation onto %q: %d bytes left over", e.pops[g.pop].name, len(rest))
		}
	}
	if e.rec != nil {
		for _, pr := range e.rec.probes {
			d := top.section(secProbe)
			pr.wi = int(d.uvarint())
			pr.t = snnsim.Time(d.varint())
			o := d.bytes(1)
			pr.count0 = d.varint()
			if d.err != nil || pr.wi > len(pr.Windows) {
				return nil, fmt.Errorf("recording positions: %v", d.err)
			}
			pr.open = o[0] == 1
		}
		e.rec.next = snnsim.Never
		for _, pr := range e.rec.probes {
			e.rec.next = min(e.rec.next, pr.due())
		}
	}
	if top.err != nil {
		return nil, top.err
	}
	return top.b, nil
}
