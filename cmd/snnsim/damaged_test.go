package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snnsim/snnsim/spikelog"
)

// blockStarts returns the byte offsets of the blocks of a spike log, the
// end block last, by walking the framing of spikelog/FORMAT.md: an 18-byte
// fixed header and its payload, then per block a kind byte, two uvarint
// lengths, a CRC and the data.
func blockStarts(t *testing.T, data []byte) []int {
	t.Helper()
	off := 18 + int(binary.LittleEndian.Uint32(data[10:14]))
	var starts []int
	for off < len(data) {
		starts = append(starts, off)
		p := off + 1
		_, n1 := binary.Uvarint(data[p:])
		comp, n2 := binary.Uvarint(data[p+n1:])
		if n1 <= 0 || n2 <= 0 {
			t.Fatalf("bad framing at %d", off)
		}
		off = p + n1 + n2 + 4 + int(comp)
	}
	return starts
}

// logCase is a damaged (or suspicious) log and what the verbs must say.
type logCase struct {
	name string
	data []byte
	// damage is the byte offset the verbs must report; -1 for a log that
	// reads cleanly (nothing to report), -2 for one whose header is
	// unusable (every verb fails with msg).
	damage int
	msg    string
}

// damagedLogs builds the table of bad logs from a good one.
func damagedLogs(t *testing.T, good []byte) []logCase {
	starts := blockStarts(t, good)
	end := starts[len(starts)-1]
	hdrLen := starts[0]
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	flip := func(at int) []byte { return mod(func(b []byte) []byte { b[at] ^= 0x40; return b }) }
	var cs []logCase
	add := func(name string, data []byte, damage int, msg string) {
		cs = append(cs, logCase{name, data, damage, msg})
	}
	// Data after the end block.
	add("append garbage", append(bytes.Clone(good), []byte("\x17\x99garbage appended by a careless tool")...), len(good), "data after the end block")
	add("append one zero byte", append(bytes.Clone(good), 0), len(good), "data after the end block")
	add("append 4 KiB of zeros", append(bytes.Clone(good), make([]byte, 4096)...), len(good), "data after the end block")
	add("append the log again", append(bytes.Clone(good), good...), len(good), "data after the end block")
	add("append the first block again", append(bytes.Clone(good), good[starts[0]:starts[1]]...), len(good), "data after the end block")
	add("append the end block again", append(bytes.Clone(good), good[end:]...), len(good), "data after the end block")
	// The end block.
	add("end block kind flipped", flip(end), end, "damaged at byte")
	add("end block CRC flipped", flip(len(good)-1), end, "checksum mismatch")
	add("end block cut by one byte", good[:len(good)-1], end, "damaged at byte")
	add("end block cut to its kind byte", good[:end+1], end, "damaged at byte")
	add("end block removed (incomplete log)", good[:end], -1, "")
	// Every data block: a flipped byte in its data, and for some a cut in
	// the middle.
	for k := 0; k < len(starts)-1; k++ {
		s, e := starts[k], starts[k+1]
		add(fmt.Sprintf("block %d data byte flipped", k), flip((s+e)/2+1), s, "damaged at byte")
		if k%3 == 0 {
			add(fmt.Sprintf("block %d cut in the middle", k), good[:(s+e)/2], s, "damaged at byte")
		}
	}
	add("first block kind set to 0", mod(func(b []byte) []byte { b[starts[0]] = 0; return b }), starts[0], "damaged at byte")
	add("first block length set to 2^30", mod(func(b []byte) []byte {
		v := binary.AppendUvarint(nil, 1<<30)
		return append(append(b[:starts[0]+1:starts[0]+1], v...), good[starts[0]+2:]...)
	}), starts[0], "damaged at byte")
	// The header: nothing is usable.
	add("header JSON byte flipped", flip(hdrLen-5), -2, "damaged at byte 0")
	add("header cut", good[:hdrLen-3], -2, "damaged at byte 0")
	add("magic only", good[:8], -2, "damaged at byte 0")
	add("empty file", nil, -2, "log ends inside the header")
	add("version 9", mod(func(b []byte) []byte { b[8] = 9; return b }), -2, "version")
	add("a scenario file", []byte("[simulation]\nduration = \"1 s\"\n"), -2, "not a spike log")
	return cs
}

