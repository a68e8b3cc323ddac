package analysis

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// sampleLog writes a small log with spikes in two populations, a v series,
// a rate series (no indices), a weight series of a projection, a series
// without samples, and the run marks, to a file; it returns the path and
// what was written.
func sampleLog(tb testing.TB) (path string, spikes []spikelog.Spike, samples map[string][]spikelog.Sample) {
	tb.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Seed: 3, Scenario: "export", Populations: []spikelog.Population{
		{Name: "E", First: 0, Size: 40, Kind: spikelog.Neuron},
		{Name: "input", First: 40, Size: 10, Kind: spikelog.Source},
	}}
	path = filepath.Join(tb.TempDir(), "spikes.snnlog")
	w, err := spikelog.Create(path, h, spikelog.Options{BlockSize: 512})
	if err != nil {
		tb.Fatal(err)
	}
	w.Mark(0, RunStartMark)
	v, _ := w.Declare(spikelog.Series{Name: "v/E", What: "v", Unit: "mV", Population: "E", Interval: 5, Indices: []int{0, 3, 39}})
	rate, _ := w.Declare(spikelog.Series{Name: "rate/E", What: "rate", Unit: "Hz", Population: "E", Interval: 50})
	wt, _ := w.Declare(spikelog.Series{Name: "weight/input_to_E", What: "weight", Unit: "mV", Projection: "input_to_E", Interval: 100, Indices: []int{0, 1, 2, 5, 8}})
	w.Declare(spikelog.Series{Name: "v/E#2", What: "v", Unit: "mV", Population: "E", Indices: []int{1}})
	samples = map[string][]spikelog.Sample{}
	for t := snnsim.Time(0); t < 300; t++ {
		var ids []snnsim.NeuronID
		for id := snnsim.NeuronID(0); id < 50; id++ {
			if (int(t)*7+int(id)*13)%97 == 0 {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			w.Spikes(t, ids)
			for _, id := range ids {
				spikes = append(spikes, spikelog.Spike{T: t, ID: id})
			}
		}
		if t%5 == 0 {
			s := spikelog.Sample{Series: v, T: t, Values: []float64{-65 + float64(t)/3, -70, math.Inf(-1)}}
			w.Sample(v, t, s.Values)
			samples["v_E"] = append(samples["v_E"], s)
		}
		if t%50 == 0 {
			s := spikelog.Sample{Series: rate, T: t, Values: []float64{float64(t) / 7}}
			w.Sample(rate, t, s.Values)
			samples["rate_E"] = append(samples["rate_E"], s)
		}
		if t%100 == 0 {
			s := spikelog.Sample{Series: wt, T: t, Values: []float64{0.5, 1e-300, math.Copysign(0, -1), 3, math.NaN()}}
			w.Sample(wt, t, s.Values)
			samples["weight_input_to_E"] = append(samples["weight_input_to_E"], s)
		}
	}
	w.Mark(300, RunEndMark)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, spikes, samples
}

// readNPY parses a .npy file written by ExportNPY: it returns the dtype,
// the shape and the raw data.
func readNPY(t *testing.T, path string) (string, []int, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("%s: bad magic", path)
	}
	n := int(binary.LittleEndian.Uint16(b[8:]))
	if (10+n)%64 != 0 {
		t.Errorf("%s: data starts at %d, not a multiple of 64", path, 10+n)
	}
	head := string(b[10 : 10+n])
	descr := head[strings.Index(head, "'descr': '")+10:]
	descr = descr[:strings.IndexByte(descr, '\'')]
	sh := head[strings.Index(head, "'shape': (")+10:]
	sh = sh[:strings.IndexByte(sh, ')')]
	var shape []int
	for _, f := range strings.Split(sh, ",") {
		if f = strings.TrimSpace(f); f != "" {
			x, _ := strconv.Atoi(f)
			shape = append(shape, x)
		}
	}
	return descr, shape, b[10+n:]
}

