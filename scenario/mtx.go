package scenario

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// mtxPairs reads the Matrix Market file of a pairs projection with format
// = "mtx" (rows presynaptic, columns postsynaptic, 1-based: the files
// Auryn reads and writes) and returns its synapses. The matrix must be
// size(from) × size(to). The values of a real or integer matrix, times
// scale (a number, or a quantity that gives the weights' unit; default 1),
// are the weights; a pattern matrix has none, and the projection's weight
// key gives them.
func (d *decoder) mtxPairs(t *table, name string, s *Scenario, p *ProjectionSpec) *Pairs {
	key := t.path("file")
	scale, dim := 1.0, snnsim.Dimensionless
	scaleWritten := false
	if v, ok := t.get("scale", false); ok {
		x, g, ok := d.anyQuantity(t.path("scale"), v)
		if !ok {
			return nil
		}
		if !(x >= 0) {
			d.errorf(t.path("scale"), "%v: must be >= 0 (a weight is a magnitude; the receptor gives the sign)", v)
			return nil
		}
		scale, dim, scaleWritten = x, g, true
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), name)
	}
	f, err := os.Open(path)
	if err != nil {
		d.errorf(key, "cannot read the Matrix Market file: %v", err)
		return nil
	}
	m, err := netlist.ReadMatrixMarket(f)
	f.Close()
	if err != nil {
		var me *netlist.MatrixMarketError
		if errors.As(err, &me) {
			d.errs = append(d.errs, &ParseError{File: path, Line: me.Line, Key: key, Err: errors.New(me.Error())})
		} else {
			d.errs = append(d.errs, &ParseError{File: path, Key: key, Err: err})
		}
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
	if m.NRows != nFrom || m.NCols != nTo {
		d.errorf(key, "%s is a %d×%d matrix, but %s has %d neurons (rows) and %s has %d (columns)", path, m.NRows, m.NCols, p.From, nFrom, p.To, nTo)
		return nil
	}
	out := &Pairs{Path: path, Format: "mtx", Source: m.Row, Target: m.Col}
	if m.Value == nil {
		if scaleWritten {
			d.errorf(t.path("scale"), "%s is a pattern matrix: it has no values to scale; give the projection's weight instead", path)
		}
		return out
	}
	out.Weight, out.WeightDim = make([]float64, len(m.Value)), dim
	for k, v := range m.Value {
		if v < 0 {
			d.errorf(key, "%s: entry %d (%d, %d) has the value %g: a weight must be >= 0 (the receptor gives the sign)", path, k+1, m.Row[k]+1, m.Col[k]+1, v)
			return nil
		}
		out.Weight[k] = v * scale
	}
	return out
}
