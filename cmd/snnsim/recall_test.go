package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/spikelog"
)

// recallLog writes a log of 10 excitatory neurons E and 2 inhibitory I at
// dt 0.1 ms. Windows of 50 ms centred on 100 ms (learning) and 300 ms
// (recall) hold these spike counts:
//
//	E neuron  0 1 2 3 4 5..9
//	learning  2 2 2 2 0 0
//	recall    3 3 1 0 1 0
//
// plus spikes just outside both windows and of I inside them, which must
// not count.
func recallLog(t *testing.T, groups ...spikelog.Group) string {
	t.Helper()
	h := spikelog.Header{Program: "test", DT: 0.1, Scenario: "test", Populations: []spikelog.Population{
		{Name: "E", First: 0, Size: 10, Kind: spikelog.Neuron},
		{Name: "I", First: 10, Size: 2, Kind: spikelog.Neuron},
	}, Groups: groups}
	var buf bytes.Buffer
	w, err := spikelog.NewWriter(&buf, h, spikelog.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ticks := []struct {
		t   snnsim.Time
		ids []snnsim.NeuronID
	}{
		{749, []snnsim.NeuronID{0, 5}}, // 74.9 ms: before the learning window
		{750, []snnsim.NeuronID{0, 1, 2, 3, 10}},
		{1000, []snnsim.NeuronID{0, 1, 2, 3, 11}},
		{1250, []snnsim.NeuronID{6}}, // 125 ms: the window is half-open
		{2750, []snnsim.NeuronID{0, 1, 2, 4}},
		{2900, []snnsim.NeuronID{0, 1, 10, 11}},
		{3249, []snnsim.NeuronID{0, 1}},
		{3250, []snnsim.NeuronID{3, 7}},
	}
	for _, x := range ticks {
		if err := w.Spikes(x.t, x.ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "spikes.snnlog")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRecallVerb checks snnsim recall on the hand-made log: rates over
// 0.05 s give ν_as = 60 Hz, ν_ans = (20 + 0)/2 = 10 Hz, ν_ctrl = 20/6 Hz,
// so Q = (10 − 10/3)/60 = 1/9; H(L) = H(0.4) = 0.970951 bits,
// H(R) = 1.370951 bits (counts 3,1,0 with p 0.2, 0.2, 0.6), H(L,R) =
// 1.960964 bits, MI = 0.380937 bits.
func TestRecallVerb(t *testing.T) {
	path := recallLog(t)
	out, _ := runCmd(t, "recall", path, "--assembly", "0..3", "--learn", "100 ms", "--recall", "300 ms", "--width", "50 ms", "--json")
	var got recallJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check := func(name string, p *float64, want float64) {
		if p == nil || math.Abs(*p-want) > 1e-6 {
			t.Errorf("%s = %v, want %.7g", name, p, want)
		}
	}
	check("nu_as", got.NuAS, 60)
	check("nu_ans", got.NuANS, 10)
	check("nu_ctrl", got.NuCtrl, 20.0/6)
	check("Q", got.Q, 1.0/9)
	check("H(L)", got.HL, 0.9709506)
	check("H(R)", got.HR, 1.3709506)
	check("MI", got.MI, 0.3809371)
	if got.Assembly != 4 || got.Cued != 2 || got.LearnMs != [2]float64{75, 125} || got.RecallMs != [2]float64{275, 325} {
		t.Errorf("groups or windows: %+v", got)
	}
	// I fires 2 spikes in the recall window [275, 325) ms (both at 290 ms;
	// its spikes at 75 and 100 ms fall in the learning window): 2 spikes
	// over 2 neurons in 0.05 s is 20 Hz.
	out, _ = runCmd(t, "recall", path, "--assembly", "0..3", "--learn", "100 ms", "--recall", "300 ms", "--width", "50 ms", "--inhibitory", "I", "--json")
	got = recallJSON{}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check("nu_inh", got.NuInh, 20)
	check("Q with --inhibitory", got.Q, 1.0/9)
	// An explicit cue of the same neurons gives the same Q; the table
	// prints it.
	out, _ = runCmd(t, "recall", path, "--assembly", "0..3", "--cue", "0,1", "--learn", "100 ms", "--recall", "300 ms", "--width", "50 ms")
	if !strings.Contains(out, "Q  = 0.1111") || !strings.Contains(out, "MI = 0.3809 bits") {
		t.Errorf("table:\n%s", out)
	}
}

// TestRecallVerbErrors checks that each mistake names its flag.
func TestRecallVerbErrors(t *testing.T) {
	path := recallLog(t)
	base := []string{"recall", path, "--learn", "100 ms", "--recall", "300 ms", "--width", "50 ms"}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"recall", path, "--learn", "1 s", "--recall", "2 s"}, 1, `--assembly: the log has no group "core" (it has no groups): give the assembly's indices`},
		{append(base, "--assembly", "0..10"), 1, `--assembly: "0..10" lies outside the population's indices 0..9`},
		{append(base, "--assembly", "0..x"), 1, `--assembly: "0..x" is not a range`},
		{append(base, "--assembly", "0..3", "--cue", "5"), 1, "cued neuron 5 is not in the assembly"},
		{append(base, "--assembly", "0..3", "--population", "X"), 1, `no population "X" in the log (it has E, I)`},
		{append(base, "--assembly", "0..3", "--inhibitory", "Y"), 1, `--inhibitory: no population "Y" in the log (it has E, I)`},
		{[]string{"recall", path, "--assembly", "0..3", "--learn", "10 ms", "--recall", "300 ms", "--width", "50 ms"}, 1, "a window starts before 0 s"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args[2:], code, errb.String(), tc.code, tc.msg)
		}
	}
}

