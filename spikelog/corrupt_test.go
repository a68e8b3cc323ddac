package spikelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// smallLog is a log of several blocks of every kind the writer makes, of
// 64 raw bytes at most: marks, spikes, series declarations, samples of
// three series (one split over blocks), and the end block.
func smallLog(tb testing.TB) (data []byte, ev []event) {
	ev = sampledEvents(8, 120, 20)
	return writeLog(tb, testHeader(), Options{BlockSize: 64, FlushInterval: -1}, ev, false), ev
}

// spikeLog is a log of spikes and marks only: a mark, spike blocks of 64
// raw bytes, another mark, and the end block.
func spikeLog(tb testing.TB) (data []byte, recs []record) {
	recs = cubaStream(8, 120)
	ms := []Mark{{0, "run start"}, {60, "checkpoint"}}
	ev := []event{{mark: &ms[0]}}
	for i := range recs {
		ev = append(ev, event{rec: &recs[i]})
		if i == len(recs)/2 {
			ev = append(ev, event{mark: &ms[1]})
		}
	}
	return writeLog(tb, testHeader(), Options{BlockSize: 64, FlushInterval: -1}, ev, false), recs
}

// prefix is what a log cut at a block boundary holds.
type prefix struct {
	spikes  []Spike
	samples []Sample
}

// prefixes returns, for each block start, the spikes and samples read from
// the log cut there (which must read without error).
func prefixes(t *testing.T, data []byte, starts []int64) map[int64]prefix {
	out := make(map[int64]prefix)
	for _, s := range append(starts, int64(len(data))) {
		r, err := NewReader(bytes.NewReader(data[:s]))
		if err != nil {
			t.Fatalf("cut at block boundary %d: %v", s, err)
		}
		got, err := readAll(r)
		if err != nil {
			t.Fatalf("cut at block boundary %d: %v", s, err)
		}
		rs, _ := NewReader(bytes.NewReader(data[:s]))
		smp, err := readSamples(rs)
		if err != nil {
			t.Fatalf("cut at block boundary %d: samples: %v", s, err)
		}
		out[s] = prefix{got, smp}
	}
	return out
}

// readBoth reads the spikes and, through a second Reader, the samples of
// data. It returns the errors of both passes.
func readBoth(data []byte) (p prefix, err, serr error) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return p, err, err
	}
	p.spikes, err = readAll(r)
	rs, _ := NewReader(bytes.NewReader(data))
	p.samples, serr = readSamples(rs)
	return p, err, serr
}

// TestTruncate cuts a log at every byte offset. A cut inside the header
// fails NewReader; a cut at a block boundary reads cleanly as incomplete;
// any other cut yields every complete block, then a CorruptError whose
// offset is the start of the cut block.
func TestTruncate(t *testing.T) {
	data, ev := smallLog(t)
	starts := blockStarts(t, data)
	if len(starts) < 6 {
		t.Fatalf("only %d blocks: the test needs several", len(starts))
	}
	want := prefixes(t, data, starts)
	if whole := want[int64(len(data))]; !slices.Equal(whole.spikes, flatten(eventRecords(ev))) || !sameSamples(whole.samples, writtenSamples(ev)) {
		t.Fatal("whole log does not read back")
	}
	for cut := 0; cut <= len(data); cut++ {
		r, err := NewReader(bytes.NewReader(data[:cut]))
		if cut < int(starts[0]) {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset != 0 || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("cut %d in header: err = %v, want CorruptError at 0 wrapping ErrUnexpectedEOF", cut, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut %d: NewReader: %v", cut, err)
		}
		var got prefix
		got.spikes, err = readAll(r)
		rs, _ := NewReader(bytes.NewReader(data[:cut]))
		var serr error
		got.samples, serr = readSamples(rs)
		i, _ := slices.BinarySearch(starts, int64(cut)+1)
		block := starts[i-1] // the block the cut falls in, or starts at
		switch {
		case cut == len(data):
			if err != nil || !r.Complete() {
				t.Fatalf("whole log: err %v, complete %v", err, r.Complete())
			}
		case int64(cut) == block:
			if err != nil || r.Complete() {
				t.Fatalf("cut %d at a block boundary: err %v, complete %v; want nil, false", cut, err, r.Complete())
			}
		default:
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset != block || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("cut %d inside block at %d: err = %v", cut, block, err)
			}
		}
		if w := want[block]; !slices.Equal(got.spikes, w.spikes) || !sameSamples(got.samples, w.samples) {
			t.Fatalf("cut %d: got %d spikes and %d samples, want the %d and %d of the complete blocks", cut, len(got.spikes), len(got.samples), len(w.spikes), len(w.samples))
		}
		if (serr == nil) != (err == nil) {
			t.Fatalf("cut %d: Next err %v, NextSample err %v", cut, err, serr)
		}
		// Stats agrees on where the damage is.
		r2, _ := NewReader(bytes.NewReader(data[:cut]))
		st, serr := r2.Stats()
		if (serr == nil) != (err == nil) || st.Complete != (cut == len(data)) {
			t.Fatalf("cut %d: Stats err %v complete %v; Next err %v", cut, serr, st.Complete, err)
		}
	}
}