func TestExportNPY(t *testing.T) {
	path, spikes, samples := sampleLog(t)
	dir := filepath.Join(t.TempDir(), "npy")
	files, err := ExportNPY(path, dir)
	if err != nil {
		t.Fatal(err)
	}
	// 8 spike and population arrays, then tick, t_ms, values (and index) per series with samples.
	if len(files) != 8+4+3+4 {
		t.Errorf("%d files: %v", len(files), files)
	}
	descr, shape, data := readNPY(t, filepath.Join(dir, "spikes_id.npy"))
	if descr != "<i4" || !slices.Equal(shape, []int{len(spikes)}) || len(data) != 4*len(spikes) {
		t.Fatalf("spikes_id: %s %v, %d bytes", descr, shape, len(data))
	}
	_, _, tms := readNPY(t, filepath.Join(dir, "spikes_t_ms.npy"))
	_, _, pop := readNPY(t, filepath.Join(dir, "spikes_population.npy"))
	_, _, idx := readNPY(t, filepath.Join(dir, "spikes_index.npy"))
	for k, s := range spikes {
		id := int32(binary.LittleEndian.Uint32(data[4*k:]))
		ms := math.Float64frombits(binary.LittleEndian.Uint64(tms[8*k:]))
		p := int16(binary.LittleEndian.Uint16(pop[2*k:]))
		i := int32(binary.LittleEndian.Uint32(idx[4*k:]))
		wantP, wantI := int16(0), int32(s.ID)
		if s.ID >= 40 {
			wantP, wantI = 1, int32(s.ID-40)
		}
		if id != int32(s.ID) || ms != float64(s.T)*0.1 || p != wantP || i != wantI {
			t.Fatalf("spike %d: %d %v %d %d, want %v", k, id, ms, p, i, s)
		}
	}
	descr, shape, names := readNPY(t, filepath.Join(dir, "populations.npy"))
	if descr != "<U5" || !slices.Equal(shape, []int{2}) || len(names) != 40 || names[20] != 'i' || names[4] != 0 {
		t.Errorf("populations: %s %v % x", descr, shape, names)
	}
	for name, want := range samples {
		descr, shape, vals := readNPY(t, filepath.Join(dir, name+"_values.npy"))
		w := len(want[0].Values)
		if descr != "<f8" || !slices.Equal(shape, []int{len(want), w}) {
			t.Fatalf("%s: %s %v", name, descr, shape)
		}
		for k, s := range want {
			for j, v := range s.Values {
				if got := binary.LittleEndian.Uint64(vals[8*(k*w+j):]); got != math.Float64bits(v) {
					t.Fatalf("%s[%d, %d] = %v, want %v", name, k, j, math.Float64frombits(got), v)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rate_E_index.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a rate has no index array (stat: %v)", err)
	}
}

func TestExportCSV(t *testing.T) {
	path, spikes, samples := sampleLog(t)
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			files, err := ExportCSV(path, dir, gz)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 4 {
				t.Errorf("files %v", files)
			}
			ext := ".csv"
			if gz {
				ext = ".csv.gz"
			}
			lines := func(name string) []string {
				f, err := os.Open(filepath.Join(dir, name+ext))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				var r io.Reader = f
				if gz {
					if r, err = gzip.NewReader(f); err != nil {
						t.Fatal(err)
					}
				}
				var out []string
				sc := bufio.NewScanner(r)
				for sc.Scan() {
					out = append(out, sc.Text())
				}
				return out
			}
			sp := lines("spikes")
			if sp[0] != "tick,t_ms,id,population,index" || len(sp) != len(spikes)+1 {
				t.Fatalf("spikes.csv: %q ... %d lines", sp[0], len(sp))
			}
			for k, s := range spikes {
				pop, idx := "E", int(s.ID)
				if s.ID >= 40 {
					pop, idx = "input", int(s.ID)-40
				}
				// Times in ms with the resolution's decimals: tick 3 is "0.3".
				want := fmt.Sprintf("%d,%.1f,%d,%s,%d", s.T, float64(s.T)/10, s.ID, pop, idx)
				if sp[k+1] != want {
					t.Fatalf("line %d: %q, want %q", k+1, sp[k+1], want)
				}
			}
			v := lines("v_E")
			if v[0] != "tick,t_ms,E[0],E[3],E[39]" || v[2] != "5,0.5,-63.333333333333336,-70,-Inf" || len(v) != len(samples["v_E"])+1 {
				t.Errorf("v_E.csv: %q", v[:3])
			}
			if r := lines("rate_E"); r[0] != "tick,t_ms,E" || r[2] != "50,5.0,7.142857142857143" {
				t.Errorf("rate_E.csv: %q", r[:3])
			}
			if w := lines("weight_input_to_E"); w[0] != "tick,t_ms,input_to_E[0],input_to_E[1],input_to_E[2],input_to_E[5],input_to_E[8]" || w[1] != "0,0.0,0.5,1e-300,-0,3,NaN" {
				t.Errorf("weight csv: %q", w[:2])
			}
		})
	}
}

// TestExportDamaged exports a log cut inside a block: the intact part is
// exported and the CorruptError is returned.
func TestExportDamaged(t *testing.T) {
	path, _, _ := sampleLog(t)
	data, _ := os.ReadFile(path)
	cut := filepath.Join(t.TempDir(), "cut.snnlog")
	os.WriteFile(cut, data[:len(data)*2/3], 0o644)
	var ce *spikelog.CorruptError
	files, err := ExportNPY(cut, t.TempDir())
	if !errors.As(err, &ce) || len(files) < 8 {
		t.Errorf("NPY: %d files, err %v", len(files), err)
	}
	files, err = ExportCSV(cut, t.TempDir(), false)
	if !errors.As(err, &ce) || len(files) < 2 {
		t.Errorf("CSV: %d files, err %v", len(files), err)
	}
	if err := ExportNPZ(cut, filepath.Join(t.TempDir(), "x.npz")); !errors.As(err, &ce) {
		t.Errorf("NPZ: %v", err)
	}
	if _, err := ExportNPY(filepath.Join(t.TempDir(), "missing"), t.TempDir()); err == nil {
		t.Error("missing log: no error")
	}
}

