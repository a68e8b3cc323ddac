package engine

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
)

// ouNet is 3 unconnected LIF neurons with current-based exponential
// synapses and one stimulus st.
func ouNet(seed uint64, st *netlist.Stimulus) *netlist.Network {
	lif := neuron.DefaultLIFExp()
	return &netlist.Network{
		Name: "ou", Clock: snnsim.Clock{DT: 0.1}, Seed: seed, Duration: 8000,
		Populations: []*netlist.Population{{Name: "E", Size: 3, Neuron: &lif}},
		Stimuli:     []*netlist.Stimulus{st},
	}
}

// runV runs net and returns the spikes and the potentials of all neurons
// at every 10th tick.
func runV(t *testing.T, net *netlist.Network) (*recorder, []float64) {
	t.Helper()
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.Attach(&r, nil)
	var vs []float64
	for e.Now() < net.Duration {
		if err := e.Run(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			v, _ := e.V(0, i)
			vs = append(vs, v)
		}
	}
	return &r, vs
}

// TestOUCurrentNoiselessIsStep: an OU current with sigma 0 that starts at
// its mean is a constant current over its window, so the run must be the
// run with a current step of that amplitude over the same window.
func TestOUCurrentNoiselessIsStep(t *testing.T) {
	step := ouNet(1, &netlist.Stimulus{Kind: "current_step", Amplitude: 400, Start: 2000, Stop: 6000})
	ou := ouNet(1, &netlist.Stimulus{Kind: "ou_current", Mean: 400, Init: 400, Tau: 5, Start: 2000, Stop: 6000})
	rs, vs := runV(t, step)
	ro, vo := runV(t, ou)
	if len(rs.t) < 10 {
		t.Fatalf("%d spikes under the step: the test would prove little", len(rs.t))
	}
	if !slices.Equal(rs.t, ro.t) || !slices.Equal(rs.ids, ro.ids) {
		t.Errorf("spikes differ: %d under the step, %d under the OU current", len(rs.t), len(ro.t))
	}
	for k := range vs {
		if math.Abs(vs[k]-vo[k]) > 1e-9 {
			t.Fatalf("sample %d: V %.12g under the step, %.12g under the OU current", k, vs[k], vo[k])
		}
	}
}

// TestOUCurrentSeeds: the noisy current gives the same spikes for the same
// seed and other spikes for another seed; outside its window the neurons
// see no current (no spike before it starts).
func TestOUCurrentSeeds(t *testing.T) {
	st := func() *netlist.Stimulus {
		return &netlist.Stimulus{Kind: "ou_current", Neurons: []int{0, 2}, Mean: 300, Sigma: 300, Tau: 5, Start: 1000, Stop: 7000}
	}
	a, _ := runV(t, ouNet(4, st()))
	b, _ := runV(t, ouNet(4, st()))
	c, _ := runV(t, ouNet(5, st()))
	if len(a.t) < 10 || !slices.Equal(a.t, b.t) || !slices.Equal(a.ids, b.ids) {
		t.Errorf("same seed: %d and %d spikes (or different ones)", len(a.t), len(b.t))
	}
	if slices.Equal(a.t, c.t) {
		t.Errorf("seeds 4 and 5 gave the same spike times")
	}
	for k, id := range a.ids {
		if id == 1 || a.t[k] <= 1000 {
			t.Fatalf("spike of neuron %d at tick %d: outside the current's neurons or window", id, a.t[k])
		}
	}
}

// TestOUCurrentResume checkpoints a network whose neurons get an OU
// current in the middle of its window and checks that the restored engine
// goes on exactly as the original.
func TestOUCurrentResume(t *testing.T) {
	net := plasticNet(3)
	net.Stimuli = append(net.Stimuli, &netlist.Stimulus{Kind: "ou_current", Population: 1, Mean: 50, Sigma: 200, Tau: 5, Init: 0, Start: 500, Stop: 3000})
	checkResume(t, net)
}

