package analysis

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// The arrays that ExportNPY and ExportNPZ write, by name (file name without
// .npy, or key in the .npz archive). S stands for a series' file name
// ([SeriesFileName]): "v_E" for the series "v/E".
//
//	spikes_tick        int64    [n]          spike ticks
//	spikes_t_ms        float64  [n]          spike times [ms]
//	spikes_id          int32    [n]          global neuron IDs
//	spikes_population  int16    [n]          index into populations
//	spikes_index       int32    [n]          member index within the population
//	populations        str      [p]          population names
//	populations_first  int64    [p]          global ID of member 0
//	populations_size   int64    [p]          members
//	S_tick             int64    [m]          sample ticks of series S
//	S_t_ms             float64  [m]          sample times [ms]
//	S_values           float64  [m, width]   values: row k is sample k, column j index j
//	S_index            int64    [width]      the sampled neuron or synapse indices (absent for a rate)
//
// The CSV files of ExportCSV hold the same: spikes.csv with the columns
// tick, t_ms, id, population (its name) and index; and S.csv with tick,
// t_ms and one column per index, named population[index] or
// projection[index] (the population's name alone for a rate).

// SeriesFileName returns the name under which a series is exported: its
// name with every character other than a letter, a digit or '_' replaced by
// '_' ("v/E" becomes "v_E", "v/E#2" "v_E_2").
func SeriesFileName(s spikelog.Series) string {
	b := []byte(s.Name)
	for i, c := range b {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b)
}

// exportNames returns the file name of every series, made unique by the
// series ID where two would clash.
func exportNames(series []spikelog.Series) []string {
	names := make([]string, len(series))
	seen := map[string]bool{"spikes": true, "populations": true}
	for i, s := range series {
		n := SeriesFileName(s)
		if seen[n] {
			n = fmt.Sprintf("%s_%d", n, s.ID)
		}
		seen[n] = true
		names[i] = n
	}
	return names
}

// msFormat returns a function formatting ticks as milliseconds with the
// decimals that the resolution needs (0.1 ms: one), so that CSV times read
// "0.3", not "0.30000000000000004".
func msFormat(dt float64) func(dst []byte, t snnsim.Time) []byte {
	prec := -1
	for p := 0; p <= 9; p++ {
		x := dt * math.Pow10(p)
		if math.Abs(x-math.Round(x)) < 1e-9*math.Max(1, x) {
			prec = p
			break
		}
	}
	return func(dst []byte, t snnsim.Time) []byte {
		return strconv.AppendFloat(dst, float64(t)*dt, 'f', prec, 64)
	}
}

// output is a created file, optionally gzip-compressed, behind a buffer.
type output struct {
	f  *os.File
	gz *gzip.Writer
	w  *bufio.Writer
}

func create(path string, gz bool) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	o := &output{f: f}
	if gz {
		o.gz = gzip.NewWriter(f)
		o.w = bufio.NewWriterSize(o.gz, 64<<10)
	} else {
		o.w = bufio.NewWriterSize(f, 64<<10)
	}
	return o, nil
}

func (o *output) close() error {
	err := o.w.Flush()
	if o.gz != nil {
		err = errors.Join(err, o.gz.Close())
	}
	return errors.Join(err, o.f.Close())
}

// opener opens the log again for each pass.
type opener func() (*spikelog.Reader, error)

func openPath(path string) opener {
	return func() (*spikelog.Reader, error) { return spikelog.Open(path) }
}

// damage returns err if it is damage (the passes export the intact part
// and report it), and nil otherwise.
func damage(err error) error {
	var ce *spikelog.CorruptError
	if errors.As(err, &ce) {
		return err
	}
	return nil
}

// ExportCSV writes the spikes and every series of the log at path as CSV
// files into dir (created if needed): spikes.csv and one S.csv per series
// (see the array list above), each with a header row; gzip-compressed, as
// .csv.gz, when gz is set. It returns the files written. A damaged log is
// exported up to the damage, and the returned error is the
// *spikelog.CorruptError.
func ExportCSV(path, dir string, gz bool) ([]string, error) {
	return exportCSV(openPath(path), dir, gz)
}

