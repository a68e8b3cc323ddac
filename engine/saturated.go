package engine

import "github.com/snnsim/snnsim/neuron"

// SaturationFraction is the fraction of a population's maximum rate
// (neuron.MaxRate: one spike per refractory period plus a tick) above which
// its mean rate over the run counts as saturated. A mean at half the maximum
// means that most neurons fired at, or close to, their refractory limit,
// far above any physiological regime: the drive or the weights are almost
// certainly wrong, and the rates say nothing but the value of t_ref.
const SaturationFraction = 0.5

// Saturation is a neuron population whose mean rate over the run reached
// SaturationFraction of its maximum rate while no [[guard]] watched it.
type Saturation struct {
	Population string  `json:"population"`
	RateHz     float64 `json:"rate_hz"`     // mean rate over the simulated time [Hz]
	MaxRateHz  float64 `json:"max_rate_hz"` // one spike per t_ref plus a tick [Hz]
}

// Saturated returns the unguarded neuron populations that fired at
// SaturationFraction of their maximum rate or more, averaged over the
// simulated time so far (nil before the first tick). A population with a
// [[guard]] is left out: its rate is checked by the guard.
func (e *Engine) Saturated() []Saturation {
	simS := e.net.Clock.Seconds(e.now)
	if !(simS > 0) {
		return nil
	}
	guarded := make([]bool, len(e.pops))
	for _, g := range e.guards {
		guarded[g.Population] = true
	}
	var out []Saturation
	for i, p := range e.net.Populations {
		if p.Neuron == nil || p.Size == 0 || guarded[i] {
			continue
		}
		mx := neuron.MaxRate(p.Neuron, e.net.Clock)
		rate := float64(e.stats.Spikes[i]) / float64(p.Size) / simS
		if mx > 0 && rate >= SaturationFraction*mx {
			out = append(out, Saturation{Population: p.Name, RateHz: rate, MaxRateHz: mx})
		}
	}
	return out
}
