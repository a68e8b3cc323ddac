package engine

import (
	"context"
	"math"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
	"github.com/snnsim/snnsim/stdp"
)

// TestPlasticityDelayConvention drives one plastic synapse through the
// engine with one presynaptic spike (emitted at 10 ms, axonal delay 5 ms) and
// one postsynaptic spike forced by a strong static input, and checks the
// weight change against the pair window A+ e^{−Δ/τ+} / −A− e^{Δ/τ−}
// (Song et al. 2000 constants) with Δ = t_post − (t_pre + delay): the rule
// sees the presynaptic spike when it arrives, and the postsynaptic one when
// it is emitted. A postsynaptic spike between emission and arrival therefore
// depresses. Weights are stored as float32, so the tolerance is float32
// rounding of the result.
func TestPlasticityDelayConvention(t *testing.T) {
	pair := stdp.DefaultPair() // A+ = 0.01, A− = 0.0105, τ± = 20 ms
	const w0 = 0.5
	for _, post := range []float64{12, 14.9, 15, 15.1, 17, 25, 60, 8} { // ms; pre emitted at 10 ms, arrives at 15 ms
		lif := neuron.DefaultLIFDelta()
		net := &netlist.Network{
			Name: "pair", Clock: snnsim.Clock{DT: 0.1}, Seed: 1, Duration: 1000,
			Populations: []*netlist.Population{
				{Name: "pre", Size: 1, Source: &source.SpikeTimes{Times: []float64{10}}},
				{Name: "drive", Size: 1, Offset: 1, Source: &source.SpikeTimes{Times: []float64{post - 1}}},
				{Name: "post", Size: 1, Offset: 2, Neuron: &lif},
			},
		}
		plasticProj := row("plastic", 0, 2, 1, neuron.Exc, [][4]float64{{0, 0, w0, 50}})
		plasticProj.Delay, plasticProj.ConstDelay = nil, 50
		plasticProj.Plasticity = &pair
		drive := row("drive", 1, 2, 1, neuron.Exc, [][4]float64{{0, 0, 30, 10}})
		net.Projections = []*netlist.Projection{plasticProj, drive}
		e, err := New(net, Config{})
		if err != nil {
			t.Fatal(err)
		}
		var r recorder
		e.Attach(&r, []int{2})
		if err := e.Run(context.Background(), net.Duration); err != nil {
			t.Fatal(err)
		}
		if len(r.t) != 1 || math.Abs(net.Clock.Ms(r.t[0])-post) > 1e-9 {
			t.Fatalf("post spikes at %v ticks, want one at %g ms", r.t, post)
		}
		w, _ := e.Weights(0)
		d := post - 15 // Δ relative to arrival
		want := w0
		switch {
		case d > 0:
			want += pair.APlus * math.Exp(-d/pair.TauPlus)
		case d < 0:
			want -= pair.AMinus * math.Exp(d/pair.TauMinus)
		}
		if got := float64(w[0]); math.Abs(got-want) > 1e-7 {
			t.Errorf("post at %g ms (Δ = %+.1f ms from arrival): w = %.9f, want %.9f", post, d, got, want)
		}
		if net.Projections[0].Weight[0] != w0 {
			t.Errorf("the network's weights changed: the engine must work on a copy")
		}
	}
}

