package scenario

import (
	"strconv"
	"strings"
)

// The TOML decoder reports no positions for keys, so a small scanner maps
// every key path in the text to the line where it is written. Paths use the
// same form as ParseError.Key: "population[1].params.tau_m", with
// array-of-tables elements and array elements indexed from 0, and keys
// inside inline tables (on one line or several) included. The scanner is
// only run on text that the TOML decoder accepted, but it must not panic or
// loop on anything.

// locator maps key paths to 1-based lines, and the key paths that
// command-line overrides wrote to their --set KEY.
type locator struct {
	lines map[string]int
	sets  map[string]string // key path -> the --set KEY that wrote it
}

// set returns the --set KEY that wrote key or a table or array holding it,
// or "" when the value is the file's.
func (l *locator) set(key string) string {
	if l == nil || len(l.sets) == 0 {
		return ""
	}
	for key != "" {
		if s, ok := l.sets[key]; ok {
			return s
		}
		key = parentKey(key)
	}
	return ""
}

// at returns a located error of the scenario file on key.
func (l *locator) at(file, key string, err error) *ParseError {
	if s := l.set(key); s != "" {
		return &ParseError{File: file, Key: key, Err: err, Set: s}
	}
	return &ParseError{File: file, Line: l.line(key), Key: key, Err: err}
}

// line returns the line of key, or of its nearest written ancestor (a
// missing key is reported at its table), or 0.
func (l *locator) line(key string) int {
	if l == nil {
		return 0
	}
	for key != "" {
		if n, ok := l.lines[key]; ok {
			return n
		}
		key = parentKey(key)
	}
	return 0
}

// has reports whether key itself is written in the text.
func (l *locator) has(key string) bool {
	if l == nil {
		return false
	}
	_, ok := l.lines[key]
	return ok
}

