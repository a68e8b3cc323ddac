package engine

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
	"github.com/snnsim/snnsim/stdp"
)

// heteroNet drives two targets hard (D) and gives them two plastic inputs
// (P and Q) with the P11 rule of Zenke, Agnes & Gerstner (2015) reduced to
// its heterosynaptic term, and the zenke_2015 model in the authors'
// configuration, paused so that w̃ stays where the test sets it.
const heteroNet = `
[simulation]
duration   = "2 s"
resolution = "0.1 ms"
seed       = 5

[[population]]
name   = "D"
size   = 1
model  = "regular"
params = { rate = "60 Hz", start = "1 ms" }

[[population]]
name   = "P"
size   = 3
model  = "regular"
params = { rate = "20 Hz", start = "3 ms" }

[[population]]
name   = "Q"
size   = 2
model  = "regular"
params = { rate = "25 Hz", start = "7 ms" }

[[population]]
name   = "E"
size   = 2
model  = "lif_delta"
params = { tau_m = "20 ms", v_rest = "-70 mV", v_threshold = "-50 mV", v_reset = "-70 mV", t_ref = "2 ms" }

[[projection]]
from     = "D"
to       = "E"
receptor = "exc"
connect  = { rule = "all_to_all" }
weight   = "30 mV"
delay    = "0.8 ms"

[[projection]]
from          = "P"
to            = "E"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "0.1 mV"
delay         = "0.8 ms"
plasticity    = { rule = "p11", a_plus = 0, a_minus = 0, delta = 0, beta = 0.05 }
consolidation = { model = "zenke_2015", preset = "sim_rc_p11" }

[[projection]]
from          = "Q"
to            = "E"
receptor      = "exc"
connect       = { rule = "all_to_all" }
weight        = "0.1 mV"
delay         = "0.8 ms"
plasticity    = { rule = "p11", a_plus = 0, a_minus = 0, delta = 0, beta = 0.05 }
consolidation = { model = "zenke_2015", preset = "sim_rc_p11" }

[[neuromodulator]]
population = "E"
name       = "consolidation"
schedule   = [{ at = "0 s", level = 0 }]
`

