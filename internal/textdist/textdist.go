// Package textdist measures how far apart two short strings are, for the
// "did you mean" suggestions of the scenario decoder and the command line.
package textdist

// Levenshtein returns the edit distance between a and b: the least number
// of byte insertions, deletions and substitutions that turn one into the
// other (Levenshtein 1966). Keys and flag names are ASCII, so bytes are
// characters. Strings longer than 64 bytes are never typos of a name: for
// them it returns 0 when they are equal and a large number otherwise, so
// that a pasted blob costs nothing to compare.
func Levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
