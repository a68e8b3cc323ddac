package engine

import (
	"fmt"
	"slices"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/netlist"
)

// Branch tells RestoreBranch how the engine's network continues the one a
// checkpoint was written from: the same network (populations, projections,
// consolidation, guards, modulations and seed) with another future, that
// is other stimuli from the checkpoint's tick on and other records.
type Branch struct {
	// Parent is the network the checkpoint was written from.
	Parent *netlist.Network
	// Stimuli maps each of the engine's stimuli to the index in
	// Parent.Stimuli of the stimulus whose state it continues, or to -1
	// for a stimulus that starts at or after the checkpoint's tick, which
	// starts afresh. Every parent stimulus that started before the
	// checkpoint's tick must be mapped, to an identical stimulus.
	Stimuli []int
	// KeepRecords continues the checkpoint's recording positions; the
	// engine's records must then be the parent's, attached in the same
	// order. Without it every probe starts at the checkpoint's tick: at
	// the first tick of its sampling grid at or after it (a rate bin open
	// at the checkpoint is not delivered).
	KeepRecords bool
}

// RestoreBranch loads into e, a new engine with its records attached, the
// state of a checkpoint written from another network, b.Parent, that e's
// network continues (see Branch). The run then goes on as the parent's
// would have with e's stimuli and records: with the same stimuli it is
// the parent's run, bit for bit, and with others it is, bit for bit, a run
// of e's network from tick 0 (every stimulus draws from its own streams,
// so a stimulus that has not started has drawn nothing).
//
// It refuses, as Restore does, a checkpoint of another program version or
// of another network than b.Parent; and a network that is not b.Parent's
// (population or projection sizes, the consolidation groups), or a map
// that drops or changes a stimulus that had started, with
// checkpoint.ErrMismatch. Telling which stimuli are the same is the
// caller's (the scenario layer compares them with their positions in the
// files); RestoreBranch checks what it can from the networks.
func (e *Engine) RestoreBranch(meta checkpoint.Meta, body []byte, b Branch) error {
	if e.now != 0 || e.stats.TicksStepped != 0 {
		return fmt.Errorf("engine: RestoreBranch: the engine has already run to tick %d; restore into a new engine", e.now)
	}
	if v := snnsim.BuildVersion(); meta.Program != v {
		return checkpoint.Errorf(checkpoint.ErrVersion, "engine: RestoreBranch: written by snnsim %s, this is %s: branch with the version that wrote it", meta.Program, v)
	}
	if b.Parent == nil {
		return fmt.Errorf("engine: RestoreBranch: no parent network")
	}
	if fp := NetworkFingerprint(b.Parent); meta.Network != fp {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "engine: RestoreBranch: the checkpoint belongs to another network than the parent given (scenario %q)", meta.Scenario)
	}
	if err := sameNetwork(b.Parent, e.net); err != nil {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "engine: RestoreBranch: %v", err)
	}
	if err := checkStimulusMap(b, e.net, meta.Tick); err != nil {
		return checkpoint.Errorf(checkpoint.ErrMismatch, "engine: RestoreBranch: %v", err)
	}
	return e.finishRestore(meta, &bodySource{top: &checkpoint.Decoder{B: body}}, &b)
}

