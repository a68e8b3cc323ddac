package spikelog

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// event is a Spikes, Mark, Declare or Sample call, in the order made.
type event struct {
	rec  *record
	mark *Mark
	decl *Series
	smp  *Sample
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
		switch {
		case e.rec != nil:
			err = w.Spikes(e.rec.T, e.rec.IDs)
		case e.mark != nil:
			err = w.Mark(e.mark.T, e.mark.Text)
		case e.decl != nil:
			var id int
			if id, err = w.Declare(*e.decl); err == nil && id != e.decl.ID {
				err = fmt.Errorf("Declare %q returned ID %d, the test expects %d", e.decl.Name, id, e.decl.ID)
			}
		default:
			err = w.Sample(e.smp.Series, e.smp.T, e.smp.Values)
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

// readSamples drains r's samples, copying them.
func readSamples(r *Reader) ([]Sample, error) {
	var out []Sample
	for r.NextSample() {
		s := r.Sample()
		s.Values = slices.Clone(s.Values)
		out = append(out, s)
	}
	return out, r.Err()
}

// sameSamples compares samples bit for bit (NaN payloads included), in
// order within each series; series may interleave differently.
func sameSamples(got, want []Sample) bool {
	if len(got) != len(want) {
		return false
	}
	bySeries := func(s []Sample) map[int][]Sample {
		m := map[int][]Sample{}
		for _, x := range s {
			m[x.Series] = append(m[x.Series], x)
		}
		return m
	}
	g, w := bySeries(got), bySeries(want)
	for id, ws := range w {
		gs := g[id]
		if len(gs) != len(ws) {
			return false
		}
		for k := range ws {
			if gs[k].T != ws[k].T || len(gs[k].Values) != len(ws[k].Values) {
				return false
			}
			for j := range ws[k].Values {
				if math.Float64bits(gs[k].Values[j]) != math.Float64bits(ws[k].Values[j]) {
					return false
				}
			}
		}
	}
	return true
}

// eventRecords returns the spike records of events in call order.
func eventRecords(ev []event) []record {
	var out []record
	for _, e := range ev {
		if e.rec != nil {
			out = append(out, *e.rec)
		}
	}
	return out
}

// writtenSamples returns the samples of events in call order.
func writtenSamples(ev []event) []Sample {
	var out []Sample
	for _, e := range ev {
		if e.smp != nil {
			out = append(out, *e.smp)
		}
	}
	return out
}

// sampledEvents is a stream of every kind of call: the spikes of
// cubaStream(seed, ticks), a membrane potential series of five E neurons
// (with a constant one, NaN and infinities), a population rate, a weight
// series of a projection wide enough to be split over blocks of blockSize,
// and marks. The values use integer draws only, so the stream is the same
// on every platform.
func sampledEvents(seed uint64, ticks int, wide int) []event {
	recs := cubaStream(seed, ticks)
	decls := []Series{
		{ID: 0, Name: "v/E", What: "v", Unit: "mV", Population: "E", Interval: 10, Indices: []int{0, 1, 2, 3, 3199}},
		{ID: 1, Name: "rate/I", What: "rate", Unit: "Hz", Population: "I", Interval: 20},
		{ID: 2, Name: "weight/E_to_E", What: "weight", Unit: "mV", Projection: "E_to_E", Interval: 50, Indices: wideIndices(wide)},
	}
	rng := rand.New(rand.NewPCG(seed, 77))
	ms := []Mark{{0, "run start"}, {snnsim.Time(ticks / 2), "stimulus"}}
	ev := []event{{mark: &ms[0]}, {decl: &decls[0]}, {decl: &decls[1]}}
	k := 0
	for t := snnsim.Time(0); t < snnsim.Time(ticks); t++ {
		for k < len(recs) && recs[k].T == t {
			ev = append(ev, event{rec: &recs[k]})
			k++
		}
		if t == snnsim.Time(ticks/2) {
			ev = append(ev, event{mark: &ms[1]})
		}
		if t == 5 {
			ev = append(ev, event{decl: &decls[2]})
		}
		if t%10 == 0 {
			v := []float64{-65 + float64(rng.IntN(1000))/100, -65, math.NaN(), math.Inf(1), -float64(rng.IntN(1<<20)) / 1024}
			if t%30 == 0 {
				v[3] = math.Inf(-1)
			}
			ev = append(ev, event{smp: &Sample{0, t, v}})
		}
		if t%20 == 19 {
			ev = append(ev, event{smp: &Sample{1, t - 19, []float64{float64(rng.IntN(400)) / 8}}})
		}
		if t%50 == 10 {
			v := make([]float64, max(wide, 1))
			for j := range v {
				v[j] = float64(rng.IntN(1<<10)) / 512
			}
			ev = append(ev, event{smp: &Sample{2, t, v}})
		}
	}
	return ev
}

// wideIndices returns n indices with gaps and runs; nil for n == 0.
func wideIndices(n int) []int {
	if n == 0 {
		return nil
	}
	out := make([]int, n)
	x := 0
	for i := range out {
		out[i] = x
		x++
		if i%7 == 6 {
			x += i % 5 // a gap now and then
		}
	}
	return out
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

// testEncoder is shared by the tests' hand-made blocks: making a zstd
// encoder costs far more than using one, which slowed fuzzing.
var testEncoder = sync.OnceValue(func() *zstd.Encoder {
	z, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	return z
})

// zstdFrame compresses raw into one zstd frame.
func zstdFrame(raw []byte) []byte {
	return testEncoder().EncodeAll(raw, nil)
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
// tick per line, the marks, the series and their samples (one per line,
// floats in the shortest form that reads back exactly), and how the log
// ended. It reads data twice: once for spikes, once for samples.
func dump(tb testing.TB, data []byte) string {
	tb.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
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
	rs, err := NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	for rs.NextSample() {
		s := rs.Sample()
		var l strings.Builder
		fmt.Fprintf(&l, "sample %d tick %d:", s.Series, s.T)
		for _, v := range s.Values {
			l.WriteByte(' ')
			l.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		lines = append(lines, l.String())
	}
	for _, s := range rs.Series() {
		fmt.Fprintf(&b, "series %d %q: what %q unit %q population %q projection %q interval %d indices %v\n",
			s.ID, s.Name, s.What, s.Unit, s.Population, s.Projection, s.Interval, s.Indices)
	}
	slices.SortStableFunc(lines, func(a, b string) int { // by series, then file order (= tick order)
		return strings.Compare(a[:strings.Index(a, " tick")], b[:strings.Index(b, " tick")])
	})
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if (rs.Err() == nil) != (r.Err() == nil) {
		fmt.Fprintf(&b, "samples pass error: %v\n", rs.Err())
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
