package sweep

import (
	"archive/zip"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/snnsim/snnsim/analysis"
)

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(strings.TrimSpace(s), 64) }

// WriteCSV writes the table as CSV with a header line.
func (t *Table) WriteCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(t.Columns)
	w.WriteAll(t.Rows)
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadTable reads a table written by WriteCSV.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return &Table{Columns: recs[0], Rows: recs[1:]}, nil
}

// Column returns the index of the column named name, or -1.
func (t *Table) Column(name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// WriteNPZ writes the table as a NumPy .npz archive, one array per column:
// float64 for numeric columns (NaN where a point has no value), fixed-width
// unicode strings for the others, so that numpy.load reads it without
// allow_pickle.
func (t *Table) WriteNPZ(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	z := zip.NewWriter(f)
	for c, name := range t.Columns {
		w, err := z.CreateHeader(&zip.FileHeader{Name: safeColumn(name) + ".npy", Method: zip.Store})
		if err != nil {
			f.Close()
			return err
		}
		if err := t.writeNPY(w, c); err != nil {
			f.Close()
			return err
		}
	}
	if err := z.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (t *Table) writeNPY(w io.Writer, c int) error {
	n := len(t.Rows)
	numeric := t.Numeric == nil || t.Numeric[c]
	if numeric {
		for _, r := range t.Rows {
			if _, err := parseFloat(r[c]); err != nil && r[c] != "" {
				numeric = false
			}
		}
	}
	if numeric {
		b := analysis.NPYHeader("<f8", n)
		for _, r := range t.Rows {
			x, err := parseFloat(r[c])
			if err != nil {
				x = math.NaN()
			}
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		_, err := w.Write(b)
		return err
	}
	width := 1
	for _, r := range t.Rows {
		width = max(width, utf8.RuneCountInString(r[c]))
	}
	b := analysis.NPYHeader(fmt.Sprintf("<U%d", width), n)
	for _, r := range t.Rows {
		k := 0
		for _, ch := range r[c] {
			b = binary.LittleEndian.AppendUint32(b, uint32(ch))
			k++
		}
		for ; k < width; k++ {
			b = binary.LittleEndian.AppendUint32(b, 0)
		}
	}
	_, err := w.Write(b)
	return err
}
