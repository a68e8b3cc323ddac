package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
)

// zMeans are the pathway means of scenarios/stc_ziegler.toml at one time:
// efficacy, x, y, z of S1_to_N and of S2_to_N, and the neuron's protein.
type zMeans struct {
	h              float64 // [h]
	e1, x1, y1, z1 float64
	e2, x2, y2, z2 float64
	p              float64
}

// runZiegler runs scenarios/stc_ziegler.toml with overrides and seed, and
// returns the pathway means at the given times [h].
func runZiegler(t *testing.T, seed uint64, hours []float64, sets ...string) []zMeans {
	t.Helper()
	e := stcEngine(t, Config{}, "stc_ziegler.toml", append([]string{fmt.Sprintf("simulation.seed=%d", seed)}, sets...)...)
	mean := func(k int, v string) float64 {
		n := e.projs[k].Len()
		sum := 0.0
		for syn := range snnsim.SynapseID(n) {
			x, err := e.SynapseState(k, syn, v)
			if err != nil {
				t.Fatal(err)
			}
			sum += x
		}
		return sum / float64(n)
	}
	var out []zMeans
	for _, h := range hours {
		if err := e.Run(context.Background(), ticksAt(t, e.net, h*3600e3)-e.Now()); err != nil {
			t.Fatal(err)
		}
		p, err := e.NeuronState(0, 0, "protein")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zMeans{h: h,
			e1: mean(0, "efficacy"), x1: mean(0, "x"), y1: mean(0, "y"), z1: mean(0, "z"),
			e2: mean(1, "efficacy"), x2: mean(1, "x"), y2: mean(1, "y"), z2: mean(1, "z"), p: p})
	}
	if st := e.Stats(); st.Spikes[0] == 0 {
		t.Fatalf("the neuron never fired")
	}
	return out
}

// meanZiegler averages runZiegler over seeds 1..n.
func meanZiegler(t *testing.T, n int, hours []float64, sets ...string) []zMeans {
	m := make([]zMeans, len(hours))
	for seed := 1; seed <= n; seed++ {
		for i, v := range runZiegler(t, uint64(seed), hours, sets...) {
			a, f := &m[i], 1/float64(n)
			a.h = v.h
			a.e1, a.x1, a.y1, a.z1 = a.e1+f*v.e1, a.x1+f*v.x1, a.y1+f*v.y1, a.z1+f*v.z1
			a.e2, a.x2, a.y2, a.z2 = a.e2+f*v.e2, a.x2+f*v.x2, a.y2+f*v.y2, a.z2+f*v.z2
			a.p += f * v.p
		}
	}
	return m
}

func zTable(m []zMeans) string {
	var b strings.Builder
	for _, v := range m {
		fmt.Fprintf(&b, "\n\t%4.2g h: S1 efficacy %.3f x %+.3f y %+.3f z %+.3f | S2 efficacy %.3f x %+.3f y %+.3f z %+.3f | protein %.3f",
			v.h, v.e1, v.x1, v.y1, v.z1, v.e2, v.x2, v.y2, v.z2, v.p)
	}
	return b.String()
}

// noDopamine moves the scenario's dopamine window out of the run.
const noDopamine = `neuromodulator.0.windows=[["20 h", "21 h"]]`

