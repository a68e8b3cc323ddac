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
