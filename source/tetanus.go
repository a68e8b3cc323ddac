package source

import (
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

func init() {
	models.Register("tetanus", func() Params { p := DefaultTetanus(); return &p })
}

// Validate checks the parameters: trains and pulses >= 1, rate finite and
// > 0, start and interval finite and >= 0, and, when trains > 1, interval >=
// pulses/rate so that a train ends before the next one begins.
func (p Tetanus) Validate() error {
	c := checkParams("tetanus", p)
	checkTrains(c, "trains", "interval", p.Trains, p.Pulses, p.Rate, p.Interval, p.Start)
	return c.Err()
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

// checkTrains checks the parameters shared by Tetanus and Burst; the
// count and spacing keys differ ("trains"/"interval", "bursts"/"period").
func checkTrains(c *snnsim.ParamCheck, countKey, spacingKey string, trains, pulses int, rate, spacing, start float64) {
	c.AtLeastOne(countKey, trains)
	c.AtLeastOne("pulses", pulses)
	c.Positive("rate", rate)
	c.NonNegative(spacingKey, spacing)
	c.NonNegative("start", start)
	// A train lasts pulses/rate, counting the gap after its last pulse; the
	// relative tolerance accepts a spacing equal to it up to rounding.
	if length := float64(pulses) * 1000 / rate; c.OK() && trains > 1 && spacing < length*(1-1e-12) {
		c.Failf(spacingKey, spacing, "must be >= pulses/rate = %g ms when %s > 1, or %s overlap: lengthen the %s, or lower pulses or raise rate", length, countKey, countKey, spacingKey)
	}
}
