package engine

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// zenkeSTP is the short-term plasticity of Zenke, Agnes & Gerstner (2015).
var zenkeSTP = stdp.STP{U: 0.2, TauD: 150, TauF: 600, X0: 1, U0: 0.2}

// delivered is one synapse's input as a population received it.
type delivered struct {
	t      snnsim.Time
	target int32
	w      float32
}

// deliveryLog wraps a population and records what each Deliver brings.
type deliveryLog struct {
	neuron.Population
	got []delivered
}

func (d *deliveryLog) Deliver(t snnsim.Time, r neuron.Receptor, targets []int32, ws []float32) {
	for k, j := range targets {
		d.got = append(d.got, delivered{t, j, ws[k]})
	}
	d.Population.Deliver(t, r, targets, ws)
}

// stpNet is two regular 20 Hz sources (first spikes at 5 and 7 ms) onto
// three delta-synapse neurons through two projections with the same
// synapses (per-synapse delays of 0.8 and 1.5 ms): "stp" with short-term
// plasticity p, "plain" without. The weights are small enough that no
// neuron fires.
func stpNet(p stdp.STP) *netlist.Network {
	net := &netlist.Network{Name: "stp", Clock: snnsim.Clock{DT: 0.1}, Seed: 1}
	a, b := source.DefaultRegular(), source.DefaultRegular()
	a.Rate, a.Start = 20, 5
	b.Rate, b.Start = 20, 7
	net.Populations = []*netlist.Population{
		{Name: "a", Size: 1, Source: &a},
		{Name: "b", Size: 1, Offset: 1, Source: &b},
		{Name: "post", Size: 3, Offset: 2, Neuron: neuron.DefaultLIFDelta()},
	}
	for _, from := range []int{0, 1} {
		syn := [][4]float64{{0, 0, 0.3, 8}, {0, 1, 0.7, 8}, {0, 2, 0.5, 15}}
		pr := row("stp", from, 2, 1, neuron.Exc, syn)
		pr.STP = &p
		plain := row("plain", from, 2, 1, neuron.Exc, syn)
		net.Projections = append(net.Projections, pr, plain)
	}
	return net
}

// TestSTPDelivery runs stpNet for 3 s and checks every delivered value:
// through "stp", the weight times the release r_n of the source's n-th
// spike (float32, as delivered), with r_n = x_n u_n from the
// Tsodyks–Markram recursion for a regular train with release before the
// facilitation jump, u_n in closed form (u* + (U - u*)((1 - U) E_f)^(n-1))
// and x_n from x_{n+1} = 1 - (1 - x_n (1 - u_n)) E_d; through "plain", the
// weight itself (exactly). The first release is U = 0.2.
func TestSTPDelivery(t *testing.T) {
	p := zenkeSTP
	net := stpNet(p)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	logs := make([]*deliveryLog, len(e.projs))
	for k := range e.projs {
		logs[k] = &deliveryLog{Population: e.projs[k].target}
		e.projs[k].target = logs[k]
	}
	if err := e.Run(context.Background(), 30000); err != nil {
		t.Fatal(err)
	}
	ed, ef := math.Exp(-50/p.TauD), math.Exp(-50/p.TauF)
	uStar := p.U / (1 - (1-p.U)*ef)
	var release []float64
	x := 1.0
	for n := 1; n <= 60; n++ {
		u := uStar + (p.U-uStar)*math.Pow((1-p.U)*ef, float64(n-1))
		release = append(release, x*u)
		x = 1 - (1-x*(1-u))*ed
	}
	if math.Abs(release[0]-0.2) > 1e-15 {
		t.Fatalf("first release %g", release[0])
	}
	weights := []float32{0.3, 0.7, 0.5}
	delays := []snnsim.Time{8, 8, 15}
	for k, l := range logs {
		first := snnsim.Time(50 + 20*(k/2)) // source a at 5 ms, b at 7 ms
		withSTP := k%2 == 0
		if len(l.got) != 3*60 {
			t.Fatalf("projection %d: %d deliveries in 3 s, want 180", k, len(l.got))
		}
		slices.SortStableFunc(l.got, func(a, b delivered) int { return int(a.target - b.target) })
		for j, d := range l.got {
			tg, n := int(d.target), j%60
			want, tol := weights[tg], 0.0
			if withSTP {
				// The engine's release and this one differ by rounding,
				// which may move the float32 product by one unit in the
				// last place.
				want = float32(weights[tg]) * float32(release[n])
				tol = 1.2e-7 * float64(want)
			}
			if at := first + snnsim.Time(n)*500 + delays[tg]; d.t != at || math.Abs(float64(d.w-want)) > tol {
				t.Fatalf("projection %d, target %d, spike %d: %g at tick %d, want %g at %d", k, tg, n+1, d.w, d.t, want, at)
			}
		}
	}
	t.Logf("releases 1, 2, 60: %.4g, %.4g, %.4g (steady %.4g)", release[0], release[1], release[59], uStar*(1-ed)/(1-(1-uStar)*ed))
}

