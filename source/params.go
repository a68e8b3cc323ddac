package source

import "math"

// Poisson is a population of independent Poisson spike trains.
//
//	name    default  unit  meaning
//	rate    0        Hz    rate before the first schedule time (or throughout), >= 0
//	start   0        ms    no spikes before start
//	stop    none     ms    no spikes at or after stop (absent: never stops)
//	times   []       ms    piecewise-constant schedule: from times[k] on, the rate is rates[k]
//	rates   []       Hz    same length as times; times strictly increasing
//
// On the tick grid each member fires in a tick with probability 1-exp(-rate·dt)
// independently (at most one spike per tick), so inter-spike intervals are
// geometric: the grid version of the exponential. Checked by TestPoissonRateAndCV.
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
//	neurons  []             if given, same length as times: spike k is fired by member neurons[k];
//	                        if absent, every member fires at every time
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
// The protocols of Frey & Morris (1997): WTET = 1 train of 21 pulses at 100 Hz;
// STET = 3 trains of 100 pulses at 100 Hz, 10 min apart.
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
// at start + k·period + j/rate. SLFS (strong low-frequency stimulation) is
// 900 bursts of 3 pulses at 20 Hz with a period of 1 s.
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