// TestDamagedLogVerbs runs stats, plot, export and inspect on each log of
// damagedLogs. On damage after the header each verb reports the byte offset
// on stderr and exits 1, and stats and export cover exactly the spikes of
// the intact blocks (none lost, none invented); a log with an unusable
// header fails every verb with a message; a clean incomplete log exits 0
// without a warning. No verb may panic.
func TestDamagedLogVerbs(t *testing.T) {
	src := runQuickstartFlush0(t)
	good, err := os.ReadFile(filepath.Join(src, LogName))
	if err != nil {
		t.Fatal(err)
	}
	cases := damagedLogs(t, good)
	if len(cases) < 30 {
		t.Fatalf("only %d damaged-log cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "log.snnlog")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			intact := int64(-1)
			if tc.damage != -2 {
				intact = intactSpikes(t, path)
			}
			for _, verb := range [][]string{
				{"stats", path, "--json"},
				{"plot", path, "--format", "png", "--out", filepath.Join(dir, "plots")},
				{"export", path, "--format", "csv", "--out", filepath.Join(dir, "csv")},
				{"inspect", path},
			} {
				code, out, errs := runSafe(verb...)
				all := out + errs
				switch {
				case code < 0:
					t.Fatalf("snnsim %s panicked: %s", verb[0], errs)
				case tc.damage == -2:
					if code != 1 || !strings.Contains(all, tc.msg) {
						t.Errorf("snnsim %s: exit %d, want 1 with %q:\n%s", verb[0], code, tc.msg, all)
					}
					continue
				case tc.damage == -1:
					if code != 0 || strings.Contains(all, "damaged") {
						t.Errorf("snnsim %s on a clean log: exit %d:\n%s", verb[0], code, all)
					}
				default:
					where := fmt.Sprintf("damaged at byte %d", tc.damage)
					if code != 1 || !strings.Contains(all, where) || !strings.Contains(all, tc.msg) {
						t.Errorf("snnsim %s: exit %d, want 1 with %q and %q:\n%s", verb[0], code, where, tc.msg, all)
					}
					if verb[0] != "inspect" && !strings.Contains(errs, "cover only the intact part") {
						t.Errorf("snnsim %s does not say it used the intact part:\n%s", verb[0], errs)
					}
				}
				switch verb[0] {
				case "stats":
					var st statsJSON
					if err := json.Unmarshal([]byte(out), &st); err != nil {
						t.Fatalf("stats --json printed no JSON: %v\n%s", err, all)
					}
					var n int64
					for _, p := range st.Populations {
						n += p.Spikes
					}
					if n != intact {
						t.Errorf("stats counts %d spikes, the intact blocks hold %d", n, intact)
					}
				case "export":
					csv, err := os.ReadFile(filepath.Join(dir, "csv", "spikes.csv"))
					if err != nil {
						t.Fatalf("export wrote no spikes.csv: %v\n%s", err, all)
					}
					if rows := int64(bytes.Count(csv, []byte("\n")) - 1); rows != intact {
						t.Errorf("spikes.csv has %d rows, the intact blocks hold %d spikes", rows, intact)
					}
				case "plot":
					if !strings.Contains(out, "wrote") {
						t.Errorf("plot wrote nothing:\n%s", all)
					}
				}
			}
		})
	}
}

// intactSpikes counts the spikes of the log's blocks before its first
// damage, with the reader directly.
func intactSpikes(t *testing.T, path string) int64 {
	r, err := spikelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, _ := r.Stats()
	return st.Spikes
}

// runSafe runs the CLI and turns a panic into exit code -1 with the panic
// on stderr.
func runSafe(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	defer func() {
		if p := recover(); p != nil {
			code, stderr = -1, fmt.Sprint(p)
		}
	}()
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// runQuickstartFlush0 runs the quickstart scenario with full blocks only.
func runQuickstartFlush0(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	runCmd(t, append([]string{"run", "../../scenarios/quickstart.toml", "--out", dir, "--progress", "none", "--flush-interval", "0"}, oneWorker...)...)
	return dir
}

// TestCheckIntact checks the warning of checkIntact on a damaged log and
// its silence on a sound one.
func TestCheckIntact(t *testing.T) {
	src := runQuickstartFlush0(t)
	good, err := os.ReadFile(filepath.Join(src, LogName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.snnlog")
	if err := os.WriteFile(bad, append(bytes.Clone(good), "junk"...), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	ce, err := checkIntact("plot", bad, "the figures", &errb)
	if err != nil || ce == nil || ce.Offset != int64(len(good)) ||
		!strings.Contains(errb.String(), fmt.Sprintf("snnsim plot: warning: spikelog: log damaged at byte %d", len(good))) {
		t.Errorf("damaged: %v, %v, stderr %q", ce, err, errb.String())
	}
	errb.Reset()
	if ce, err := checkIntact("plot", filepath.Join(src, LogName), "the figures", &errb); ce != nil || err != nil || errb.Len() != 0 {
		t.Errorf("sound log: %v, %v, stderr %q", ce, err, errb.String())
	}
}
