package consolidation

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// newImportance returns a one-synapse importance_si model with weight w0,
// driven as the engine drives it.
func newImportance(t *testing.T, p ImportanceParams, w0 float32) *consDriver {
	t.Helper()
	return newConsDriver(mustNew(t, &p, gridLayout(1, 1, 1, func(int) float32 { return w0 })))
}

// setTask sets the level "task".
func setTask(t *testing.T, d *consDriver, at snnsim.Time, task float64) {
	t.Helper()
	if err := d.m.(Leveled).SetLevel(at, levelTask, task); err != nil {
		t.Fatal(err)
	}
}

// TestImportanceAccumulate: with c = 0 (no relaxation), ω is the sum of
// the squared changes of the task, and each boundary adds ω/(Δ² + ξ) to Ω,
// with Δ the change over the task, and moves the anchor to the weight;
// setting the level to its present value is no boundary.
func TestImportanceAccumulate(t *testing.T) {
	p := DefaultImportance()
	p.C = 0
	d := newImportance(t, p, 0.5)
	tasks := []struct {
		dws  []float64
		task float64
	}{
		{[]float64{0.01, -0.02, 0.03, 0.005}, 1},
		{[]float64{-0.04, 0.01}, 2},
	}
	// Hand sums: task 1: ω = 1e-4 + 4e-4 + 9e-4 + 2.5e-5 = 1.425e-3,
	// Δ = 0.025, Δ² + ξ = 1.625e-3; task 2: ω = 1.6e-3 + 1e-4 = 1.7e-3,
	// Δ = −0.03, Δ² + ξ = 1.9e-3.
	wantOmega := []float64{1.425e-3, 1.7e-3}
	wantBig := []float64{1.425 / 1.625, 1.425/1.625 + 1.7/1.9}
	wantAnchor := []float64{0.525, 0.495}
	tick := snnsim.Time(0)
	for k, task := range tasks {
		for _, dw := range task.dws {
			tick += 10
			d.to(tick)
			d.m.Signal(tick, 0, dw)
		}
		if got := d.m.Get(2, 0); math.Abs(got-wantOmega[k]) > 1e-15 {
			t.Fatalf("task %d: ω = %.17g, want %g", k+1, got, wantOmega[k])
		}
		tick += 10
		d.to(tick)
		setTask(t, d, tick, task.task)
		setTask(t, d, tick, task.task) // no change: no boundary
		if got := d.m.Get(3, 0); math.Abs(got-wantBig[k]) > 1e-12 {
			t.Fatalf("task %d: Ω = %.17g, want %.17g", k+1, got, wantBig[k])
		}
		if got := d.m.Get(1, 0); math.Abs(got-wantAnchor[k]) > 1e-15 {
			t.Fatalf("task %d: w* = %.17g, want %g", k+1, got, wantAnchor[k])
		}
		if got := d.m.Get(2, 0); got != 0 {
			t.Fatalf("task %d: ω = %g after the boundary, want 0", k+1, got)
		}
	}
}

// TestImportanceRelax: after one consolidation, a weight perturbed by x0
// from its anchor relaxes as w − w* = x0·exp(−2cΩ·t/τ), the gradient flow
// of the penalty c·Ω(w − w*)², exactly at the slow ticks, and stays
// constant between them; with Ω = 0 it does not move.
func TestImportanceRelax(t *testing.T) {
	for _, c := range []struct {
		name  string
		c     float64
		dws   []float64 // changes of the first task
		omega float64   // Ω after it, by hand
	}{
		{"c=0.1", 0.1, []float64{0.02, 0.02}, 8e-4 / (1.6e-3 + 1e-3)},
		{"c=2", 2, []float64{0.05, -0.01}, 2.6e-3 / (1.6e-3 + 1e-3)},
		{"omega=0", 1, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultImportance()
			p.C, p.Tau, p.SlowStep = c.c, 1000, 50
			d := newImportance(t, p, 0.4)
			for k, dw := range c.dws {
				d.m.Signal(snnsim.Time(k+1), 0, dw)
			}
			t0 := msTicks(1000) // a slow tick
			d.to(t0)
			setTask(t, d, t0, 1)
			anchor := d.m.Get(1, 0)
			const x0 = 0.1
			d.m.Signal(t0, 0, x0)
			rate := 2 * c.c * c.omega / p.Tau // [1/ms]
			step := msTicks(p.SlowStep)
			for k := 1; k <= 40; k++ {
				tk := t0 + snnsim.Time(k)*step
				d.idle(tk - 1)
				before := d.m.Get(0, 0)
				d.idle(tk)
				want := anchor + x0*math.Exp(-rate*float64(k)*p.SlowStep)
				if got := d.m.Get(0, 0); math.Abs(got-want) > 1e-12 {
					t.Fatalf("t0 + %g ms: w = %.15g, want %.15g", float64(k)*p.SlowStep, got, want)
				}
				wantBefore := anchor + x0*math.Exp(-rate*float64(k-1)*p.SlowStep)
				if math.Abs(before-wantBefore) > 1e-12 {
					t.Fatalf("just before t0 + %g ms: w = %.15g, want %.15g (constant between slow ticks)", float64(k)*p.SlowStep, before, wantBefore)
				}
				if float64(d.w[0]) != float64(float32(d.m.Get(0, 0))) {
					t.Fatalf("delivered %g, w = %g", d.w[0], d.m.Get(0, 0))
				}
			}
			if c.omega == 0 && (d.m.Next() != snnsim.Never || d.quiet > 0) {
				t.Fatalf("Ω = 0: %d slow steps, next at %d, want none", d.quiet, d.m.Next())
			}
		})
	}
}
