package netlist_test

import (
	"fmt"
	"strings"

	"github.com/snnsim/snnsim/netlist"
)

// ExampleReadAdjacency reads a network of 2 excitatory and 1 inhibitory
// neuron in the authors' adjacency format, cuts out the E→E projection and
// writes the matrix back.
func ExampleReadAdjacency() {
	file := "0 1 1 \n1 0 0 \n1 1 0 \n"
	n, rows, err := netlist.ReadAdjacency(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	ee, _ := rows.Block(0, 2, 0, 2)
	fmt.Println(n, "neurons,", rows.Len(), "synapses,", ee.Len(), "E->E")
	var out strings.Builder
	netlist.WriteAdjacency(&out, n, rows)
	fmt.Printf("%q\n", out.String())

	_, _, err = netlist.ReadAdjacency(strings.NewReader("0 1\n1 0 1\n"))
	fmt.Println(err)
	// Output:
	// 3 neurons, 5 synapses, 2 E->E
	// "0 1 1 \n1 0 0 \n1 1 0 \n"
	// line 2: row 1 has 3 entries, but the first row (line 1) has 2
}
