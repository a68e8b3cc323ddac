package source

import (
	"fmt"
	"math"

	"github.com/snnsim/snnsim"
)

// Shared checks and conversions. Every error message has the form
//
//	source: <model>.<key> = <value> <unit>: <constraint>[; <what to do>]
//
// so that a scenario author can find the key in the file.

// maxTicks bounds tick values converted from milliseconds; it matches
// snnsim.Clock.Ticks and leaves room below snnsim.Never.
const maxTicks = 9e18

// checkParams starts the checks of the parameters p of the named model.
func checkParams(model string, p any) *snnsim.ParamCheck {
	return snnsim.CheckParams("source", model, p)
}

// bad is a parameter error that New finds against the resolution or the
// population size, with the unit of the key.
func bad(model, key string, v any, unit, why string) error {
	return &snnsim.ParamError{Pkg: "source", Model: model, Key: key, Value: v, Unit: unit, Constraint: why}
}

// checkStop checks an optional end time: +Inf (none) or a finite time after start.
func checkStop(c *snnsim.ParamCheck, stop, start float64) {
	switch {
	case math.IsInf(stop, 1):
	case math.IsNaN(stop) || math.IsInf(stop, -1):
		c.Fail("stop", stop, "must be a time after start, or absent (+Inf) for none")
	case !(stop > start):
		c.Failf("stop", stop, "must be after start = %g ms; leave stop out (+Inf) to fire until the end of the run", start)
	}
}

// checkNew checks the arguments that every New receives.
func checkNew(model string, n int, clock snnsim.Clock) error {
	if n < 1 || n > math.MaxInt32 {
		return fmt.Errorf("source: %s: n = %d members: must be between 1 and %d", model, n, math.MaxInt32)
	}
	if !(clock.DT > 0) || math.IsInf(clock.DT, 0) {
		return fmt.Errorf("source: %s: resolution = %g ms: must be > 0 and finite", model, clock.DT)
	}
	return nil
}

// tickOf converts the time ms to the nearest tick. A time on the grid stays
// exactly on its tick: ms/dt is then within a few ulps of an integer.
func tickOf(model, key string, ms float64, clock snnsim.Clock) (snnsim.Time, error) {
	x := math.Round(ms / clock.DT)
	if math.IsNaN(x) || math.Abs(x) > maxTicks {
		return 0, bad(model, key, ms, "ms", fmt.Sprintf("is beyond the tick counter at resolution %g ms", clock.DT))
	}
	return snnsim.Time(x), nil
}

// stopTick converts an optional end time (+Inf for none) to a tick.
func stopTick(model string, ms float64, clock snnsim.Clock) (snnsim.Time, error) {
	if math.IsInf(ms, 1) {
		return snnsim.Never, nil
	}
	return tickOf(model, "stop", ms, clock)
}

// allMembers returns 0, 1, ..., n-1, the output of a Fire in which every
// member spikes.
func allMembers(n int) []int32 {
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	return all
}

// fireLate reports a broken engine contract: Fire at a tick after Next.
func fireLate(model string, t, next snnsim.Time) {
	panic(fmt.Sprintf("source: %s: Fire(%d) called after the pending spike at tick %d (the engine must call Fire at every tick Next returns)", model, t, next))
}
