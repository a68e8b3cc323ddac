package analysis

import (
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestSequenceCurves: runs grouped by curve and by the number of later
// assemblies, with mean and the 95 % half-width t(0.975, n−1)·s/√n:
// Q = 0.1 and 0.3 give 0.2 ± 12.7062·0.141421/√2 = 1.27062 (t with one
// degree of freedom, 12.7062); three runs 1, 2, 3 give 2 ± 4.30265·1/√3.
func TestSequenceCurves(t *testing.T) {
	runs := []SequenceRun{
		{Curve: "stc", Seed: 1, Later: 3, Q: 0.1, MI: 1, NewestQ: 1},
		{Curve: "plain", Seed: 1, Later: 0, Q: 5, MI: 5, NewestQ: 5},
		{Curve: "stc", Seed: 2, Later: 3, Q: 0.3, MI: 2, NewestQ: 2},
		{Curve: "stc", Seed: 1, Later: 0, Q: 0.5, MI: 0.5, NewestQ: 0.5},
		{Curve: "stc", Seed: 3, Later: 3, Q: 0.2, MI: 3, NewestQ: 3},
		{Curve: "stc", Seed: 2, Later: 0, Q: 0.2, MI: 0.5, NewestQ: 0.5},
	}
	names, curves := SequenceCurves(runs)
	if len(names) != 2 || names[0] != "stc" || names[1] != "plain" {
		t.Fatalf("curves %v, want [stc plain]", names)
	}
	stc := curves["stc"]
	if len(stc) != 2 || stc[0].Later != 0 || stc[1].Later != 3 || stc[1].N != 3 {
		t.Fatalf("stc points %+v", stc)
	}
	near := func(name string, got, want float64) {
		if math.Abs(got-want) > 1e-4 {
			t.Errorf("%s = %.6g, want %.6g", name, got, want)
		}
	}
	near("Q mean", stc[1].Q, 0.2)
	near("Q half-width", stc[1].QHalf, 4.30265*0.1/math.Sqrt(3))
	near("MI mean", stc[1].MI, 2)
	near("MI half-width", stc[1].MIHalf, 4.30265/math.Sqrt(3))
	near("newest Q", stc[1].NewQ, 2)
	// Paired: seed 1: 0.1 − 0.5, seed 2: 0.3 − 0.2; seed 3 has no run
	// without later assemblies. Mean −0.15, s.d. 0.353553, t(1) 12.7062.
	if stc[1].DN != 2 {
		t.Errorf("paired seeds %d, want 2", stc[1].DN)
	}
	near("paired ΔQ", stc[1].DQ, -0.15)
	near("paired ΔQ half-width", stc[1].DQHalf, 12.7062*0.353553/math.Sqrt(2))
	near("ΔQ of the runs without later assemblies", stc[0].DQ, 0)
	if stc[0].N != 2 || math.Abs(stc[0].Q-0.35) > 1e-12 {
		t.Errorf("no later assembly: %d runs, Q %g, want 2, 0.35", stc[0].N, stc[0].Q)
	}
	if p := curves["plain"][0]; !math.IsNaN(p.QHalf) {
		t.Errorf("one run: half-width %g, want NaN", p.QHalf)
	}
	two := []SequenceRun{{Curve: "x", Later: 1, Q: 0.1}, {Curve: "x", Later: 1, Q: 0.3}}
	_, c := SequenceCurves(two)
	near("two runs: half-width", c["x"][0].QHalf, 12.7062*math.Sqrt(0.02)/math.Sqrt(2))

	p, err := SequencePlot("test", runs)
	if err != nil {
		t.Fatal(err)
	}
	if xy := p.Data["stc Q"]; len(xy) != 2 || xy[1].X != 3 || math.Abs(xy[1].Y-0.2) > 1e-12 {
		t.Errorf("figure data %v", p.Data["stc Q"])
	}
	if err := p.Save(filepath.Join(t.TempDir(), "seq.png"), 10*vg.Centimeter, 12*vg.Centimeter, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := SequencePlot("empty", nil); err == nil {
		t.Error("no runs: no error")
	}
}
