package netlist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSortRows checks both row sorts against a plain stable sort of
// (delay, target, weight) triples, for delay spans below and above
// maxCountingSpan.
func TestSortRows(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, span := range []int{1, 7, maxCountingSpan, 5 * maxCountingSpan} {
		t.Run(fmt.Sprintf("span=%d", span), func(t *testing.T) {
			rowStart := []int64{0}
			var target, delay []int32
			var weight []float32
			for range 50 {
				n := r.IntN(40)
				row := make([]int32, n)
				for k := range row {
					row[k] = int32(r.IntN(30)) // repeated targets included
				}
				slices.Sort(row)
				for _, tg := range row {
					target = append(target, tg)
					delay = append(delay, int32(1+r.IntN(span)))
					weight = append(weight, float32(r.Float64()))
				}
				rowStart = append(rowStart, int64(len(target)))
			}
			type syn struct {
				t, d int32
				w    float32
			}
			want := make([]syn, len(target))
			for k := range want {
				want[k] = syn{target[k], delay[k], weight[k]}
			}
			for i := 0; i+1 < len(rowStart); i++ {
				slices.SortStableFunc(want[rowStart[i]:rowStart[i+1]], func(a, b syn) int {
					if a.d != b.d {
						return int(a.d - b.d)
					}
					return int(a.t - b.t)
				})
			}
			for name, sortFn := range map[string]func([]int64, []int32, []float32, []int32){"counting": sortRowsCounting, "comparison": sortRows, "exported": SortRowsByDelay} {
				tg, d, w := slices.Clone(target), slices.Clone(delay), slices.Clone(weight)
				sortFn(rowStart, tg, w, d)
				for k := range want {
					if (syn{tg[k], d[k], w[k]}) != want[k] {
						t.Fatalf("%s sort: synapse %d is %v, want %v", name, k, syn{tg[k], d[k], w[k]}, want[k])
					}
				}
			}
		})
	}
}

// checkRows checks the invariants every builder promises: RowStart starts at
// 0, does not decrease and ends at len(Target); targets are in range and
// increase within a row (ties only with multapses); with noSelf, no i -> i.
func checkRows(t *testing.T, r Rows, nFrom, nTo int, noSelf, multapses bool) {
	t.Helper()
	if len(r.RowStart) != nFrom+1 || r.RowStart[0] != 0 || r.RowStart[nFrom] != int64(len(r.Target)) {
		t.Fatalf("RowStart has length %d (want %d), starts at %d, ends at %d (want %d)",
			len(r.RowStart), nFrom+1, r.RowStart[0], r.RowStart[len(r.RowStart)-1], len(r.Target))
	}
	for i := 0; i < nFrom; i++ {
		row := r.Target[r.RowStart[i]:r.RowStart[i+1]]
		for x, j := range row {
			switch {
			case j < 0 || int(j) >= nTo:
				t.Fatalf("source %d: target %d out of [0, %d)", i, j, nTo)
			case noSelf && int(j) == i:
				t.Fatalf("source %d: autapse", i)
			case x > 0 && j < row[x-1]:
				t.Fatalf("source %d: targets not increasing: %v", i, row)
			case x > 0 && j == row[x-1] && !multapses:
				t.Fatalf("source %d: target %d twice without multapses", i, j)
			}
		}
	}
}

// inDegrees counts the synapses onto each target.
func inDegrees(r Rows, nTo int) []int {
	in := make([]int, nTo)
	for _, j := range r.Target {
		in[j]++
	}
	return in
}

