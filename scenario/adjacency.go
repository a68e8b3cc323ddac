package scenario

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim/netlist"
)

// adjacencyFile is an adjacency matrix file read once per Decode: several
// projections cut their blocks out of the same network-wide matrix.
type adjacencyFile struct {
	n    int
	rows netlist.Rows
	err  bool // unreadable: reported once
}

// adjacencyPairs reads the connectivity matrix of a pairs projection with
// format = "adjacency" (the format of Luboeinski & Tetzlaff 2021: N lines of
// N entries 0/1, row = presynaptic neuron, column = postsynaptic, numbered
// across the whole network) and returns the synapses of the block whose
// rows start at fromFirst (the from population's first neuron in the file)
// and whose columns start at toFirst, as pairs of population indices.
func (d *decoder) adjacencyPairs(key, name string, s *Scenario, p *ProjectionSpec, fromFirst, toFirst int) *Pairs {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), name)
	}
	if d.adjacency == nil {
		d.adjacency = make(map[string]*adjacencyFile)
	}
	af := d.adjacency[path]
	if af == nil {
		af = &adjacencyFile{}
		d.adjacency[path] = af
		f, err := os.Open(path)
		if err != nil {
			d.errorf(key, "cannot read the adjacency file: %v", err)
			af.err = true
			return nil
		}
		af.n, af.rows, err = netlist.ReadAdjacency(f)
		f.Close()
		if err != nil {
			af.err = true
			var ae *netlist.AdjacencyError
			if errors.As(err, &ae) {
				d.errs = append(d.errs, &ParseError{File: path, Line: ae.Line, Key: key, Err: errors.New(ae.Error())})
			} else {
				d.errs = append(d.errs, &ParseError{File: path, Key: key, Err: err})
			}
			return nil
		}
	}
	if af.err {
		return nil
	}
	nFrom, nTo := -1, -1
	for _, q := range s.Populations {
		if q.Name == p.From {
			nFrom = q.Size
		}
		if q.Name == p.To {
			nTo = q.Size
		}
	}
	if nFrom < 0 || nTo < 0 {
		return nil // validation reports the unknown population
	}
	for _, b := range []struct {
		side, pop string
		first, n  int
	}{{"from_first", p.From, fromFirst, nFrom}, {"to_first", p.To, toFirst, nTo}} {
		if b.first < 0 || b.first+b.n > af.n {
			d.errorf(key, "%s = %d: the %d neurons of %s from there do not fit the %d×%d matrix of %s", b.side, b.first, b.n, b.pop, af.n, af.n, path)
			return nil
		}
	}
	block, err := af.rows.Block(fromFirst, fromFirst+nFrom, toFirst, toFirst+nTo)
	if err != nil {
		d.errorf(key, "%v", err)
		return nil
	}
	out := &Pairs{Path: path, Format: "adjacency", Source: make([]int32, 0, block.Len()), Target: block.Target}
	for i := range nFrom {
		for range block.RowStart[i+1] - block.RowStart[i] {
			out.Source = append(out.Source, int32(i))
		}
	}
	return out
}

// populationOffset returns the first index of population name in the
// network-wide numbering (populations in declaration order), or -1.
func populationOffset(s *Scenario, name string) int {
	off := 0
	for _, q := range s.Populations {
		if q.Name == name {
			return off
		}
		off += q.Size
	}
	return -1
}

// adjacencyConnect reads format = "adjacency" and the block keys of a pairs
// connect table, and returns the pairs (nil on error) and whether the file
// is an adjacency matrix (false: a pairs CSV file).
func (d *decoder) adjacencyConnect(t *table, s *Scenario, p *ProjectionSpec, file string) (pairs *Pairs, isAdjacency bool) {
	format, ok := t.str("format", false)
	if !ok || format == "csv" {
		return nil, false
	}
	if format == "mtx" {
		return d.mtxPairs(t, file, s, p), true
	}
	if format != "adjacency" {
		d.errorf(t.path("format"), "unknown format %q: use \"csv\" (pairs, the default), \"adjacency\" (N rows of 0/1) or \"mtx\" (Matrix Market)", format)
		return nil, true
	}
	first := func(k, pop string) (int, bool) {
		if v, ok := t.integer(k, false); ok {
			return int(v), true
		}
		o := populationOffset(s, pop)
		return o, o >= 0
	}
	fromFirst, ok1 := first("from_first", p.From)
	toFirst, ok2 := first("to_first", p.To)
	if !ok1 || !ok2 {
		return nil, true // validation reports the unknown population
	}
	return d.adjacencyPairs(t.path("file"), file, s, p, fromFirst, toFirst), true
}
