package source

import (
	"math"
	"math/rand/v2"

	"github.com/snnsim/snnsim"
)

func init() {
	models.Register("regular", func() Params { p := DefaultRegular(); return &p })
}

// Validate checks the parameters: rate finite and > 0, start finite and
// >= 0, stop after start (or +Inf).
func (p Regular) Validate() error {
	c := checkParams("regular", p)
	c.Positive("rate", p.Rate)
	c.NonNegative("start", p.Start)
	checkStop(c, p.Stop, p.Start)
	return c.Err()
}

// New returns a source whose n members all fire at start + k/rate, each time
// rounded to the nearest tick, for as long as that tick is before stop
// (itself rounded to the nearest tick). It validates p first; the period
// 1/rate must be at least one tick. rng is not used.
func (p Regular) New(n int, clock snnsim.Clock, _ *rand.Rand) (Source, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return newTrain(trainSpec{
		model:  "regular",
		start:  p.Start,
		rate:   p.Rate,
		trains: 1,
		pulses: math.MaxInt64,
		stop:   p.Stop,
	}, n, clock)
}