// TestFixedDegrees checks that FixedIndegree gives every target exactly k
// sources and FixedOutdegree every source exactly k targets, with and
// without autapses and multapses, down to k equal to the whole pool.
func TestFixedDegrees(t *testing.T) {
	cases := []struct {
		name       string
		nFrom, nTo int
		k          int
		o          ConnectOptions
	}{
		{"distinct", 300, 200, 20, ConnectOptions{}},
		{"self without autapses", 100, 100, 99, ConnectOptions{NoAutapses: true}},
		{"whole pool", 50, 70, 50, ConnectOptions{}},
		{"multapses beyond the pool", 10, 30, 25, ConnectOptions{Multapses: true}},
		{"self multapses", 40, 40, 60, ConnectOptions{NoAutapses: true, Multapses: true}},
		{"k = 0", 20, 20, 0, ConnectOptions{}},
		{"empty populations", 0, 0, 0, ConnectOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 8))
			in, err := FixedIndegree(r, c.nFrom, c.nTo, c.k, c.o)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, in, c.nFrom, c.nTo, c.o.NoAutapses, c.o.Multapses)
			for j, d := range inDegrees(in, c.nTo) {
				if d != c.k {
					t.Fatalf("FixedIndegree: target %d has %d sources, want %d", j, d, c.k)
				}
			}
			// Out-degree: the same rule from the other side, and
			// nFrom, nTo swapped so that the pool is the same.
			out, err := FixedOutdegree(r, c.nTo, c.nFrom, c.k, c.o)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, out, c.nTo, c.nFrom, c.o.NoAutapses, c.o.Multapses)
			for i := 0; i < c.nTo; i++ {
				if d := out.RowStart[i+1] - out.RowStart[i]; d != int64(c.k) {
					t.Fatalf("FixedOutdegree: source %d has %d targets, want %d", i, d, c.k)
				}
			}
		})
	}
}

