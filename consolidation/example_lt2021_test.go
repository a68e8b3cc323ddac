package consolidation_test

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/consolidation"
)

// One Luboeinski–Tetzlaff synapse driven as the engine drives it: the
// presynaptic spikes of the authors' "basic early" protocol arrive 3 ms
// after emission (Pre), their calcium 18.8 ms after emission, and the
// early weight h ends slightly potentiated.
func ExampleLT2021Params() {
	p := consolidation.LT2021SingleSynapse()
	p.SigmaPl = 0        // deterministic
	p.Switching = "grid" // the authors' 0.2-ms step
	l := consolidation.Layout{Clock: snnsim.Clock{DT: 0.2}, NPre: 1, NPost: 1,
		Source: []int32{0}, Target: []int32{0}, Unit: []float32{1}}
	m, err := consolidation.New(&p, l)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := make([]float32, 1)
	m.Bind(w)
	for _, ms := range []snnsim.Time{10, 20, 30, 40, 50, 60, 100} {
		arrival := (ms + 3) * 5 // ticks of 0.2 ms
		m.Advance(arrival)
		m.Pre(arrival, 0, 0, 1)
	}
	m.Advance(1000) // 200 ms
	// the variables: efficacy, h, z, c, w
	vars := m.(interface{ Get(v int, s int64) float64 })
	h := vars.Get(1, 0)
	fmt.Printf("h = %.6f mV (%.3f %% of h0), efficacy %.5f\n", h, 100*h/p.H0, vars.Get(0, 0))
	// Output: h = 4.233092 mV (100.770 % of h0), efficacy 1.00770
}

// The same calcium early phase with the metaplastic late phase
// (Laborieux et al. 2021): a synapse potentiated by a strong calcium
// transient keeps part of its potentiation in its hidden weight W_h after
// the early weight h has returned to rest, the more the larger m.
func ExampleLT2021Metaplastic() {
	for _, meta := range []float64{0, 1.3, 3} {
		p := consolidation.DefaultLT2021()
		p.SigmaPl = 0
		p.Late, p.MetaM = consolidation.LateMetaplastic, meta
		l := consolidation.Layout{Clock: snnsim.Clock{DT: 0.2}, NPre: 1, NPost: 1,
			Source: []int32{0}, Target: []int32{0}, Unit: []float32{1}}
		m, err := consolidation.New(&p, l)
		if err != nil {
			fmt.Println(err)
			return
		}
		m.Bind(make([]float32, 1))
		in := m.(consolidation.Inspector)            // efficacy, h, z, c, w, w_h
		if err := in.Set(1, 3, 0, 200); err != nil { // a calcium transient, above θ_p for 0.2 s
			fmt.Println(err)
			return
		}
		m.Advance(5 * 1000)                    // 1 s: h potentiated
		h1, x1 := in.Get(1, 0), in.Get(5, 0)   // h [mV], W_h [h0]
		m.Advance(snnsim.Time(5 * 24 * 3.6e6)) // 24 h: h back at h0
		fmt.Printf("m = %.1f: after 1 s h = %.3f mV, W_h = %.4f; after 24 h h = %.3f mV, W_h = %.4f, w = %.3f mV\n",
			meta, h1, x1, in.Get(1, 0), in.Get(5, 0), in.Get(4, 0))
	}
	// Output:
	// m = 0.0: after 1 s h = 5.935 mV, W_h = 0.4128; after 24 h h = 4.201 mV, W_h = 0.0000, w = 4.201 mV
	// m = 1.3: after 1 s h = 5.935 mV, W_h = 0.4203; after 24 h h = 4.201 mV, W_h = 0.0518, w = 4.418 mV
	// m = 3.0: after 1 s h = 5.935 mV, W_h = 0.4345; after 24 h h = 4.201 mV, W_h = 0.2856, w = 5.401 mV
}