// TestSTPPlasticityUnscaled checks that a plastic projection with
// short-term plasticity changes its weights exactly as without it: pair
// STDP reads and writes w, never w·r. A source fires a 20 Hz train onto a
// neuron through a weak plastic projection, and a second source makes the
// neuron fire 3 ms after each presynaptic spike with 30 mV jumps that the
// weak input cannot shift.
func TestSTPPlasticityUnscaled(t *testing.T) {
	build := func(withSTP bool) *netlist.Network {
		net := &netlist.Network{Name: "stp-plastic", Clock: snnsim.Clock{DT: 0.1}, Seed: 1}
		pre, drive := source.DefaultRegular(), source.DefaultRegular()
		pre.Rate, pre.Start = 20, 5
		drive.Rate, drive.Start = 20, 7
		net.Populations = []*netlist.Population{
			{Name: "pre", Size: 4, Source: &pre},
			{Name: "drive", Size: 1, Offset: 4, Source: &drive},
			{Name: "post", Size: 2, Offset: 5, Neuron: neuron.DefaultLIFDelta()},
		}
		var syn [][4]float64
		for i := range 4 {
			for j := range 2 {
				syn = append(syn, [4]float64{float64(i), float64(j), 0.05 + 0.01*float64(i), 2})
			}
		}
		pl := row("plastic", 0, 2, 4, neuron.Exc, syn)
		pl.Delay, pl.ConstDelay = nil, 2
		pair := stdp.DefaultPair()
		pair.WMax = 1
		pl.Plasticity = &pair
		if withSTP {
			pl.STP = &zenkeSTP
		}
		dr := row("drive", 1, 2, 1, neuron.Exc, [][4]float64{{0, 0, 30, 10}, {0, 1, 30, 10}})
		net.Projections = []*netlist.Projection{pl, dr}
		return net
	}
	var w [2][]float32
	var spikes [2]*recorder
	for k, withSTP := range []bool{false, true} {
		e, err := New(build(withSTP), Config{})
		if err != nil {
			t.Fatal(err)
		}
		spikes[k] = runRecorded(t, e, 20000)
		w[k], _ = e.Weights(0)
	}
	if !slices.Equal(spikes[0].t, spikes[1].t) || !slices.Equal(spikes[0].ids, spikes[1].ids) {
		t.Fatalf("the spikes differ with and without STP: the weak input shifted the post spikes")
	}
	if len(spikes[0].t) < 100 {
		t.Fatalf("%d spikes", len(spikes[0].t))
	}
	if !slices.Equal(w[0], w[1]) {
		t.Errorf("weights with STP %v, without %v", w[1], w[0])
	}
	if w[0][0] == 0.05 {
		t.Errorf("the weights did not change: the test proves nothing")
	}
}

// stpPlasticNet is plasticNet with short-term plasticity on every
// projection from the Poisson input and from population A (per-synapse
// and per-source delays, plastic and static), with E→I-like initial u.
func stpPlasticNet(seed uint64) *netlist.Network {
	net := plasticNet(seed)
	other := zenkeSTP
	other.U0 = 0.01
	for _, p := range net.Projections {
		switch p.From {
		case 0:
			p.STP = &zenkeSTP
		case 1:
			p.STP = &other
		}
	}
	return net
}

