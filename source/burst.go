package source

import (
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

func init() {
	models.Register("burst", func() Params { p := DefaultBurst(); return &p })
}

// Validate checks the parameters: bursts and pulses >= 1, rate finite and
// > 0, start and period finite and >= 0, and, when bursts > 1, period >=
// pulses/rate so that a burst ends before the next one begins.
func (p Burst) Validate() error {
	c := checkParams("burst", p)
	checkTrains(c, "bursts", "period", p.Bursts, p.Pulses, p.Rate, p.Period, p.Start)
	return c.Err()
}

// New returns a source whose n members all fire pulse j of burst k at
// start + k·period + j/rate, each time rounded to the nearest tick. It
// validates p first; the pulse period 1/rate must be at least one tick. rng
// is not used.
func (p Burst) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return newTrain(trainSpec{
		model:    "burst",
		start:    p.Start,
		interval: p.Period,
		rate:     p.Rate,
		trains:   int64(p.Bursts),
		pulses:   int64(p.Pulses),
		stop:     math.Inf(1),
	}, n, clock)
}
