package snnsim

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseIndexSet parses a neuron selector of a population of n members:
// an index "7", an inclusive range "0..149", or a comma-separated list of
// them ("0,3,7..9"). It returns the indices in the order written; an
// index outside 0..n−1, an empty range and an index given twice are
// errors. Scenarios (split sets), the command line (--assembly, --cue) and the
// analysis of a log's scenario read neuron selectors with it.
func ParseIndexSet(sel string, n int) ([]int, error) {
	if strings.TrimSpace(sel) == "" {
		return nil, fmt.Errorf("empty selector: give indices such as \"0..149\" or \"0,3,7..9\"")
	}
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(sel, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "..")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("%q is not an index or a range A..B", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("%q is not a range A..B", part)
			}
		}
		switch {
		case b < a:
			return nil, fmt.Errorf("%q is an empty range (A..B needs A <= B)", part)
		case a < 0 || b >= n:
			return nil, fmt.Errorf("%q lies outside the population's indices 0..%d", part, n-1)
		}
		for i := a; i <= b; i++ {
			if seen[i] {
				return nil, fmt.Errorf("%q: index %d is selected twice", part, i)
			}
			seen[i] = true
			out = append(out, i)
		}
	}
	return out, nil
}
