package netlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
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