// findNumPy returns a Python interpreter that can import numpy: python3 on
// PATH, or Debian's /usr/bin/python3 (where apt-get install python3-numpy
// puts numpy when PATH leads to another Python).
func findNumPy() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	return ""
}

// TestExportLoadsInNumPy exports a log in every format and loads each file
// in Python with the one-liners of README.md ("Analysing logs"), checking
// shapes, dtypes and values against the log.
func TestExportLoadsInNumPy(t *testing.T) {
	py := findNumPy()
	if py == "" {
		t.Skip("skipped: no python3 with numpy (Debian: apt-get install python3-numpy; .ci/run installs it)")
	}
	path, spikes, samples := sampleLog(t)
	dir := t.TempDir()
	if _, err := ExportNPY(path, filepath.Join(dir, "npy")); err != nil {
		t.Fatal(err)
	}
	if err := ExportNPZ(path, filepath.Join(dir, "run.npz")); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportCSV(path, filepath.Join(dir, "csv"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportCSV(path, filepath.Join(dir, "csvgz"), true); err != nil {
		t.Fatal(err)
	}
	var sumID, sumT int64
	for _, s := range spikes {
		sumID += int64(s.ID)
		sumT += int64(s.T)
	}
	script := fmt.Sprintf(`
import numpy as np, sys
d = np.load("run.npz")
n = %d
assert d["spikes_id"].shape == (n,) and d["spikes_id"].dtype == np.int32, d["spikes_id"].dtype
assert int(d["spikes_id"].sum()) == %d and int(d["spikes_tick"].sum()) == %d
assert np.allclose(d["spikes_t_ms"], d["spikes_tick"] * 0.1)
assert list(d["populations"]) == ["E", "input"], d["populations"]
names = d["populations"][d["spikes_population"]]
assert (names[d["spikes_id"] >= 40] == "input").all()
v = np.load("npy/v_E_values.npy")
assert v.shape == (%d, 3) and v[1, 0] == -65 + 5/3 and np.isneginf(v[:, 2]).all()
w = d["weight_input_to_E_values"]
assert w.shape == (3, 5) and np.isnan(w[:, 4]).all() and w[0, 1] == 1e-300 and np.signbit(w[0, 2])
assert list(d["weight_input_to_E_index"]) == [0, 1, 2, 5, 8]
assert list(d["rate_E_t_ms"]) == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
s = np.loadtxt("csv/spikes.csv", delimiter=",", skiprows=1, usecols=(1, 2))
assert s.shape == (n, 2) and np.allclose(s[:, 0], d["spikes_t_ms"]) and (s[:, 1] == d["spikes_id"]).all()
g = np.loadtxt("csvgz/spikes.csv.gz", delimiter=",", skiprows=1, usecols=(1, 2))
assert (g == s).all()
r = np.genfromtxt("csvgz/v_E.csv.gz", delimiter=",", names=True)
assert r.dtype.names == ("tick", "t_ms", "E0", "E3", "E39") and (r["E3"] == -70).all(), r.dtype.names
print("ok", n, v.shape)
`, len(spikes), sumID, sumT, len(samples["v_E"]))
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", py, err, out)
	}
	t.Logf("%s: %s", py, strings.TrimSpace(string(out)))
}

func TestNPYHeader(t *testing.T) {
	for _, tc := range []struct {
		descr string
		shape []int
		dict  string
	}{
		{"<f8", []int{3}, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"},
		{"<i4", []int{0}, "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }"},
		{"<f8", []int{2, 5}, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 5), }"},
	} {
		h := NPYHeader(tc.descr, tc.shape...)
		if len(h)%64 != 0 || h[len(h)-1] != '\n' || !strings.HasPrefix(string(h[10:]), tc.dict) {
			t.Errorf("header %q", h)
		}
	}
}

func TestLogPath(t *testing.T) {
	path, _, _ := sampleLog(t)
	dir := filepath.Dir(path)
	for _, arg := range []string{path, dir} {
		if got, err := LogPath(arg); err != nil || got != path {
			t.Errorf("LogPath(%s) = %s, %v", arg, got, err)
		}
	}
	if _, err := LogPath(t.TempDir()); err == nil || !strings.Contains(err.Error(), "without spikes.snnlog") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := LogPath(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no such log file or run directory") {
		t.Errorf("missing: %v", err)
	}
}
