package source_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/source"
)

// ExamplePattern reads two patterns from an Auryn pattern file and
// presents them on 8 inputs: 1 s presentations, 2 s pauses, the first
// onset after 10 s; the source reports each switch.
func ExamplePattern() {
	pats, gammas, err := source.ReadPatterns(strings.NewReader("# left\n0\n1\n2\n\n# right\n5 0.5\n6\n7\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := source.DefaultPattern() // 5 Hz background, +25 Hz on the pattern's members
	p.Patterns, p.Gammas = pats, gammas
	p.RandomIntervals = false
	src, err := p.New(8, snnsim.Clock{DT: 0.1}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	var sw []source.Switch
	var fired []int32
	for t := src.Next(); t < 160000; t = src.Next() {
		fired = src.Fire(t, fired[:0])
		sw = src.(source.Switcher).TakeSwitches(sw)
	}
	for _, s := range sw {
		switch {
		case s.Pattern < 0:
			fmt.Printf("%g s: phase %d starts\n", float64(s.T)/1e4, s.Phase)
		case s.On:
			fmt.Printf("%g s: pattern %d on\n", float64(s.T)/1e4, s.Pattern)
		default:
			fmt.Printf("%g s: pattern %d off\n", float64(s.T)/1e4, s.Pattern)
		}
	}
	// Output:
	// 0 s: phase 0 starts
	// 10 s: pattern 1 on
	// 11 s: pattern 1 off
	// 13 s: pattern 0 on
	// 14 s: pattern 0 off
}
