package source

import (
	"math"
	"slices"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/internal/paramtest"
)

// TestValidate lists bad parameters, one per row, with the exact message of
// Validate (when clock is zero) or of New (the checks that need n or the
// resolution). Each message names the key, the value and the constraint.
func TestValidate(t *testing.T) {
	inf := math.Inf(1)
	pois := func(f func(*Poisson)) Poisson { p := DefaultPoisson(); f(&p); return p }
	cases := []struct {
		name  string
		p     Params
		n     int          // for New; 0: test Validate only
		clock snnsim.Clock // for New
		want  string
	}{
		{"poisson/rate<0", pois(func(p *Poisson) { p.Rate = -1 }), 0, dt01,
			"source: poisson.rate = -1 Hz: must be >= 0"},
		{"poisson/rate=NaN", pois(func(p *Poisson) { p.Rate = math.NaN() }), 0, dt01,
			"source: poisson.rate = NaN Hz: must be finite"},
		{"poisson/rate=Inf", pois(func(p *Poisson) { p.Rate = inf }), 0, dt01,
			"source: poisson.rate = +Inf Hz: must be finite"},
		{"poisson/start<0", pois(func(p *Poisson) { p.Start = -5 }), 0, dt01,
			"source: poisson.start = -5 ms: must be >= 0"},
		{"poisson/stop=start", pois(func(p *Poisson) { p.Start, p.Stop = 10, 10 }), 0, dt01,
			"source: poisson.stop = 10 ms: must be after start = 10 ms; leave stop out (+Inf) to fire until the end of the run"},
		{"poisson/stop_zero_value", Poisson{Rate: 5}, 0, dt01,
			"source: poisson.stop = 0 ms: must be after start = 0 ms; leave stop out (+Inf) to fire until the end of the run"},
		{"poisson/stop=NaN", pois(func(p *Poisson) { p.Stop = math.NaN() }), 0, dt01,
			"source: poisson.stop = NaN ms: must be a time after start, or absent (+Inf) for none"},
		{"poisson/rates_length", pois(func(p *Poisson) { p.Times = []float64{1, 2}; p.Rates = []float64{3} }), 0, dt01,
			"source: poisson.rates has 1 entries and times has 2: give one rate per change time"},
		{"poisson/times_order", pois(func(p *Poisson) { p.Times = []float64{10, 10}; p.Rates = []float64{1, 2} }), 0, dt01,
			"source: poisson.times[1] = 10 ms: must be after times[0] = 10 ms: list the change times in increasing order"},
		{"poisson/times<0", pois(func(p *Poisson) { p.Times = []float64{-1}; p.Rates = []float64{1} }), 0, dt01,
			"source: poisson.times[0] = -1 ms: must be >= 0"},
		{"poisson/rates<0", pois(func(p *Poisson) { p.Times = []float64{1}; p.Rates = []float64{-2} }), 0, dt01,
			"source: poisson.rates[0] = -2 Hz: must be >= 0"},
		{"poisson/times_same_tick", pois(func(p *Poisson) { p.Times = []float64{10, 10.01}; p.Rates = []float64{1, 2} }), 5, dt01,
			"source: poisson.times[1] = 10.01 ms: falls on the same tick as times[0] = 10 ms at resolution 0.1 ms: space the changes at least one tick apart"},
		{"poisson/n=0", DefaultPoisson(), -1, dt01,
			"source: poisson: n = -1 members: must be between 1 and 2147483647"},
		{"poisson/resolution", DefaultPoisson(), 5, snnsim.Clock{},
			"source: poisson: resolution = 0 ms: must be > 0 and finite"},
		{"poisson/start_too_late", pois(func(p *Poisson) { p.Start = 1e30 }), 5, dt01,
			"source: poisson.start = 1e+30 ms: is beyond the tick counter at resolution 0.1 ms"},

		{"spike_times/times<0", SpikeTimes{Times: []float64{1, -1}}, 0, dt01,
			"source: spike_times.times[1] = -1 ms: must be >= 0"},
		{"spike_times/neurons_length", SpikeTimes{Times: []float64{1, 2}, Neurons: []int{0}}, 0, dt01,
			"source: spike_times.neurons has 1 entries and times has 2: give one member per spike time, or leave neurons out so that every member fires at every time"},
		{"spike_times/neurons<0", SpikeTimes{Times: []float64{1}, Neurons: []int{-3}}, 0, dt01,
			"source: spike_times.neurons[0] = -3: must be >= 0 (a member index)"},
		{"spike_times/neurons>=n", SpikeTimes{Times: []float64{1, 2}, Neurons: []int{0, 4}}, 4, dt01,
			"source: spike_times.neurons[1] = 4: must be < 4, the population size (members are numbered from 0)"},
		{"spike_times/duplicate_member", SpikeTimes{Times: []float64{3, 1, 1.02}, Neurons: []int{1, 2, 2}}, 4, dt01,
			"source: spike_times.times[2] = 1.02 ms: falls on the same tick (10 at resolution 0.1 ms) as times[1] = 1 ms for member 2: a member fires at most once per tick; remove one of them"},
		{"spike_times/duplicate_all", SpikeTimes{Times: []float64{2, 1, 2}}, 4, dt01,
			"source: spike_times.times[2] = 2 ms: falls on the same tick (20 at resolution 0.1 ms) as times[0] = 2 ms for every member: a member fires at most once per tick; remove one of them"},

		{"regular/rate=0", Regular{Rate: 0, Stop: inf}, 0, dt01,
			"source: regular.rate = 0 Hz: must be > 0"},
		{"regular/stop<start", Regular{Rate: 1, Start: 20, Stop: 5}, 0, dt01,
			"source: regular.stop = 5 ms: must be after start = 20 ms; leave stop out (+Inf) to fire until the end of the run"},
		{"regular/rate_above_resolution", Regular{Rate: 20000, Stop: inf}, 5, dt01,
			"source: regular.rate = 20000 Hz: pulses 0.05 ms apart are closer than the resolution 0.1 ms: lower the rate or refine the resolution"},

		{"tetanus/trains=0", Tetanus{Trains: 0, Pulses: 1, Rate: 100}, 0, dt01,
			"source: tetanus.trains = 0: must be >= 1"},
		{"tetanus/pulses=0", Tetanus{Trains: 1, Pulses: 0, Rate: 100}, 0, dt01,
			"source: tetanus.pulses = 0: must be >= 1"},
		{"tetanus/rate<0", Tetanus{Trains: 1, Pulses: 1, Rate: -100}, 0, dt01,
			"source: tetanus.rate = -100 Hz: must be > 0"},
		{"tetanus/interval<0", Tetanus{Trains: 1, Pulses: 1, Rate: 100, Interval: -1}, 0, dt01,
			"source: tetanus.interval = -1 ms: must be >= 0"},
		{"tetanus/overlap", Tetanus{Trains: 3, Pulses: 100, Rate: 100, Interval: 999}, 0, dt01,
			"source: tetanus.interval = 999 ms: must be >= pulses/rate = 1000 ms when trains > 1, or trains overlap: lengthen the interval, or lower pulses or raise rate"},
		{"tetanus/start=Inf", Tetanus{Trains: 1, Pulses: 1, Rate: 100, Start: inf}, 0, dt01,
			"source: tetanus.start = +Inf ms: must be finite"},
		{"tetanus/rate_above_resolution", Tetanus{Trains: 1, Pulses: 2, Rate: 2000}, 1, snnsim.Clock{DT: 1},
			"source: tetanus.rate = 2000 Hz: pulses 0.5 ms apart are closer than the resolution 1 ms: lower the rate or refine the resolution"},

		{"burst/bursts=0", Burst{Bursts: 0, Pulses: 3, Rate: 20}, 0, dt01,
			"source: burst.bursts = 0: must be >= 1"},
		{"burst/overlap", Burst{Bursts: 900, Pulses: 3, Rate: 20, Period: 100}, 0, dt01,
			"source: burst.period = 100 ms: must be >= pulses/rate = 150 ms when bursts > 1, or bursts overlap: lengthen the period, or lower pulses or raise rate"},
		{"burst/rate=NaN", Burst{Bursts: 1, Pulses: 3, Rate: math.NaN()}, 0, dt01,
			"source: burst.rate = NaN Hz: must be finite"},
	}
	for _, c := range cases {
		t.Run("model="+c.name, func(t *testing.T) {
			var err error
			if c.n == 0 {
				err = c.p.Validate()
			} else {
				_, err = c.p.New(c.n, c.clock, seeded(1))
			}
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %q\nwant %q", err.Error(), c.want)
			}
			if c.n == 0 {
				// New validates first.
				if _, nerr := c.p.New(3, dt01, seeded(1)); nerr == nil || nerr.Error() != c.want {
					t.Errorf("New: %v, want the Validate error", nerr)
				}
			}
		})
	}
}