// TestSTPResume checks that a network with short-term plasticity resumed
// from a checkpoint (spikes in flight carrying their releases, x and u of
// every source) goes on exactly as the uninterrupted run, that a run split
// into pieces equals one run, and that the releases change the spikes (so
// that the test would see a lost state).
func TestSTPResume(t *testing.T) {
	net := stpPlasticNet(3)
	checkResume(t, net)
	one := runAll(t, net, Config{}, []snnsim.Time{6000})
	pieces := runAll(t, net, Config{}, []snnsim.Time{1, 999, 1700, 3300})
	if !slices.Equal(one.t, pieces.t) || !slices.Equal(one.ids, pieces.ids) {
		t.Errorf("split run: %d spikes, one run %d (or different ones)", len(pieces.t), len(one.t))
	}
	plain := runAll(t, plasticNet(3), Config{}, []snnsim.Time{6000})
	if slices.Equal(one.t, plain.t) && slices.Equal(one.ids, plain.ids) {
		t.Error("the same spikes with and without STP")
	}
	// The state of the same network without STP lacks the STP frames:
	// the network with STP refuses it (Restore would refuse it earlier,
	// by the network fingerprint of the scenario text).
	a, _ := New(plasticNet(3), Config{})
	a.Run(context.Background(), 500)
	b, _ := New(net, Config{})
	body, err := a.appendState(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.restoreState(&bodySource{top: &checkpoint.Decoder{B: body}}, nil); err == nil {
		t.Error("a state without STP restored into a network with it")
	}
}

// TestSTPPSPZenke follows one spike of a source neuron at rest through
// projections with the short-term plasticity of Zenke, Agnes & Gerstner
// (2015) onto their excitatory neuron (aif_cond_ampa_nmda) and their
// inhibitory one (lif_cond_ampa_nmda with AMPA/NMDA ratio 0.3): the spike
// releases U = 0.2, so an E→E synapse of w = 0.1 delivers 0.02 and gives
// a PSP of +0.054 mV peaking 18.7 ms after the arrival, and an E→I synapse
// of w = 0.6 delivers 0.12 and gives +0.393 mV after 13.9 ms (the values
// derived for the authors' network, to the rounding shown and a tick).
func TestSTPPSPZenke(t *testing.T) {
	src := source.DefaultSpikeTimes()
	src.Times = []float64{1}
	inh := neuron.DefaultLIFAmpaNmda()
	inh.AAmpa, inh.ANmda = 0.3/1.3, 1/1.3
	net := &netlist.Network{Name: "psp", Clock: snnsim.Clock{DT: 0.1}, Seed: 1}
	net.Populations = []*netlist.Population{
		{Name: "src", Size: 1, Source: &src},
		{Name: "E", Size: 1, Offset: 1, Neuron: neuron.DefaultAIFAmpaNmda()},
		{Name: "I", Size: 1, Offset: 2, Neuron: inh},
	}
	for _, c := range []struct {
		to int
		w  float64
	}{{1, 0.1}, {2, 0.6}} {
		pr := row("", 0, c.to, 1, neuron.Exc, [][4]float64{{0, 0, c.w, 8}})
		pr.STP = &zenkeSTP
		net.Projections = append(net.Projections, pr)
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var peak [3]float64
	var at [3]snnsim.Time
	for tk := snnsim.Time(0); tk < 1000; tk++ {
		if err := e.Run(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		for p := 1; p <= 2; p++ {
			v, _ := e.V(p, 0)
			if v+70 > peak[p] {
				peak[p], at[p] = v+70, tk
			}
		}
	}
	const arrival = 10 + 8 // the spike at 1 ms, the delay 0.8 ms
	for p, want := range map[int][2]float64{1: {0.054, 18.7}, 2: {0.393, 13.9}} {
		ms := float64(at[p]-arrival) * 0.1
		t.Logf("%s: peak %+.4f mV after %.1f ms", net.Populations[p].Name, peak[p], ms)
		if math.Abs(peak[p]-want[0]) > 0.0005 || math.Abs(ms-want[1]) > 0.1+1e-9 {
			t.Errorf("%s: peak %+.4f mV after %.1f ms, want %+.3f mV after %.1f ms", net.Populations[p].Name, peak[p], ms, want[0], want[1])
		}
	}
}
