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

// TestSequenceCurvesRunaway: runs stopped on runaway activity count in
// Runaway; what they measured before the stop counts in the means, what
// they did not (NaN) does not. With later = 3: seed 1 ran away before A1's
// cue, seed 2 ran to its end (Q 0.3, newest 0.1), seed 3 ran away after
// A1's cue (Q 0.1) and before the newest one's: Q 0.2 over 2 runs, the
// newest Q 0.1 over 1, ΔQ 0.1 from the one seed paired with a run of no
// later assembly (seed 2; seed 3 has none), 2 of 3 runs ran away. With
// later = 7 every run ran away before A1's cue: no mean, fraction 1, and
// the figure gets its runaway panel.
func TestSequenceCurvesRunaway(t *testing.T) {
	nan := math.NaN()
	runs := []SequenceRun{
		{Curve: "stc", Seed: 1, Later: 0, Q: 0.5, MI: 1, NewestQ: 0.5},
		{Curve: "stc", Seed: 2, Later: 0, Q: 0.2, MI: 1, NewestQ: 0.2},
		{Curve: "stc", Seed: 1, Later: 3, Runaway: true, Q: nan, MI: nan, NewestQ: nan},
		{Curve: "stc", Seed: 2, Later: 3, Q: 0.3, MI: 2, NewestQ: 0.1},
		{Curve: "stc", Seed: 3, Later: 3, Runaway: true, Q: 0.1, MI: 4, NewestQ: nan},
		{Curve: "stc", Seed: 1, Later: 7, Runaway: true, Q: nan, MI: nan, NewestQ: nan},
		{Curve: "stc", Seed: 2, Later: 7, Runaway: true, Q: nan, MI: nan, NewestQ: nan},
	}
	_, curves := SequenceCurves(runs)
	ps := curves["stc"]
	if len(ps) != 3 {
		t.Fatalf("points %+v", ps)
	}
	p3, p7 := ps[1], ps[2]
	if p3.N != 2 || p3.Runs != 3 || p3.Runaway != 2 || math.Abs(p3.Q-0.2) > 1e-12 || p3.MI != 3 || p3.NewQ != 0.1 ||
		p3.DN != 1 || math.Abs(p3.DQ-0.1) > 1e-12 {
		t.Errorf("later 3: %+v, want Q 0.2 over 2 runs, MI 3, newest 0.1, ΔQ 0.1 from one pair, 2 of 3 runaways", p3)
	}
	if f := p3.RunawayFraction(); math.Abs(f-2.0/3) > 1e-12 {
		t.Errorf("later 3: runaway fraction %g, want 2/3", f)
	}
	if p7.N != 0 || p7.Runs != 2 || p7.Runaway != 2 || !math.IsNaN(p7.Q) || !math.IsNaN(p7.MI) || p7.DN != 0 || p7.RunawayFraction() != 1 {
		t.Errorf("later 7: %+v, want no run measured and 2 runaways", p7)
	}
	if ps[0].Runaway != 0 || ps[0].N != 2 || ps[0].Runs != 2 {
		t.Errorf("later 0: %+v", ps[0])
	}
	p, err := SequencePlot("runaway", runs)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.More) != 2 {
		t.Errorf("%d panels below MI, want 2 (newest Q, runaway)", len(p.More))
	}
	ra := p.Data["stc runaway"]
	if len(ra) != 3 || ra[0].Y != 0 || ra[2].X != 7 || ra[2].Y != 1 {
		t.Errorf("runaway data %v", ra)
	}
	if q := p.Data["stc Q"]; len(q) != 3 || !math.IsNaN(q[2].Y) || q[1].X != 3 {
		t.Errorf("Q data %v: want NaN at 7 (nothing measured), x at the counts", q)
	}
	if err := p.Save(filepath.Join(t.TempDir(), "seq.png"), 10*vg.Centimeter, 14*vg.Centimeter, 50); err != nil {
		t.Fatal(err)
	}
}
