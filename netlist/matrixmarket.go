package netlist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The Matrix Market exchange format (Boisvert, Pozo & Remington 1997, NIST
// "The Matrix Market exchange formats: initial design") in its coordinate
// form: a header line "%%MatrixMarket matrix coordinate <field>
// <symmetry>", comment lines starting with %, a size line "rows cols
// entries", then one line "i j [value]" per entry with 1-based indices.
// Auryn reads and writes connection matrices in it (SparseConnection's
// load_from_complete_file and write_to_file), rows being presynaptic and
// columns postsynaptic, as in the receptive-field matrix and the *.wmat
// files of Zenke, Agnes & Gerstner (2015).

// SparseMatrix is a connectivity matrix as a Matrix Market file holds it:
// entry k is the synapse from source Row[k] onto target Col[k] (0-based),
// with value Value[k] (nil for a pattern matrix, which lists positions
// only).
type SparseMatrix struct {
	NRows, NCols int     // sources, targets
	Field        string  // "real", "integer" or "pattern"
	Row, Col     []int32 // per entry, in file order
	Value        []float64
}

// MatrixMarketError is a defect of a Matrix Market file, located by its
// line (1-based) and, when it concerns one field, its column (1-based byte
// offset in the line; 0 when the whole line is meant).
type MatrixMarketError struct {
	Line, Column int
	Msg          string
}

func (e *MatrixMarketError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// maxMatrixLine bounds one line of a Matrix Market file.
const maxMatrixLine = 1 << 16

// ReadMatrixMarket reads a matrix in the coordinate format: field real,
// integer or pattern; symmetry general, or symmetric (entries on and
// below the diagonal, each off-diagonal one standing for both (i, j) and
// (j, i)). Blank lines are skipped. Keywords are case-insensitive, as the
// format specifies. Entries keep the file's order (a symmetric entry's
// mirror follows it). An index outside the size line's ranges, a value that
// is not a finite number of the field, a missing or extra field, an entry
// repeated, or a count of entries different from the size line's is
// refused with a [*MatrixMarketError] naming the line.
func ReadMatrixMarket(r io.Reader) (*SparseMatrix, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxMatrixLine)
	line := 0
	next := func() (string, bool) {
		for sc.Scan() {
			line++
			t := strings.TrimSuffix(sc.Text(), "\r")
			if strings.TrimSpace(t) == "" {
				continue
			}
			return t, true
		}
		return "", false
	}
	scanErr := func() error {
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return &MatrixMarketError{Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxMatrixLine)}
			}
			return fmt.Errorf("line %d: %w", line+1, err)
		}
		return nil
	}
	head, ok := next()
	if !ok {
		if err := scanErr(); err != nil {
			return nil, err
		}
		return nil, errors.New("empty file: a Matrix Market file starts with \"%%MatrixMarket matrix coordinate real general\"")
	}
	m := &SparseMatrix{}
	symmetric, err := parseMatrixHeader(head, line, m)
	if err != nil {
		return nil, err
	}
	var size string
	for {
		size, ok = next()
		if !ok {
			if err := scanErr(); err != nil {
				return nil, err
			}
			return nil, &MatrixMarketError{Line: line, Msg: "the file ends before the size line \"rows cols entries\""}
		}
		if !strings.HasPrefix(size, "%") {
			break
		}
	}
	f, cols := splitFields(size)
	if len(f) != 3 {
		return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("size line %q: want \"rows cols entries\" for a coordinate matrix", size)}
	}
	var dims [3]int64
	for k := range dims {
		v, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil || v < 0 {
			return nil, &MatrixMarketError{Line: line, Column: cols[k], Msg: fmt.Sprintf("%q is not a size: want an integer >= 0", f[k])}
		}
		dims[k] = v
	}
	if dims[0] > math.MaxInt32 || dims[1] > math.MaxInt32 {
		return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("%d×%d: more neurons than a projection can index", dims[0], dims[1])}
	}
	if dims[2] > maxSynapses || (symmetric && 2*dims[2] > maxSynapses) {
		return nil, &MatrixMarketError{Line: line, Column: cols[2], Msg: fmt.Sprintf("%d entries: more synapses than a projection may hold", dims[2])}
	}
	if symmetric && dims[0] != dims[1] {
		return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("a symmetric matrix must be square, not %d×%d", dims[0], dims[1])}
	}
	m.NRows, m.NCols = int(dims[0]), int(dims[1])
	nnz := int(dims[2])
	want := 3
	if m.Field == "pattern" {
		want = 2
	}
	// Preallocate for the promised entries, within reason: a damaged size
	// line must not make the reader allocate gigabytes.
	capacity := min(nnz, 1<<20)
	m.Row, m.Col = make([]int32, 0, capacity), make([]int32, 0, capacity)
	if m.Field != "pattern" {
		m.Value = make([]float64, 0, capacity)
	}
	lines := make([]int32, 0, capacity) // line of each entry, for repeats
	read := 0
	for {
		text, ok := next()
		if !ok {
			break
		}
		if strings.HasPrefix(text, "%") {
			continue
		}
		if read == nnz {
			return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("entry %d is one too many: the size line announces %d", read+1, nnz)}
		}
		f, cols := splitFields(text)
		if len(f) != want {
			msg := fmt.Sprintf("%d fields: a %s entry is \"i j value\"", len(f), m.Field)
			if want == 2 {
				msg = fmt.Sprintf("%d fields: a pattern entry is \"i j\"", len(f))
			}
			col := 1
			if len(f) > want {
				col = cols[want]
			}
			return nil, &MatrixMarketError{Line: line, Column: col, Msg: msg}
		}
		var ij [2]int32
		for k, n := range []int{m.NRows, m.NCols} {
			v, err := strconv.ParseInt(f[k], 10, 64)
			if err != nil || v < 1 || v > int64(n) {
				return nil, &MatrixMarketError{Line: line, Column: cols[k], Msg: fmt.Sprintf("%q is not a %s index: want an integer in 1..%d", f[k], []string{"row", "column"}[k], n)}
			}
			ij[k] = int32(v - 1)
		}
		if symmetric && ij[1] > ij[0] {
			return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("entry (%d, %d) is above the diagonal: a symmetric file lists the lower triangle", ij[0]+1, ij[1]+1)}
		}
		var v float64
		if want == 3 {
			var err error
			if m.Field == "integer" {
				var n int64
				n, err = strconv.ParseInt(f[2], 10, 64)
				if n > 1<<53 || n < -(1<<53) {
					err = strconv.ErrRange // beyond the integers a float64 weight holds exactly
				}
				v = float64(n)
			} else {
				v, err = strconv.ParseFloat(f[2], 64)
			}
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &MatrixMarketError{Line: line, Column: cols[2], Msg: fmt.Sprintf("%q is not a finite %s value", f[2], m.Field)}
			}
		}
		m.add(ij[0], ij[1], v)
		lines = append(lines, int32(line))
		if symmetric && ij[0] != ij[1] {
			m.add(ij[1], ij[0], v)
			lines = append(lines, int32(line))
		}
		read++
	}
	if err := scanErr(); err != nil {
		return nil, err
	}
	if read != nnz {
		return nil, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("the file ends after %d entries, but the size line announces %d", read, nnz)}
	}
	if err := m.checkRepeats(lines); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *SparseMatrix) add(i, j int32, v float64) {
	m.Row = append(m.Row, i)
	m.Col = append(m.Col, j)
	if m.Value != nil {
		m.Value = append(m.Value, v)
	}
}

