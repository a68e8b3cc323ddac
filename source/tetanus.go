package source

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

var _ Params = Tetanus{}

// Validate checks the parameters: trains and pulses >= 1, rate finite and
// > 0, start and interval finite and >= 0, and, when trains > 1, interval >=
// pulses/rate so that a train ends before the next one begins.
func (p Tetanus) Validate() error {
	return validateTrains("tetanus", "trains", "interval", p.Trains, p.Pulses, p.Rate, p.Interval, p.Start)
}

// New returns a source whose n members all fire pulse j of train k at
// start + k·interval + j/rate, each time rounded to the nearest tick. It
// validates p first; the pulse period 1/rate must be at least one tick. rng
// is not used.
func (p Tetanus) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return newTrain(trainSpec{
		model:    "tetanus",
		start:    p.Start,
		interval: p.Interval,
		rate:     p.Rate,
		trains:   int64(p.Trains),
		pulses:   int64(p.Pulses),
		stop:     math.Inf(1),
	}, n, clock)
}

// validateTrains checks the parameters shared by Tetanus and Burst; the
// count and spacing keys differ ("trains"/"interval", "bursts"/"period").
func validateTrains(m, countKey, spacingKey string, trains, pulses int, rate, spacing, start float64) error {
	if err := atLeastOne(m, countKey, trains); err != nil {
		return err
	}
	if err := atLeastOne(m, "pulses", pulses); err != nil {
		return err
	}
	if err := positive(m, "rate", rate, "Hz"); err != nil {
		return err
	}
	if err := nonNegative(m, spacingKey, spacing, "ms"); err != nil {
		return err
	}
	if err := nonNegative(m, "start", start, "ms"); err != nil {
		return err
	}
	// A train lasts pulses/rate, counting the gap after its last pulse; the
	// relative tolerance accepts a spacing equal to it up to rounding.
	if length := float64(pulses) * 1000 / rate; trains > 1 && spacing < length*(1-1e-12) {
		return bad(m, spacingKey, spacing, "ms", fmt.Sprintf("must be >= pulses/rate = %g ms when %s > 1, or %s overlap: lengthen the %s, or lower pulses or raise rate", length, countKey, countKey, spacingKey))
	}
	return nil
}
