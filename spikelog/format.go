package spikelog

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/snnsim/snnsim"
)

// Layout constants. FORMAT.md describes every byte; the names here are the
// ones it uses.
const (
	// Magic opens every log file.
	Magic = "SNNSLOG\x00"

	// Version is the format version this package writes and reads. It
	// changes only for changes that old readers cannot skip; new record
	// kinds and new header keys keep the version (see FORMAT.md).
	Version uint16 = 1

	// MaxBlockLen bounds the raw and the compressed length of one block.
	// Writers stay below it; readers treat a larger length as damage, so a
	// flipped length bit cannot make them allocate gigabytes.
	MaxBlockLen = 1 << 22

	// MaxHeaderLen bounds the header payload (it holds the scenario text).
	MaxHeaderLen = 1 << 26

	// MaxMarkLen bounds the text of one mark, in bytes.
	MaxMarkLen = 4096

	// MaxSeriesWidth bounds the number of values in one sample of a series
	// (the number of neurons or synapses it samples). A sample wider than a
	// block is split over several blocks.
	MaxSeriesWidth = 1 << 24

	// maxSeriesText bounds the name, what and unit of a series, in bytes.
	maxSeriesText = 1024

	headerFixedLen = len(Magic) + 2 + 4 + 4 // magic, version, length, CRC
	blockHeadMax   = 1 + 2*binary.MaxVarintLen64 + 4

	// maxRecordSpikes bounds the spikes of one record. The writer splits a
	// larger tick into several records in consecutive blocks, so that a
	// block's raw length stays far below MaxBlockLen whatever the network size.
	maxRecordSpikes = 1 << 16
)

// Sentinel errors. Damage found while reading is reported as a
// [*CorruptError] that wraps one of these or a description.
var (
	// ErrMagic means the input does not start with [Magic]: it is not a
	// spike log.
	ErrMagic = errors.New("spikelog: not a spike log (bad magic bytes)")
	// ErrVersion means the log was written in a format version this
	// package cannot read.
	ErrVersion = errors.New("spikelog: unsupported format version")
	// ErrChecksum means a header or block does not match its CRC-32C.
	ErrChecksum = errors.New("spikelog: checksum mismatch")
	// ErrClosed is returned by Writer methods called after Close, and by
	// a Reader used after Close.
	ErrClosed = errors.New("spikelog: used after Close")
)

// CorruptError reports damage in a log: a checksum mismatch, a block cut
// short, or bytes that do not decode. Every block before Offset is intact
// and has been returned.
type CorruptError struct {
	Offset int64 // byte offset of the start of the damaged header or block
	Err    error // what is wrong; errors.Is(err, ErrChecksum) or io.ErrUnexpectedEOF work through it
}

// Error describes the damage and where it is.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("spikelog: log damaged at byte %d: %s (every block before this offset is intact)",
		e.Offset, strings.ReplaceAll(e.Err.Error(), "spikelog: ", ""))
}

// Unwrap returns e.Err.
func (e *CorruptError) Unwrap() error { return e.Err }

// Kind is the type byte of a block. New kinds get new values; the layout of
// an existing kind never changes, and readers skip kinds they do not know.
type Kind uint8

// Block kinds; 0 is never written. Every sampled quantity (membrane
// potentials, population rates, synaptic weights and consolidation
// variables) is a series: declared once by a KindSeries block, then
// sampled in KindSamples blocks.
const (
	KindSpikes  Kind = 1   // spike records for consecutive ticks
	KindMark    Kind = 2   // marks: a tick and a short text
	KindSeries  Kind = 3   // a series declaration: what is sampled, its unit and indices
	KindSamples Kind = 4   // samples of one series: ticks and float64 values
	KindEnd     Kind = 255 // the end block written by Close, with totals
)

