package spikelog

import "testing"

// TestPatternMark: the texts of pattern marks parse back into their parts;
// other texts, and damaged ones, are not pattern marks.
func TestPatternMark(t *testing.T) {
	for _, c := range []struct {
		kind, pop string
		index     int
	}{{PatternOn, "input", 3}, {PatternOff, "S.1-x", 0}, {PatternPhase, "in", 12}} {
		text := PatternMark(c.kind, c.pop, c.index)
		kind, pop, index, ok := ParsePatternMark(text)
		if !ok || kind != c.kind || pop != c.pop || index != c.index {
			t.Errorf("%q parsed as %q %q %d %t", text, kind, pop, index, ok)
		}
	}
	if got := PatternMark(PatternOn, "input", 2); got != "pattern on input: 2" {
		t.Errorf("PatternMark = %q, want \"pattern on input: 2\"", got)
	}
	for _, text := range []string{RunStartMark, "current_step on E: +200 pA", "pattern on : 1", "pattern on in: -1",
		"pattern on in: x", "pattern on in 1", "pattern onset in: 1", "pattern on a b: 1", "pattern phase in: 1.5"} {
		if _, _, _, ok := ParsePatternMark(text); ok {
			t.Errorf("%q parsed as a pattern mark", text)
		}
	}
}
