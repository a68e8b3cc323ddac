package netlist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// The adjacency format is the plain connectivity matrix of the stand-alone
// simulator of Luboeinski & Tetzlaff (2021, Commun. Biol. 4:275) and of its
// Arbor port: N non-empty lines of N entries, entry n of line m being 1 when
// neuron m projects onto neuron n and 0 otherwise (rows are presynaptic,
// columns postsynaptic). Entries are separated by blanks; the authors write
// "0 " or "1 " per entry, so lines end in a blank. Neurons are numbered
// across the whole network, excitatory first, so the projections of a
// network are blocks of the one matrix (see [Rows.Block]).

// maxAdjacencyN bounds the size of an adjacency matrix: a larger one would
// not fit the int32 neuron indices of a projection.
const maxAdjacencyN = math.MaxInt32

// AdjacencyError is a defect of an adjacency file, located by its line
// (1-based, counting empty lines) and, when it concerns one character, its
// column (1-based byte offset in the line; 0 when the whole line is meant).
type AdjacencyError struct {
	Line, Column int
	Msg          string
}

func (e *AdjacencyError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ReadAdjacency reads a square 0/1 matrix in the adjacency format and
// returns its size N and the synapses as rows over the N neurons (row m
// holds the targets of neuron m in increasing order). Empty lines (and lines
// of blanks only) are skipped, as the stand-alone reader does; a line with a
// character other than 0, 1, blank, tab or a final carriage return, a row
// whose length differs from the first row's, or a row count different from
// the row length is refused with an [*AdjacencyError] naming the line. The
// diagonal is read as it is: a 1 there is an autapse.
func ReadAdjacency(r io.Reader) (n int, rows Rows, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	rows.RowStart = []int64{0}
	line := 0
	firstLine := 0
	for {
		buf, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			// A row of a large matrix is longer than the buffer: gather it.
			long := append([]byte(nil), buf...)
			for rerr == bufio.ErrBufferFull {
				buf, rerr = br.ReadSlice('\n')
				long = append(long, buf...)
			}
			buf = long
		}
		if rerr != nil && rerr != io.EOF {
			return 0, Rows{}, fmt.Errorf("line %d: %w", line+1, rerr)
		}
		if len(buf) == 0 && rerr == io.EOF {
			break
		}
		line++
		count, perr := parseAdjacencyRow(buf, line, &rows.Target)
		if perr != nil {
			return 0, Rows{}, perr
		}
		if count > 0 {
			row := len(rows.RowStart) - 1
			switch {
			case row == 0:
				n, firstLine = count, line
				if int64(n) > maxAdjacencyN {
					return 0, Rows{}, &AdjacencyError{Line: line, Msg: fmt.Sprintf("%d entries: more neurons than a projection can index", n)}
				}
			case count != n:
				return 0, Rows{}, &AdjacencyError{Line: line, Msg: fmt.Sprintf("row %d has %d entries, but the first row (line %d) has %d", row, count, firstLine, n)}
			}
			if row >= n {
				return 0, Rows{}, &AdjacencyError{Line: line, Msg: fmt.Sprintf("row %d is one too many: the rows have %d entries, so the matrix has %d rows", row, n, n)}
			}
			if len(rows.Target) > maxSynapses {
				return 0, Rows{}, &AdjacencyError{Line: line, Msg: fmt.Sprintf("more than %d synapses", maxSynapses)}
			}
			rows.RowStart = append(rows.RowStart, int64(len(rows.Target)))
		}
		if rerr == io.EOF {
			break
		}
	}
	got := len(rows.RowStart) - 1
	if got == 0 {
		return 0, Rows{}, errors.New("no rows: an adjacency file holds N lines of N entries 0 or 1")
	}
	if got != n {
		return 0, Rows{}, &AdjacencyError{Line: line, Msg: fmt.Sprintf("the file ends after %d rows, but the rows have %d entries: a square matrix needs %d rows", got, n, n)}
	}
	return n, rows, nil
}

// parseAdjacencyRow appends the columns of the 1 entries of one line to
// target and returns the number of entries; line is the 1-based line
// number, for errors.
func parseAdjacencyRow(buf []byte, line int, target *[]int32) (int, error) {
	count := 0
	for i, c := range buf {
		switch c {
		case '0':
			count++
		case '1':
			*target = append(*target, int32(count))
			count++
		case ' ', '\t', '\n':
		case '\r':
			if i != len(buf)-1 && !(i == len(buf)-2 && buf[i+1] == '\n') {
				return 0, &AdjacencyError{Line: line, Column: i + 1, Msg: "carriage return inside the line"}
			}
		default:
			return 0, &AdjacencyError{Line: line, Column: i + 1, Msg: fmt.Sprintf("%s is not an entry: entries are 0 or 1", strconv.QuoteRune(rune(c)))}
		}
		if count > maxAdjacencyN {
			return 0, &AdjacencyError{Line: line, Column: i + 1, Msg: "too many entries in one row"}
		}
	}
	return count, nil
}

// WriteAdjacency writes the n×n matrix of rows (which must have n rows and
// targets below n) in the adjacency format, byte for byte as the authors'
// stand-alone simulator prints it: each entry followed by a blank, each row
// ended by a newline.
func WriteAdjacency(w io.Writer, n int, rows Rows) error {
	if len(rows.RowStart) != n+1 {
		return fmt.Errorf("write adjacency: %d rows for a %d×%d matrix", len(rows.RowStart)-1, n, n)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	line := make([]byte, 2*n+1)
	for m := 0; m < n; m++ {
		for j := 0; j < n; j++ {
			line[2*j], line[2*j+1] = '0', ' '
		}
		line[2*n] = '\n'
		for _, t := range rows.Target[rows.RowStart[m]:rows.RowStart[m+1]] {
			if t < 0 || int(t) >= n {
				return fmt.Errorf("write adjacency: row %d has target %d outside 0..%d", m, t, n-1)
			}
			line[2*t] = '1'
		}
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Block returns the synapses of r from sources fromLo..fromHi-1 onto targets
// toLo..toHi-1, renumbered so that both start at 0: the projection between
// two populations that occupy those ranges of one network-wide matrix. Rows
// of r must be in increasing target order, as [ReadAdjacency] returns them.
func (r Rows) Block(fromLo, fromHi, toLo, toHi int) (Rows, error) {
	nFrom := len(r.RowStart) - 1
	if fromLo < 0 || fromLo > fromHi || fromHi > nFrom {
		return Rows{}, fmt.Errorf("block: sources %d..%d outside the %d rows", fromLo, fromHi-1, nFrom)
	}
	if toLo < 0 || toLo > toHi {
		return Rows{}, fmt.Errorf("block: targets %d..%d are not a range", toLo, toHi-1)
	}
	out := Rows{RowStart: make([]int64, 1, fromHi-fromLo+1)}
	for m := fromLo; m < fromHi; m++ {
		for _, t := range r.Target[r.RowStart[m]:r.RowStart[m+1]] {
			if int(t) >= toLo && int(t) < toHi {
				out.Target = append(out.Target, t-int32(toLo))
			}
		}
		out.RowStart = append(out.RowStart, int64(len(out.Target)))
	}
	return out, nil
}
