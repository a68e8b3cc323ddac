package engine

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
)

// TestRestoreBranch: the state of a run of one OU pulse (2000–6000) and a
// later one, checkpointed at tick 3000, continues into a network whose
// later pulse moved exactly as a run of that network from tick 0; maps
// that drop or change the running pulse, and another network, are refused.
func TestRestoreBranch(t *testing.T) {
	pulse := func(start, stop int64, mean float64) *netlist.Stimulus {
		return &netlist.Stimulus{Kind: "ou_current", Mean: mean, Sigma: 200, Init: mean, Tau: 5, Start: snnsim.Time(start), Stop: snnsim.Time(stop)}
	}
	parent := ouNet(3, pulse(2000, 6000, 400))
	parent.Stimuli = append(parent.Stimuli, pulse(6500, 7000, 900))
	child := ouNet(3, pulse(2000, 6000, 400))
	child.Stimuli = append(child.Stimuli, pulse(4000, 4500, 900), pulse(3000, 3100, 700))

	e, err := New(parent, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), 3000); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.Checkpoint(&buf, nil); err != nil {
		t.Fatal(err)
	}
	meta, body, err := checkpoint.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}

	want, wantV := runV(t, child)
	b, err := New(child, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got recorder
	b.Attach(&got, nil)
	if err := b.RestoreBranch(meta, body, Branch{Parent: parent, Stimuli: []int{0, -1, -1}}); err != nil {
		t.Fatal(err)
	}
	var gotV []float64
	for b.Now() < child.Duration {
		if err := b.Run(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			v, _ := b.V(0, i)
			gotV = append(gotV, v)
		}
	}
	// The branch's potentials from tick 3000 on are the one run's.
	if tail := wantV[len(wantV)-len(gotV):]; len(gotV) != 3*500 || !slices.Equal(tail, gotV) {
		t.Errorf("potentials after the checkpoint differ from one run of the changed network (%d values)", len(gotV))
	}
	var afterT []snnsim.Time
	var afterID []snnsim.NeuronID
	for k, tk := range want.t {
		if tk >= 3000 {
			afterT, afterID = append(afterT, tk), append(afterID, want.ids[k])
		}
	}
	if len(afterT) == 0 || !slices.Equal(got.t, afterT) || !slices.Equal(got.ids, afterID) {
		t.Errorf("%d spikes after the checkpoint in one run, %d in the branch, or they differ", len(afterT), len(got.t))
	}

	for _, tc := range []struct {
		name string
		b    Branch
		want string
	}{
		{"running pulse dropped", Branch{Parent: parent, Stimuli: []int{-1, -1, -1}}, "stimulus 0 starts at tick 2000, before the checkpoint's tick 3000"},
		{"running pulse changed", Branch{Parent: parent, Stimuli: []int{0, 1, -1}}, "stimulus 1 is not the parent's stimulus 1"},
		{"continued twice", Branch{Parent: parent, Stimuli: []int{0, 0, -1}}, "continued twice"},
		{"short map", Branch{Parent: parent, Stimuli: []int{0}}, "the stimulus map has 1 entries for 3 stimuli"},
		{"another parent", Branch{Parent: ouNet(4, pulse(2000, 6000, 400)), Stimuli: []int{0, -1, -1}}, "belongs to another network"},
	} {
		b, _ := New(child, Config{})
		err := b.RestoreBranch(meta, body, tc.b)
		if !errors.Is(err, checkpoint.ErrMismatch) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a mismatch saying %q", tc.name, err, tc.want)
		}
	}
}