// TestBitFlip flips every bit of a small log in turn. Each flip must be
// detected: in the header by NewReader, in a block as a CorruptError naming
// that block, after every spike and sample of the blocks before it, by Next
// and by NextSample alike.
func TestBitFlip(t *testing.T) {
	data, _ := smallLog(t)
	starts := blockStarts(t, data)
	want := prefixes(t, data, starts)
	buf := make([]byte, len(data))
	for bit := 0; bit < 8*len(data); bit++ {
		copy(buf, data)
		buf[bit/8] ^= 1 << (bit % 8)
		pos := int64(bit / 8)
		_, err := NewReader(bytes.NewReader(buf))
		if pos < starts[0] {
			var ce *CorruptError
			switch {
			case pos < 8 && errors.Is(err, ErrMagic):
			case pos >= 8 && pos < 10 && errors.Is(err, ErrVersion):
			case errors.As(err, &ce) && ce.Offset == 0:
			default:
				t.Fatalf("flip of bit %d (header byte %d): NewReader err = %v", bit, pos, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("flip of bit %d: NewReader: %v", bit, err)
		}
		got, err, serr := readBoth(buf)
		i, _ := slices.BinarySearch(starts, pos+1)
		block := starts[i-1]
		var ce, sce *CorruptError
		if !errors.As(err, &ce) || ce.Offset != block || !errors.As(serr, &sce) || sce.Offset != block {
			t.Fatalf("flip of bit %d (byte %d, block at %d): err = %v, samples err = %v", bit, pos, block, err, serr)
		}
		if w := want[block]; !slices.Equal(got.spikes, w.spikes) || !sameSamples(got.samples, w.samples) {
			t.Fatalf("flip of bit %d: got %d spikes and %d samples, want %d and %d", bit, len(got.spikes), len(got.samples), len(w.spikes), len(w.samples))
		}
	}
}

func TestDamage(t *testing.T) {
	data, recs := spikeLog(t)
	starts := blockStarts(t, data)
	for _, tc := range []struct {
		name   string
		data   []byte
		offset int64 // of the CorruptError; -1: another error
		is     error
		msg    string
	}{
		{"case=data-after-end", append(slices.Clone(data), 0), int64(len(data)), nil, "data after the end block"},
		{"case=block-removed", slices.Concat(data[:starts[3]], data[starts[4]:]), starts[len(starts)-1] - (starts[4] - starts[3]), nil, "blocks are missing"},
		{"case=block-repeated", slices.Concat(data[:starts[4]], data[starts[3]:]), starts[4], nil, "before the last tick"},
		{"case=kind-0", slices.Concat(data[:starts[2]], frameBlock(0, nil), data[starts[2]:]), starts[2], nil, "kind 0 is reserved"},
		{"case=huge-length", slices.Concat(data[:starts[2]], []byte{1, 0xff, 0xff, 0xff, 0x7f}), starts[2], nil, "exceeds"},
		{"case=zero-tail", slices.Concat(data[:starts[2]], make([]byte, 64)), starts[2], ErrChecksum, ""},
		{"case=garbage-payload", slices.Concat(data[:starts[2]], frameBlock(KindSpikes, []byte{5, 1, 1, 1, 0, 0, 0, 0})), starts[2], nil, "spike block"},
		{"case=garbage-marks", slices.Concat(data[:starts[2]], frameBlock(KindMark, []byte{1, 9, 'x'})), starts[2], nil, "mark block"},
		{"case=bad-end", slices.Concat(data[:starts[2]], frameBlock(KindEnd, []byte{0x80})), starts[2], nil, "end block"},
		{"case=not-zstd", slices.Concat(data[:starts[2]], rawBlock(KindSpikes, 4, []byte("abcd"))), starts[2], nil, "decompressing"},
		{"case=raw-length-lies", slices.Concat(data[:starts[2]], rawBlock(KindMark, 7, zstdFrame([]byte{1, 1, 'x'}))), starts[2], nil, "decompresses to 3 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset != tc.offset || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want a CorruptError at %d containing %q", err, tc.offset, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "spikelog: ") {
				t.Errorf("error lacks the package prefix: %v", err)
			}
			if len(got) > countSpikes(recs) {
				t.Errorf("%d spikes from a log of %d", len(got), countSpikes(recs))
			}
		})
	}
}

