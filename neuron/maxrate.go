package neuron

import "github.com/snnsim/snnsim"

// MaxRate returns the highest rate [Hz] at which a neuron of model p can
// fire on the given clock: one spike per R+1 ticks after the refractory
// clamp of R = clock.CeilTicks(t_ref) ticks (see [Population]), at most one
// per tick. It returns 0 for a model it does not know.
func MaxRate(p Params, clock snnsim.Clock) float64 {
	var tref float64
	switch q := p.(type) {
	case LIFDelta:
		tref = q.TRef
	case *LIFDelta:
		tref = q.TRef
	case LIFExp:
		tref = q.TRef
	case *LIFExp:
		tref = q.TRef
	case LIFCond:
		tref = q.TRef
	case *LIFCond:
		tref = q.TRef
	case LIFAmpaNmda:
		tref = q.TRef
	case *LIFAmpaNmda:
		tref = q.TRef
	case AdEx:
		tref = q.TRef
	case *AdEx:
		tref = q.TRef
	default:
		return 0
	}
	ticks := clock.CeilTicks(tref) + 1
	return 1000 / (float64(ticks) * clock.DT)
}
