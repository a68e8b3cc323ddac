package neuron

import "github.com/snnsim/snnsim"

// MaxRate returns the highest rate [Hz] at which a neuron of model p can
// fire on the given clock: one spike per R+1 ticks after the refractory
// clamp of R = clock.CeilTicks(t_ref) ticks (see [Population]), at most one
// per tick. It returns 0 for nil parameters.
func MaxRate(p Params, clock snnsim.Clock) float64 {
	if p == nil {
		return 0
	}
	ticks := clock.CeilTicks(p.Refractory()) + 1
	return 1000 / (float64(ticks) * clock.DT)
}