// parentKey strips the last component ("[3]" or ".name") of a key path.
func parentKey(k string) string {
	if strings.HasSuffix(k, "]") {
		if i := strings.LastIndexByte(k, '['); i >= 0 {
			return k[:i]
		}
	}
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

// joinKey appends name to the path prefix.
func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// indexKey appends an index to a path.
func indexKey(prefix string, i int) string {
	return prefix + "[" + strconv.Itoa(i) + "]"
}

// maxNesting bounds the recursion over nested arrays and inline tables.
const maxNesting = 200

type scanner struct {
	s      string
	i      int
	line   int
	lines  map[string]int
	arrays map[string]int // number of elements of each array of tables, by path
	table  string         // path of the current table
}

// locate scans text and returns its key positions.
func locate(text string) *locator {
	sc := &scanner{s: text, line: 1, lines: map[string]int{}, arrays: map[string]int{}}
	for {
		sc.skipBlank(true)
		if sc.eof() {
			break
		}
		start := sc.i
		sc.statement()
		if sc.i == start {
			sc.advance()
		}
	}
	return &locator{lines: sc.lines}
}

func (sc *scanner) eof() bool { return sc.i >= len(sc.s) }

func (sc *scanner) peek(k int) byte {
	if sc.i+k < len(sc.s) {
		return sc.s[sc.i+k]
	}
	return 0
}

func (sc *scanner) advance() {
	if sc.i < len(sc.s) {
		if sc.s[sc.i] == '\n' {
			sc.line++
		}
		sc.i++
	}
}

// skipBlank skips spaces, tabs and comments, and newlines if nl is set.
func (sc *scanner) skipBlank(nl bool) {
	for !sc.eof() {
		switch c := sc.s[sc.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			sc.i++
		case c == '\n' && nl:
			sc.advance()
		case c == '#':
			for !sc.eof() && sc.s[sc.i] != '\n' {
				sc.i++
			}
		default:
			return
		}
	}
}

func (sc *scanner) skipLine() {
	for !sc.eof() && sc.s[sc.i] != '\n' {
		sc.advance()
	}
}

func (sc *scanner) record(path string, line int) {
	if _, ok := sc.lines[path]; !ok {
		sc.lines[path] = line
	}
}

// recordKeys records each prefix of the dotted key keys below prefix and
// returns the full path.
func (sc *scanner) recordKeys(prefix string, keys []string, line int) string {
	p := prefix
	for _, k := range keys {
		p = joinKey(p, k)
		sc.record(p, line)
	}
	return p
}

func (sc *scanner) statement() {
	if sc.peek(0) == '[' {
		line := sc.line
		array := sc.peek(1) == '['
		if array {
			sc.i += 2
		} else {
			sc.i++
		}
		keys := sc.keyPath()
		sc.skipLine()
		if len(keys) == 0 {
			return
		}
		if array {
			parent := sc.resolve(keys[:len(keys)-1])
			p := joinKey(parent, keys[len(keys)-1])
			n := sc.arrays[p]
			sc.arrays[p] = n + 1
			sc.record(p, line)
			sc.table = indexKey(p, n)
		} else {
			sc.table = sc.resolve(keys)
		}
		sc.record(sc.table, line)
		return
	}
	line := sc.line
	keys := sc.keyPath()
	if len(keys) == 0 {
		sc.skipLine()
		return
	}
	sc.skipBlank(false)
	if sc.peek(0) != '=' {
		sc.skipLine()
		return
	}
	sc.i++
	path := sc.recordKeys(sc.table, keys, line)
	sc.value(path, 0)
}

// resolve turns a header's dotted key into a path, entering the last
// element of every array of tables on the way.
func (sc *scanner) resolve(keys []string) string {
	p := ""
	for _, k := range keys {
		p = joinKey(p, k)
		if n := sc.arrays[p]; n > 0 {
			p = indexKey(p, n-1)
		}
	}
	return p
}

// keyPath reads a dotted key (bare or quoted parts) and returns its parts.
func (sc *scanner) keyPath() []string {
	var keys []string
	for {
		sc.skipBlank(false)
		if sc.eof() {
			return keys
		}
		switch c := sc.s[sc.i]; c {
		case '"', '\'':
			keys = append(keys, sc.quotedKey(c))
		default:
			start := sc.i
			for !sc.eof() && !strings.ContainsRune(" \t\r\n.=[]{},#\"'", rune(sc.s[sc.i])) {
				sc.i++
			}
			if sc.i == start {
				return keys
			}
			keys = append(keys, sc.s[start:sc.i])
		}
		sc.skipBlank(false)
		if sc.peek(0) != '.' {
			return keys
		}
		sc.i++
	}
}

// quotedKey reads a one-line quoted key.
func (sc *scanner) quotedKey(q byte) string {
	start := sc.i
	sc.i++
	for !sc.eof() && sc.s[sc.i] != q && sc.s[sc.i] != '\n' {
		if q == '"' && sc.s[sc.i] == '\\' {
			sc.i++
		}
		sc.i++
	}
	end := min(sc.i, len(sc.s))
	if !sc.eof() && sc.s[sc.i] == q {
		sc.i++
	}
	raw := sc.s[start:min(sc.i, len(sc.s))]
	if q == '"' {
		if u, err := strconv.Unquote(raw); err == nil {
			return u
		}
	}
	return sc.s[start+1 : end]
}

// value skips one value, recording the elements of arrays and the keys of
// inline tables below path.
func (sc *scanner) value(path string, depth int) {
	sc.skipBlank(false)
	if sc.eof() {
		return
	}
	switch c := sc.s[sc.i]; {
	case c == '"' || c == '\'':
		sc.str(c)
	case c == '{' && depth < maxNesting:
		sc.i++
		for {
			sc.skipBlank(true)
			if sc.eof() {
				return
			}
			switch sc.s[sc.i] {
			case '}':
				sc.i++
				return
			case ',':
				sc.i++
				continue
			}
			start, line := sc.i, sc.line
			keys := sc.keyPath()
			sc.skipBlank(false)
			if len(keys) > 0 && sc.peek(0) == '=' {
				sc.i++
				sc.value(sc.recordKeys(path, keys, line), depth+1)
			}
			if sc.i == start {
				sc.advance()
			}
		}
	case c == '[' && depth < maxNesting:
		sc.i++
		n := 0
		for {
			sc.skipBlank(true)
			if sc.eof() {
				return
			}
			switch sc.s[sc.i] {
			case ']':
				sc.i++
				return
			case ',':
				sc.i++
				n++
				continue
			}
			start := sc.i
			elem := indexKey(path, n)
			sc.record(elem, sc.line)
			sc.value(elem, depth+1)
			if sc.i == start {
				sc.advance()
			}
		}
	default:
		for !sc.eof() && !strings.ContainsRune(",]}\n#", rune(sc.s[sc.i])) {
			sc.i++
		}
	}
}

// str skips a string of any of the four kinds.
func (sc *scanner) str(q byte) {
	if sc.peek(1) == q && sc.peek(2) == q { // multi-line
		sc.i += 3
		for !sc.eof() {
			if sc.s[sc.i] == q && sc.peek(1) == q && sc.peek(2) == q {
				sc.i += 3
				for sc.peek(0) == q { // up to two quotes may close the content
					sc.i++
				}
				return
			}
			if q == '"' && sc.s[sc.i] == '\\' {
				sc.advance()
			}
			sc.advance()
		}
		return
	}
	sc.i++
	for !sc.eof() && sc.s[sc.i] != '\n' {
		c := sc.s[sc.i]
		sc.i++
		if c == q {
			return
		}
		if q == '"' && c == '\\' && !sc.eof() && sc.s[sc.i] != '\n' {
			sc.i++
		}
	}
}