// TestZieglerScenario checks the qualitative table of tagging and capture
// (experiments E1–E3: early LTP decays, late LTP persists, tagging and
// capture; Frey & Morris 1997) for scenarios/stc_ziegler.toml, the Ziegler et al.
// (2015) model through the engine (its spike-triggered rule driven by the
// AdEx neuron's spikes, dopamine from the scenario's [[neuromodulator]]
// table), as pathway means over 3 seeds (x, y, z: −1 at rest, +1
// potentiated; efficacy 2 + x):
//
//   - STET on S1 at 30 min, dopamine 60 s after its last train: S1
//     potentiated (x̄ > 0.8) and consolidated (z̄ > 0.8) at 1, 4 and 8 h;
//   - WTET on S2 at 80 min, 30 min after the last STET train: captured
//     (x̄, z̄ > 0.8 at 4 and 8 h) by the protein left (p ≈ 0.93 at 1 h,
//     decaying with τ = 2 h);
//   - WTET alone (S1 not stimulated, no dopamine): early LTP of S2
//     (x̄ > 0.5 10 min after) that decays within hours (x̄ < −0.5 at 4 h,
//     < −0.8 at 8 h), no protein, z̄ never leaves the lower well;
//   - STET without dopamine: early LTP of S1 only, which decays too, and
//     S2 is not captured.
func TestZieglerScenario(t *testing.T) {
	hours := []float64{0.9, 1, 1.5, 4, 8}
	at := func(m []zMeans, h float64) zMeans {
		for _, v := range m {
			if v.h == h {
				return v
			}
		}
		panic("no sample")
	}
	full := meanZiegler(t, 3, hours)
	t.Logf("STET S1 0.5 h, dopamine 50:01–51:01, WTET S2 80 min, means over 3 seeds:%s", zTable(full))
	for _, h := range []float64{1, 4, 8} {
		if v := at(full, h); v.x1 < 0.8 || v.z1 < 0.8 {
			t.Errorf("S1 at %g h: x̄ %+.3f z̄ %+.3f, want potentiated and consolidated (> 0.8)", h, v.x1, v.z1)
		}
	}
	for _, h := range []float64{4, 8} {
		if v := at(full, h); v.x2 < 0.8 || v.z2 < 0.8 {
			t.Errorf("S2 at %g h: x̄ %+.3f z̄ %+.3f, want captured (> 0.8)", h, v.x2, v.z2)
		}
	}
	if v := at(full, 0.9); v.x2 != -1 || v.p < 0.9 {
		t.Errorf("before the WTET: S2 x̄ %+.3f (want -1: untouched), protein %.3f (want > 0.9)", v.x2, v.p)
	}
	if v := at(full, 8); v.p > 0.05 {
		t.Errorf("protein at 8 h %.3f, want decayed (< 0.05)", v.p)
	}

	alone := meanZiegler(t, 3, hours, "population.S1.params.protocol=none", noDopamine)
	t.Logf("WTET S2 80 min alone (no STET, no dopamine):%s", zTable(alone))
	if v := at(alone, 1.5); v.x2 < 0.5 {
		t.Errorf("WTET alone: S2 at 1.5 h x̄ %+.3f, want early LTP (> 0.5)", v.x2)
	}
	if v := at(alone, 4); v.x2 > -0.5 {
		t.Errorf("WTET alone: S2 at 4 h x̄ %+.3f, want decaying (< -0.5)", v.x2)
	}
	if v := at(alone, 8); v.x2 > -0.8 {
		t.Errorf("WTET alone: S2 at 8 h x̄ %+.3f, want back near baseline (< -0.8)", v.x2)
	}
	for _, v := range alone {
		if v.p != 0 || v.z2 > -0.9 || v.x1 != -1 {
			t.Errorf("WTET alone at %g h: protein %g, S2 z̄ %+.3f, S1 x̄ %+.3f: want no protein, no late phase, S1 untouched", v.h, v.p, v.z2, v.x1)
		}
	}

	noDA := meanZiegler(t, 2, hours, noDopamine)
	t.Logf("STET S1, WTET S2, no dopamine:%s", zTable(noDA))
	if v := at(noDA, 1); v.x1 < 0.8 {
		t.Errorf("no dopamine: S1 at 1 h x̄ %+.3f, want early LTP (> 0.8)", v.x1)
	}
	if v := at(noDA, 8); v.x1 > -0.8 || v.x2 > -0.8 || v.z1 > -0.9 {
		t.Errorf("no dopamine: at 8 h S1 x̄ %+.3f z̄ %+.3f, S2 x̄ %+.3f, want both back near baseline (< -0.8)", v.x1, v.z1, v.x2)
	}
}
