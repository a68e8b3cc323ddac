package runner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/snnsim/snnsim/runner"
	"github.com/snnsim/snnsim/scenario"
)

// Example runs a scenario as 'snnsim run' does, stopping half-way as an
// interruption would, and then resumes it as 'snnsim resume' does. The
// result is the run of the scenario in one go, in the same directory.
func Example() {
	sc, err := scenario.Decode("input.toml", []byte(`
[simulation]
duration = "1 s"
seed     = 1

[[population]]
name   = "input"
size   = 50
model  = "poisson"
params = { rate = "10 Hz" }

[[record]]
what = "spikes"
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	root, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(root)

	// Ctrl-C stops the run with a checkpoint, as on the command line.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir := filepath.Join(root, "run")
	res, err := runner.Run(ctx, sc, runner.Options{Dir: dir, StopAt: 5000}) // ticks of 0.1 ms
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s at %g s\n", res.Status, res.Summary.SimulatedS)

	res, err = runner.Resume(ctx, dir, runner.ResumeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s at %g s, this run %g s\n", res.Status, res.Summary.SimulatedS, res.Summary.SimulatedThisRunS)
	fmt.Println(filepath.Base(res.LogPath()), res.Summary.Populations[0].Spikes > 0)
	// Output:
	// stopped at 0.5 s
	// completed at 1 s, this run 0.5 s
	// spikes.snnlog true
}

// ExampleBranch learns once and recalls twice: a run stopped with a
// checkpoint at 0.5 s, then two branches from that checkpoint, each in
// its own directory, one with the scenario as written and one whose cue
// (a stimulus after 0.5 s) reaches other neurons. A change before the
// checkpoint is refused, naming the line and key.
func ExampleBranch() {
	text := `
[simulation]
duration = "1 s"
seed     = 1

[[population]]
name   = "E"
size   = 10
model  = "lif_exp_current"

[[group]]
name       = "cue"
population = "E"
neurons    = "0..4"

[[stimulus]]
kind       = "current_step"
population = "E"
amplitude  = "300 pA"
start      = "0.2 s"
stop       = "0.3 s"

[[stimulus]]
kind      = "current_step"
group     = "cue"
amplitude = "300 pA"
start     = "0.7 s"
stop      = "0.8 s"

[[record]]
what = "spikes"
`
	root, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(root)
	ctx := context.Background()
	scen := func(sets ...string) *scenario.Scenario {
		sc, err := scenario.DecodeOverrides("recall.toml", []byte(text), sets)
		if err != nil {
			panic(err)
		}
		return sc
	}
	learn := filepath.Join(root, "learn")
	if _, err := runner.Run(ctx, scen(), runner.Options{Dir: learn, StopAt: 5000}); err != nil {
		fmt.Println(err)
		return
	}
	for _, sets := range [][]string{nil, {"group.cue.neurons=5..9"}} {
		res, err := runner.Branch(ctx, scen(sets...), learn, runner.Options{Dir: filepath.Join(root, fmt.Sprint(len(sets)))})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v: %s, %g s simulated here\n", sets, res.Status, res.Summary.SimulatedThisRunS)
	}
	_, err := runner.Branch(ctx, scen("stimulus.0.amplitude=200 pA"), learn, runner.Options{Dir: filepath.Join(root, "refused")})
	fmt.Println(errors.Is(err, runner.ErrBranch))
	// Output:
	// []: completed, 0.5 s simulated here
	// [group.cue.neurons=5..9]: completed, 0.5 s simulated here
	// true
}
