package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// recorder is a Sink that keeps every spike.
type recorder struct {
	t   []snnsim.Time
	ids []snnsim.NeuronID
}

func (r *recorder) Spikes(t snnsim.Time, ids []snnsim.NeuronID) error {
	for _, id := range ids {
		r.t = append(r.t, t)
		r.ids = append(r.ids, id)
	}
	return nil
}

// row builds a CSR projection from explicit (source, target, weight, delay) synapses.
func row(name string, from, to, nFrom int, rec neuron.Receptor, syn [][4]float64) *netlist.Projection {
	p := &netlist.Projection{Name: name, From: from, To: to, Receptor: rec, RowStart: make([]int64, nFrom+1)}
	slices.SortFunc(syn, func(a, b [4]float64) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		if a[3] != b[3] {
			return int(a[3] - b[3])
		}
		return int(a[1] - b[1])
	})
	for _, s := range syn {
		p.RowStart[int(s[0])+1]++
		p.Target = append(p.Target, int32(s[1]))
		p.Weight = append(p.Weight, float32(s[2]))
		p.Delay = append(p.Delay, int32(s[3]))
	}
	for i := 0; i < nFrom; i++ {
		p.RowStart[i+1] += p.RowStart[i]
	}
	return p
}

// TestSpikePath follows one spike through a chain: a source fires at 1 ms,
// and three delta-synapse neurons each fire when their input arrives (a 30 mV
// jump from rest 10 mV below threshold). With delays of 2 ms, 1.3 ms and
// 0.7 ms at 0.1 ms resolution the spikes are at ticks 10, 30, 43 and 50:
// arrival = emission + delay, and a delta input that crosses threshold fires
// in its arrival tick.
func TestSpikePath(t *testing.T) {
	lif := neuron.DefaultLIFDelta()
	net := &netlist.Network{
		Name: "chain", Clock: snnsim.Clock{DT: 0.1}, Seed: 1, Duration: 100,
		Populations: []*netlist.Population{
			{Name: "S", Size: 1, Offset: 0, Source: &source.SpikeTimes{Times: []float64{1}}},
			{Name: "N", Size: 3, Offset: 1, Neuron: &lif},
		},
	}
	net.Projections = []*netlist.Projection{
		row("S_to_N", 0, 1, 1, neuron.Exc, [][4]float64{{0, 0, 30, 20}}),
		row("N_to_N", 1, 1, 3, neuron.Exc, [][4]float64{{0, 1, 30, 13}, {1, 2, 30, 7}}),
	}
	for _, sc := range []Shortcuts{ShortcutsOn, ShortcutsOff} {
		e, err := New(net, Config{Shortcuts: sc})
		if err != nil {
			t.Fatal(err)
		}
		var r recorder
		e.Attach(&r, nil)
		if err := e.Run(context.Background(), net.Duration); err != nil {
			t.Fatal(err)
		}
		wantT := []snnsim.Time{10, 30, 43, 50}
		wantID := []snnsim.NeuronID{0, 1, 2, 3}
		if !slices.Equal(r.t, wantT) || !slices.Equal(r.ids, wantID) {
			t.Errorf("shortcuts=%d: spikes at %v ids %v, want %v ids %v", sc, r.t, r.ids, wantT, wantID)
		}
		st := e.Stats()
		if st.SynapticEvents != 3 {
			t.Errorf("shortcuts=%d: %d synaptic events, want 3", sc, st.SynapticEvents)
		}
		if sc == ShortcutsOn && st.TicksSkipped == 0 {
			t.Errorf("no tick was skipped in a mostly quiet chain")
		}
	}
}

// randomNet is a sparse Poisson-driven network with heterogeneous delays on
// all three neuron models, for invariance tests.
func randomNet(seed uint64, dur snnsim.Time) *netlist.Network {
	rng := rand.New(rand.NewPCG(seed, 2))
	exp := neuron.DefaultLIFExp()
	exp.VRest = -65
	cond := neuron.DefaultLIFCond()
	delta := neuron.DefaultLIFDelta()
	pois := source.DefaultPoisson()
	pois.Rate = 20
	pois.Times = []float64{300}
	pois.Rates = []float64{0}
	net := &netlist.Network{Name: "random", Clock: snnsim.Clock{DT: 0.1}, Seed: seed, Duration: dur}
	sizes := []int{200, 100, 100, 100}
	params := []any{&pois, &exp, &cond, &delta}
	off := 0
	for i, n := range sizes {
		p := &netlist.Population{Name: []string{"P", "A", "B", "C"}[i], Size: n, Offset: off}
		switch q := params[i].(type) {
		case source.Params:
			p.Source = q
		case neuron.Params:
			p.Neuron = q
			p.InitV = make([]float64, n)
			for j := range p.InitV {
				p.InitV[j] = -60 + 8*rng.Float64()
			}
		}
		off += n
		net.Populations = append(net.Populations, p)
	}
	scale := []float64{0, 12, 0.3, 2}
	for from := 0; from < 4; from++ {
		for to := 1; to < 4; to++ {
			var syn [][4]float64
			for i := 0; i < sizes[from]; i++ {
				for j := 0; j < sizes[to]; j++ {
					if rng.Float64() < 0.05 {
						syn = append(syn, [4]float64{float64(i), float64(j), scale[to] * (0.5 + rng.Float64()), float64(1 + rng.IntN(30))})
					}
				}
			}
			rec := neuron.Exc
			if from == 3 {
				rec = neuron.Inh
			}
			net.Projections = append(net.Projections, row("", from, to, sizes[from], rec, syn))
		}
	}
	return net
}

