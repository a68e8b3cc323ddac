package netlist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DiscFields describes disc-shaped receptive fields on a grid of inputs:
// source k is the pixel at column x = k mod Width and row y = k div Width,
// its centre at (x, y); each target gets a centre drawn uniformly in
// [0, Width-1] × [0, Height-1] and the pixels whose centres lie within
// Radius of it (Euclidean distance, no wrap-around, so targets near an edge
// see fewer pixels), each kept with probability P.
//
// This is the connectivity from the 64×64 input grid to the excitatory
// neurons in Zenke, Agnes & Gerstner (2015): their matrix of disc fields of
// radius 8 is not published, and this generator makes its substitute.
type DiscFields struct {
	Width, Height int     // the grid, Width·Height sources
	Radius        float64 // [pixels], >= 0
	P             float64 // probability of each pixel within the disc, in [0, 1]
}

// Centre is a receptive field's centre in pixel coordinates.
type Centre struct{ X, Y float64 }

// DiscReceptiveFields draws a receptive field per target (nTo of them)
// from r and returns the synapses as rows over the Width·Height pixels,
// each row in increasing target order, and the centres. The draws are,
// in order: both coordinates of every target's centre (x then y, target
// by target), then, when P < 1, one uniform number per pixel within a disc,
// target by target and row by row of the grid.
func DiscReceptiveFields(r *rand.Rand, nTo int, f DiscFields) (Rows, []Centre, error) {
	switch {
	case f.Width < 1 || f.Height < 1:
		return Rows{}, nil, fmt.Errorf("disc receptive fields: a %d×%d grid: both sides must be >= 1", f.Width, f.Height)
	case int64(f.Width)*int64(f.Height) > math.MaxInt32:
		return Rows{}, nil, fmt.Errorf("disc receptive fields: a %d×%d grid has more inputs than a population can hold", f.Width, f.Height)
	case !(f.Radius >= 0) || math.IsInf(f.Radius, 0):
		return Rows{}, nil, fmt.Errorf("disc receptive fields: radius %g: must be finite and >= 0", f.Radius)
	case !(f.P >= 0 && f.P <= 1):
		return Rows{}, nil, fmt.Errorf("disc receptive fields: p = %g: a probability must be between 0 and 1", f.P)
	case nTo < 0 || nTo > math.MaxInt32:
		return Rows{}, nil, fmt.Errorf("disc receptive fields: %d targets", nTo)
	case r == nil:
		return Rows{}, nil, fmt.Errorf("disc receptive fields: no random source")
	}
	centres := make([]Centre, nTo)
	for j := range centres {
		centres[j].X = r.Float64() * float64(f.Width-1)
		centres[j].Y = r.Float64() * float64(f.Height-1)
	}
	// Pixels of each target, then the transpose into rows by pixel.
	nFrom := f.Width * f.Height
	count := make([]int64, nFrom+1)
	r2 := f.Radius * f.Radius
	// Room for full discs (π r² pixels each, plus the edge of the grid of
	// pixel centres): the array is not regrown, which would leave several
	// times its size as garbage at the network's largest.
	est := float64(nTo) * f.P * (math.Pi*r2 + 4*f.Radius + 4)
	pix := make([]int32, 0, int(min(est, float64(nTo)*float64(f.Width*f.Height), maxSynapses)))
	start := make([]int64, nTo+1)
	for j, c := range centres {
		y0, y1 := max(0, int(math.Ceil(c.Y-f.Radius))), min(f.Height-1, int(math.Floor(c.Y+f.Radius)))
		x0, x1 := max(0, int(math.Ceil(c.X-f.Radius))), min(f.Width-1, int(math.Floor(c.X+f.Radius)))
		for y := y0; y <= y1; y++ {
			dy := float64(y) - c.Y
			for x := x0; x <= x1; x++ {
				dx := float64(x) - c.X
				if dx*dx+dy*dy > r2 {
					continue
				}
				if f.P < 1 && !(r.Float64() < f.P) {
					continue
				}
				k := y*f.Width + x
				pix = append(pix, int32(k))
				count[k+1]++
			}
		}
		start[j+1] = int64(len(pix))
		if len(pix) > maxSynapses {
			return Rows{}, nil, fmt.Errorf("disc receptive fields: more than %d synapses", maxSynapses)
		}
	}
	for k := range nFrom {
		count[k+1] += count[k]
	}
	rows := Rows{RowStart: count, Target: make([]int32, len(pix))}
	fill := make([]int64, nFrom)
	copy(fill, count[:nFrom])
	for j := range nTo { // targets in increasing order: each row comes out sorted
		for _, k := range pix[start[j]:start[j+1]] {
			rows.Target[fill[k]] = int32(j)
			fill[k]++
		}
	}
	return rows, centres, nil
}
