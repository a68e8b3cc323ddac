package main

import (
	"fmt"
	"io"
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
	verbose := fs.BoolP("verbose", "v", false, "also print the memory a run would need, by part (the run refuses one that exceeds the available memory; "+MemoryLimitEnv+" overrides the limit)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		usageError(fs, argCount("at least one SCENARIO", nil))
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