// TestFixedProbabilityBinomial checks that the number of synapses of
// FixedProbability lies within 5 standard deviations of the binomial mean
// n·p over the n candidate pairs, for rows of one draw and for each seed of
// several, and that each row is a fair share: the row lengths' mean and
// variance match the binomial's per row.
func TestFixedProbabilityBinomial(t *testing.T) {
	cases := []struct {
		nFrom, nTo int
		p          float64
		o          ConnectOptions
	}{
		{1000, 800, 0.02, ConnectOptions{}},
		{500, 500, 0.1, ConnectOptions{NoAutapses: true}},
		{200, 3000, 0.5, ConnectOptions{}},
		{2000, 100, 0.9, ConnectOptions{}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dx%d p=%g", c.nFrom, c.nTo, c.p), func(t *testing.T) {
			pool := c.nTo
			if c.o.NoAutapses {
				pool--
			}
			for seed := range uint64(5) {
				rows, err := FixedProbability(rand.New(rand.NewPCG(seed, 99)), c.nFrom, c.nTo, c.p, c.o)
				if err != nil {
					t.Fatal(err)
				}
				checkRows(t, rows, c.nFrom, c.nTo, c.o.NoAutapses, false)
				n := float64(c.nFrom) * float64(pool)
				mean, sd := n*c.p, math.Sqrt(n*c.p*(1-c.p))
				if got := float64(rows.Len()); math.Abs(got-mean) > 5*sd {
					t.Errorf("seed %d: %g synapses, want %g ± %.0f (5 sd)", seed, got, mean, 5*sd)
				}
				// Row lengths: Binomial(pool, p) each; their sample
				// variance has relative standard error sqrt(2/(nFrom-1))
				// (nearly normal rows).
				var sum, sum2 float64
				for i := 0; i < c.nFrom; i++ {
					d := float64(rows.RowStart[i+1] - rows.RowStart[i])
					sum += d
					sum2 += d * d
				}
				m := sum / float64(c.nFrom)
				v := (sum2 - sum*m) / float64(c.nFrom-1)
				wantV := float64(pool) * c.p * (1 - c.p)
				if rel := math.Sqrt(2 / float64(c.nFrom-1)); math.Abs(v/wantV-1) > 5*rel {
					t.Errorf("seed %d: row length variance %.3g, want %.3g ± %.0f%%", seed, v, wantV, 500*rel)
				}
			}
		})
	}
	// The bounds of p: none, and every pair.
	for _, p := range []float64{0, 1} {
		rows, err := FixedProbability(rand.New(rand.NewPCG(1, 1)), 30, 30, p, ConnectOptions{NoAutapses: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := int(p * 30 * 29); rows.Len() != want {
			t.Errorf("p = %g: %d synapses, want %d", p, rows.Len(), want)
		}
	}
}

// TestBuildersDeterministic checks that a random rule gives the same rows
// from the same stream and other rows from another seed.
func TestBuildersDeterministic(t *testing.T) {
	rules := map[string]func(r *rand.Rand) (Rows, error){
		"FixedProbability": func(r *rand.Rand) (Rows, error) {
			return FixedProbability(r, 200, 200, 0.1, ConnectOptions{NoAutapses: true})
		},
		"FixedIndegree": func(r *rand.Rand) (Rows, error) {
			return FixedIndegree(r, 200, 150, 10, ConnectOptions{})
		},
		"FixedOutdegree": func(r *rand.Rand) (Rows, error) {
			return FixedOutdegree(r, 150, 200, 10, ConnectOptions{Multapses: true})
		},
	}
	for name, build := range rules {
		a, errA := build(rand.New(rand.NewPCG(3, 4)))
		b, errB := build(rand.New(rand.NewPCG(3, 4)))
		c, errC := build(rand.New(rand.NewPCG(5, 4)))
		if errA != nil || errB != nil || errC != nil {
			t.Fatalf("%s: %v %v %v", name, errA, errB, errC)
		}
		if !slices.Equal(a.RowStart, b.RowStart) || !slices.Equal(a.Target, b.Target) {
			t.Errorf("%s: the same seed gave different rows", name)
		}
		if slices.Equal(a.Target, c.Target) {
			t.Errorf("%s: seeds 3 and 5 gave the same rows", name)
		}
	}
}

// TestAllToAllOneToOne checks the deterministic rules' synapse sets.
func TestAllToAllOneToOne(t *testing.T) {
	cases := []struct {
		name       string
		nFrom, nTo int
		noSelf     bool
		want       int
	}{
		{"all", 7, 5, false, 35},
		{"all without autapses", 6, 6, true, 30},
		{"one neuron onto itself without autapses", 1, 1, true, 0},
		{"empty", 0, 9, false, 0},
	}
	for _, c := range cases {
		rows, err := AllToAll(c.nFrom, c.nTo, ConnectOptions{NoAutapses: c.noSelf})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkRows(t, rows, c.nFrom, c.nTo, c.noSelf, false)
		if rows.Len() != c.want {
			t.Errorf("%s: %d synapses, want %d", c.name, rows.Len(), c.want)
		}
	}
	rows, err := OneToOne(5, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows, 5, 3, false, false)
	if want := []int32{0, 1, 2}; !slices.Equal(rows.Target, want) || !slices.Equal(rows.RowStart, []int64{0, 1, 2, 3, 3, 3}) {
		t.Errorf("OneToOne(5, 3): rows %v, targets %v", rows.RowStart, rows.Target)
	}
}

// TestExplicitPairs checks that every pair becomes one synapse in its
// source's row, in list order within a row, and that order maps synapses
// back to pairs.
func TestExplicitPairs(t *testing.T) {
	src := []int32{2, 0, 2, 1, 0, 2}
	tgt := []int32{4, 1, 0, 3, 1, 4} // 0 -> 1 and 2 -> 4 twice
	rows, order, err := ExplicitPairs(3, 5, src, tgt)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, 2, 3, 6}; !slices.Equal(rows.RowStart, want) {
		t.Fatalf("RowStart %v, want %v", rows.RowStart, want)
	}
	// Row 0 holds pairs 1 and 4, row 1 pair 3, row 2 pairs 0, 2 and 5.
	if want := []int32{1, 4, 3, 0, 2, 5}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v (list order within a row)", order, want)
	}
	for k, x := range order {
		i := rowOf(rows.RowStart, int64(k))
		if src[x] != int32(i) || tgt[x] != rows.Target[k] {
			t.Errorf("synapse %d (%d -> %d) is not pair %d (%d -> %d)", k, i, rows.Target[k], x, src[x], tgt[x])
		}
	}
}

// rowOf returns the row that holds synapse k.
func rowOf(rowStart []int64, k int64) int {
	i, _ := slices.BinarySearch(rowStart, k+1)
	return i - 1
}