// checkRepeats refuses an entry that repeats an earlier one (lines holds
// each entry's line).
func (m *SparseMatrix) checkRepeats(lines []int32) error {
	order := make([]int32, len(m.Row))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := int(m.Row[a]) - int(m.Row[b]); c != 0 {
			return c
		}
		if c := int(m.Col[a]) - int(m.Col[b]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if m.Row[a] == m.Row[b] && m.Col[a] == m.Col[b] {
			return &MatrixMarketError{Line: int(lines[b]), Msg: fmt.Sprintf("entry (%d, %d) repeats line %d: a synapse is listed once", m.Row[b]+1, m.Col[b]+1, lines[a])}
		}
	}
	return nil
}

// parseMatrixHeader reads the banner line into m's field and returns
// whether the matrix is symmetric.
func parseMatrixHeader(head string, line int, m *SparseMatrix) (bool, error) {
	f, cols := splitFields(head)
	if len(f) == 0 || !strings.EqualFold(f[0], "%%MatrixMarket") {
		return false, &MatrixMarketError{Line: line, Column: 1, Msg: "the first line must be the banner \"%%MatrixMarket matrix coordinate real general\""}
	}
	if len(f) != 5 {
		return false, &MatrixMarketError{Line: line, Msg: fmt.Sprintf("the banner has %d words, want 5: %%%%MatrixMarket matrix coordinate <real|integer|pattern> <general|symmetric>", len(f))}
	}
	word := func(k int, allowed ...string) (string, error) {
		w := strings.ToLower(f[k])
		if slices.Contains(allowed, w) {
			return w, nil
		}
		return "", &MatrixMarketError{Line: line, Column: cols[k], Msg: fmt.Sprintf("%q: want %s", f[k], strings.Join(allowed, " or "))}
	}
	if _, err := word(1, "matrix"); err != nil {
		return false, err
	}
	if strings.EqualFold(f[2], "array") {
		return false, &MatrixMarketError{Line: line, Column: cols[2], Msg: "a dense array matrix is not a connectivity: write it in coordinate format"}
	}
	if _, err := word(2, "coordinate"); err != nil {
		return false, err
	}
	field, err := word(3, "real", "integer", "pattern")
	if err != nil {
		return false, err
	}
	sym, err := word(4, "general", "symmetric")
	if err != nil {
		return false, err
	}
	m.Field = field
	return sym == "symmetric", nil
}

