package engine_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// TestScheduleMatchesDoc keeps the two descriptions of the tick's order of
// operations — the package doc and Engine.Schedule — naming the same steps
// in the same order, so that changing one without the other fails here.
func TestScheduleMatchesDoc(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	p := neuron.DefaultLIFDelta()
	net := &netlist.Network{
		Clock:       snnsim.Clock{DT: 0.1},
		Duration:    10,
		Populations: []*netlist.Population{{Name: "cell", Size: 1, Neuron: &p}},
	}
	e, err := engine.New(net, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	type step struct{ id, name string }
	collect := func(re *regexp.Regexp, text string) []step {
		var out []step
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, step{m[1], m[2]})
		}
		return out
	}
	// Doc list items: "//  4. neurons: every active neuron ..."; sub-steps
	// are named in the text as "(4b ...".
	doc := collect(regexp.MustCompile(`(?m)^//\s+(\d)\. ([a-z-]+)`), string(src))
	for _, m := range regexp.MustCompile(`\((\d)b\b`).FindAllStringSubmatch(string(src), -1) {
		doc = append(doc, step{m[1] + "b", ""})
	}
	sched := collect(regexp.MustCompile(`(?m)^\s+(\d+b?)\. +([a-z-]+)`), e.Schedule())
	if len(sched) == 0 || len(doc) == 0 {
		t.Fatalf("no steps found: doc %v, Schedule %v", doc, sched)
	}
	byID := func(s []step) []string {
		var ids []string
		for _, x := range s {
			ids = append(ids, x.id)
		}
		slices.Sort(ids)
		return ids
	}
	if d, s := byID(doc), byID(sched); !slices.Equal(d, s) {
		t.Errorf("steps differ: package doc %v, Engine.Schedule %v", d, s)
	}
	names := map[string]string{}
	for _, s := range sched {
		names[s.id] = s.name
	}
	for _, d := range doc {
		if d.name != "" && !strings.HasPrefix(d.name, names[d.id]) && !strings.HasPrefix(names[d.id], d.name) {
			t.Errorf("step %s: package doc says %q, Engine.Schedule says %q", d.id, d.name, names[d.id])
		}
	}
}