// TestBuilderErrors checks that impossible requests are refused with a
// message rather than a panic or a short row.
func TestBuilderErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"negative size", func() error { _, err := AllToAll(-1, 3, ConnectOptions{}); return err }, "population sizes -1 and 3"},
		{"no autapses across populations", func() error { _, err := AllToAll(3, 4, ConnectOptions{NoAutapses: true}); return err }, "NoAutapses is for a population onto itself"},
		{"p above 1", func() error { _, err := FixedProbability(r, 3, 3, 1.5, ConnectOptions{}); return err }, "p = 1.5"},
		{"p NaN", func() error { _, err := FixedProbability(r, 3, 3, math.NaN(), ConnectOptions{}); return err }, "p = NaN"},
		{"no stream", func() error { _, err := FixedProbability(nil, 3, 3, 0.5, ConnectOptions{}); return err }, "no random source"},
		{"k above the pool", func() error { _, err := FixedIndegree(r, 5, 9, 6, ConnectOptions{}); return err }, "at most the 5 available sources"},
		{"k above the pool without autapses", func() error { _, err := FixedOutdegree(r, 5, 5, 5, ConnectOptions{NoAutapses: true}); return err }, "at most the 4 available targets"},
		{"negative k", func() error { _, err := FixedOutdegree(r, 5, 5, -1, ConnectOptions{}); return err }, "k = -1"},
		{"empty pool with multapses", func() error {
			_, err := FixedIndegree(r, 1, 1, 2, ConnectOptions{NoAutapses: true, Multapses: true})
			return err
		}, "no available sources"},
		{"pair out of range", func() error { _, _, err := ExplicitPairs(2, 2, []int32{0, 2}, []int32{1, 1}); return err }, "pair 1 (2, 1) is out of range"},
		{"unequal pair lists", func() error { _, _, err := ExplicitPairs(2, 2, []int32{0}, nil); return err }, "1 sources but 0 targets"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// FuzzBuilders calls the random rules with arbitrary arguments: each
// either refuses them with an error or returns rows that keep the
// invariants, with exact degrees for the fixed-degree rules. Sizes are
// folded into [-2, 60] to keep each call small.
func FuzzBuilders(f *testing.F) {
	f.Add(10, 10, 3, 0.5, true, false, uint64(1))
	f.Add(1, 1, 1, 1.0, true, true, uint64(2))
	f.Add(0, 5, 0, 0.0, false, false, uint64(3))
	f.Add(7, 3, 9, -0.1, false, true, uint64(4))
	f.Fuzz(func(t *testing.T, nFrom, nTo, k int, p float64, noSelf, multapses bool, seed uint64) {
		fold := func(n int) int { return ((n%63)+63)%63 - 2 }
		nFrom, nTo, k = fold(nFrom), fold(nTo), fold(k)
		o := ConnectOptions{NoAutapses: noSelf, Multapses: multapses}
		r := rand.New(rand.NewPCG(seed, 1))
		if rows, err := FixedProbability(r, nFrom, nTo, p, o); err == nil {
			checkRows(t, rows, nFrom, nTo, noSelf, false)
		}
		if rows, err := FixedIndegree(r, nFrom, nTo, k, o); err == nil {
			checkRows(t, rows, nFrom, nTo, noSelf, multapses)
			for j, d := range inDegrees(rows, nTo) {
				if d != k {
					t.Fatalf("FixedIndegree(%d, %d, k=%d, %+v): target %d has %d sources", nFrom, nTo, k, o, j, d)
				}
			}
		}
		if rows, err := FixedOutdegree(r, nFrom, nTo, k, o); err == nil {
			checkRows(t, rows, nFrom, nTo, noSelf, multapses)
			for i := 0; i < nFrom; i++ {
				if d := rows.RowStart[i+1] - rows.RowStart[i]; d != int64(k) {
					t.Fatalf("FixedOutdegree(%d, %d, k=%d, %+v): source %d has %d targets", nFrom, nTo, k, o, i, d)
				}
			}
		}
		if rows, err := AllToAll(nFrom, nTo, o); err == nil {
			checkRows(t, rows, nFrom, nTo, noSelf, false)
		}
	})
}
