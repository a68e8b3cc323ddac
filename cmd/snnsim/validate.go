package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/netlist"
	"github.com/snnsim/snnsim/scenario"
)

// cmdValidate decodes and compiles each scenario and reports every problem.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", "SCENARIO... [--set KEY=VALUE]...",
		"Checks scenario files: syntax, keys, units, parameter values and references, then builds the network.", stderr)
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, setUsage+"; applied to every SCENARIO")
	mtxDir := fs.String("write-mtx", "", "write each projection's compiled synapses and weights as DIR/<projection>.mtx (Matrix Market, rows presynaptic, 1-based, weights in the target model's unit), e.g. to give Auryn the same matrices; with one SCENARIO")
	verbose := fs.BoolP("verbose", "v", false, "also print the memory a run would need, by part (the run refuses one that exceeds the available memory; "+MemoryLimitEnv+" overrides the limit)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		usageError(fs, argCount("at least one SCENARIO", nil))
		return 2
	}
	if *mtxDir != "" && fs.NArg() != 1 {
		usageError(fs, "--write-mtx takes one SCENARIO")
		return 2
	}
	code := 0
	for _, path := range fs.Args() {
		s, err := scenario.LoadOverrides(path, sets)
		if err == nil && *verbose && s.MemoryCurves == nil {
			fmt.Fprintf(stdout, "%s: memory estimate %s\n", path, s.Memory())
		}
		if err == nil {
			err = checkMemory(path, s)
		}
		if err == nil {
			var net *netlist.Network
			net, err = s.Compile()
			if err == nil && s.MemoryCurves != nil {
				mc := s.MemoryCurves
				fmt.Fprintf(stdout, "%s: ok (memory curves: %d models, %d synapses, %d trials, %d ages up to %d)\n",
					path, len(mc.Models), mc.Synapses, mc.Trials, len(mc.Memories), mc.Memories[len(mc.Memories)-1])
				continue
			}
			if err == nil {
				syn := 0
				for _, p := range net.Projections {
					syn += p.Len()
				}
				n := 0
				for _, p := range net.Populations {
					n += p.Size
				}
				fmt.Fprintf(stdout, "%s: ok (%d populations, %d neurons, %d projections, %d synapses, %g s)\n",
					path, len(net.Populations), n, len(net.Projections), syn, net.Clock.Seconds(net.Duration))
				if *mtxDir != "" {
					if err := writeMatrices(*mtxDir, net, stdout); err != nil {
						fmt.Fprintf(stderr, "snnsim validate: --write-mtx: %v\n", err)
						code = 1
					}
				}
				continue
			}
		}
		fmt.Fprintf(stderr, "%v\n", err)
		code = 1
	}
	return code
}

// cmdVersion prints the program version.
func cmdVersion(stdout io.Writer) int {
	fmt.Fprintf(stdout, "snnsim %s (%s, %s/%s)\n", snnsim.BuildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

// writeMatrices writes every projection of net as dir/<projection>.mtx.
func writeMatrices(dir string, net *netlist.Network, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range net.Projections {
		m, err := netlist.ProjectionMatrix(p, net.Populations[p.From].Size, net.Populations[p.To].Size)
		if err != nil {
			return err
		}
		file := filepath.Join(dir, p.Name+".mtx")
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		err = netlist.WriteMatrixMarket(f, m)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		fmt.Fprintf(stdout, "wrote %s (%d synapses)\n", file, p.Len())
	}
	return nil
}
