package engine_test

import (
	"context"
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/engine"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// loadSTC loads a scenario of the scenarios folder with --set style
// overrides, without its [[record]] tables, and builds an engine for it.
func loadSTC(file string, sets ...string) (*engine.Engine, *netlist.Network, error) {
	sc, err := scenario.LoadOverrides("../scenarios/"+file, sets)
	if err != nil {
		return nil, nil, err
	}
	sc.Records = nil // this program reads the state itself
	net, err := sc.Compile()
	if err != nil {
		return nil, nil, err
	}
	e, err := engine.New(net, engine.Config{})
	return e, net, err
}

// runTo runs e up to the simulated time h [hours].
func runTo(e *engine.Engine, net *netlist.Network, h float64) error {
	tk, err := net.Clock.Ticks(h * 3600e3)
	if err != nil {
		return err
	}
	return e.Run(context.Background(), tk-e.Now())
}

// Synaptic tagging and capture (scenarios/stc_capture.toml: STET on
// pathway S1 at 30 min, WTET on S2 at 60 min, tag-trigger-consolidation
// synapses onto one AdEx neuron): run to 2 h and read the consolidation
// variables of synapses and the protein of the neuron. The projections are
// numbered in the scenario's order (0: S1_to_N, 1: S2_to_N), as are the
// populations (0: N).
func ExampleEngine_SynapseState() {
	e, net, err := loadSTC("stc_capture.toml", "simulation.duration=2 h")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := runTo(e, net, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("variables:", e.SynapseVars(0))
	for k, name := range []string{"S1", "S2"} {
		late, tagged := 0, 0
		for syn := range snnsim.SynapseID(net.Projections[k].Len()) {
			z, _ := e.SynapseState(k, syn, "z")
			h, _ := e.SynapseState(k, syn, "h")
			if z > 0.5 {
				late++
			}
			if h == 1 {
				tagged++
			}
		}
		fmt.Printf("%s: %d of 100 synapses with a late phase z > 0.5, %d with an early-LTP tag\n", name, late, tagged)
	}
	eff, _ := e.SynapseState(1, 0, "efficacy")
	z, _ := e.SynapseState(1, 0, "z")
	fmt.Printf("S2 synapse 0: efficacy %.2f, z %.2f\n", eff, z)
	p, _ := e.NeuronState(0, 0, "protein")
	tags, _ := e.NeuronState(0, 0, "tags")
	fmt.Printf("neuron N: protein %.2f, %g tagged synapses\n", p, tags)
	// Output:
	// variables: [efficacy h l z]
	// S1: 50 of 100 synapses with a late phase z > 0.5, 24 with an early-LTP tag
	// S2: 37 of 100 synapses with a late phase z > 0.5, 14 with an early-LTP tag
	// S2 synapse 0: efficacy 3.03, z 1.02
	// neuron N: protein 0.91, 68 tagged synapses
}

// SetSynapseState writes a model variable, and with it the weight that
// spikes transmit (Weights reads the delivered weights: weight ×
// efficacy). The tag-trigger-consolidation model lets a program set the
// late phase z only; its tags are set by induction. SetWeight refuses a
// projection with a consolidation model, whose weights the model owns.
func ExampleEngine_SetSynapseState() {
	e, _, err := loadSTC("stc_capture.toml")
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func() {
		z, _ := e.SynapseState(1, 3, "z")
		eff, _ := e.SynapseState(1, 3, "efficacy")
		w, _ := e.Weights(1)
		fmt.Printf("z %.1f, efficacy %.1f, delivered weight %.1f\n", z, eff, w[3])
	}
	show()
	if err := e.SetSynapseState(1, 3, "z", 1); err != nil { // consolidate S2's synapse 3 by hand
		fmt.Println(err)
	}
	show()
	fmt.Println(e.SetWeight(1, 3, 2))
	// Output:
	// z 0.0, efficacy 1.0, delivered weight 1.0
	// z 1.0, efficacy 3.0, delivered weight 3.0
	// engine: SetWeight: projection "S2_to_N" has the consolidation model tag_trigger_consolidation, which sets its weights from its own variables: use SetSynapseState (variables [efficacy h l z])
}

// SetLevel changes a neuromodulator or a drug at run time, as a
// [[neuromodulator]] or [[drug]] table would. In scenarios/stc_ziegler.toml
// (the Ziegler et al. 2015 model) protein synthesis needs dopamine; here
// the scenario's dopamine window is moved out of the run, and the program
// gives dopamine itself, for 60 s, 2 min after a strong tetanus of S1
// (STET, trains at 30, 40 and 50 min). The protein rises to 1 (τ = 1 s)
// and decays with τ = 2 h; S1's synapses are consolidated (their scaffold
// z goes to the upper well, +1).
func ExampleEngine_SetLevel() {
	e, net, err := loadSTC("stc_ziegler.toml",
		`neuromodulator.0.windows=[["20 h", "21 h"]]`, "population.S2.params.protocol=none")
	if err != nil {
		fmt.Println(err)
		return
	}
	meanZ := func() float64 {
		s := 0.0
		for syn := range snnsim.SynapseID(100) {
			z, _ := e.SynapseState(0, syn, "z")
			s += z
		}
		return s / 100
	}
	protein := func() float64 { p, _ := e.NeuronState(0, 0, "protein"); return p }
	runTo(e, net, 52.0/60)
	fmt.Printf("52 min: protein %.3f, S1 mean z %+.2f\n", protein(), meanZ())
	if err := e.SetLevel(0, "dopamine", 1); err != nil {
		fmt.Println(err)
	}
	runTo(e, net, 53.0/60)
	fmt.Printf("53 min: protein %.3f\n", protein())
	e.SetLevel(0, "dopamine", 0)
	runTo(e, net, 53.0/60+2)
	fmt.Printf("2 h later: protein %.3f, S1 mean z %+.2f\n", protein(), meanZ())
	fmt.Println(e.SetLevel(0, "inhibitor", 1))
	// Output:
	// 52 min: protein 0.000, S1 mean z -1.00
	// 53 min: protein 1.000
	// 2 h later: protein 0.368, S1 mean z +1.00
	// engine: no consolidation model onto "N" reads the level "inhibitor"
}