// rawBlock frames payload with the given raw length and a correct CRC,
// without compressing it.
func rawBlock(kind Kind, rawLen int, payload []byte) []byte {
	h := []byte{byte(kind)}
	h = binary.AppendUvarint(h, uint64(rawLen))
	h = binary.AppendUvarint(h, uint64(len(payload)))
	crc := crc32Update(h, payload)
	h = binary.LittleEndian.AppendUint32(h, crc)
	return append(h, payload...)
}

func TestHeaderErrors(t *testing.T) {
	data, _ := spikeLog(t)
	withVersion := slices.Clone(data)
	binary.LittleEndian.PutUint16(withVersion[8:], 2)
	hugeLen := slices.Clone(data)
	binary.LittleEndian.PutUint32(hugeLen[10:], MaxHeaderLen+1)
	badJSON := []byte(Magic)
	badJSON = binary.LittleEndian.AppendUint16(badJSON, Version)
	badJSON = binary.LittleEndian.AppendUint32(badJSON, 1)
	badJSON = binary.LittleEndian.AppendUint32(badJSON, crc32Update(badJSON[8:], []byte("{")))
	badJSON = append(badJSON, '{')
	badCRC := slices.Clone(data)
	badCRC[headerFixedLen+3] ^= 0x20
	for _, tc := range []struct {
		name string
		data []byte
		is   error
		msg  string
	}{
		{"case=empty", nil, io.ErrUnexpectedEOF, "inside the header"},
		{"case=not-a-log", []byte("PK\x03\x04 a zip file"), ErrMagic, "not a spike log"},
		{"case=short-not-a-log", []byte("SNX"), ErrMagic, ""},
		{"case=version", withVersion, ErrVersion, "version 2: this build reads version 1"},
		{"case=huge-header", hugeLen, nil, "header length"},
		{"case=bad-json", badJSON, nil, "header payload: unexpected end of JSON input"},
		{"case=bad-crc", badCRC, ErrChecksum, "damaged at byte 0: header: checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.data))
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.is, tc.msg)
			}
		})
	}
}

func crc32Update(a, b []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, a), castagnoli, b)
}

// TestAdversarialReaders reads logs through the testing/iotest readers that
// break assumptions of whole reads, and through failing readers.
func TestAdversarialReaders(t *testing.T) {
	data, ev := smallLog(t)
	all := flatten(eventRecords(ev))
	smp := writtenSamples(ev)
	for _, tc := range []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"reader=OneByte", iotest.OneByteReader},
		{"reader=Half", iotest.HalfReader},
		{"reader=DataErr", iotest.DataErrReader},
		{"reader=OneByte+DataErr", func(r io.Reader) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(r)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(tc.wrap(bytes.NewReader(data)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r)
			if err != nil || !slices.Equal(got, all) || !r.Complete() {
				t.Fatalf("got %d spikes, err %v, complete %v", len(got), err, r.Complete())
			}
			rs, err := NewReader(tc.wrap(bytes.NewReader(data)))
			if err != nil {
				t.Fatal(err)
			}
			gs, err := readSamples(rs)
			if err != nil || !sameSamples(gs, smp) || !rs.Complete() {
				t.Fatalf("got %d samples, err %v, complete %v", len(gs), err, rs.Complete())
			}
			// And truncated mid-block.
			cut := len(data) - 3
			r, _ = NewReader(tc.wrap(bytes.NewReader(data[:cut])))
			_, err = readAll(r)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("truncated: err = %v", err)
			}
		})
	}
	// A read error is passed on, not called damage.
	t.Run("reader=Timeout", func(t *testing.T) {
		r, err := NewReader(iotest.TimeoutReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err) // the first read fills the buffer with the header
		}
		_, err = readAll(r)
		var ce *CorruptError
		if !errors.Is(err, iotest.ErrTimeout) || errors.As(err, &ce) {
			t.Fatalf("err = %v, want ErrTimeout, not a CorruptError", err)
		}
	})
	t.Run("reader=Err", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := NewReader(iotest.ErrReader(boom))
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
	})
}
