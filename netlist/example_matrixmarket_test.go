package netlist_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
)

// ExampleReadMatrixMarket reads a connection matrix as Auryn writes one
// (rows presynaptic, 1-based), turns it into a projection's rows with its
// weights scaled by 0.5 (the authors' xi), and writes it back.
func ExampleReadMatrixMarket() {
	file := "%%MatrixMarket matrix coordinate real general\n3 2 3\n1 2 1\n3 1 0.4\n1 1 1\n"
	m, err := netlist.ReadMatrixMarket(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, order, _ := m.Connectivity()
	p := &netlist.Projection{Name: "in_to_E", RowStart: rows.RowStart, Target: rows.Target, Weight: make([]float32, rows.Len())}
	for k, e := range order {
		p.Weight[k] = float32(0.5 * m.Value[e])
	}
	fmt.Println(rows.RowStart, rows.Target, p.Weight)
	out, _ := netlist.ProjectionMatrix(p, 3, 2)
	netlist.WriteMatrixMarket(os.Stdout, out)

	_, err = netlist.ReadMatrixMarket(strings.NewReader("%%MatrixMarket matrix coordinate real general\n3 2 1\n4 1 1\n"))
	fmt.Println(err)
	// Output:
	// [0 2 2 3] [1 0 0] [0.5 0.5 0.2]
	// %%MatrixMarket matrix coordinate real general
	// 3 2 3
	// 1 2 0.5
	// 1 1 0.5
	// 3 1 0.2
	// line 3, column 1: "4" is not a row index: want an integer in 1..3
}

// ExampleDiscReceptiveFields draws the input connectivity of Zenke, Agnes
// & Gerstner (2015): each of 4096 neurons sees the pixels of a 64×64 grid
// within 8 pixels of a random centre.
func ExampleDiscReceptiveFields() {
	r := snnsim.NewRand(1, "connect/input_to_E")
	rows, centres, err := netlist.DiscReceptiveFields(r, 4096, netlist.DiscFields{Width: 64, Height: 64, Radius: 8, P: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d centres, %.1f inputs per neuron\n", len(centres), float64(rows.Len())/4096)
	// Output:
	// 4096 centres, 183.3 inputs per neuron
}
