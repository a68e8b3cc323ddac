package netlist

import (
	"math"
	"testing"

	"github.com/snnsim/snnsim"
)

// discArea is the area of the disc of radius r around (px, py) inside the
// rectangle [0, w] × [0, h], by the midpoint rule over 2000 slices in x:
// the probability, times w·h, that a centre drawn uniformly in the
// rectangle lies within r of the pixel.
func discArea(px, py, r, w, h float64) float64 {
	lo, hi := math.Max(px-r, 0), math.Min(px+r, w)
	if hi <= lo {
		return 0
	}
	const steps = 2000
	dx := (hi - lo) / steps
	area := 0.0
	for s := range steps {
		x := lo + (float64(s)+0.5)*dx
		half := math.Sqrt(math.Max(r*r-(x-px)*(x-px), 0))
		area += math.Max(math.Min(py+half, h)-math.Max(py-half, 0), 0) * dx
	}
	return area
}

// TestDiscReceptiveFieldsGeometry checks the definition exactly: with p = 1
// every pixel within the radius of a target's centre projects onto it, and
// no other; the centres lie in the grid's rectangle.
func TestDiscReceptiveFieldsGeometry(t *testing.T) {
	f := DiscFields{Width: 20, Height: 12, Radius: 3.5, P: 1}
	rows, centres, err := DiscReceptiveFields(snnsim.NewRand(1, "test/rf"), 300, f)
	if err != nil {
		t.Fatal(err)
	}
	connected := map[[2]int]bool{}
	for k := range f.Width * f.Height {
		for s := rows.RowStart[k]; s < rows.RowStart[k+1]; s++ {
			if s > rows.RowStart[k] && rows.Target[s] <= rows.Target[s-1] {
				t.Fatalf("row %d is not in increasing target order", k)
			}
			connected[[2]int{k, int(rows.Target[s])}] = true
		}
	}
	for j, c := range centres {
		if c.X < 0 || c.X > 19 || c.Y < 0 || c.Y > 11 {
			t.Fatalf("centre %d at %+v outside [0, 19] × [0, 11]", j, c)
		}
		for k := range f.Width * f.Height {
			x, y := float64(k%f.Width), float64(k/f.Width)
			in := math.Hypot(x-c.X, y-c.Y) <= f.Radius
			if in != connected[[2]int{k, j}] {
				t.Fatalf("pixel (%g, %g), target %d with centre %+v: within the disc %t, connected %t", x, y, j, c, in, !in)
			}
		}
	}
}

// TestDiscReceptiveFieldsStatistics draws the fields of Zenke et al. (2015)
// (4096 targets, 64×64 grid, radius 8) and compares the mean in-degree with
// its expectation, the sum over pixels of the probability that a uniform
// centre falls within the radius (computed by quadrature, not by the
// generator): within 5 standard errors. With p = 0.3 the mean scales by p.
func TestDiscReceptiveFieldsStatistics(t *testing.T) {
	const n = 4096
	expect := 0.0
	for k := range 64 * 64 {
		expect += discArea(float64(k%64), float64(k/64), 8, 63, 63) / (63 * 63)
	}
	for _, p := range []float64{1, 0.3} {
		rows, _, err := DiscReceptiveFields(snnsim.NewRand(2, "test/rf"), n, DiscFields{Width: 64, Height: 64, Radius: 8, P: p})
		if err != nil {
			t.Fatal(err)
		}
		deg := make([]float64, n)
		for _, j := range rows.Target {
			deg[j]++
		}
		var sum, sq float64
		for _, d := range deg {
			sum += d
		}
		mean := sum / n
		for _, d := range deg {
			sq += (d - mean) * (d - mean)
		}
		se := math.Sqrt(sq/(n-1)) / math.Sqrt(n)
		if math.Abs(mean-p*expect) > 5*se {
			t.Errorf("p = %g: mean in-degree %.2f, want %.2f ± 5·%.2f", p, mean, p*expect, se)
		}
		t.Logf("p = %g: mean in-degree %.2f (expected %.2f, s.e. %.2f), %d synapses", p, mean, p*expect, se, rows.Len())
	}
}

// TestDiscReceptiveFieldsRefused: bad parameters are errors.
func TestDiscReceptiveFieldsRefused(t *testing.T) {
	r := snnsim.NewRand(1, "x")
	for _, f := range []DiscFields{{0, 5, 1, 1}, {5, 5, -1, 1}, {5, 5, 1, 1.5}, {5, 5, math.NaN(), 1}} {
		if _, _, err := DiscReceptiveFields(r, 3, f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	if _, _, err := DiscReceptiveFields(nil, 3, DiscFields{5, 5, 1, 1}); err == nil {
		t.Error("no random source accepted")
	}
}
