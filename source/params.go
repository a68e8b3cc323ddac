package source

import "math"

// Poisson is a population of independent Poisson spike trains.
//
//	name    default  unit  meaning
//	rate    0        Hz    rate before the first schedule time (or throughout), >= 0
//	start   0        ms    no spikes before start, >= 0
//	stop    none     ms    no spikes at or after stop (absent: never stops), > start
//	times   []       ms    piecewise-constant schedule: from times[k] on, the rate is rates[k]
//	rates   []       Hz    same length as times; times strictly increasing
//
// On the tick grid each member fires in each tick independently (at most one
// spike per tick) with probability
//
//	p = 1 - exp(-r·dt)
//
// where r is the rate in force at that tick: 0 before start and from stop on,
// rate before times[0], rates[k] from times[k] on. This is the continuous
// Poisson process of rate r seen on the grid: a tick fires when the process
// has at least one event in it. Inter-spike intervals are geometric, the grid
// version of the exponential, with mean dt/p and CV sqrt(1-p); the mean rate
// p/dt is slightly below r (99.50 Hz for r = 100 Hz at dt = 0.1 ms), and
// r·dt >> 1 fires every tick. Start, stop and times are rounded to the
// nearest tick; two change times that fall on the same tick are an error.
//
// The source is event-driven: each member's next spike tick is drawn as
// from + floor(E/(r·dt)) with E ~ Exp(1), which is the geometric
// ceil(log U / log(1-p)) - 1 without forming 1-p. A draw that passes the next
// rate change is discarded and redrawn from the change (the process is
// memoryless). Members wait in a min-heap ordered by (tick, member), so Fire
// costs O(log n) per spike and nothing per silent tick.
//
// Checked by TestPoissonRateAndCV (rate and CV against the geometric law),
// TestPoissonSchedule, TestPoissonStartStopExact and TestPoissonChunking.
type Poisson struct {
	Rate  float64   `toml:"rate" unit:"Hz"`  // constant rate, or the rate before times[0] [Hz]
	Start float64   `toml:"start" unit:"ms"` // first possible spike time [ms]
	Stop  float64   `toml:"stop" unit:"ms"`  // end of firing, +Inf for none [ms]
	Times []float64 `toml:"times" unit:"ms"` // schedule change times [ms]
	Rates []float64 `toml:"rates" unit:"Hz"` // schedule rates [Hz]
}

// DefaultPoisson returns a silent Poisson source with no stop time.
func DefaultPoisson() Poisson { return Poisson{Stop: math.Inf(1)} }

// Model returns "poisson".
func (Poisson) Model() string { return "poisson" }

// SpikeTimes fires at explicit times.
//
//	name     default  unit  meaning
//	times    []       ms    spike times (rounded to the nearest tick), >= 0
//	neurons  []             if given, same length as times: spike k is fired by member neurons[k]
//	                        (0 <= neurons[k] < n); if absent, every member fires at every time
//
// The times need not be sorted. Two spikes of one member (or, without
// neurons, two times) that fall on the same tick are rejected by New rather
// than merged, so that no spike is dropped silently. Checked by TestSpikeTimes.
type SpikeTimes struct {
	Times   []float64 `toml:"times" unit:"ms"` // spike times [ms]
	Neurons []int     `toml:"neurons"`         // member index per spike, or empty for all members
}

// DefaultSpikeTimes returns a source with no spikes.
func DefaultSpikeTimes() SpikeTimes { return SpikeTimes{} }

// Model returns "spike_times".
func (SpikeTimes) Model() string { return "spike_times" }

// Regular fires all members together at a fixed rate: at start + k/rate,
// each rounded to the nearest tick, for as long as that is before stop.
//
//	name   default  unit  meaning
//	rate   10       Hz    > 0
//	start  0        ms    time of the first spike, >= 0
//	stop   none     ms    no spikes at or after stop
//
// The period 1/rate must be at least one tick. Checked by TestTrainProtocols.
type Regular struct {
	Rate  float64 `toml:"rate" unit:"Hz"`  // firing rate [Hz]
	Start float64 `toml:"start" unit:"ms"` // first spike [ms]
	Stop  float64 `toml:"stop" unit:"ms"`  // end of firing, +Inf for none [ms]
}

// DefaultRegular returns a 10 Hz train from t = 0 that never stops.
func DefaultRegular() Regular { return Regular{Rate: 10, Stop: math.Inf(1)} }

// Model returns "regular".
func (Regular) Model() string { return "regular" }

// Tetanus is a stimulation protocol: trains of pulses delivered by all
// members together (one pathway of fibres stimulated by one electrode).
// Pulse j of train k is at start + k·interval + j/rate.
//
//	name      default  unit  meaning
//	trains    1              number of trains, >= 1
//	pulses    100            pulses per train, >= 1
//	rate      100      Hz    pulse rate within a train, > 0
//	interval  10 min   ms    between train onsets, longer than a train when trains > 1
//	start     0        ms    onset of the first train, >= 0
//
// Each pulse time is rounded to the nearest tick; the pulse period 1/rate
// must be at least one tick. The source stores only the pending pulse, so its
// memory does not grow with the number of pulses.
//
// The protocols of Frey & Morris (1997, Nature 385:533): WTET = 1 train of 21
// pulses at 100 Hz; STET = 3 trains of 100 pulses at 100 Hz, 10 min apart;
// WLFS = 1 train of 900 pulses at 1 Hz. Checked by TestTrainProtocols.
type Tetanus struct {
	Trains   int     `toml:"trains"`             // number of trains
	Pulses   int     `toml:"pulses"`             // pulses per train
	Rate     float64 `toml:"rate" unit:"Hz"`     // pulse rate within a train [Hz]
	Interval float64 `toml:"interval" unit:"ms"` // between train onsets [ms]
	Start    float64 `toml:"start" unit:"ms"`    // first train onset [ms]
}

// DefaultTetanus returns one train of 100 pulses at 100 Hz at t = 0.
func DefaultTetanus() Tetanus {
	return Tetanus{Trains: 1, Pulses: 100, Rate: 100, Interval: 10 * 60e3}
}

// Model returns "tetanus".
func (Tetanus) Model() string { return "tetanus" }

// Burst fires bursts of pulses, all members together: pulse j of burst k is
// at start + k·period + j/rate, rounded to the nearest tick, as for Tetanus
// (the two share their implementation). SLFS (strong low-frequency
// stimulation) is 900 bursts of 3 pulses at 20 Hz with a period of 1 s
// (1.15 s in the Luboeinski & Tetzlaff code). Checked by TestTrainProtocols.
//
//	name    default  unit  meaning
//	bursts  1              number of bursts, >= 1
//	pulses  3              pulses per burst, >= 1
//	rate    20       Hz    pulse rate within a burst, > 0
//	period  1 s      ms    between burst onsets, longer than a burst when bursts > 1
//	start   0        ms    onset of the first burst, >= 0
type Burst struct {
	Bursts int     `toml:"bursts"`           // number of bursts
	Pulses int     `toml:"pulses"`           // pulses per burst
	Rate   float64 `toml:"rate" unit:"Hz"`   // pulse rate within a burst [Hz]
	Period float64 `toml:"period" unit:"ms"` // between burst onsets [ms]
	Start  float64 `toml:"start" unit:"ms"`  // first burst onset [ms]
}

// DefaultBurst returns one burst of 3 pulses at 20 Hz at t = 0.
func DefaultBurst() Burst { return Burst{Bursts: 1, Pulses: 3, Rate: 20, Period: 1000} }

// Model returns "burst".
func (Burst) Model() string { return "burst" }