// TestRecallGroupsFromHeader: without --assembly and --cue, recall takes
// the groups "core" and "cue" of the log header. With the cue {2, 3} of
// the assembly {0..3} in recallLog, the cued neurons fire 1 and 0 spikes
// in the recall window (ν_as = 10 Hz), the uncued 3 and 3 (ν_ans = 60 Hz),
// so Q = (60 − 10/3)/10 = 17/3; MI does not depend on the groups. The
// flags override the header, by indices or by a group's name.
func TestRecallGroupsFromHeader(t *testing.T) {
	path := recallLog(t, spikelog.Group{Name: "core", Population: "E", Neurons: []int{0, 1, 2, 3}},
		spikelog.Group{Name: "cue", Population: "E", Neurons: []int{2, 3}},
		spikelog.Group{Name: "inh", Population: "I", Neurons: []int{0}})
	base := []string{"recall", path, "--learn", "100 ms", "--recall", "300 ms", "--width", "50 ms", "--json"}
	for _, tc := range []struct {
		flags     []string
		q, nuAS   float64
		asm, cued int
	}{
		{nil, 17.0 / 3, 10, 4, 2},
		{[]string{"--assembly", "core", "--cue", "cue"}, 17.0 / 3, 10, 4, 2},
		{[]string{"--cue", "0,1"}, 1.0 / 9, 60, 4, 2},
		{[]string{"--assembly", "0..3", "--cue", "0..1"}, 1.0 / 9, 60, 4, 2},
		{[]string{"--assembly", "1..3", "--cue", "cue"}, (60 - 80.0/7) / 10, 10, 3, 2}, // ctrl: neurons 0, 4..9 with 3, 1, 0... spikes
	} {
		out, _ := runCmd(t, append(slices.Clone(base), tc.flags...)...)
		var got recallJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %v\n%s", tc.flags, err, out)
		}
		if got.Q == nil || math.Abs(*got.Q-tc.q) > 1e-9 || got.NuAS == nil || math.Abs(*got.NuAS-tc.nuAS) > 1e-9 || got.Assembly != tc.asm || got.Cued != tc.cued {
			t.Errorf("%v: Q %v, nu_as %v, assembly %d, cued %d; want %.6g, %g, %d, %d", tc.flags, got.Q, got.NuAS, got.Assembly, got.Cued, tc.q, tc.nuAS, tc.asm, tc.cued)
		}
		if got.MI == nil || math.Abs(*got.MI-0.3809371) > 1e-6 {
			t.Errorf("%v: MI %v, want 0.3809371", tc.flags, got.MI)
		}
	}
	var out, errb bytes.Buffer
	if code := run(append(slices.Clone(base), "--cue", "inh"), &out, &errb); code != 1 || !strings.Contains(errb.String(), "--cue inh: the group is of population I, not E") {
		t.Errorf("a cue of another population: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := run(append(slices.Clone(base), "--cue", "kue"), &out, &errb); code != 1 || !strings.Contains(errb.String(), "or name a group of the log (it has core: 4 of E, cue: 2 of E, inh: 1 of I)") {
		t.Errorf("an unknown group: exit %d, %q", code, errb.String())
	}
}