// TestReferenceWeightsReachRule checks that the P11 rule reads w̃ from the
// consolidation model, through its own projection's window: with only the
// heterosynaptic term, every post spike of target j multiplies w − w̃ of
// each synapse onto j by the same factor 1 − β (z⁻_j)³, so (w − w̃)/(w0 −
// w̃) must agree between the synapses of P (w̃ = 0, the lower well) and
// of Q (w̃ = 0.4, set by the test; Q's synapses come second in the model,
// so a rule reading the wrong window would pull them towards 0).
func TestReferenceWeightsReachRule(t *testing.T) {
	net := compileText(t, heteroNet)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	const pk, qk = 1, 2
	for s := range snnsim.SynapseID(net.Projections[qk].Len()) {
		if err := e.SetSynapseState(qk, s, "w_ref", 0.4); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	if s := e.Stats().Spikes[3]; s < 100 {
		t.Fatalf("E fired %d spikes: too few to test anything", s)
	}
	ratio := map[int32][]float64{}
	for _, c := range []struct {
		k    int
		wRef float64
	}{{pk, 0}, {qk, 0.4}} {
		w, _ := e.Weights(c.k)
		for s, v := range w {
			wr, err := e.SynapseState(c.k, snnsim.SynapseID(s), "w_ref")
			if err != nil {
				t.Fatal(err)
			}
			if wr != float64(float32(c.wRef)) && wr != c.wRef {
				t.Fatalf("projection %d synapse %d: w̃ = %g moved while paused", c.k, s, wr)
			}
			j := net.Projections[c.k].Target[s]
			ratio[j] = append(ratio[j], (float64(v)-wr)/(0.1-wr))
		}
	}
	for j, rs := range ratio {
		for _, r := range rs {
			if math.Abs(r-rs[0]) > 1e-5 || !(r < 0.5 && r > 0) {
				t.Errorf("target %d: (w − w̃)/(w0 − w̃) = %v: want one value in (0, 0.5) for every synapse", j, rs)
				break
			}
		}
		t.Logf("target %d: (w − w̃)/(w0 − w̃) = %.6f", j, rs[0])
	}
}

// TestReferenceRuleErrors checks the projections the engine refuses (a
// network built in code; a scenario refuses them earlier, at their keys):
// a rule that reads w̃ without a model that keeps it, and a rule and a
// model that would both apply the heterosynaptic term.
func TestReferenceRuleErrors(t *testing.T) {
	zenkeDefault := consolidation.DefaultZenke()
	for _, c := range []struct {
		name string
		cons consolidation.Params
		want string
	}{
		{"no_model", nil, `reads the reference weights of a consolidation model`},
		{"twice", &zenkeDefault, `both the plasticity rule p11 and the consolidation model zenke_2015 apply the heterosynaptic term`},
		{"trivial", &consolidation.TrivialParams{}, `which the consolidation model trivial does not keep`},
	} {
		t.Run(c.name, func(t *testing.T) {
			net := compileText(t, heteroNet)
			net.Modulations = nil
			for _, p := range net.Projections[1:] {
				p.Consolidation = c.cons
			}
			if _, err := New(net, Config{}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want an error containing %q", err, c.want)
			}
		})
	}
	// β = 0: the rule reads no w̃ and needs no model.
	net := compileText(t, heteroNet)
	net.Modulations = nil
	for _, p := range net.Projections[1:] {
		p.Consolidation = nil
		p11 := *p.Plasticity.(*stdp.P11Params)
		p11.Beta = 0
		p.Plasticity = &p11
	}
	if _, err := New(net, Config{}); err != nil {
		t.Fatalf("p11 with beta = 0 and no consolidation: %v", err)
	}
}

// orchestratedNet is a small network with every rule of Zenke, Agnes &
// Gerstner (2015): P11 with zenke_2015 on input→E and E→E, global-factor
// iSTDP on I→E; short consolidation time constants so that w̃ moves.
const orchestratedNet = `
[simulation]
duration   = "1 s"
resolution = "0.1 ms"
seed       = 11

[[population]]
name   = "X"
size   = 60
model  = "poisson"
params = { rate = "20 Hz" }

[[population]]
name   = "E"
size   = 40
model  = "lif_delta"
params = { tau_m = "20 ms", v_rest = "-70 mV", v_threshold = "-50 mV", v_reset = "-70 mV", t_ref = "2 ms" }

[[population]]
name   = "I"
size   = 10
model  = "lif_delta"
params = { tau_m = "10 ms", v_rest = "-70 mV", v_threshold = "-50 mV", v_reset = "-70 mV", t_ref = "2 ms" }

[[projection]]
from          = "X"
to            = "E"
receptor      = "exc"
connect       = { rule = "fixed_probability", p = 0.5 }
weight        = "1.5 mV"
delay         = "0.8 ms"
plasticity    = { rule = "p11", a_plus = 0.05, a_minus = 0.05, beta = 0.5, w_max = 5 }
consolidation = { model = "zenke_2015", preset = "sim_rc_p11", tau_cons = "60 s", slow_step = "60 ms" }

[[projection]]
from          = "E"
to            = "E"
receptor      = "exc"
connect       = { rule = "fixed_probability", p = 0.2, autapses = false }
weight        = "0.5 mV"
delay         = "0.8 ms"
plasticity    = { rule = "p11", a_plus = 0.05, a_minus = 0.05, beta = 0.5, w_max = 5 }
consolidation = { model = "zenke_2015", preset = "sim_rc_p11", tau_cons = "60 s", slow_step = "60 ms" }

[[projection]]
from     = "E"
to       = "I"
receptor = "exc"
connect  = { rule = "fixed_probability", p = 0.5 }
weight   = "3 mV"
delay    = "0.8 ms"

[[projection]]
from       = "I"
to         = "E"
receptor   = "inh"
connect    = { rule = "fixed_probability", p = 0.5 }
weight     = "2 mV"
delay      = "0.8 ms"
plasticity = { rule = "istdp_global", eta = 0.01, kappa = "5 Hz", tau_h = "200 ms" }
`

// TestOrchestratedCheckpoint checkpoints the network with all three rules
// mid-run and checks that the restored engine goes on identically (the
// rules' traces and the population count of istdp_global, the model's w,
// w̃ and the reference window the P11 rules read).
func TestOrchestratedCheckpoint(t *testing.T) {
	net := compileText(t, orchestratedNet)
	checkResume(t, net)
	// The rules are at work in this network: weights of every plastic
	// projection and w̃ move within the 0.6 s of the checkpoint test.
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), 6000); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 1, 3} {
		w, _ := e.Weights(k)
		w0 := net.Projections[k].Weights()
		moved, refMoved := 0, 0
		for s := range w {
			if w[s] != w0[s] {
				moved++
			}
			if k < 2 {
				if wr, _ := e.SynapseState(k, snnsim.SynapseID(s), "w_ref"); wr != 0 {
					refMoved++
				}
			}
		}
		if moved < len(w)/2 || (k < 2 && refMoved < len(w)/2) {
			t.Errorf("projection %d: %d of %d weights and %d reference weights moved", k, moved, len(w), refMoved)
		}
		t.Logf("projection %d: %d of %d weights moved, %d reference weights", k, moved, len(w), refMoved)
	}
}
