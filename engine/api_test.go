package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/neuron"
	"github.com/snnsim/snnsim/source"
)

// coNet is an external source of 2 members projecting with delay 1.5 ms
// (15 ticks) and weight 30 mV onto 2 delta neurons one to one.
func coNet() *netlist.Network {
	lif := neuron.DefaultLIFDelta()
	net := &netlist.Network{
		Name: "co", Clock: snnsim.Clock{DT: 0.1}, Seed: 1, Duration: 1000,
		Populations: []*netlist.Population{
			{Name: "ext", Size: 2, Source: &source.External{}},
			{Name: "N", Size: 2, Offset: 2, Neuron: &lif},
		},
	}
	net.Projections = []*netlist.Projection{row("ext_to_N", 0, 1, 2, neuron.Exc, [][4]float64{{0, 0, 30, 15}, {1, 1, 30, 15}})}
	return net
}

// TestInject drives a network from outside, step by step, as a
// co-simulation would: spikes injected into an external source at tick s
// reach their targets at s + 15 and make them fire there; an input injected
// into a neuron makes it fire in that tick; and an injected current of
// 300 pA into a default lif_delta neuron (R·I = 30 mV, threshold 10 mV above
// rest and reset) makes it fire at the first tick where
// V∞ − (V∞ − V_r) e^{−t/τ} > θ, t > τ ln(30/20) = 8.11 ms, so tick 82, and
// again 50 refractory ticks plus 82 later, at tick 214.
func TestInject(t *testing.T) {
	ctx := context.Background()
	e, err := New(coNet(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	e.Attach(&r, nil)
	if err := e.Run(ctx, 100); err != nil { // quiet: jumped
		t.Fatal(err)
	}
	if err := e.Inject(0, 1, 1); err != nil { // member 1 twice: merged
		t.Fatal(err)
	}
	if err := e.Step(ctx); err != nil { // tick 100
		t.Fatal(err)
	}
	if err := e.Run(ctx, 200); err != nil { // ticks 101..300
		t.Fatal(err)
	}
	if err := e.InjectInput(1, 0, neuron.Exc, 25); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(ctx, 100); err != nil { // the input lands at tick 301
		t.Fatal(err)
	}
	want := []snnsim.Time{100, 115, 301}
	wantID := []snnsim.NeuronID{1, 3, 2}
	if !slices.Equal(r.t, want) || !slices.Equal(r.ids, wantID) {
		t.Errorf("spikes at %v ids %v, want %v ids %v", r.t, r.ids, want, wantID)
	}
	// Injected current.
	r = recorder{}
	e2, _ := New(coNet(), Config{})
	e2.Attach(&r, nil)
	if err := e2.InjectCurrent(1, 1, 300); err != nil {
		t.Fatal(err)
	}
	if err := e2.Run(ctx, 230); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.t, []snnsim.Time{82, 214}) || !slices.Equal(r.ids, []snnsim.NeuronID{3, 3}) {
		t.Errorf("with 300 pA: spikes at %v ids %v, want ticks 82 and 214, id 3", r.t, r.ids)
	}
	// Errors.
	for name, err := range map[string]error{
		"inject into neurons":   e.Inject(1, 0),
		"inject out of range":   e.Inject(0, 2),
		"input into a source":   e.InjectInput(0, 0, neuron.Exc, 1),
		"current out of range":  e.InjectCurrent(1, 5, 1),
		"rate of a non-Poisson": e.SetRate(0, 5),
		"weight out of range":   e.SetWeight(0, 9, 1),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRunUntilAndSetRate runs a Poisson-driven network until its first
// output spike, then silences the input at run time and checks that the
// network falls quiet and the engine jumps to the end.
func TestRunUntilAndSetRate(t *testing.T) {
	ctx := context.Background()
	net := randomNet(11, 0)
	pois := net.Populations[0].Source.(*source.Poisson)
	pois.Times, pois.Rates = nil, nil
	e, err := New(net, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := e.RunUntil(ctx, 100000, 1, func(e *Engine) bool { return e.Stats().Spikes[1] > 0 })
	if err != nil || !ok {
		t.Fatalf("RunUntil: %v, %v", ok, err)
	}
	first := e.Now()
	if err := e.SetRate(0, 0); err != nil {
		t.Fatal(err)
	}
	before := e.Stats()
	if err := e.Run(ctx, 36e6); err != nil { // 1 h
		t.Fatal(err)
	}
	after := e.Stats()
	if after.Spikes[0] != before.Spikes[0] {
		t.Errorf("the input fired %d times after SetRate(0)", after.Spikes[0]-before.Spikes[0])
	}
	if stepped := after.TicksStepped - before.TicksStepped; stepped > 20000 {
		t.Errorf("stepped %d ticks of a silent hour: the jump was not taken", stepped)
	}
	t.Logf("first output spike at tick %d; %d ticks stepped after silencing", first, after.TicksStepped-before.TicksStepped)
}

// TestEnginesConcurrent runs the same network in two goroutines at once and
// alone, and checks that the spikes agree: engines share no state (run with
// -race to check for data races too).
func TestEnginesConcurrent(t *testing.T) {
	net := randomNet(3, 3000)
	alone := runAll(t, net, Config{}, []snnsim.Time{net.Duration})
	var wg sync.WaitGroup
	res := make([]*recorder, 2)
	for k := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := New(net, Config{})
			if err != nil {
				t.Error(err)
				return
			}
			res[k] = &recorder{}
			e.Attach(res[k], nil)
			if err := e.Run(context.Background(), net.Duration); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for k, r := range res {
		if r == nil || !slices.Equal(r.t, alone.t) || !slices.Equal(r.ids, alone.ids) {
			t.Errorf("engine %d in parallel differs from the engine alone", k)
		}
	}
}

// TestGuardStopsRunaway puts a rate guard of 5 Hz per 99.9 ms on a
// population that fires faster (the random test network's delta neurons
// fire at tens of Hz under the Poisson drive) and checks that the run stops
// with ErrRunaway at the end of the first bin over the limit, on the same
// tick for 1, 2 and 3 workers, and that a generous guard lets the same run
// finish.
func TestGuardStopsRunaway(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		trip bool
	}{{5, true}, {1e4, false}} {
		var stop snnsim.Time
		for _, workers := range []int{1, 2, 3} {
			net := randomNet(3, 3000)
			net.Guards = []*netlist.Guard{{Population: 3, MaxRate: tc.max, Window: 999}}
			e, err := New(net, Config{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			err = e.Run(context.Background(), net.Duration)
			if tc.trip {
				if !errors.Is(err, ErrRunaway) {
					t.Fatalf("max %g Hz, %d workers: err = %v, want ErrRunaway", tc.max, workers, err)
				}
				if e.Now()%999 != 0 || e.Now() == 0 {
					t.Errorf("%d workers: stopped at tick %d, not at the end of a 999-tick bin", workers, e.Now())
				}
				if workers == 1 {
					stop = e.Now()
				} else if e.Now() != stop {
					t.Errorf("%d workers stopped at tick %d, one worker at %d", workers, e.Now(), stop)
				}
				t.Log(err)
			} else if err != nil {
				t.Fatalf("max %g Hz, %d workers: %v", tc.max, workers, err)
			}
		}
	}
}
