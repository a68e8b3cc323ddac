package stdp_test

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/stdp"
)

// Example drives the visual-cortex minimal triplet rule through one
// post–pre–post triplet on a single synapse, as the engine would: Pre at the
// presynaptic arrival with the source's row, Post at the postsynaptic spike
// with the target's incoming synapses.
func Example() {
	p, _ := stdp.Lookup("triplet")
	if err := p.ApplyPreset("visual_cortex_all_to_all_minimal"); err != nil {
		panic(err)
	}
	clock := snnsim.Clock{DT: 0.1}
	rule, err := stdp.New[float32](p, clock, 1, 1) // 1 source, 1 target
	if err != nil {
		panic(err)
	}
	w := []float32{0.5}                // the projection's weights
	tgt := []int32{0}                  // source 0's row: synapse 0 → target 0
	src, syn := []int32{0}, []int32{0} // target 0's column: synapse 0 from source 0
	rule.Post(100, 0, src, syn, w)     // post at 10 ms: no earlier pre spike, no change
	rule.Pre(200, 0, tgt, w)           // pre arrives at 20 ms: pair LTD −A2− e^{−10/33.7}
	fmt.Printf("after post-pre: %.5f\n", w[0])
	rule.Post(300, 0, src, syn, w) // post at 30 ms: triplet LTP A3+ e^{−10/16.8} e^{−20/114}
	fmt.Printf("after post-pre-post: %.5f\n", w[0])
	// Output:
	// after post-pre: 0.49472
	// after post-pre-post: 0.49773
}
