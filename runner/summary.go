package runner

import (
	"encoding/json"
	"os"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
)

// Summary is the content of summary.json, which a run writes next to its
// log when it ends, completed or not.
//
// Speeds refer to this process: after a resume, SimulatedThisRunS is the
// simulated time since the checkpoint and WallS the wall time since the
// resume, and SimSPerWallS, WallSPerSimS and EventsPerWallS are their
// ratios (each other's inverse); they are 0 when this process simulated
// nothing. PlasticityUpdates (engine.Stats) and its rate are this
// process's too.
type Summary struct {
	Scenario     string  `json:"scenario"`
	File         string  `json:"file"`
	Seed         uint64  `json:"seed"`
	Version      string  `json:"version"`
	ResolutionMs float64 `json:"resolution_ms"`
	Completed    bool    `json:"completed"`
	// SimulatedS is the simulated time of the whole run, up to where it
	// ended or stopped.
	SimulatedS        float64 `json:"simulated_s"`
	SimulatedThisRunS float64 `json:"simulated_this_run_s"`
	WallS             float64 `json:"wall_s"`
	SimSPerWallS      float64 `json:"sim_s_per_wall_s"`
	WallSPerSimS      float64 `json:"wall_s_per_sim_s"`
	SynapticEvents    int64   `json:"synaptic_events"`
	EventsPerWallS    float64 `json:"events_per_wall_s"`
	// PlasticityUpdates are the synapses whose plasticity rule or
	// consolidation model a spike reached in this process (engine.Stats).
	PlasticityUpdates         int64               `json:"plasticity_updates"`
	PlasticityUpdatesPerWallS float64             `json:"plasticity_updates_per_wall_s"`
	TicksStepped              int64               `json:"ticks_stepped"`
	TicksSkipped              int64               `json:"ticks_skipped"`
	Populations               []PopulationSummary `json:"populations"`
	// SaturatedPopulations are the neuron populations without a [[guard]]
	// whose mean rate reached engine.SaturationFraction of their maximum
	// rate (one spike per t_ref plus a tick); empty for a sound run.
	SaturatedPopulations []engine.Saturation `json:"saturated_populations"`
	Log                  string              `json:"log,omitempty"`
}

// PopulationSummary is one population's line in the summary: spikes over
// the whole run and the mean rate per neuron over SimulatedS.
type PopulationSummary struct {
	Name   string  `json:"name"`
	Size   int     `json:"size"`
	Spikes int64   `json:"spikes"`
	RateHz float64 `json:"rate_hz"`
}

// summarize fills a Summary from the engine's counters. simThis,
// eventsThis and updatesThis are the simulated seconds, synaptic events
// and plasticity updates of this process, wall its wall time.
func summarize(net *netlist.Network, eng *engine.Engine, wall, simThis float64, eventsThis, updatesThis int64, completed bool) Summary {
	st := eng.Stats()
	simS := net.Clock.Seconds(st.Now)
	s := Summary{
		Scenario: net.Name, File: net.File, Seed: net.Seed, Version: buildVersion(),
		ResolutionMs: net.Clock.DT, Completed: completed, SimulatedS: simS, SimulatedThisRunS: simThis, WallS: wall,
		SynapticEvents: st.SynapticEvents, TicksStepped: st.TicksStepped, TicksSkipped: st.TicksSkipped,
		PlasticityUpdates: updatesThis, Log: LogName,
	}
	if wall > 0 && simThis > 0 {
		s.SimSPerWallS = simThis / wall
		s.WallSPerSimS = wall / simThis
		s.EventsPerWallS = float64(eventsThis) / wall
		s.PlasticityUpdatesPerWallS = float64(updatesThis) / wall
	}
	for i, p := range net.Populations {
		ps := PopulationSummary{Name: p.Name, Size: p.Size, Spikes: st.Spikes[i]}
		if simS > 0 && p.Size > 0 {
			ps.RateHz = float64(st.Spikes[i]) / float64(p.Size) / simS
		}
		s.Populations = append(s.Populations, ps)
	}
	s.SaturatedPopulations = append([]engine.Saturation{}, eng.Saturated()...)
	return s
}

// WriteSummary writes s (a Summary, or a value that embeds one) to path as
// indented JSON.
func WriteSummary(path string, s any) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// buildVersion is the program version that logs and checkpoints record; a
// variable so that tests can write a run as another version would.
var buildVersion = snnsim.BuildVersion
