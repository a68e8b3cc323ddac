package engine

import (
	"bytes"
	"context"
	"testing"

	"github.com/snnsim/snnsim/checkpoint"
)

// A static projection with one constant weight keeps no weight array
// (netlist.Projection.ConstWeight): Weights still returns every synapse's
// weight, SetWeight gives the projection its own array (twice in a row is
// fine), and a checkpoint taken after SetWeight restores it; the runs with
// and without the array agree.
func TestConstantWeights(t *testing.T) {
	const file = "quickstart.toml"
	e := stcEngine(t, Config{}, file)
	k := 0 // input_to_E: uniform weights, an array
	for i, p := range e.Network().Projections {
		if p.Weight == nil {
			k = i
			break
		}
	}
	p := e.Network().Projections[k]
	if p.Weight != nil {
		t.Fatal("quickstart has no constant-weight projection")
	}
	w, err := e.Weights(k)
	if err != nil || len(w) != p.Len() || w[0] != p.ConstWeight || w[len(w)-1] != p.ConstWeight {
		t.Fatalf("Weights: %d values (%v), first %v, want %d of %v", len(w), err, w[0], p.Len(), p.ConstWeight)
	}
	if err := e.Run(context.Background(), e.Network().Duration/2); err != nil {
		t.Fatal(err)
	}
	for _, v := range []float64{0.5, 0.25} { // the second call finds the projection's own array
		if err := e.SetWeight(k, 3, v); err != nil {
			t.Fatal(err)
		}
	}
	if w, _ := e.Weights(k); w[3] != 0.25 || w[4] != p.ConstWeight {
		t.Fatalf("after SetWeight: w[3] = %v, w[4] = %v", w[3], w[4])
	}
	if p.Weight != nil {
		t.Fatal("SetWeight changed the network")
	}
	var ck bytes.Buffer
	if err := e.Checkpoint(&ck, nil); err != nil {
		t.Fatal(err)
	}
	meta, body, err := checkpoint.Read(bytes.NewReader(ck.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	r := stcEngine(t, Config{}, file)
	if err := r.Restore(meta, body); err != nil {
		t.Fatal(err)
	}
	if w, _ := r.Weights(k); w[3] != 0.25 || w[4] != p.ConstWeight {
		t.Fatalf("restored: w[3] = %v, w[4] = %v", w[3], w[4])
	}
	rest := e.Network().Duration - e.Now()
	for _, x := range []*Engine{e, r} {
		if err := x.Run(context.Background(), rest); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := e.Stats().Spikes, r.Stats().Spikes; a[1] != b[1] || a[2] != b[2] || e.Now() != r.Now() {
		t.Errorf("spikes %v straight, %v restored", a, b)
	}
}
