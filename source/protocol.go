package source

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/snnsim/snnsim"
)

func init() {
	models.Register("stc_protocol", func() Params { p := DefaultProtocol(); return &p })
}

// Protocol is one of the four stimulation protocols of synaptic tagging
// and capture experiments (Frey & Morris 1997, Nature 385:533; Sajikumar &
// Frey 2004), delivered by all members together (one pathway of fibres
// stimulated by one electrode), from start on:
//
//	protocol  definition                                            length
//	WTET      1 train of 21 pulses at 100 Hz                        0.21 s
//	STET      3 trains of 100 pulses at 100 Hz, onsets 10 min apart  20 min + 1 s
//	WLFS      900 pulses at 1 Hz                                    15 min
//	SLFS      900 bursts of 3 pulses at 20 Hz, one burst per second  15 min
//	none      no pulse: an unstimulated pathway (a --set override may give it a protocol)
//
//	name      default  unit  meaning
//	protocol  (none)         "WTET", "STET", "WLFS", "SLFS" or "none", in any case; required
//	start     0        ms    onset of the first pulse, >= 0
//
// Pulse j of train (or burst) k is at start + k·spacing + j/rate, rounded to
// the nearest tick, as for [Tetanus] and [Burst] (the models share their
// implementation): WTET is Tetanus{1, 21, 100 Hz}, STET Tetanus{3, 100,
// 100 Hz, 10 min}, WLFS Tetanus{1, 900, 1 Hz} and SLFS Burst{900, 3, 20 Hz,
// 1 s}. For other counts or spacings (the Luboeinski & Tetzlaff SLFS with
// a burst period of 1.15 s), use tetanus or burst. Checked by
// TestProtocolTicks.
type Protocol struct {
	Protocol string  `toml:"protocol"`        // "WTET", "STET", "WLFS", "SLFS" or "none" (case-insensitive)
	Start    float64 `toml:"start" unit:"ms"` // onset [ms]
}

// Protocols lists the protocol names of [Protocol] ("none" delivers no
// pulse).
func Protocols() []string { return []string{"WTET", "STET", "WLFS", "SLFS", "none"} }

// DefaultProtocol returns a Protocol without a protocol name, which
// Validate rejects: a scenario must name one.
func DefaultProtocol() Protocol { return Protocol{} }

// Model returns "stc_protocol".
func (Protocol) Model() string { return "stc_protocol" }

// train returns the protocol's trains, pulses, pulse rate [Hz] and train
// spacing [ms], and whether the name is known; "none" has no trains.
func (p Protocol) train() (trains, pulses int64, rate, spacing float64, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(p.Protocol)) {
	case "NONE":
		return 0, 0, 1, 0, true
	case "WTET":
		return 1, 21, 100, 0, true
	case "STET":
		return 3, 100, 100, 10 * 60e3, true
	case "WLFS":
		return 1, 900, 1, 0, true
	case "SLFS":
		return 900, 3, 20, 1000, true
	}
	return 0, 0, 0, 0, false
}

// Validate checks the parameters: a known protocol name and start finite
// and >= 0.
func (p Protocol) Validate() error {
	c := checkParams("stc_protocol", p)
	if _, _, _, _, ok := p.train(); !ok {
		if p.Protocol == "" {
			c.Fail("protocol", nil, "is missing: give one of "+strings.Join(Protocols(), ", "))
		} else {
			c.Fail("protocol", p.Protocol, "unknown protocol; protocols: "+strings.Join(Protocols(), ", "))
		}
	}
	c.NonNegative("start", p.Start)
	return c.Err()
}

// New returns a source whose n members all fire the protocol's pulses,
// each time rounded to the nearest tick. It validates p first; the pulses
// (10 ms apart for WTET and STET, 50 ms for SLFS, 1 s for WLFS) must be at
// least one tick apart. rng is not used.
func (p Protocol) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	trains, pulses, rate, spacing, _ := p.train()
	stop := math.Inf(1)
	if trains == 0 { // "none": a train whose pulses all fall at or after stop = 0
		trains, pulses, stop = 1, 1, 0
	}
	if period := 1000 / rate; clock.DT > 0 && period/clock.DT < 1 {
		return nil, bad("stc_protocol", "protocol", strings.ToUpper(p.Protocol), "",
			fmt.Sprintf("its pulses %g ms apart are closer than the resolution %g ms: refine the resolution", period, clock.DT))
	}
	return newTrain(trainSpec{
		model:    "stc_protocol",
		start:    p.Start,
		interval: spacing,
		rate:     rate,
		trains:   trains,
		pulses:   pulses,
		stop:     stop,
	}, n, clock)
}