func exportCSV(open opener, dir string, gz bool) (files []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ext := ".csv"
	if gz {
		ext = ".csv.gz"
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := r.Header()
	ms := msFormat(h.DT)
	name := filepath.Join(dir, "spikes"+ext)
	out, err := create(name, gz)
	if err != nil {
		return nil, err
	}
	files = append(files, name)
	out.w.WriteString("tick,t_ms,id,population,index\n")
	var line []byte
	p := 0
	for r.Next() {
		s := r.Spike()
		if p >= len(h.Populations) || s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			p = max(findPop(h.Populations, s.ID), 0)
		}
		line = strconv.AppendInt(line[:0], int64(s.T), 10)
		line = append(line, ',')
		line = ms(line, s.T)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(s.ID), 10)
		if p < len(h.Populations) {
			pp := h.Populations[p]
			line = append(line, ',')
			line = append(line, pp.Name...)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(s.ID-pp.First), 10)
		} else {
			line = append(line, ",,"...)
		}
		line = append(line, '\n')
		out.w.Write(line)
	}
	readErr := r.Err()
	if err := out.close(); err != nil {
		return files, err
	}
	if readErr != nil && damage(readErr) == nil {
		return files, readErr
	}
	// Series: one file each, filled in one pass over the samples.
	rs, err := open()
	if err != nil {
		return files, err
	}
	defer rs.Close()
	outs := map[int]*output{}
	var names []string
	defer func() {
		for _, o := range outs {
			if cerr := o.close(); err == nil {
				err = cerr
			}
		}
	}()
	for rs.NextSample() {
		s := rs.Sample()
		o := outs[s.Series]
		if o == nil {
			series := rs.Series()
			names = exportNames(series)
			se := series[s.Series]
			fn := filepath.Join(dir, names[s.Series]+ext)
			if o, err = create(fn, gz); err != nil {
				return files, err
			}
			outs[s.Series] = o
			files = append(files, fn)
			o.w.WriteString(csvHeader(se))
		}
		line = strconv.AppendInt(line[:0], int64(s.T), 10)
		line = append(line, ',')
		line = ms(line, s.T)
		for _, v := range s.Values {
			line = append(line, ',')
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
		}
		line = append(line, '\n')
		o.w.Write(line)
	}
	if err := rs.Err(); err != nil {
		return files, err
	}
	return files, readErr
}

// csvHeader returns the header row of a series' CSV file.
func csvHeader(s spikelog.Series) string {
	var b strings.Builder
	b.WriteString("tick,t_ms")
	owner := s.Population + s.Projection
	if s.Indices == nil {
		b.WriteString("," + owner)
	}
	for _, i := range s.Indices {
		fmt.Fprintf(&b, ",%s[%d]", owner, i)
	}
	b.WriteByte('\n')
	return b.String()
}

// NPYHeader returns the header of a NumPy .npy file, format version 1.0:
// the magic "\x93NUMPY", the version, the header length, and a Python dict
// literal padded with spaces so that the data starts at a multiple of 64.
// descr is the dtype ("<f8", "<U12"), shape the array's dimensions.
func NPYHeader(descr string, shape ...int) []byte {
	var sh string
	switch len(shape) {
	case 1:
		sh = fmt.Sprintf("(%d,)", shape[0])
	default:
		parts := make([]string, len(shape))
		for i, n := range shape {
			parts[i] = strconv.Itoa(n)
		}
		sh = "(" + strings.Join(parts, ", ") + ")"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	n := 10 + len(dict) + 1
	pad := (64 - n%64) % 64
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(len(dict)+pad+1))
	h = append(h, dict...)
	h = append(h, strings.Repeat(" ", pad)...)
	return append(h, '\n')
}

// npy is a .npy file being written. Its values are encoded into buf and
// written a full buffer at a time: an export writes one value per spike and
// per sample, and a write of each through the bufio.Writer would cost more
// than the encoding.
type npy struct {
	*output
	buf []byte
}

// npyBuf is the size of an npy's buffer [bytes].
const npyBuf = 32 << 10

func createNPY(dir, name, descr string, shape ...int) (*npy, error) {
	o, err := create(filepath.Join(dir, name+".npy"), false)
	if err != nil {
		return nil, err
	}
	o.w.Write(NPYHeader(descr, shape...))
	return &npy{output: o, buf: make([]byte, 0, npyBuf)}, nil
}

// put takes buf after an append and writes it out when full.
func (n *npy) put(b []byte) {
	n.buf = b
	if len(b) > npyBuf-8 {
		n.w.Write(b)
		n.buf = b[:0]
	}
}

func (n *npy) i64(v int64)    { n.put(binary.LittleEndian.AppendUint64(n.buf, uint64(v))) }
func (n *npy) f64(v float64)  { n.put(binary.LittleEndian.AppendUint64(n.buf, math.Float64bits(v))) }
func (n *npy) i32(v int32)    { n.put(binary.LittleEndian.AppendUint32(n.buf, uint32(v))) }
func (n *npy) i16(v int16)    { n.put(binary.LittleEndian.AppendUint16(n.buf, uint16(v))) }
func (n *npy) bytes(b []byte) { n.put(append(n.buf, b...)) }

// close writes out the buffer and closes the file.
func (n *npy) close() error {
	n.w.Write(n.buf)
	n.buf = n.buf[:0]
	return n.output.close()
}

// ExportNPY writes the spikes and every series of the log at path as NumPy
// .npy arrays into dir (created if needed), named as listed above, and
// returns the files written. np.load reads each in one line. It reads the
// log three times (counting first, since a .npy header holds the shape);
// memory does not grow with the log. A damaged log is exported up to the
// damage, and the returned error is the *spikelog.CorruptError.
func ExportNPY(path, dir string) ([]string, error) {
	return exportNPY(openPath(path), dir)
}

