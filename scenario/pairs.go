package scenario

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/snnsim/snnsim"
)

// maxFileErrors bounds the errors reported for one pairs file.
const maxFileErrors = 10

// pairs reads the CSV file of a pairs projection. key is the scenario key
// that names the file; errors in the file carry the file's own path and line.
func (d *decoder) pairs(key, name string, s *Scenario, p *ProjectionSpec) *Pairs {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), name)
	}
	fi, err := os.Stat(path)
	if err != nil {
		d.errorf(key, "cannot read the pairs file: %v", err)
		return nil
	}
	if !fi.Mode().IsRegular() {
		d.errorf(key, "the pairs file %s is not a regular file", path)
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		d.errorf(key, "cannot read the pairs file: %v", err)
		return nil
	}
	defer f.Close()
	sizeOf := func(pop string) int {
		for _, q := range s.Populations {
			if q.Name == pop {
				return q.Size
			}
		}
		return 0 // unknown: validation reports the reference
	}
	pr := &pairReader{d: d, key: key, path: path}
	out := pr.read(f, sizeOf(p.From), sizeOf(p.To))
	if pr.nerr > 0 {
		return nil
	}
	return out
}

// pairReader parses one pairs file.
type pairReader struct {
	d    *decoder
	key  string
	path string
	nerr int
}

func (r *pairReader) errorf(line int, format string, args ...any) {
	r.nerr++
	if r.nerr > maxFileErrors {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if r.nerr == maxFileErrors {
		msg += " (further errors in this file are not shown)"
	}
	r.d.errs = append(r.d.errs, &ParseError{File: r.path, Line: line, Key: r.key, Err: errors.New(msg)})
}

// column is a header cell "name" or "name [unit]".
type column struct {
	name  string
	scale float64 // unit to canonical unit
	dim   snnsim.Dimension
	unit  bool
}

func parseColumn(cell string) (column, error) {
	c := column{name: strings.TrimSpace(cell), scale: 1}
	if i := strings.IndexByte(c.name, '['); i >= 0 {
		j := strings.LastIndexByte(c.name, ']')
		if j < i || strings.TrimSpace(c.name[j+1:]) != "" {
			return c, fmt.Errorf("column %q: write a unit as \"name [unit]\"", cell)
		}
		unit := strings.TrimSpace(c.name[i+1 : j])
		c.name = strings.TrimSpace(c.name[:i])
		scale, dim, err := snnsim.ParseQuantity("1 " + unit)
		if err != nil || unit == "" {
			return c, fmt.Errorf("column %q: unknown unit %q", cell, unit)
		}
		c.scale, c.dim, c.unit = scale, dim, true
	}
	return c, nil
}

// read parses the file. nFrom and nTo are the population sizes, 0 when unknown.
func (r *pairReader) read(in io.Reader, nFrom, nTo int) *Pairs {
	cr := csv.NewReader(in)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			r.errorf(0, "empty file: it needs a header \"source,target\"")
		} else {
			r.errorf(csvLine(err), "%v", csvMessage(err))
		}
		return nil
	}
	col := map[string]int{}
	var cols []column
	for i, cell := range header {
		c, err := parseColumn(cell)
		if err != nil {
			r.errorf(1, "%v", err)
			return nil
		}
		switch c.name {
		case "source", "target":
			if c.unit {
				r.errorf(1, "column %q: indices have no unit", cell)
			}
		case "weight":
		case "delay":
			if !c.unit || c.dim != snnsim.TimeDim {
				r.errorf(1, "column %q: the delay column needs a time unit, e.g. \"delay [ms]\"", cell)
			}
		default:
			r.errorf(1, "unknown column %q%s; columns: source, target, weight [unit], delay [unit]",
				cell, didYouMean(c.name, []string{"source", "target", "weight", "delay"}))
		}
		if _, dup := col[c.name]; dup {
			r.errorf(1, "column %q appears twice", c.name)
		}
		col[c.name] = i
		cols = append(cols, c)
	}
	for _, need := range []string{"source", "target"} {
		if _, ok := col[need]; !ok {
			r.errorf(1, "the header has no %q column; it needs \"source,target\"", need)
		}
	}
	if r.nerr > 0 {
		return nil
	}
	p := &Pairs{Path: r.path, Format: "csv"}
	wi, hasW := col["weight"]
	di, hasD := col["delay"]
	if hasW {
		p.WeightDim = cols[wi].dim
		p.Weight = []float64{}
	}
	if hasD {
		p.Delay = []float64{}
	}
	index := func(line int, name, cell string, n int) int32 {
		v, err := strconv.ParseInt(strings.TrimSpace(cell), 10, 32)
		if err != nil || v < 0 {
			r.errorf(line, "%s %q: must be a non-negative integer", name, cell)
			return 0
		}
		if n > 0 && int(v) >= n {
			r.errorf(line, "%s %d is out of range: the population has %d members (0..%d)", name, v, n, n-1)
		}
		return int32(v)
	}
	number := func(line int, c column, cell string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			r.errorf(line, "%s %q: must be a finite number", c.name, cell)
			return 0
		}
		return v * c.scale
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.errorf(csvLine(err), "%v", csvMessage(err))
			if r.nerr > maxFileErrors {
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		p.Source = append(p.Source, index(line, "source", rec[col["source"]], nFrom))
		p.Target = append(p.Target, index(line, "target", rec[col["target"]], nTo))
		if hasW {
			w := number(line, cols[wi], rec[wi])
			if w < 0 {
				r.errorf(line, "weight %s: must be >= 0 (a weight is a magnitude; the receptor gives the sign)", rec[wi])
			}
			p.Weight = append(p.Weight, w)
		}
		if hasD {
			p.Delay = append(p.Delay, number(line, cols[di], rec[di]))
		}
		if r.nerr > maxFileErrors {
			break
		}
	}
	return p
}

func csvLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func csvMessage(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
