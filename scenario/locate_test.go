package scenario

import "testing"

func TestLocate(t *testing.T) {
	text := `# a comment with = and "quotes" and [brackets]
title = """multi
line = "not a key"
"""                                   # line 4
[simulation]                          # 5
duration = "1 s" # comment { [
"quoted.key" = 'literal # not a comment'
dotted.key.path = 3                   # 8

[[population]]                        # 10
name = "E"
params = { tau_m = "20 ms", c = { d = [1, 2] } }  # 12
init = {
  v = { uniform = ["-60 mV",          # 14
                   "-50 mV"] },       # 15
}

[[population]]                        # 18
name = "I"
arr = [
  [1, 2],                             # 21
  { x = 1 },                          # 22
]
[[population.sub]]                    # 24
k = 1
[[population.sub]]                    # 26
k = 2
[population.extra]                    # 28
e = 'it''s'
`
	loc := locate(text)
	for _, tc := range []struct {
		key  string
		line int
	}{
		{"title", 2},
		{"simulation", 5},
		{"simulation.duration", 6},
		{"simulation.quoted.key", 7},
		{"simulation.dotted.key.path", 8},
		{"simulation.dotted", 8},
		{"population", 10},
		{"population[0]", 10},
		{"population[0].name", 11},
		{"population[0].params.tau_m", 12},
		{"population[0].params.c.d[1]", 12},
		{"population[0].init", 13},
		{"population[0].init.v.uniform[0]", 14},
		{"population[0].init.v.uniform[1]", 15},
		{"population[1]", 18},
		{"population[1].arr[0][1]", 21},
		{"population[1].arr[1].x", 22},
		{"population[1].sub[0].k", 25},
		{"population[1].sub[1]", 26},
		{"population[1].sub[1].k", 27},
		{"population[1].extra.e", 29},
		// Missing keys fall back to their nearest written ancestor.
		{"population[0].params.v_rest", 12},
		{"population[1].size", 18},
		{"stimulus[0].kind", 0},
	} {
		if got := loc.line(tc.key); got != tc.line {
			t.Errorf("line(%q) = %d, want %d", tc.key, got, tc.line)
		}
	}
	if loc.has("population[0].params.v_rest") {
		t.Error("has reports an unwritten key")
	}
}

// TestLocateTerminates feeds the scanner text that is not valid TOML: it
// must neither loop nor panic.
func TestLocateTerminates(t *testing.T) {
	for _, text := range []string{"", "[", "[[", "a = ", "a = [", "a = {", `a = "`, `a = """`, "a = '''x", "= = =",
		"a = [[[[[[[[[[", "{{{{{", "a.b. = 1", `"unterminated = 1`, "[a.\"b\n", "\x00\xff", "a = [1,,,,]", "a = {,,}"} {
		locate(text)
	}
	deep := "a = "
	for range 10000 {
		deep += "["
	}
	locate(deep)
}