// TestOUCurrentMembraneVariance drives 4000 unconnected LIF neurons (no
// threshold in reach) with an OU current and compares the potential at
// 300 ms (15 τ_m: stationary) with the exact stationary law of the
// discrete scheme. With a = e^{−Δ/τ_m}, φ = e^{−Δ/τ} and the current held
// over each step, V_{k+1} = a V_k + (1−a)(v_rest + R x_{k+1}), so
//
//	E[V] = v_rest + R·mean,
//	Var[V] = (1−a)² R² σ² (1 + aφ) / ((1 − a²)(1 − aφ))
//
// (the continuous limit is R²σ² τ/(τ_m + τ)). Bounds: 5 standard errors
// of the sample mean and of the sample variance of N Gaussian values.
func TestOUCurrentMembraneVariance(t *testing.T) {
	const n = 4000
	lif := neuron.DefaultLIFExp()
	lif.VThreshold = 1000
	net := &netlist.Network{
		Name: "ou_v", Clock: snnsim.Clock{DT: 0.1}, Seed: 8, Duration: 3000,
		Populations: []*netlist.Population{{Name: "E", Size: n, Neuron: &lif}},
		Stimuli:     []*netlist.Stimulus{{Kind: "ou_current", Mean: 50, Sigma: 100, Tau: 5, Init: 50, Start: 0, Stop: snnsim.Never}},
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	var vs []float64
	for i := range n {
		v, _ := e.V(0, i)
		vs = append(vs, v)
	}
	var mean, v2 float64
	for _, v := range vs {
		mean += v
	}
	mean /= n
	for _, v := range vs {
		v2 += (v - mean) * (v - mean)
	}
	v2 /= n - 1
	r := lif.R()
	a, phi := math.Exp(-0.1/lif.TauM), math.Exp(-0.1/5)
	wantMean := lif.VRest + r*50
	wantVar := (1 - a) * (1 - a) * r * r * 100 * 100 * (1 + a*phi) / ((1 - a*a) * (1 - a*phi))
	if d := math.Abs(mean - wantMean); d > 5*math.Sqrt(wantVar/n) {
		t.Errorf("mean V %.3f mV, want %.3f ± %.3f", mean, wantMean, 5*math.Sqrt(wantVar/n))
	}
	if d := math.Abs(v2 - wantVar); d > 5*wantVar*math.Sqrt(2.0/(n-1)) {
		t.Errorf("Var V %.3f mV², want %.3f ± %.3f", v2, wantVar, 5*wantVar*math.Sqrt(2.0/(n-1)))
	}
	t.Logf("V: mean %.3f mV (want %.3f), variance %.3f mV² (want %.3f; continuous limit %.3f)", mean, wantMean, v2, wantVar, r*r*1e4*5/(lif.TauM+5))
}

// noBiases hides a population's SetBiases, so that the engine sets the
// biases one neuron at a time.
type noBiases struct{ neuron.Population }

// TestOUBiasesInOneCall: an OU background on every neuron sets all the
// biases of the population in one call (neuron.BiasSetter); the run must
// be the run that sets them one by one, bit for bit, also while a current
// step and an OU pulse on some neurons add to the background.
func TestOUBiasesInOneCall(t *testing.T) {
	net := func() *netlist.Network {
		n := ouNet(6, &netlist.Stimulus{Kind: "ou_current", Mean: 150, Sigma: 500, Tau: 5, Stop: snnsim.Never})
		n.Stimuli = append(n.Stimuli,
			&netlist.Stimulus{Kind: "current_step", Neurons: []int{1}, Amplitude: 300, Start: 2000, Stop: 5000},
			&netlist.Stimulus{Kind: "ou_current", Neurons: []int{0, 2}, Mean: 600, Sigma: 200, Tau: 5, Init: 600, Start: 3000, Stop: 4000})
		return n
	}
	bulk, vb := runV(t, net())
	e, err := New(net(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.pops[0].neurons = noBiases{e.pops[0].neurons}
	var one recorder
	e.Attach(&one, nil)
	var vo []float64
	for e.Now() < 8000 {
		if err := e.Run(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			v, _ := e.V(0, i)
			vo = append(vo, v)
		}
	}
	if len(bulk.t) < 10 {
		t.Fatalf("%d spikes: the test would prove little", len(bulk.t))
	}
	if !slices.Equal(bulk.t, one.t) || !slices.Equal(bulk.ids, one.ids) {
		t.Errorf("spikes differ: %d with SetBiases, %d with SetBias", len(bulk.t), len(one.t))
	}
	for k := range vb {
		if math.Float64bits(vb[k]) != math.Float64bits(vo[k]) {
			t.Fatalf("sample %d: V %.17g with SetBiases, %.17g with SetBias", k, vb[k], vo[k])
		}
	}
}
