package runner_test

import (
	"context"
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
