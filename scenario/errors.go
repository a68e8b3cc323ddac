package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/snnsim/snnsim/internal/textdist"
)

// ParseError is one problem in a scenario: where it is (file, line, key
// path) and what is wrong. Key is a path such as "population[1].params.tau_m"
// (array-of-tables elements are indexed from 0); Line is 0 when the position
// is not known, for example for a key that is missing.
//
// A value set on the command line rather than in the file (see
// [DecodeOverrides]) has no line: Set then holds the override's KEY, and
// the error reads "file: --set KEY: key: message".
type ParseError struct {
	File string // scenario file, or a file it refers to (a pairs CSV)
	Line int    // 1-based line in File, 0 when unknown
	Key  string // key path within the scenario, "" when none applies
	Err  error  // what is wrong
	Set  string // the KEY of the --set override that wrote the value, "" when the file did
}

// Error formats the error as "file:line: key: message", or "file: --set
// KEY: key: message" for a value set by an override.
func (e *ParseError) Error() string {
	var b strings.Builder
	switch {
	case e.Set != "":
		if e.File != "" {
			b.WriteString(e.File + ": ")
		}
		b.WriteString("--set " + e.Set + ": ")
	case e.File != "" && e.Line > 0:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ": ")
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	if e.Err == nil {
		b.WriteString("invalid")
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// ErrorList is every problem found in a scenario, sorted by line. Decode
// and Compile return a non-empty ErrorList as their error; they never return
// an empty one.
type ErrorList []*ParseError

// Error lists the errors, one a line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the errors, so that errors.Is and errors.As look into each.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders the list by file (the scenario first), then line; errors on
// the same line keep the order in which they were found.
func (l ErrorList) sort(scenario string) {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File == scenario
		}
		return a.Line < b.Line
	})
}

// syntaxError is a TOML syntax error, stripped of its own line prefix
// because ParseError prints the line.
type syntaxError struct{ pe toml.ParseError }

func (e syntaxError) Error() string { return "TOML syntax: " + e.pe.Message }
func (e syntaxError) Unwrap() error { return e.pe }

// paramError is a model's Validate error on a parameter that the scenario
// sets: it shows the value as written, then the constraint.
type paramError struct {
	written    string // the value as written in the scenario, quoted
	constraint string // "must be > 0"
	err        error  // the model's error
}

func (e *paramError) Error() string { return e.written + ": " + e.constraint }
func (e *paramError) Unwrap() error { return e.err }

// suggest returns the candidate closest to word, or "" if none is close
// enough to be a likely typo.
func suggest(word string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := textdist.Levenshtein(strings.ToLower(word), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := max(1, len(word)/3)
	if bestD <= limit {
		return best
	}
	// A prefix of one long name ("fixed_prob") is a likely abbreviation.
	match := ""
	for _, c := range candidates {
		if len(word) >= 4 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(word)) {
			if match != "" && match != c {
				return "" // ambiguous
			}
			match = c
		}
	}
	return match
}

// didYouMean returns ` (did you mean "x"?)` or "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" && s != word {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// quoteList formats names as `"a", "b", "c"`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
