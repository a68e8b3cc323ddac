package netlist

import (
	"fmt"

	"github.com/snnsim/snnsim"
)

// PhaseMode says how a [Phase] runs.
type PhaseMode string

// The phase modes.
const (
	// PhaseSpiking is the normal simulation: a phase in this mode only
	// names a stretch of the run.
	PhaseSpiking PhaseMode = "spiking"
	// PhaseFastForward switches spiking off: the fast-forward of the
	// simulator of Luboeinski & Tetzlaff (2021). On entry every
	// consolidation model drops its induction (calcium set to 0, pending
	// spike effects discarded, consolidation.FastForwarder), and spikes in
	// flight that would arrive inside the phase are discarded. Inside, no
	// neuron is updated: membrane potentials, synaptic and stimulus
	// currents and refractory clocks keep the values they had before the
	// phase and resume from them after it; sources emit nothing (spikes
	// they were due to emit are dropped); only the consolidation models
	// advance, with no spike, in closed form.
	PhaseFastForward PhaseMode = "fast_forward"
)

// Phase is a stretch of ticks [Start, Stop) of a run with its mode.
// [Network.Phases] holds them in time order without overlap.
type Phase struct {
	Name        string
	Start, Stop snnsim.Time
	Mode        PhaseMode
}

// Spiking reports whether neurons are simulated during the phase.
func (p *Phase) Spiking() bool { return p.Mode != PhaseFastForward }

// Contains reports whether tick t lies in the phase.
func (p *Phase) Contains(t snnsim.Time) bool { return t >= p.Start && t < p.Stop }

// CheckPhases checks the phases of n: known modes, 0 < Start < Stop <=
// Duration (when the duration is set), time order without overlap, and no
// stimulus switching on or off inside a phase without spiking (a frozen
// neuron could not take the change).
func (n *Network) CheckPhases() error {
	for i, p := range n.Phases {
		switch {
		case p.Mode != PhaseSpiking && p.Mode != PhaseFastForward:
			return fmt.Errorf("network: phase %d (%s): mode %q: must be %q or %q", i, p.Name, p.Mode, PhaseSpiking, PhaseFastForward)
		case p.Start < 1 || p.Stop <= p.Start:
			return fmt.Errorf("network: phase %d (%s): ticks [%d, %d): must start after tick 0 and end after its start", i, p.Name, p.Start, p.Stop)
		case n.Duration > 0 && p.Stop > n.Duration:
			return fmt.Errorf("network: phase %d (%s): ends at tick %d, after the run's end at tick %d", i, p.Name, p.Stop, n.Duration)
		case i > 0 && p.Start < n.Phases[i-1].Stop:
			return fmt.Errorf("network: phase %d (%s) starts at tick %d, before phase %d (%s) ends at tick %d: phases are in time order and do not overlap",
				i, p.Name, p.Start, i-1, n.Phases[i-1].Name, n.Phases[i-1].Stop)
		}
		if p.Spiking() {
			continue
		}
		for k, s := range n.Stimuli {
			for _, at := range []snnsim.Time{s.Start, s.Stop} {
				if p.Contains(at) {
					return fmt.Errorf("network: stimulus %d switches at tick %d, inside phase %d (%s) [%d, %d) without spiking", k, at, i, p.Name, p.Start, p.Stop)
				}
			}
		}
	}
	return nil
}
