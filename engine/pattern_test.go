package engine

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/spikelog"
)

// patternNet is randomNet driven by a pattern source instead of the
// Poisson input: two patterns of 60 of its 200 members, 50 ms on, 30 ms
// off, and a second phase at 250 ms with a stronger stimulus.
func patternNet(seed uint64) *netlist.Network {
	net := randomNet(seed, 0)
	p := source.DefaultPattern()
	p.Background, p.Rate = 10, 80
	var a, b []int
	for i := range 60 {
		a = append(a, i)
		b = append(b, 100+i)
	}
	p.Patterns = [][]int{a, b}
	p.First, p.On, p.Off = 5, 50, 30
	p.Phases = []source.PatternPhase{{At: 250, Background: 10, Rate: 150, Patterns: p.Patterns, First: 0, On: 20, Off: 20, RandomIntervals: true}}
	net.Populations[0].Source = &p
	return net
}

// marked runs e for d ticks and returns its marks, "tick text".
func marked(t *testing.T, e *Engine, d snnsim.Time) []string {
	t.Helper()
	var marks []string
	e.OnMark(func(at snnsim.Time, text string) error {
		marks = append(marks, fmt.Sprintf("%d %s", at, text))
		return nil
	})
	if err := e.Run(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return marks
}

// TestPatternMarks: the engine writes every switch of a pattern source as
// a mark at its tick, and a run split by a checkpoint writes the marks of
// the run in one piece.
func TestPatternMarks(t *testing.T) {
	net := patternNet(5)
	checkResume(t, net)

	one, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	all := marked(t, one, 6000)
	if len(all) < 10 || all[0] != "0 "+spikelog.PatternMark(spikelog.PatternPhase, "P", 0) || all[1] != "50 "+spikelog.PatternMark(spikelog.PatternOn, "P", 0) && all[1] != "50 "+spikelog.PatternMark(spikelog.PatternOn, "P", 1) {
		t.Fatalf("marks %v: want phase 0 at tick 0, then a pattern on at tick 50", all)
	}
	if !slices.ContainsFunc(all, func(s string) bool { return s == "2500 "+spikelog.PatternMark(spikelog.PatternPhase, "P", 1) }) {
		t.Errorf("no start of phase 1 at tick 2500 in %v", all)
	}
	a, _ := New(net, Config{})
	first := marked(t, a, 1717)
	var ck bytes.Buffer
	if err := a.Checkpoint(&ck, nil); err != nil {
		t.Fatal(err)
	}
	meta, body, err := checkpoint.Read(bytes.NewReader(ck.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(net, Config{})
	if err := b.Restore(meta, body); err != nil {
		t.Fatal(err)
	}
	if got := append(first, marked(t, b, 6000-1717)...); !slices.Equal(got, all) {
		t.Errorf("split run marks differ:\n%v\n%v", got, all)
	}
}
