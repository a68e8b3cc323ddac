package stdp_test

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/stdp"
)

// ExampleP11 drives the rule of Zenke, Agnes & Gerstner (2015) with the
// authors' values through post–pre–post on one synapse whose reference
// weight w̃ (kept by the caller; in a network, by the consolidation model)
// is 0, the lower well.
func ExampleP11() {
	rule, err := stdp.NewP11[float32](stdp.DefaultP11(), snnsim.Clock{DT: 0.1}, 1, 1)
	if err != nil {
		panic(err)
	}
	wRef := []float64{0} // w̃ of synapse 0, read in place
	rule.UseReference(wRef, 1)
	w := []float32{0.5}
	tgt, src, syn := []int32{0}, []int32{0}, []int32{0}
	rule.Post(100, 0, src, syn, w) // post at 10 ms: no trace yet, no change
	rule.Pre(200, 0, tgt, w)       // pre at 20 ms: −A⁻ e^{−10/20} (ν̄/κ)² + δ, ν̄ ≈ 2 Hz
	fmt.Printf("after post-pre: %.7f\n", w[0])
	rule.Post(300, 0, src, syn, w) // post at 30 ms: +A⁺ e^{−10/20} e^{−20/100} − β (w − w̃) e^{−3·20/20}
	fmt.Printf("after post-pre-post: %.6f\n", w[0])
	fmt.Printf("rate estimate: %.4f Hz\n", rule.Rate(0, 300))
	// Output:
	// after post-pre: 0.4999957
	// after post-pre-post: 0.499248
	// rate estimate: 2.0016 Hz
}

// ExampleNewGlobalISTDP shows the global factor of the inhibitory rule of
// Zenke, Agnes & Gerstner (2015): it is 0 while the target population
// fires at κ_I and takes the sign of the deviation.
func ExampleNewGlobalISTDP() {
	p := stdp.DefaultGlobalISTDP() // η_I = 2e-5, κ_I = 4 Hz, τ_H = 10 s
	rule, err := stdp.NewGlobalISTDP[float32](p, snnsim.Clock{DT: 0.1}, 10, 100)
	if err != nil {
		panic(err)
	}
	fmt.Printf("G = %g at %.1f Hz\n", rule.Factor(0), rule.PopulationRate(0))
	// 100 targets fire at 20 Hz for 30 s (3 τ_H).
	var t snnsim.Time
	for t = 0; t < 300000; t += 500 {
		for j := range int32(100) {
			rule.TracePost(t, j)
		}
	}
	fmt.Printf("G = %.3g at %.1f Hz\n", rule.Factor(t), rule.PopulationRate(t))
	// Output:
	// G = 0 at 4.0 Hz
	// G = 7.58e-05 at 19.2 Hz
}
