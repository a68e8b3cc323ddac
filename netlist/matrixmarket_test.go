package netlist

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// TestReadMatrixMarketKnown reads small files written by hand in the forms
// Auryn and other tools write: real with comments and CRLF, integer,
// pattern, and a symmetric matrix whose off-diagonal entries stand for two
// synapses each.
func TestReadMatrixMarketKnown(t *testing.T) {
	cases := []struct {
		name, text string
		want       SparseMatrix
	}{
		{"real", "%%MatrixMarket matrix coordinate real general\r\n% written by hand\r\n3 4 3\r\n1 2 0.5\r\n\r\n3 4 1e-3\r\n1 1 2\r\n",
			SparseMatrix{NRows: 3, NCols: 4, Field: "real", Row: []int32{0, 2, 0}, Col: []int32{1, 3, 0}, Value: []float64{0.5, 1e-3, 2}}},
		{"integer", "%%MatrixMarket MATRIX Coordinate Integer General\n2 2 2\n2 1 -3\n1 2 7\n",
			SparseMatrix{NRows: 2, NCols: 2, Field: "integer", Row: []int32{1, 0}, Col: []int32{0, 1}, Value: []float64{-3, 7}}},
		{"pattern", "%%MatrixMarket matrix coordinate pattern general\n%\n2 3 2\n1 3\n2 1\n",
			SparseMatrix{NRows: 2, NCols: 3, Field: "pattern", Row: []int32{0, 1}, Col: []int32{2, 0}}},
		{"symmetric", "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 0.25\n3 3 1\n",
			SparseMatrix{NRows: 3, NCols: 3, Field: "real", Row: []int32{1, 0, 2}, Col: []int32{0, 1, 2}, Value: []float64{0.25, 0.25, 1}}},
		{"empty", "%%MatrixMarket matrix coordinate real general\n5 6 0\n",
			SparseMatrix{NRows: 5, NCols: 6, Field: "real", Row: []int32{}, Col: []int32{}, Value: []float64{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ReadMatrixMarket(strings.NewReader(c.text))
			if err != nil {
				t.Fatal(err)
			}
			if !sameMatrix(m, &c.want) {
				t.Errorf("got %+v, want %+v", *m, c.want)
			}
		})
	}
}

func sameMatrix(a, b *SparseMatrix) bool {
	return a.NRows == b.NRows && a.NCols == b.NCols && a.Field == b.Field &&
		slices.Equal(a.Row, b.Row) && slices.Equal(a.Col, b.Col) && slices.Equal(a.Value, b.Value)
}

// TestReadMatrixMarketErrors: each defect is reported at its line and,
// where one field is wrong, its column.
func TestReadMatrixMarketErrors(t *testing.T) {
	const h = "%%MatrixMarket matrix coordinate real general\n"
	cases := []struct {
		name, text string
		line, col  int
		substr     string
	}{
		{"no_banner", "3 3 1\n1 1 1\n", 1, 1, "banner"},
		{"array", "%%MatrixMarket matrix array real general\n", 1, 23, "coordinate format"},
		{"complex", "%%MatrixMarket matrix coordinate complex general\n", 1, 34, "real or integer or pattern"},
		{"hermitian", "%%MatrixMarket matrix coordinate real hermitian\n", 1, 39, "general or symmetric"},
		{"no_size", h + "% only comments\n", 2, 0, "size line"},
		{"bad_size", h + "3 x 1\n", 2, 3, "not a size"},
		{"row_range", h + "3 3 2\n1 1 1\n4 1 1\n", 4, 1, "row index"},
		{"column_zero", h + "3 3 1\n1 0 1\n", 3, 3, "column index"},
		{"value", h + "3 3 1\n1 1 abc\n", 3, 5, "finite real"},
		{"inf", h + "3 3 1\n1 1 Inf\n", 3, 5, "finite real"},
		{"integer_value", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 0.5\n", 3, 5, "finite integer"},
		{"missing_value", h + "3 3 1\n1 1\n", 3, 1, "2 fields"},
		{"extra_field", "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1\n", 3, 5, "3 fields"},
		{"too_many", h + "3 3 1\n1 1 1\n2 2 1\n", 4, 0, "one too many"},
		{"too_few", h + "3 3 3\n1 1 1\n2 2 1\n", 4, 0, "ends after 2 entries"},
		{"repeat", h + "3 3 3\n1 1 1\n2 2 1\n1 1 5\n", 5, 0, "repeats line 3"},
		{"upper", "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n1 2 1\n", 3, 0, "above the diagonal"},
		{"symmetric_rect", "%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n", 2, 0, "square"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadMatrixMarket(strings.NewReader(c.text))
			var me *MatrixMarketError
			if !errors.As(err, &me) || me.Line != c.line || me.Column != c.col || !strings.Contains(me.Msg, c.substr) {
				t.Fatalf("err = %v, want line %d, column %d: ...%s...", err, c.line, c.col, c.substr)
			}
		})
	}
}

// TestMatrixMarketRoundTrip writes a random projection of the size of the
// recurrent E→E matrix of Zenke et al. (2015) scaled down (800 neurons,
// p = 0.05) with random weights, reads it back, and gets the same synapses
// and weights, bit for bit; the pattern and integer fields too.
func TestMatrixMarketRoundTrip(t *testing.T) {
	r := snnsim.NewRand(3, "test/mtx")
	rows, err := FixedProbability(r, 800, 800, 0.05, ConnectOptions{NoAutapses: true})
	if err != nil {
		t.Fatal(err)
	}
	p := &Projection{Name: "EE", RowStart: rows.RowStart, Target: rows.Target, Weight: make([]float32, rows.Len())}
	for k := range p.Weight {
		p.Weight[k] = float32(r.ExpFloat64() * 0.1)
	}
	m, err := ProjectionMatrix(p, 800, 800)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"real", "integer", "pattern"} {
		t.Run("field="+field, func(t *testing.T) {
			w := *m
			w.Field = field
			switch field {
			case "integer":
				w.Value = make([]float64, len(m.Value))
				for k := range w.Value {
					w.Value[k] = float64(k%7 - 3)
				}
			case "pattern":
				w.Value = nil
			}
			var b bytes.Buffer
			if err := WriteMatrixMarket(&b, &w); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMatrixMarket(&b)
			if err != nil {
				t.Fatal(err)
			}
			if !sameMatrix(got, &w) {
				t.Fatalf("round trip changed the matrix (%d entries read, %d written)", len(got.Row), len(w.Row))
			}
			back, order, err := got.Connectivity()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(back.RowStart, rows.RowStart) || !slices.Equal(back.Target, rows.Target) {
				t.Fatal("connectivity of the matrix differs from the projection's")
			}
			if field == "real" {
				for k, e := range order {
					if float32(got.Value[e]) != p.Weight[k] {
						t.Fatalf("synapse %d: weight %v read back as %v", k, p.Weight[k], got.Value[e])
					}
				}
			}
		})
	}
}

