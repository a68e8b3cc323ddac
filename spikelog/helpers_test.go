package spikelog

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snnsim/snnsim"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata (never overwrites a frozen input log)")

// record is one Spikes call.
type record struct {
	T   snnsim.Time
	IDs []snnsim.NeuronID
}

// cubaStream returns a synthetic stream shaped like the CUBA benchmark of
// Brette et al. (2007), J Comput Neurosci 23:349, as Auryn and Brian2 run it:
// 4000 neurons firing independently at 5.5 Hz (about 22 spikes/ms in all),
// on a 0.1 ms grid, for the given number of ticks. Each (neuron, tick) is a
// Bernoulli trial with p = 5.5 Hz * 0.1 ms, drawn by geometric gaps over the
// flattened tick-major index, so the stream is exactly that process. Only
// ticks with spikes appear, as the engine calls Spikes.
func cubaStream(seed uint64, ticks int) []record {
	const (
		neurons = 4000
		rateHz  = 5.5
		dtMs    = 0.1
	)
	p := rateHz * dtMs / 1000
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	logq := math.Log1p(-p)
	var out []record
	pos := int64(-1)
	for {
		pos += int64(math.Floor(math.Log(1-rng.Float64())/logq)) + 1
		t, id := snnsim.Time(pos/neurons), snnsim.NeuronID(pos%neurons)
		if t >= snnsim.Time(ticks) {
			return out
		}
		if len(out) == 0 || out[len(out)-1].T != t {
			out = append(out, record{T: t})
		}
		last := &out[len(out)-1]
		last.IDs = append(last.IDs, id)
	}
}

func countSpikes(recs []record) int {
	n := 0
	for _, r := range recs {
		n += len(r.IDs)
	}
	return n
}

func flatten(recs []record) []Spike {
	var out []Spike
	for _, r := range recs {
		for _, id := range r.IDs {
			out = append(out, Spike{r.T, id})
		}
	}
	return out
}

func testHeader() Header {
	return Header{
		Program:  "snnsim test",
		DT:       0.1,
		Seed:     42,
		Scenario: "cuba",
		File:     "scenarios/cuba.toml",
		Text:     "[simulation]\nduration = \"1 s\"\nresolution = \"0.1 ms\"\nseed = 42\n",
		Populations: []Population{
			{Name: "E", First: 0, Size: 3200, Kind: Neuron},
			{Name: "I", First: 3200, Size: 800, Kind: Neuron},
		},
	}
}

// event is a Spikes call or a Mark call, in the order made.
type event struct {
	rec  *record
	mark *Mark
}

// writeLog writes events through a Writer into memory and closes it
// unless open is set.
func writeLog(tb testing.TB, h Header, opts Options, events []event, open bool) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, h, opts)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range events {
		if e.rec != nil {
			err = w.Spikes(e.rec.T, e.rec.IDs)
		} else {
			err = w.Mark(e.mark.T, e.mark.Text)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if open {
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
	} else if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

func spikeEvents(recs []record) []event {
	ev := make([]event, len(recs))
	for i := range recs {
		ev[i].rec = &recs[i]
	}
	return ev
}

// readAll drains r.
func readAll(r *Reader) ([]Spike, error) {
	var out []Spike
	for r.Next() {
		out = append(out, r.Spike())
	}
	return out, r.Err()
}

// blockStarts walks the block framing of a log (trusting it) and returns
// the offset of every block and the end offset of the data.
func blockStarts(tb testing.TB, data []byte) []int64 {
	tb.Helper()
	off := headerFixedLen + int(binary.LittleEndian.Uint32(data[10:]))
	starts := []int64{}
	for off < len(data) {
		starts = append(starts, int64(off))
		i := off + 1
		_, n := binary.Uvarint(data[i:])
		i += n
		comp, n := binary.Uvarint(data[i:])
		i += n + 4 + int(comp)
		off = i
	}
	if off != len(data) {
		tb.Fatalf("block walk ended at %d of %d", off, len(data))
	}
	return starts
}

// zstdFrame compresses raw into one zstd frame.
func zstdFrame(raw []byte) []byte {
	z, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	return z.EncodeAll(raw, nil)
}

// frameBlock builds a block of any kind around raw, as a later writer would.
func frameBlock(kind Kind, raw []byte) []byte {
	comp := zstdFrame(raw)
	h := []byte{byte(kind)}
	h = binary.AppendUvarint(h, uint64(len(raw)))
	h = binary.AppendUvarint(h, uint64(len(comp)))
	crc := crc32.Update(crc32.Update(0, castagnoli, h), castagnoli, comp)
	h = binary.LittleEndian.AppendUint32(h, crc)
	return append(h, comp...)
}

// dump renders a whole log as diffable text: the header, the spikes one
// tick per line, the marks, and how the log ended.
func dump(r *Reader) string {
	var b strings.Builder
	h := r.Header()
	fmt.Fprintf(&b, "format version %d\n", r.Version())
	fmt.Fprintf(&b, "program  %q\ndt       %v ms\nseed     %d\nscenario %q\nfile     %q\n", h.Program, h.DT, h.Seed, h.Scenario, h.File)
	fmt.Fprintf(&b, "text     %q\n", h.Text)
	for _, p := range h.Populations {
		fmt.Fprintf(&b, "population %-4s %-6s ids [%d, %d)\n", p.Name, p.Kind, p.First, p.End())
	}
	line := snnsim.Time(-1)
	for r.Next() {
		s := r.Spike()
		if s.T != line {
			if line >= 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "tick %d:", s.T)
			line = s.T
		}
		fmt.Fprintf(&b, " %d", s.ID)
	}
	if line >= 0 {
		b.WriteByte('\n')
	}
	for _, m := range r.Marks() {
		fmt.Fprintf(&b, "mark tick %d: %q\n", m.T, m.Text)
	}
	switch {
	case r.Err() != nil:
		fmt.Fprintf(&b, "error: %v\n", r.Err())
	case r.Complete():
		b.WriteString("end: complete\n")
	default:
		b.WriteString("end: incomplete (no end block)\n")
	}
	return b.String()
}