// TestValidEdgeCases lists parameters at the edge of validity that must pass.
func TestValidEdgeCases(t *testing.T) {
	for _, p := range []Params{
		Tetanus{Trains: 3, Pulses: 100, Rate: 100, Interval: 1000}, // interval = pulses/rate
		Tetanus{Trains: 1, Pulses: 5, Rate: 100, Interval: 0},      // one train: any interval
		Burst{Bursts: 2, Pulses: 3, Rate: 3, Period: 1000},         // 3/3 Hz = 1000 ms
		Regular{Rate: 1e4, Stop: math.Inf(1)},                      // period = one tick at 0.1 ms
		Poisson{Rate: 0, Stop: math.Inf(1), Times: []float64{0}, Rates: []float64{5}},
		SpikeTimes{Times: []float64{1, 1}, Neurons: []int{0, 1}}, // same tick, different members
	} {
		if _, err := p.New(2, dt01, seeded(1)); err != nil {
			t.Errorf("%s %+v: %v", p.Model(), p, err)
		}
	}
}

// TestLookup: every listed model is found, its defaults are valid, and its
// Model() name round-trips.
func TestLookup(t *testing.T) {
	want := []string{"burst", "external", "pattern", "poisson", "regular", "spike_times", "stc_protocol", "tetanus"}
	if got := Models(); !slices.Equal(got, want) {
		t.Fatalf("Models() = %v, want %v", got, want)
	}
	for _, name := range want {
		p, ok := Lookup(name)
		if !ok || p.Model() != name {
			t.Fatalf("Lookup(%q) = %v, %v", name, p, ok)
		}
		if name == "stc_protocol" {
			// No default protocol: a scenario must name one (TestProtocolValidate).
			if p.Validate() == nil {
				t.Errorf("stc_protocol defaults validate without a protocol")
			}
			continue
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s defaults: %v", name, err)
		}
		s := mustNew(t, p, 4, dt01, seeded(1))
		if name == "poisson" || name == "spike_times" || name == "external" {
			if s.Next() != snnsim.Never {
				t.Errorf("%s defaults: Next() = %d, want Never (silent)", name, s.Next())
			}
		} else if s.Next() != 0 {
			t.Errorf("%s defaults: Next() = %d, want 0", name, s.Next())
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Errorf("Lookup(nope) found a model")
	}
}

// TestRegistry walks the model table: every model validates its defaults
// and refuses a wrong value of each parameter with a ParamError naming
// the key.
func TestRegistry(t *testing.T) {
	paramtest.Registry(t, paramtest.Table[Params]{
		Pkg: "source", Names: Models(), Lookup: Lookup, Model: Params.Model,
		// stc_protocol has no default protocol: a scenario must name one.
		Fill: func(name string, p Params) {
			if q, ok := p.(*Protocol); ok {
				q.Protocol = "WTET"
			}
		},
	})
}
