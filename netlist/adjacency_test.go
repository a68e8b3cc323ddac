package netlist

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestReadAdjacencyHandWritten reads small matrices written by hand in the
// spellings the authors' tools produce: the stand-alone's "0 1 " with a
// trailing blank, numpy.savetxt's "0 1" without it, CRLF line ends and blank
// lines, which the stand-alone reader skips.
func TestReadAdjacencyHandWritten(t *testing.T) {
	want := Rows{RowStart: []int64{0, 2, 2, 3}, Target: []int32{1, 2, 0}} // 0->1, 0->2, 2->0
	for _, tc := range []struct{ name, text string }{
		{"stand-alone", "0 1 1 \n0 0 0 \n1 0 0 \n"},
		{"numpy", "0 1 1\n0 0 0\n1 0 0"},
		{"crlf and blank lines", "\r\n0 1 1\r\n\r\n0\t0\t0\r\n1 0 0\r\n\n"},
		{"no separators", "011\n000\n100\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, rows, err := ReadAdjacency(strings.NewReader(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 || !slices.Equal(rows.RowStart, want.RowStart) || !slices.Equal(rows.Target, want.Target) {
				t.Errorf("got n=%d %+v, want 3 %+v", n, rows, want)
			}
		})
	}
}

// TestWriteAdjacencyFormat checks the bytes against the stand-alone's
// printConnections output for the same matrix: "1 " or "0 " per entry, a
// newline per row.
func TestWriteAdjacencyFormat(t *testing.T) {
	rows := Rows{RowStart: []int64{0, 2, 2, 3}, Target: []int32{1, 2, 0}}
	var b bytes.Buffer
	if err := WriteAdjacency(&b, 3, rows); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "0 1 1 \n0 0 0 \n1 0 0 \n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := WriteAdjacency(&b, 2, rows); err == nil {
		t.Error("3 rows written as a 2×2 matrix")
	}
	if err := WriteAdjacency(&b, 3, Rows{RowStart: []int64{0, 1, 1, 1}, Target: []int32{3}}); err == nil {
		t.Error("target 3 written into a 3×3 matrix")
	}
}

// TestAdjacencyRoundTrip writes a random network of the authors' size
// (2000 neurons, p = 0.1, no autapses) and reads it back unchanged.
func TestAdjacencyRoundTrip(t *testing.T) {
	const n = 2000
	r := snnsim.NewRand(7, "test/adjacency")
	rows, err := FixedProbability(r, n, n, 0.1, ConnectOptions{NoAutapses: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteAdjacency(&b, n, rows); err != nil {
		t.Fatal(err)
	}
	if b.Len() != n*(2*n+1) {
		t.Fatalf("file of %d bytes, want %d", b.Len(), n*(2*n+1))
	}
	gotN, got, err := ReadAdjacency(&b)
	if err != nil {
		t.Fatal(err)
	}
	if gotN != n || !slices.Equal(got.RowStart, rows.RowStart) || !slices.Equal(got.Target, rows.Target) {
		t.Fatalf("round trip changed the matrix: %d synapses read, %d written", got.Len(), rows.Len())
	}
}

// TestReadAdjacencyRefuses lists defects with the line (and column) the
// error must name.
func TestReadAdjacencyRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, text   string
		line, column int
		msg          string
	}{
		{"short row", "0 1 0\n0 0\n1 0 0\n", 2, 0, "row 1 has 2 entries, but the first row (line 1) has 3"},
		{"long row after blank line", "0 1\n\n1 0 1\n", 3, 0, "has 3 entries"},
		{"digit 2", "0 1\n1 2\n", 2, 3, `'2' is not an entry`},
		{"decimal", "0 1.0\n1 0\n", 1, 4, `'.' is not an entry`},
		{"bracket format", "[[0 1]\n[1 0]]\n", 1, 1, `'[' is not an entry`},
		{"too few rows", "0 1 1\n0 0 0\n", 2, 0, "ends after 2 rows"},
		{"too many rows", "0 1\n1 0\n0 0\n", 3, 0, "one too many"},
		{"stray carriage return", "0 1\r0\n1 0\n", 1, 4, "carriage return"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadAdjacency(strings.NewReader(tc.text))
			var ae *AdjacencyError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *AdjacencyError", err)
			}
			if ae.Line != tc.line || ae.Column != tc.column || !strings.Contains(ae.Msg, tc.msg) {
				t.Errorf("got %q (line %d, column %d), want line %d, column %d, %q", err, ae.Line, ae.Column, tc.line, tc.column, tc.msg)
			}
		})
	}
	if _, _, err := ReadAdjacency(strings.NewReader("\n \n")); err == nil {
		t.Error("a file without rows was read")
	}
}

// TestRowsBlock cuts the four projections of a 2 E + 1 I network out of
// one matrix.
func TestRowsBlock(t *testing.T) {
	// E0->E1, E0->I2, E1->E0, I2->E0, I2->E1
	_, all, err := ReadAdjacency(strings.NewReader("0 1 1\n1 0 0\n1 1 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                   string
		fromLo, fromHi, lo, hi int
		want                   Rows
	}{
		{"EE", 0, 2, 0, 2, Rows{RowStart: []int64{0, 1, 2}, Target: []int32{1, 0}}},
		{"EI", 0, 2, 2, 3, Rows{RowStart: []int64{0, 1, 1}, Target: []int32{0}}},
		{"IE", 2, 3, 0, 2, Rows{RowStart: []int64{0, 2}, Target: []int32{0, 1}}},
		{"II", 2, 3, 2, 3, Rows{RowStart: []int64{0, 0}}},
	} {
		got, err := all.Block(tc.fromLo, tc.fromHi, tc.lo, tc.hi)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.RowStart, tc.want.RowStart) || !slices.Equal(got.Target, tc.want.Target) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if _, err := all.Block(0, 4, 0, 3); err == nil {
		t.Error("block beyond the rows accepted")
	}
}

// FuzzReadAdjacency checks that the reader never panics and that whatever
// it accepts is a square matrix that survives a write and a second read.
func FuzzReadAdjacency(f *testing.F) {
	for _, s := range []string{"0 1 \n1 0 \n", "1\n", "011\n000\n100", "0 1\n1 2\n", "\r\n0 1\r\n1 0\r\n", "0 1\r0\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, rows, err := ReadAdjacency(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(rows.RowStart) != n+1 {
			t.Fatalf("%d rows for n = %d", len(rows.RowStart)-1, n)
		}
		var b bytes.Buffer
		if err := WriteAdjacency(&b, n, rows); err != nil {
			t.Fatal(err)
		}
		n2, rows2, err := ReadAdjacency(&b)
		if err != nil || n2 != n || !slices.Equal(rows2.Target, rows.Target) || !slices.Equal(rows2.RowStart, rows.RowStart) {
			t.Fatalf("rewrite changed the matrix: %v", err)
		}
	})
}
