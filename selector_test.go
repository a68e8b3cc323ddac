package snnsim

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseIndexSet(t *testing.T) {
	for _, tc := range []struct {
		sel  string
		n    int
		want []int
		err  string
	}{
		{"7", 10, []int{7}, ""},
		{"0..3", 10, []int{0, 1, 2, 3}, ""},
		{" 8 , 0..1 ,5..5", 10, []int{8, 0, 1, 5}, ""},
		{"0..9", 10, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ""},
		{"0..10", 10, nil, `"0..10" lies outside the population's indices 0..9`},
		{"-1", 10, nil, `"-1" lies outside`},
		{"3..1", 10, nil, `"3..1" is an empty range`},
		{"1,0..2", 10, nil, `"0..2": index 1 is selected twice`},
		{"core", 10, nil, `"core" is not an index or a range A..B`},
		{"1..x", 10, nil, `"1..x" is not a range A..B`},
		{"", 10, nil, "empty selector"},
		{"1,,2", 10, nil, `"" is not an index`},
	} {
		got, err := ParseIndexSet(tc.sel, tc.n)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.sel, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one containing %s", tc.sel, err, tc.err)
		case !slices.Equal(got, tc.want):
			t.Errorf("%q: %v, want %v", tc.sel, got, tc.want)
		}
	}
}

// FuzzParseIndexSet checks that any selector either fails or yields
// distinct indices inside the population, each of which the selector
// writes as an index or inside a range.
func FuzzParseIndexSet(f *testing.F) {
	for _, s := range []string{"0..149", "0,3,7..9", "rest", "", "5..2", "1,1", " 3 .. 4 "} {
		f.Add(s, 200)
	}
	f.Fuzz(func(t *testing.T, sel string, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		got, err := ParseIndexSet(sel, n)
		if err != nil {
			return
		}
		seen := map[int]bool{}
		for _, i := range got {
			if i < 0 || i >= n || seen[i] {
				t.Fatalf("%q (n %d): index %d out of range or repeated: %v", sel, n, i, got)
			}
			seen[i] = true
		}
		if len(got) == 0 {
			t.Fatalf("%q: no error and no index", sel)
		}
		if !strings.Contains(sel, strconv.Itoa(got[0])) && !strings.Contains(sel, "..") {
			t.Fatalf("%q: first index %d is not written", sel, got[0])
		}
	})
}