func exportNPY(open opener, dir string) (files []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	st, readErr := r.Stats()
	h := r.Header()
	r.Close()
	if readErr != nil && damage(readErr) == nil {
		return nil, readErr
	}
	var outs []*npy
	add := func(name, descr string, shape ...int) *npy {
		if err != nil {
			return nil
		}
		var n *npy
		if n, err = createNPY(dir, name, descr, shape...); err == nil {
			outs = append(outs, n)
			files = append(files, n.f.Name())
		}
		return n
	}
	closeAll := func() {
		for _, n := range outs {
			if cerr := n.close(); err == nil {
				err = cerr
			}
		}
		outs = outs[:0]
	}
	defer closeAll()

	// Populations.
	maxLen := 1
	for _, p := range h.Populations {
		maxLen = max(maxLen, utf8.RuneCountInString(p.Name))
	}
	np := len(h.Populations)
	names, first, size := add("populations", fmt.Sprintf("<U%d", maxLen), np), add("populations_first", "<i8", np), add("populations_size", "<i8", np)
	if err != nil {
		return files, err
	}
	for _, p := range h.Populations {
		k := 0
		for _, c := range p.Name {
			names.i32(int32(c))
			k++
		}
		names.bytes(make([]byte, 4*(maxLen-k)))
		first.i64(int64(p.First))
		size.i64(int64(p.Size))
	}
	// Spikes.
	n := int(st.Spikes)
	tick, tms, id, pop, idx := add("spikes_tick", "<i8", n), add("spikes_t_ms", "<f8", n), add("spikes_id", "<i4", n), add("spikes_population", "<i2", n), add("spikes_index", "<i4", n)
	if err != nil {
		return files, err
	}
	if r, err = open(); err != nil {
		return files, err
	}
	defer r.Close()
	clock := h.Clock()
	p, count := 0, 0
	for r.Next() {
		s := r.Spike()
		if p >= len(h.Populations) || s.ID < h.Populations[p].First || s.ID >= h.Populations[p].End() {
			p = findPop(h.Populations, s.ID)
		}
		tick.i64(int64(s.T))
		tms.f64(clock.Ms(s.T))
		id.i32(int32(s.ID))
		if p >= 0 {
			pop.i16(int16(p))
			idx.i32(int32(s.ID - h.Populations[p].First))
		} else {
			p = 0
			pop.i16(-1)
			idx.i32(-1)
		}
		count++
	}
	if e := r.Err(); e != nil && damage(e) == nil {
		return files, e
	}
	if count != n {
		return files, fmt.Errorf("%d spikes read, %d counted: was the log written to while exporting?", count, n)
	}
	closeAll()
	if err != nil {
		return files, err
	}
	// Series.
	type sout struct{ tick, tms, vals *npy }
	souts := map[int]sout{}
	sn := exportNames(seriesOf(st.Series))
	for i, ss := range st.Series {
		if ss.Samples == 0 {
			continue
		}
		m := int(ss.Samples)
		souts[i] = sout{add(sn[i]+"_tick", "<i8", m), add(sn[i]+"_t_ms", "<f8", m), add(sn[i]+"_values", "<f8", m, ss.Width())}
		if ss.Indices != nil {
			ix := add(sn[i]+"_index", "<i8", len(ss.Indices))
			for _, x := range ss.Indices {
				if ix != nil {
					ix.i64(int64(x))
				}
			}
		}
		if err != nil {
			return files, err
		}
	}
	rs, err := open()
	if err != nil {
		return files, err
	}
	defer rs.Close()
	for rs.NextSample() {
		s := rs.Sample()
		o, ok := souts[s.Series]
		if !ok {
			return files, fmt.Errorf("series %d has samples that Stats did not count: was the log written to while exporting?", s.Series)
		}
		o.tick.i64(int64(s.T))
		o.tms.f64(clock.Ms(s.T))
		for _, v := range s.Values {
			o.vals.f64(v)
		}
	}
	if e := rs.Err(); e != nil && damage(e) == nil {
		return files, e
	}
	return files, readErr
}

func seriesOf(st []spikelog.SeriesStats) []spikelog.Series {
	out := make([]spikelog.Series, len(st))
	for i, s := range st {
		out[i] = s.Series
	}
	return out
}

// ExportNPZ writes the arrays of ExportNPY into one .npz archive (a zip
// file of .npy members, deflate-compressed) at file; np.load(file) returns
// them by name. The arrays are written to a temporary directory beside
// file first, which is removed afterwards. A damaged log is exported up to
// the damage, and the returned error is the *spikelog.CorruptError.
func ExportNPZ(path, file string) error {
	return exportNPZ(openPath(path), file)
}

func exportNPZ(open opener, file string) (err error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(file), ".npz-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files, exportErr := exportNPY(open, tmp)
	if exportErr != nil && damage(exportErr) == nil {
		return exportErr
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	z := zip.NewWriter(f)
	// klauspost's deflate writes the same format as the standard library's
	// in less time, which counts for the arrays of a long run's spikes.
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.DefaultCompression)
	})
	for _, name := range files {
		w, err := z.CreateHeader(&zip.FileHeader{Name: filepath.Base(name), Method: zip.Deflate})
		if err != nil {
			return err
		}
		in, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, in)
		in.Close()
		if err != nil {
			return err
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	return exportErr
}
