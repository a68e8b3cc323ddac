package engine

import (
	"context"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/stdp"
)

// ownerNet is a small version of B3: Poisson input onto conductance-based
// E and I neurons with homeostatic triplet STDP on E→E.
const ownerNet = `
[simulation]
duration   = "4 s"
resolution = "0.1 ms"
seed       = 3

[[population]]
name   = "P"
size   = 200
model  = "poisson"
params = { rate = "10 Hz" }

[[population]]
name   = "E"
size   = 160
model  = "lif_cond_ampa_nmda"
params = { tau_m = "20 ms" }

[[population]]
name   = "I"
size   = 40
model  = "lif_cond_ampa_nmda"
params = { tau_m = "10 ms" }

[[projection]]
from     = "P"
to       = "E"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.2 }
weight   = 0.3
delay    = "0.8 ms"

[[projection]]
from       = "E"
to         = "E"
receptor   = "exc"
connect    = { rule = "fixed_probability", p = 0.2, autapses = false }
weight     = 0.16
delay      = "0.8 ms"
plasticity = { rule = "triplet_homeostatic", preset = "zenke_2013", eta = 20, w_min = 0, w_max = 1 }

[[projection]]
from     = "E"
to       = "I"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.2 }
weight   = 0.16
delay    = "0.8 ms"

[[projection]]
from     = "I"
to       = "E"
receptor = "inh"
connect  = { rule = "fixed_probability", p = 0.2 }
weight   = 1.0
delay    = "0.8 ms"
`

// TestPlasticOwnerSetWeight checks the engine's side of stdp.WeightOwner:
// the engine lets the homeostatic rule own its weights (skipping increments
// that round to nothing), and SetWeight must tell it. A run that sets
// weights midway, some far below the others, must give the same weights,
// bit for bit, as the same run with a rule that does not own its weights.
func TestPlasticOwnerSetWeight(t *testing.T) {
	sc, err := scenario.Decode("owner.toml", []byte(ownerNet))
	if err != nil {
		t.Fatal(err)
	}
	net, err := sc.Compile()
	if err != nil {
		t.Fatal(err)
	}
	const ee = 1
	run := func(owned bool) []float32 {
		e, err := New(net, Config{})
		if err != nil {
			t.Fatal(err)
		}
		p := &e.projs[ee]
		if _, ok := p.plastic.rule.(stdp.WeightOwner); !ok {
			t.Fatalf("the rule %T does not own its weights: the test checks nothing", p.plastic.rule)
		}
		if !owned { // a fresh rule that was never told it owns the weights
			nPre, nPost := net.Populations[p.From].Size, net.Populations[p.To].Size
			if p.plastic.rule, err = stdp.New[float32](p.Plasticity, net.Clock, nPre, nPost); err != nil {
				t.Fatal(err)
			}
		}
		sec := net.Duration / 4
		if err := e.Run(context.Background(), 2*sec); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < p.Len(); k += 7 {
			if err := e.SetWeight(ee, snnsim.SynapseID(k), 1e-3*float64(k%5)); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Run(context.Background(), 2*sec); err != nil {
			t.Fatal(err)
		}
		if owned {
			if s := e.Stats().Spikes[1]; s < 1000 {
				t.Fatalf("E fired %d spikes in 4 s: too few to test anything", s)
			}
		}
		w, err := e.Weights(ee)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	owned, plain := run(true), run(false)
	changed := 0
	for k := range owned {
		if math.Float32bits(owned[k]) != math.Float32bits(plain[k]) {
			t.Fatalf("synapse %d: %.9g with an owning rule, %.9g without", k, owned[k], plain[k])
		}
		if owned[k] != net.Projections[ee].WeightAt(int64(k)) {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no weight changed: the test checks nothing")
	}
	t.Logf("%d of %d weights changed", changed, len(owned))
}