// String returns the kind's name, or "kind N" for a kind this package does
// not know.
func (k Kind) String() string {
	switch k {
	case KindSpikes:
		return "spikes"
	case KindMark:
		return "mark"
	case KindSeries:
		return "series"
	case KindSamples:
		return "samples"
	case KindEnd:
		return "end"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

// PopulationKind says whether a population holds model neurons or spike
// sources.
type PopulationKind string

// Population kinds.
const (
	Neuron PopulationKind = "neuron" // neurons of a model (package neuron)
	Source PopulationKind = "source" // spike sources (package source)
)

// Population is one row of the header's population table: the range of
// global IDs [First, First+Size) that one population occupies.
type Population struct {
	Name  string
	First snnsim.NeuronID // global ID of member 0
	Size  int             // number of members
	Kind  PopulationKind
	// NotRecorded says that the run did not record this population's
	// spikes, so their absence from the log means nothing. Logs written
	// before the field existed read as recorded.
	NotRecorded bool
}

// End returns the first global ID after the population.
func (p Population) End() snnsim.NeuronID { return p.First + snnsim.NeuronID(p.Size) }

// Header is the self-description at the start of a log: which program ran
// which scenario at which resolution with which seed, and how global neuron
// IDs map to populations. A log's spike times are ticks of DT.
type Header struct {
	Program     string       // program name and version that wrote the log, e.g. "snnsim v0.1.0"
	DT          float64      // resolution: the length of one tick [ms]
	Seed        uint64       // master seed of the run
	Scenario    string       // scenario name
	File        string       // scenario file path, "" when built in code
	Text        string       // full scenario file text
	Populations []Population // in declaration order
	// Parent is the checkpoint that the run continued, for a run branched
	// from a saved state (snnsim run --from); nil for a run from tick 0.
	Parent *Parent
	// Groups are the scenario's named groups of neurons ([[group]]
	// tables), resolved to member indices, so that analyses find an
	// assembly or a cue by name; nil when the scenario has none.
	Groups []Group
}

// Parent names the checkpoint a branched run started from: the file as
// given, its SHA-256 (of the whole file, in hex) and the tick it was
// written at, where the branch's own simulation starts.
type Parent struct {
	Checkpoint string
	SHA256     string
	Tick       snnsim.Time
}

// Group is a named set of neurons of one population: Neurons are indices
// within Population (0 is its first member), in the scenario's order.
type Group struct {
	Name       string
	Population string
	Neurons    []int
}

// Group returns the group called name.
func (h Header) Group(name string) (Group, bool) {
	for _, g := range h.Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// Clock returns the clock that converts the log's ticks to milliseconds.
func (h Header) Clock() snnsim.Clock { return snnsim.Clock{DT: h.DT} }

// Population returns the population called name.
func (h Header) Population(name string) (Population, bool) {
	for _, p := range h.Populations {
		if p.Name == name {
			return p, true
		}
	}
	return Population{}, false
}

// Validate reports the first field that cannot be written: DT must be
// finite and > 0, strings must be valid UTF-8 (the header is JSON), and
// every population needs a kind and an ID range inside the NeuronID range.
func (h Header) Validate() error {
	if !(h.DT > 0) || math.IsInf(h.DT, 0) {
		return fmt.Errorf("spikelog: Header.DT = %g ms: must be finite and > 0", h.DT)
	}
	for _, f := range [...]struct{ name, s string }{{"Program", h.Program}, {"Scenario", h.Scenario}, {"File", h.File}, {"Text", h.Text}} {
		if !utf8.ValidString(f.s) {
			return fmt.Errorf("spikelog: Header.%s is not valid UTF-8: the header is stored as JSON", f.name)
		}
	}
	for i, p := range h.Populations {
		switch {
		case !utf8.ValidString(p.Name):
			return fmt.Errorf("spikelog: Header.Populations[%d].Name is not valid UTF-8", i)
		case p.Kind != Neuron && p.Kind != Source:
			return fmt.Errorf("spikelog: Header.Populations[%d] (%q): Kind = %q: must be %q or %q", i, p.Name, p.Kind, Neuron, Source)
		case p.First < 0 || p.Size < 0 || int64(p.First)+int64(p.Size) > math.MaxInt32+1:
			return fmt.Errorf("spikelog: Header.Populations[%d] (%q): IDs [%d, %d) must lie in [0, 2^31)", i, p.Name, p.First, int64(p.First)+int64(p.Size))
		}
	}
	if p := h.Parent; p != nil && !utf8.ValidString(p.Checkpoint+p.SHA256) {
		return fmt.Errorf("spikelog: Header.Parent is not valid UTF-8: the header is stored as JSON")
	}
	for i, g := range h.Groups {
		if !utf8.ValidString(g.Name) || !utf8.ValidString(g.Population) {
			return fmt.Errorf("spikelog: Header.Groups[%d] is not valid UTF-8", i)
		}
	}
	return nil
}

// idLimit returns the first ID past the population table, or the end of the
// NeuronID range when the table is empty.
func (h Header) idLimit() int64 {
	if len(h.Populations) == 0 {
		return math.MaxInt32 + 1
	}
	var end int64
	for _, p := range h.Populations {
		end = max(end, int64(p.First)+int64(p.Size))
	}
	return end
}

// headerJSON is the header payload. Keys are part of the format: new keys
// may be added, old ones never change meaning, and readers ignore keys they
// do not know.
type headerJSON struct {
	Program     string           `json:"program"`
	DTms        float64          `json:"dt_ms"`
	Seed        uint64           `json:"seed"`
	Scenario    string           `json:"scenario"`
	File        string           `json:"file"`
	Text        string           `json:"text"`
	Populations []populationJSON `json:"populations"`
	Parent      *parentJSON      `json:"parent,omitempty"`
	Groups      []groupJSON      `json:"groups,omitempty"`
}

type parentJSON struct {
	Checkpoint string `json:"checkpoint"`
	SHA256     string `json:"sha256"`
	Tick       int64  `json:"tick"`
}

type groupJSON struct {
	Name       string `json:"name"`
	Population string `json:"population"`
	Neurons    []int  `json:"neurons"`
}

type populationJSON struct {
	Name        string `json:"name"`
	First       int32  `json:"first"`
	Size        int    `json:"size"`
	Kind        string `json:"kind"`
	NotRecorded bool   `json:"not_recorded,omitempty"`
}

// appendHeader appends the file header (magic to payload) to dst.
func appendHeader(dst []byte, h Header) ([]byte, error) {
	hj := headerJSON{Program: h.Program, DTms: h.DT, Seed: h.Seed, Scenario: h.Scenario,
		File: h.File, Text: h.Text, Populations: []populationJSON{}}
	for _, p := range h.Populations {
		hj.Populations = append(hj.Populations, populationJSON{p.Name, int32(p.First), p.Size, string(p.Kind), p.NotRecorded})
	}
	if p := h.Parent; p != nil {
		hj.Parent = &parentJSON{Checkpoint: p.Checkpoint, SHA256: p.SHA256, Tick: int64(p.Tick)}
	}
	for _, g := range h.Groups {
		hj.Groups = append(hj.Groups, groupJSON{Name: g.Name, Population: g.Population, Neurons: g.Neurons})
	}
	payload, err := json.Marshal(hj)
	if err != nil {
		return dst, fmt.Errorf("spikelog: encoding header: %w", err)
	}
	if len(payload) > MaxHeaderLen {
		return dst, fmt.Errorf("spikelog: header is %d bytes: must be at most %d (is the scenario text that long?)", len(payload), MaxHeaderLen)
	}
	dst = append(dst, Magic...)
	dst = binary.LittleEndian.AppendUint16(dst, Version)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	crc := crc32.Update(0, castagnoli, dst[len(dst)-6:])
	crc = crc32.Update(crc, castagnoli, payload)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, payload...), nil
}

// parseHeaderPayload decodes the JSON payload of the file header.
func parseHeaderPayload(payload []byte) (Header, error) {
	var hj headerJSON
	if err := json.Unmarshal(payload, &hj); err != nil {
		return Header{}, err
	}
	h := Header{Program: hj.Program, DT: hj.DTms, Seed: hj.Seed, Scenario: hj.Scenario, File: hj.File, Text: hj.Text}
	for _, p := range hj.Populations {
		h.Populations = append(h.Populations, Population{p.Name, snnsim.NeuronID(p.First), p.Size, PopulationKind(p.Kind), p.NotRecorded})
	}
	if p := hj.Parent; p != nil {
		h.Parent = &Parent{Checkpoint: p.Checkpoint, SHA256: p.SHA256, Tick: snnsim.Time(p.Tick)}
	}
	for _, g := range hj.Groups {
		h.Groups = append(h.Groups, Group{Name: g.Name, Population: g.Population, Neurons: g.Neurons})
	}
	return h, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// uvarint decodes a uvarint from b at i. It returns ok == false, without
// panicking, when b ends inside the number or the number overflows 64 bits.
// Hot loops test for the common one-byte case before calling it.
func uvarint(b []byte, i int) (v uint64, next int, ok bool) {
	var s uint
	for j := 0; j < binary.MaxVarintLen64; j++ {
		if i >= len(b) {
			return 0, i, false
		}
		c := b[i]
		i++
		if c < 0x80 {
			if j == binary.MaxVarintLen64-1 && c > 1 {
				return 0, i, false
			}
			return v | uint64(c)<<s, i, true
		}
		v |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, i, false
}