// splitFields splits a line at blanks and tabs and returns the fields with
// their 1-based columns.
func splitFields(s string) (fields []string, cols []int) {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			fields = append(fields, s[i:j])
			cols = append(cols, i+1)
		}
		i = j
	}
	return fields, cols
}

// WriteMatrixMarket writes m in the coordinate format with general
// symmetry, as Auryn writes a connection: the banner, the size line, then
// "i j value" (or "i j" for a pattern matrix) per entry, 1-based, in m's
// order, values in the shortest form that reads back exactly.
func WriteMatrixMarket(w io.Writer, m *SparseMatrix) error {
	if len(m.Row) != len(m.Col) || (m.Field != "pattern" && len(m.Value) != len(m.Row)) {
		return fmt.Errorf("write matrix market: %d rows, %d columns and %d values for the entries", len(m.Row), len(m.Col), len(m.Value))
	}
	switch m.Field {
	case "real", "integer", "pattern":
	default:
		return fmt.Errorf("write matrix market: field %q: want real, integer or pattern", m.Field)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "%%%%MatrixMarket matrix coordinate %s general\n%d %d %d\n", m.Field, m.NRows, m.NCols, len(m.Row))
	var b []byte
	for k := range m.Row {
		i, j := m.Row[k], m.Col[k]
		if i < 0 || int(i) >= m.NRows || j < 0 || int(j) >= m.NCols {
			return fmt.Errorf("write matrix market: entry %d at (%d, %d) outside the %d×%d matrix", k, i, j, m.NRows, m.NCols)
		}
		b = strconv.AppendInt(b[:0], int64(i)+1, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(j)+1, 10)
		switch m.Field {
		case "real":
			b = append(b, ' ')
			b = strconv.AppendFloat(b, m.Value[k], 'g', -1, 64)
		case "integer":
			v := m.Value[k]
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return fmt.Errorf("write matrix market: entry %d has value %g, not an integer", k, v)
			}
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Connectivity returns the synapses of m as rows over its NRows sources,
// each row in file order, and order[k], the entry of synapse k (see
// [ExplicitPairs]), to put per-entry values in synapse order.
func (m *SparseMatrix) Connectivity() (Rows, []int32, error) {
	return ExplicitPairs(m.NRows, m.NCols, m.Row, m.Col)
}

// ProjectionMatrix returns the synapses of p (nFrom sources onto nTo
// targets) and their weights as a real matrix, for [WriteMatrixMarket]:
// each float32 weight becomes the float64 of its shortest decimal form, so
// that a weight 0.1f is written "0.1".
func ProjectionMatrix(p *Projection, nFrom, nTo int) (*SparseMatrix, error) {
	if len(p.RowStart) != nFrom+1 {
		return nil, fmt.Errorf("projection %s: %d rows for %d sources", p.Name, len(p.RowStart)-1, nFrom)
	}
	n := len(p.Target)
	m := &SparseMatrix{NRows: nFrom, NCols: nTo, Field: "real", Row: make([]int32, 0, n), Col: make([]int32, 0, n), Value: make([]float64, 0, n)}
	for i := range nFrom {
		for k := p.RowStart[i]; k < p.RowStart[i+1]; k++ {
			w := p.ConstWeight
			if p.Weight != nil {
				w = p.Weight[k]
			}
			v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(w), 'g', -1, 32), 64)
			m.add(int32(i), p.Target[k], v)
		}
	}
	return m, nil
}
