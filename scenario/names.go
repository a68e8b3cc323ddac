package scenario

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the longest name a scenario may give (in bytes: names are
// ASCII). Names become directory and file names (out/<name>/, exported
// series) and stream labels; 64 keeps every such path far below the 255-byte
// file-name limit of common file systems.
const MaxNameLen = 64

// nameError returns what is wrong with a name given in a scenario (of the
// simulation, a population, a projection, a memory-curve model), or nil. A
// name is 1 to MaxNameLen characters among letters, digits, '_', '-' and
// '.', and does not begin with '.' or '-': so it cannot leave the output
// directory ("..", "a/b"), hide a file, or be read as a command-line flag.
func nameError(n string) error {
	switch {
	case n == "":
		return fmt.Errorf("is empty: give a name of letters, digits, '_', '-' and '.'")
	case len(n) > MaxNameLen:
		return fmt.Errorf("%s: a name may hold at most %d characters, not %d", shortQuote(n), MaxNameLen, len(n))
	case n[0] == '.' || n[0] == '-':
		return fmt.Errorf("%q: a name may not begin with '.' or '-' (it names a directory and files)", n)
	}
	for _, r := range n {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("%q: a name may hold only letters, digits, '_', '-' and '.'", n)
		}
	}
	return nil
}

// maxEcho is how many bytes of a value an error message repeats.
const maxEcho = 48

// shortQuote quotes s for an error message, cut to its first maxEcho bytes
// (at a character boundary) with its length when it is longer, so that a
// huge value given by mistake is not repeated in full by every message that
// names it.
func shortQuote(s string) string {
	if len(s) <= maxEcho {
		return fmt.Sprintf("%q", s)
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// shortList joins names for an error message, each cut by shortQuote's
// rule and at most 20 of them.
func shortList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 20 {
			fmt.Fprintf(&b, ", … (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if len(n) > maxEcho {
			b.WriteString(shortQuote(n))
		} else {
			b.WriteString(n)
		}
	}
	return b.String()
}