func runAll(t *testing.T, net *netlist.Network, cfg Config, chunks []snnsim.Time) *recorder {
	t.Helper()
	e, err := New(net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.Attach(&r, nil)
	for _, c := range chunks {
		if err := e.Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	return &r
}

// TestChunkingAndShortcutsInvariant checks two invariants on a random
// network: splitting a run into pieces changes no spike (bit-identical), and
// switching the active-set and jump shortcuts off gives the same spikes.
func TestChunkingAndShortcutsInvariant(t *testing.T) {
	const dur = 6000 // 600 ms: 300 ms of drive, then the network falls silent
	net := randomNet(3, dur)
	one := runAll(t, net, Config{}, []snnsim.Time{dur})
	if len(one.t) < 1000 {
		t.Fatalf("only %d spikes: the test network is too quiet to test anything", len(one.t))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var chunks []snnsim.Time
	for left := snnsim.Time(dur); left > 0; {
		c := min(left, snnsim.Time(1+rng.IntN(700)))
		chunks = append(chunks, c)
		left -= c
	}
	pieces := runAll(t, net, Config{}, chunks)
	if !slices.Equal(one.t, pieces.t) || !slices.Equal(one.ids, pieces.ids) {
		t.Errorf("chunked run (%d pieces) differs: %d spikes against %d", len(chunks), len(pieces.t), len(one.t))
	}
	off := runAll(t, net, Config{Shortcuts: ShortcutsOff}, []snnsim.Time{dur})
	if !slices.Equal(one.t, off.t) || !slices.Equal(one.ids, off.ids) {
		t.Errorf("shortcuts off gives %d spikes, on gives %d (or different ones)", len(off.t), len(one.t))
	}
}

// TestQuietPeriodIsJumped runs 2 s of Poisson drive followed by 10 h of
// silence and checks from the tick counters that the silence is jumped over:
// only the driven part and the settling after it are stepped.
func TestQuietPeriodIsJumped(t *testing.T) {
	net := randomNet(5, 0)
	pois := net.Populations[0].Source.(*source.Poisson)
	pois.Times = []float64{2000}
	pois.Rates = []float64{0}
	ticksPerHour := snnsim.Time(36e6) // 3600 s / 0.1 ms
	net.Duration = 20000 + 10*ticksPerHour
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.TicksStepped+st.TicksSkipped != int64(net.Duration) {
		t.Fatalf("stepped %d + skipped %d != duration %d", st.TicksStepped, st.TicksSkipped, net.Duration)
	}
	// 2 s = 20000 ticks of drive; allow 1 s of settling after it.
	if st.TicksStepped > 30000 {
		t.Errorf("stepped %d ticks; want at most 30000 (2 s of drive + 1 s settling)", st.TicksStepped)
	}
	t.Logf("stepped %d ticks, skipped %d; spikes per population %v", st.TicksStepped, st.TicksSkipped, st.Spikes)
	if st.Spikes[1]+st.Spikes[2]+st.Spikes[3] == 0 {
		t.Errorf("no neuron spikes during the drive")
	}
}

// TestStimulusMarks checks that current steps are announced as marks at
// their onset and end ticks, in order.
func TestStimulusMarks(t *testing.T) {
	lif := neuron.DefaultLIFExp()
	net := &netlist.Network{
		Name: "marks", Clock: snnsim.Clock{DT: 0.1}, Seed: 1, Duration: 10000,
		Populations: []*netlist.Population{{Name: "E", Size: 2, Neuron: &lif}},
		Stimuli: []*netlist.Stimulus{
			{Kind: "current_step", Population: 0, Amplitude: 300, Start: 2000, Stop: 6000},
			{Kind: "current_step", Population: 0, Neurons: []int{1}, Amplitude: 50, Start: 4000, Stop: snnsim.Never},
		},
	}
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	e.OnMark(func(tk snnsim.Time, text string) error {
		got = append(got, fmt.Sprintf("%d %s", tk, text))
		return nil
	})
	if err := e.Run(context.Background(), net.Duration); err != nil {
		t.Fatal(err)
	}
	want := []string{"2000 current_step on E: +300 pA", "4000 current_step on E: +50 pA", "6000 current_step on E: -300 pA"}
	if !slices.Equal(got, want) {
		t.Errorf("marks %q, want %q", got, want)
	}
	if e.Stats().Spikes[0] == 0 {
		t.Errorf("a 300 pA step (60 mV across R = 0.1 GOhm) must make the neurons fire")
	}
}
