package textdist

import (
	"strings"
	"testing"
)

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3}, // the textbook example
		{"flaw", "lawn", 2},
		{"duration", "durtion", 1},
		{"duration", "duratoin", 2},
		{"tau_m", "tau_m", 0},
		{"seed", "sede", 2},
		{strings.Repeat("x", 65), strings.Repeat("x", 65), 0},
		{strings.Repeat("x", 65), strings.Repeat("x", 64) + "y", 1 << 20},
	}
	for _, tt := range tests {
		if got := Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Levenshtein(tt.b, tt.a); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}
