package snnsim

import (
	"fmt"
	"math"
)

// Time is simulation time as an integer count of ticks of the resolution.
type Time int64

// Never is a Time later than any real event.
const Never Time = math.MaxInt64

// NeuronID identifies a neuron globally: populations occupy consecutive ID
// ranges in the order they are declared.
type NeuronID int32

// Clock converts between ticks and milliseconds for one resolution.
type Clock struct {
	DT float64 // resolution: the length of one tick [ms]
}

// Ms returns t as milliseconds.
func (c Clock) Ms(t Time) float64 { return float64(t) * c.DT }

// Seconds returns t as seconds.
func (c Clock) Seconds(t Time) float64 { return float64(t) * c.DT / 1000 }

// TicksPerSecond is the number of ticks in one second of simulated time.
func (c Clock) TicksPerSecond() float64 { return 1000 / c.DT }

// Ticks converts a duration in ms to a whole number of ticks, rounding to the
// nearest tick. A duration that is off the grid by more than one part in 1e6
// of a tick is an error, so that "0.15 ms" at 0.1 ms resolution is not silently
// changed.
func (c Clock) Ticks(ms float64) (Time, error) {
	if c.DT <= 0 || math.IsNaN(c.DT) {
		return 0, fmt.Errorf("resolution %g ms: must be > 0", c.DT)
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return 0, fmt.Errorf("duration %g ms is not finite", ms)
	}
	x := ms / c.DT
	if math.Abs(x) > 9e18 {
		return 0, fmt.Errorf("duration %g ms is too long for the tick counter at resolution %g ms", ms, c.DT)
	}
	r := math.Round(x)
	if math.Abs(x-r) > 1e-6*math.Max(1, 1e-9*math.Abs(x)) {
		return 0, fmt.Errorf("duration %g ms is not a whole number of ticks of %g ms", ms, c.DT)
	}
	return Time(r), nil
}

// CeilTicks converts a duration in ms to ticks, rounding up (a duration
// already on the grid is kept). It is used where a duration is a lower bound,
// such as a refractory period.
func (c Clock) CeilTicks(ms float64) Time {
	x := ms / c.DT
	r := math.Round(x)
	if math.Abs(x-r) <= 1e-9*math.Max(1, math.Abs(x)) {
		return Time(r)
	}
	return Time(math.Ceil(x))
}
