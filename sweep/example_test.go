package sweep_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim/sweep"
)

// A sweep of the capture scenario over two weak-tetanus times and two
// seeds, run here with two workers, then one metric per point.
func Example() {
	scenario := "../scenarios/stc_capture.toml"
	text, err := os.ReadFile(scenario)
	if err != nil {
		panic(err)
	}
	wd, _ := os.Getwd()
	dir, _ := os.MkdirTemp("", "sweep-example-")
	defer os.RemoveAll(dir)
	spec := sweep.Spec{Scenario: scenario, WorkDir: wd, ScenarioSHA256: sweep.ScenarioHash(text),
		Sets:  []string{"simulation.duration=9 h"},
		Grid:  []sweep.Axis{{Key: "population.S2.params.start", Values: []string{"60 min", "4 h"}}},
		Seeds: []uint64{1, 2}}
	s, err := sweep.Create(filepath.Join(dir, "capture"), spec, "example")
	if err != nil {
		panic(err)
	}
	defer s.Close()
	c, err := s.RunLocal(context.Background(), sweep.LocalOptions{Jobs: 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d points, %d run, %d failed\n", c.Points, c.Ran, c.Failed)
	m, _ := sweep.ParseMetric("captured=change:S2_to_N@end")
	t, err := s.Collect([]sweep.Metric{m})
	if err != nil {
		panic(err)
	}
	for _, r := range t.Rows {
		var x float64
		fmt.Sscan(r[t.Column("captured")], &x)
		fmt.Printf("%s  S2 %+.0f %%\n", r[t.Column("name")], x)
	}
	// Output:
	// 4 points, 4 run, 0 failed
	// start=60min,seed=1  S2 +9 %
	// start=60min,seed=2  S2 +14 %
	// start=4h,seed=1  S2 +0 %
	// start=4h,seed=2  S2 +0 %
}