// sameNetwork checks what the checkpoint's layout depends on: the
// populations, projections and consolidation groups.
func sameNetwork(a, b *netlist.Network) error {
	if a.Clock.DT != b.Clock.DT || a.Seed != b.Seed {
		return fmt.Errorf("resolution %g ms and seed %d; this network's are %g ms and %d", a.Clock.DT, a.Seed, b.Clock.DT, b.Seed)
	}
	if len(a.Populations) != len(b.Populations) || len(a.Projections) != len(b.Projections) {
		return fmt.Errorf("%d populations and %d projections; this network has %d and %d", len(a.Populations), len(a.Projections), len(b.Populations), len(b.Projections))
	}
	for i, p := range a.Populations {
		if q := b.Populations[i]; p.Name != q.Name || p.Size != q.Size {
			return fmt.Errorf("population %d is %s of %d; this network's is %s of %d", i, p.Name, p.Size, q.Name, q.Size)
		}
	}
	for i, p := range a.Projections {
		if q := b.Projections[i]; p.Name != q.Name || p.Len() != q.Len() {
			return fmt.Errorf("projection %d is %s of %d synapses; this network's is %s of %d", i, p.Name, p.Len(), q.Name, q.Len())
		}
	}
	if len(a.Guards) != len(b.Guards) || len(a.Modulations) != len(b.Modulations) {
		return fmt.Errorf("%d guards and %d level changes; this network has %d and %d", len(a.Guards), len(a.Modulations), len(b.Guards), len(b.Modulations))
	}
	return nil
}

// checkStimulusMap checks b.Stimuli against the networks: a mapped
// stimulus is the parent's, and every parent stimulus that started before
// tick at is mapped exactly once.
func checkStimulusMap(b Branch, net *netlist.Network, at snnsim.Time) error {
	if len(b.Stimuli) != len(net.Stimuli) {
		return fmt.Errorf("the stimulus map has %d entries for %d stimuli", len(b.Stimuli), len(net.Stimuli))
	}
	used := make([]bool, len(b.Parent.Stimuli))
	for k, pk := range b.Stimuli {
		s := net.Stimuli[k]
		if pk < 0 {
			if s.Start < at {
				return fmt.Errorf("stimulus %d starts at tick %d, before the checkpoint's tick %d, and continues none of the parent's", k, s.Start, at)
			}
			continue
		}
		if pk >= len(used) || used[pk] {
			return fmt.Errorf("stimulus %d continues the parent's stimulus %d, which does not exist or is continued twice", k, pk)
		}
		used[pk] = true
		if !sameStimulus(b.Parent.Stimuli[pk], s) {
			return fmt.Errorf("stimulus %d is not the parent's stimulus %d that it continues", k, pk)
		}
	}
	for pk, s := range b.Parent.Stimuli {
		if !used[pk] && s.Start < at {
			return fmt.Errorf("the parent's stimulus %d started at tick %d, before the checkpoint's tick %d, and is not continued", pk, s.Start, at)
		}
	}
	return nil
}

func sameStimulus(a, b *netlist.Stimulus) bool {
	return a.Kind == b.Kind && a.Population == b.Population && slices.Equal(a.Neurons, b.Neurons) && a.Amplitude == b.Amplitude &&
		a.Start == b.Start && a.Stop == b.Stop && a.Mean == b.Mean && a.Sigma == b.Sigma && a.Tau == b.Tau && a.Init == b.Init
}

// restoreBranchOUs reads the parent's OU currents of population i from
// the front of s: each goes to the engine's current that continues it, or
// is read and dropped (a stimulus that had not started). The engine's
// other currents stay as built, at tick 0: they have drawn nothing.
func (e *Engine) restoreBranchOUs(s []byte, i int, b *Branch) ([]byte, error) {
	p := &e.pops[i]
	var err error
	for pk, ps := range b.Parent.Stimuli {
		if ps.Kind != "ou_current" || ps.Population != i || p.neurons == nil {
			continue
		}
		var into *ouInput
		for _, o := range p.ous {
			if b.Stimuli[o.stim] == pk {
				into = o
			}
		}
		if into == nil {
			scratch, err := ouCurrent(b.Parent, pk, ps, p.neurons.Len(), nil)
			if err != nil {
				return nil, err
			}
			if s, err = scratch.RestoreState(s); err != nil {
				return nil, fmt.Errorf("the parent's ou current %d: %w", pk, err)
			}
			continue
		}
		if s, err = into.cur.RestoreState(s); err != nil {
			return nil, fmt.Errorf("ou current %d (the parent's %d): %w", into.stim, pk, err)
		}
	}
	return s, nil
}
