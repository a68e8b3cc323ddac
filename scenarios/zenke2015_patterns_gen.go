//go:build ignore

// Command zenke2015_patterns_gen draws the stimuli of
// zenke2015_orchestrated.toml on the 64×64 input grid and writes them as
// Auryn pattern files (one member index a line, patterns separated by blank
// lines; pixel k is row k div 64, column k mod 64):
//
//	zenke2015_shapes.pat  the four training shapes of Zenke, Agnes &
//	                      Gerstner (2015): a ring, a square outline, an X
//	                      and a triangle outline with its apex down
//	zenke2015_cues.pat    twenty recall cues: four distorted or partial
//	                      versions of each shape, then four novel shapes
//
// The authors' shapes.pat and shapes_cues.pat are not used: these shapes are
// our own geometry, sized so that the pixel counts and the pairwise overlaps
// (ring and square sharing about half their pixels, the X and the triangle
// far apart from the rest) resemble the authors' images. Run from the
// scenarios directory:
//
//	go run zenke2015_patterns_gen.go
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
)

const side = 64

// shape is a set of pixels of the grid.
type shape [side * side]bool

// draw returns the pixels (x = column, y = row, both 0..63) where in holds.
func draw(in func(x, y float64) bool) shape {
	var s shape
	for k := range s {
		s[k] = in(float64(k%side), float64(k/side))
	}
	return s
}

func (s shape) count() int {
	n := 0
	for _, in := range s {
		if in {
			n++
		}
	}
	return n
}

func (s shape) and(t shape) int {
	n := 0
	for k := range s {
		if s[k] && t[k] {
			n++
		}
	}
	return n
}

// shift moves s by (dx, dy) pixels, dropping what leaves the grid.
func (s shape) shift(dx, dy int) shape {
	var t shape
	for k, in := range s {
		x, y := k%side+dx, k/side+dy
		if in && x >= 0 && x < side && y >= 0 && y < side {
			t[y*side+x] = true
		}
	}
	return t
}

// keep returns the pixels of s where in holds.
func (s shape) keep(in func(x, y float64) bool) shape {
	var t shape
	for k := range s {
		t[k] = s[k] && in(float64(k%side), float64(k/side))
	}
	return t
}

// union returns the pixels in s or t.
func (s shape) union(t shape) shape {
	for k := range s {
		s[k] = s[k] || t[k]
	}
	return s
}

const c = 31.5 // centre of the grid

// ring is an annulus around the centre.
func ring(rIn, rOut float64) shape {
	return draw(func(x, y float64) bool {
		r := math.Hypot(x-c, y-c)
		return r >= rIn && r <= rOut
	})
}

// squareOutline is the frame between two centred squares of half-sides hIn < hOut.
func squareOutline(hIn, hOut float64) shape {
	return draw(func(x, y float64) bool {
		d := math.Max(math.Abs(x-c), math.Abs(y-c))
		return d >= hIn && d <= hOut
	})
}

// cross is an X of two diagonal bars of half-width w inside a centred box of half-side h.
func cross(w, h float64) shape {
	return draw(func(x, y float64) bool {
		u, v := x-c, y-c
		if math.Abs(u) > h || math.Abs(v) > h {
			return false
		}
		return math.Abs(u-v) <= w*math.Sqrt2 || math.Abs(u+v) <= w*math.Sqrt2
	})
}

// triangleOutline is the band of width t inside the edges of a triangle with
// its base at row top, its apex at row bottom on the centre column, and half
// the base b.
func triangleOutline(top, bottom, b, t float64) shape {
	// Edges as signed distances, positive inside.
	h := bottom - top
	l := math.Hypot(b, h)
	return draw(func(x, y float64) bool {
		d0 := y - top                       // base
		d1 := (h*(x-(c-b)) - b*(y-top)) / l // left edge, from (c-b, top) to (c, bottom)
		d2 := (h*((c+b)-x) - b*(y-top)) / l // right edge, from (c+b, top) to (c, bottom)
		m := math.Min(d0, math.Min(d1, d2))
		return m >= 0 && m <= t
	})
}

func main() {
	shapes := []struct {
		name string
		s    shape
	}{
		{"circle", ring(21, 27.5)},
		{"square", squareOutline(22.5, 27.5)},
		{"cross", cross(3.0, 27.5)},
		{"triangle", triangleOutline(5, 61, 30, 6)},
	}
	var cues []struct {
		name string
		s    shape
	}
	add := func(name string, s shape) {
		cues = append(cues, struct {
			name string
			s    shape
		}{name, s})
	}
	for _, sh := range shapes {
		s := sh.s
		add(sh.name+"1 (shifted by 2, 1 pixels)", s.shift(2, 1))
		add(sh.name+"2 (left three quarters)", s.keep(func(x, y float64) bool { return x < 48 }))
		add(sh.name+"3 (upper two thirds, shifted down 2 pixels)", s.keep(func(x, y float64) bool { return y < 43 }).shift(0, 2))
		add(sh.name+"4 (the right half)", s.keep(func(x, y float64) bool { return x >= 32 }))
	}
	add("other1 (a plus sign)", draw(func(x, y float64) bool {
		return (math.Abs(x-c) <= 4 || math.Abs(y-c) <= 4) && math.Abs(x-c) <= 28 && math.Abs(y-c) <= 28
	}))
	add("other2 (a diamond outline)", draw(func(x, y float64) bool {
		d := math.Abs(x-c) + math.Abs(y-c)
		return d >= 22 && d <= 30
	}))
	add("other3 (three horizontal bars)", draw(func(x, y float64) bool {
		return math.Abs(x-c) <= 26 && (math.Abs(y-12) <= 2.5 || math.Abs(y-c) <= 2.5 || math.Abs(y-51) <= 2.5)
	}))
	add("other4 (a filled disc off centre)", draw(func(x, y float64) bool {
		return math.Hypot(x-20, y-42) <= 13
	}))

	for _, sh := range shapes {
		fmt.Fprintf(os.Stderr, "%-9s %4d:", sh.name, sh.s.count())
		for _, o := range shapes {
			fmt.Fprintf(os.Stderr, " %4d", sh.s.and(o.s))
		}
		fmt.Fprintln(os.Stderr)
	}
	for i, cu := range cues {
		fmt.Fprintf(os.Stderr, "cue %2d %4d:", i, cu.s.count())
		for _, o := range shapes {
			fmt.Fprintf(os.Stderr, " %4d", cu.s.and(o.s))
		}
		fmt.Fprintf(os.Stderr, "  %s\n", cu.name)
	}
	write("zenke2015_shapes.pat", "training shapes", shapes)
	write("zenke2015_cues.pat", "recall cues", cues)
}

func write(file, what string, pats []struct {
	name string
	s    shape
}) {
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# %s of zenke2015_orchestrated.toml on a 64x64 grid (pixel = row*64 + column),\n", what)
	fmt.Fprintf(w, "# written by zenke2015_patterns_gen.go; do not edit.\n")
	for i, p := range pats {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# %d: %s, %d pixels\n", i, p.name, p.s.count())
		for k, in := range p.s {
			if in {
				fmt.Fprintln(w, k)
			}
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
