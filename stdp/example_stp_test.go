package stdp_test

import (
	"fmt"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/stdp"
)

// ExampleSTP follows the release of one source neuron with the short-term
// plasticity of Zenke, Agnes & Gerstner (2015) through a 20 Hz burst and a
// pause: the first spike releases U = 0.2 (u before its jump), the next
// ones more while u facilitates faster than x depletes, then less, and
// after the pause x has recovered while u is still facilitated. A synapse of weight w delivers
// w·r; w itself is not changed.
func ExampleSTP() {
	p := stdp.STP{U: 0.2, TauD: 150, TauF: 600, X0: 1, U0: 0.2}
	s, err := p.New(1, snnsim.Clock{DT: 0.1})
	if err != nil {
		panic(err)
	}
	for _, tick := range []snnsim.Time{100, 600, 1100, 1600, 6600} { // 10, 60, 110, 160 ms, then 660 ms
		fmt.Printf("t = %3d ms: r = %.4f\n", tick/10, s.Release(0, tick))
	}
	// Output:
	// t =  10 ms: r = 0.2000
	// t =  60 ms: r = 0.2975
	// t = 110 ms: r = 0.3117
	// t = 160 ms: r = 0.2946
	// t = 660 ms: r = 0.3759
}
