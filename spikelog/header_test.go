package spikelog

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestHeaderParentAndGroups: the optional parent and groups survive a
// write and a read; a header without them is written without their keys,
// so that logs of runs from tick 0 without groups keep their bytes.
func TestHeaderParentAndGroups(t *testing.T) {
	base := Header{Program: "test", DT: 0.2, Seed: 3, Scenario: "s", Populations: []Population{{Name: "E", First: 0, Size: 10, Kind: Neuron}}}
	full := base
	full.Parent = &Parent{Checkpoint: "/runs/learn/checkpoint.snnckpt", SHA256: strings.Repeat("ab", 32), Tick: 75000}
	full.Groups = []Group{{Name: "core", Population: "E", Neurons: []int{0, 1, 2, 3}}, {Name: "cue", Population: "E", Neurons: []int{3, 1}}}
	for _, h := range []Header{base, full} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, h, Options{FlushInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if h.Parent == nil && (bytes.Contains(buf.Bytes(), []byte(`"parent"`)) || bytes.Contains(buf.Bytes(), []byte(`"groups"`))) {
			t.Error("a header without parent and groups writes their keys")
		}
		r, err := NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Header(); !reflect.DeepEqual(got, h) {
			t.Errorf("read back %+v\nwrote %+v", got, h)
		}
		if g, ok := r.Header().Group("cue"); (h.Groups != nil) != ok || (ok && g.Neurons[0] != 3) {
			t.Errorf("Group(cue): %+v, %v", g, ok)
		}
	}
}