// TestWriteMatrixMarketFormat checks the bytes of a small matrix.
func TestWriteMatrixMarketFormat(t *testing.T) {
	p := &Projection{RowStart: []int64{0, 2, 2}, Target: []int32{0, 2}, Weight: []float32{0.1, 2.5}}
	m, err := ProjectionMatrix(p, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteMatrixMarket(&b, m); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "%%MatrixMarket matrix coordinate real general\n2 3 2\n1 1 0.1\n1 3 2.5\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzReadMatrixMarket: the reader never panics, reports errors at lines
// >= 1, and what it accepts it writes and reads back unchanged.
func FuzzReadMatrixMarket(f *testing.F) {
	for _, s := range []string{
		"%%MatrixMarket matrix coordinate real general\n3 4 2\n1 2 0.5\n3 4 1e-3\n",
		"%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n3 3\n",
		"%%MatrixMarket matrix coordinate integer general\n% c\n1 1 1\n1 1 -4\n",
		"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n1 1 1\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ReadMatrixMarket(strings.NewReader(text))
		if err != nil {
			var me *MatrixMarketError
			if errors.As(err, &me) && me.Line < 1 {
				t.Fatalf("error at line %d: %v", me.Line, err)
			}
			return
		}
		var b bytes.Buffer
		if err := WriteMatrixMarket(&b, m); err != nil {
			t.Fatal(err)
		}
		got, err := ReadMatrixMarket(&b)
		if err != nil {
			t.Fatalf("reading back %q: %v", b.String(), err)
		}
		if !sameMatrix(got, m) {
			t.Fatalf("round trip changed %+v into %+v", *m, *got)
		}
	})
}