// TestSongAbbottCompetition runs scenarios/song_abbott_competition.toml
// (Song, Miller & Abbott 2000) and checks its outcome:
//
//   - the weight histogram (10 bins over [0, g_max]) is bimodal: each end
//     bin holds more than twice the mean of the 8 middle bins;
//   - the fraction of weights within 10 % of g_max of a bound matches
//     Brian2's reproduction of the same model (Brian2 2.5.1 from Debian,
//     the parameters of Song, Miller & Abbott 2000, seed 1): 0.354 at 50 s and
//     0.432 at 100 s; we allow ±0.1 for the different random streams. The
//     ≥ 80 % of Song, Miller & Abbott (2000) is not reached at 100 s by Brian2's
//     reproduction either (0.43), so it is not tested;
//   - the output rate at the end is well below the rate the same input gives
//     through the initial (uniform) weights without STDP.
func TestSongAbbottCompetition(t *testing.T) {
	if testing.Short() {
		t.Skip("100 s of a 1000-input neuron")
	}
	net := loadNet(t, "../scenarios/song_abbott_competition.toml", 0)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.Attach(&r, []int{1})
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	w, _ := e.Weights(0)
	const gmax = 0.01
	var hist [10]int
	for _, x := range w {
		hist[min(int(x/gmax*10), 9)]++
	}
	middle := 0.0
	for _, h := range hist[1:9] {
		middle += float64(h) / 8
	}
	frac := float64(hist[0]+hist[9]) / float64(len(w))
	lastRate := 0.0
	tps := snnsim.Time(net.Clock.TicksPerSecond())
	for _, tk := range r.t {
		if tk >= net.Duration-10*tps {
			lastRate += 0.1 // spikes in the last 10 s, per second
		}
	}
	if float64(hist[0]) < 2*middle || float64(hist[9]) < 2*middle {
		t.Errorf("histogram %v is not bimodal", hist)
	}
	if math.Abs(frac-0.432) > 0.1 {
		t.Errorf("%.3f of weights near a bound; Brian2 gives 0.432", frac)
	}
	// Static reference: the same input through the initial weights.
	static := loadNet(t, "../scenarios/song_abbott_competition.toml", 10*tps)
	static.Projections[0].Plasticity = nil
	es, err := New(static, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var rs recorder
	es.Attach(&rs, []int{1})
	if err := es.Run(context.Background(), static.Duration); err != nil {
		t.Fatal(err)
	}
	staticRate := float64(len(rs.t)) / 10
	t.Logf("histogram %v: %.3f of weights within 10 %% of a bound; output %.1f Hz in the last 10 s, %.1f Hz without STDP", hist, frac, lastRate, staticRate)
	if lastRate > 0.5*staticRate {
		t.Errorf("output rate %.1f Hz is not well below the %.1f Hz without STDP", lastRate, staticRate)
	}
}

// TestSTDPWindowScenario runs scenarios/stdp_window.toml: 21 synapses each
// see 60 isolated pre/post pairs at Δt = 10 j − 100 ms (j = 0..20) through
// the engine's delays. The final weights equal 1 + 60 × the pair window of
// Song et al. (2000), A+ e^{−Δt/τ+} or −A− e^{Δt/τ−}, to the precision of
// float32 storage: each of the 60 updates rounds a weight in [0.5, 2) to
// float32, an error of at most 2^−24 relative to 2 each time, hence
// 60 · 2^−23 in all (cross-pairs 1 s apart contribute below e^{−50}).
func TestSTDPWindowScenario(t *testing.T) {
	net := loadNet(t, "../scenarios/stdp_window.toml", 0)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Spikes[0] != 60 || st.Spikes[2] != 60*21 {
		t.Fatalf("spikes per population %v: want 60 presynaptic and 60 per postsynaptic neuron", st.Spikes)
	}
	w, _ := e.Weights(0)
	const aPlus, aMinus, tau = 0.01, 0.0105, 20.0 // Song, Miller & Abbott 2000
	for j, x := range w {
		dt := float64(10*j - 100)
		want := 1.0
		switch {
		case dt > 0:
			want += 60 * aPlus * math.Exp(-dt/tau)
		case dt < 0:
			want -= 60 * aMinus * math.Exp(dt/tau)
		}
		if math.Abs(float64(x)-want) > 60*math.Ldexp(1, -23) {
			t.Errorf("Δt = %+4.0f ms: w = %.7f, want %.7f", dt, x, want)
		}
	}
}

// TestSjostromScenario runs scenarios/sjostrom_frequency.toml and compares each condition's relative weight change with the data of
// Sjöström, Turrigiano & Nelson (2001) (mean ± s.e.m.): every
// model point must lie within 2 s.e.m.
func TestSjostromScenario(t *testing.T) {
	net := loadNet(t, "../scenarios/sjostrom_frequency.toml", 0)
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	data := []struct {
		tag                string
		plus, plusSEM      float64
		minus, minusSEMean float64
	}{
		{"0p1", -0.04, 0.05, -0.29, 0.08},
		{"10", 0.14, 0.10, -0.41, 0.11},
		{"20", 0.29, 0.14, -0.34, 0.10},
		{"40", 0.53, 0.11, 0.56, 0.32},
		{"50", 0.56, 0.26, 0.75, 0.19},
	}
	for _, d := range data {
		k := -1
		for i, p := range net.Projections {
			if p.Name == "plastic_"+d.tag {
				k = i
			}
		}
		if k < 0 {
			t.Fatalf("no projection plastic_%s", d.tag)
		}
		w, _ := e.Weights(k)
		plus, minus := float64(w[0])-1, float64(w[1])-1
		t.Logf("%4s Hz: +10 ms %+.3f (data %+.2f ± %.2f), −10 ms %+.3f (data %+.2f ± %.2f)", d.tag, plus, d.plus, d.plusSEM, minus, d.minus, d.minusSEMean)
		if math.Abs(plus-d.plus) > 2*d.plusSEM {
			t.Errorf("%s Hz, +10 ms: %+.3f is more than 2 s.e.m. from %+.2f", d.tag, plus, d.plus)
		}
		if math.Abs(minus-d.minus) > 2*d.minusSEMean {
			t.Errorf("%s Hz, −10 ms: %+.3f is more than 2 s.e.m. from %+.2f", d.tag, minus, d.minus)
		}
	}
}

// TestWeightsRecord records three weights of scenarios/stdp_window.toml
// every second and checks the samples against the pair window, against
// Weights, and that the pre/post series name each synapse's source and
// target.
func TestWeightsRecord(t *testing.T) {
	net := loadNet(t, "../scenarios/stdp_window.toml", 0)
	net.Records = []*netlist.Record{{What: netlist.RecordWeights, Projection: 0, Synapses: []int{0, 10, 20}, Interval: 10000}}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][][]float64{}
	times := map[string][]snnsim.Time{}
	units := map[string]string{}
	err = e.AttachRecords(net.Records, nil, func(s Series) (SampleFunc, error) {
		units[s.Name] = s.Unit
		return func(tk snnsim.Time, v []float64) error {
			got[s.Name] = append(got[s.Name], append([]float64(nil), v...))
			times[s.Name] = append(times[s.Name], tk)
			return nil
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 5; s++ {
		if err := e.Run(context.Background(), 10000); err != nil { // 1 s
			t.Fatal(err)
		}
		if n := len(got["weights/plastic"]); n != s {
			t.Fatalf("after %d s: %d samples, want %d", s, n, s)
		}
	}
	// Synapse 20 (Δt = +100 ms) gains A+ e^{−5} per pairing: 4 by the
	// sample at 4 s, 5 by the end of the fifth second.
	w, _ := e.Weights(0)
	for _, c := range []struct {
		got   float64
		pairs float64
	}{{got["weights/plastic"][4][2], 4}, {float64(w[20]), 5}} {
		if want := 1 + c.pairs*0.01*math.Exp(-5); math.Abs(c.got-want) > 5*math.Ldexp(1, -23) {
			t.Errorf("synapse 20 after %g pairings: %.9f, want %.9f", c.pairs, c.got, want)
		}
	}
	ws := got["weights/plastic"]
	for k, j := range []int{0, 10, 20} {
		if ws[0][k] != 1 {
			t.Errorf("synapse %d: first sample %g, want the initial 1", j, ws[0][k])
		}
	}
	// Synapse 10 has Δt = 0: it never changes. Synapse 0 (Δt = −100 ms)
	// loses A− e^{−5} per pairing; the sample at 4 s follows 4 pairings.
	if ws[4][1] != 1 {
		t.Errorf("synapse 10 (Δt = 0) changed: %g", ws[4][1])
	}
	if want := 1 - 4*0.0105*math.Exp(-5); math.Abs(ws[4][0]-want) > 4*math.Ldexp(1, -23) {
		t.Errorf("synapse 0 at 4 s: %.9f, want %.9f", ws[4][0], want)
	}
	// The target is lif_delta: weights are voltage jumps, labelled mV.
	if units["weights/plastic"] != "mV" {
		t.Errorf("weights/plastic is labelled %q, want mV (lif_delta targets)", units["weights/plastic"])
	}
	pre, post := got["weights/plastic/pre"], got["weights/plastic/post"]
	if len(pre) != 1 || len(post) != 1 || pre[0][2] != 0 || post[0][0] != 2 || post[0][2] != 22 {
		t.Errorf("pre %v post %v: want sources all 0 and targets 2, 12, 22", pre, post)
	}
}
