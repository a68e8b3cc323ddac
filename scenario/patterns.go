package scenario

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/snnsim/snnsim/source"
)

// patternFiles reads the pattern files of a pattern source (its params
// table pt, decoded into p) into the phases' patterns and gammas, so that
// the compiled network holds the patterns themselves and a run or a resume
// needs no file. A phase that names neither file nor patterns keeps the
// patterns of the phase before it; one that names patterns without gammas
// has none (gamma 1). A file's path is relative to the scenario file.
func (d *decoder) patternFiles(pt *table, p *source.Pattern) {
	var tables []map[string]any
	tables = append(tables, pt.m)
	keys := []string{pt.key}
	switch v := pt.m["phases"].(type) {
	case []map[string]any:
		for i, m := range v {
			tables = append(tables, m)
			keys = append(keys, indexKey(pt.path("phases"), i))
		}
	case []any:
		for i, e := range v {
			m, _ := e.(map[string]any)
			tables = append(tables, m)
			keys = append(keys, indexKey(pt.path("phases"), i))
		}
	}
	phase := func(k int) *source.PatternPhase {
		if k == 0 {
			return &p.PatternPhase
		}
		if k-1 < len(p.Phases) {
			return &p.Phases[k-1]
		}
		return nil
	}
	for k, m := range tables {
		ph := phase(k)
		if ph == nil || m == nil {
			return // the decoder reported the broken table
		}
		if _, ok := m["at"]; k > 0 && !ok {
			d.errorf(joinKey(keys[k], "at"), "required key is missing: a phase starts at a time, after the phase before it")
		}
		_, hasFile := m["file"]
		_, hasPats := m["patterns"]
		_, hasGammas := m["gammas"]
		switch {
		case hasFile && hasPats:
			d.errorf(joinKey(keys[k], "patterns"), "both file and patterns are given: give the patterns in one place")
		case hasFile:
			if hasGammas {
				d.errorf(joinKey(keys[k], "gammas"), "the gammas of a pattern file are in the file: remove this key")
			}
			ph.Patterns, ph.Gammas = d.readPatterns(joinKey(keys[k], "file"), ph.File)
		case hasPats:
			ph.File = ""
			if !hasGammas {
				ph.Gammas = nil
			}
		case k > 0:
			prev := phase(k - 1)
			ph.File, ph.Patterns = prev.File, prev.Patterns
			if !hasGammas {
				ph.Gammas = prev.Gammas
			}
		}
	}
}

// readPatterns reads an Auryn pattern file named at key; errors in the file
// carry its path and line.
func (d *decoder) readPatterns(key, name string) ([][]int, [][]float64) {
	if name == "" {
		d.errorf(key, "empty: name an Auryn pattern file (.pat)")
		return nil, nil
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), name)
	}
	f, err := os.Open(path)
	if err != nil {
		d.errorf(key, "cannot read the pattern file: %v", err)
		return nil, nil
	}
	defer f.Close()
	pats, gammas, err := source.ReadPatterns(f)
	if err != nil {
		var pe *source.PatternFileError
		if errors.As(err, &pe) {
			d.errs = append(d.errs, &ParseError{File: path, Line: pe.Line, Key: key, Err: errors.New(pe.Error())})
		} else {
			d.errs = append(d.errs, &ParseError{File: path, Key: key, Err: err})
		}
		return nil, nil
	}
	return pats, gammas
}

// patternMembers checks that every member of every pattern of a pattern
// source of n members is below n.
func (c *checker) patternMembers(key string, p *source.Pattern, n int) {
	for k, ph := range p.AllPhases() {
		pk := key
		if k > 0 {
			pk = joinKey(key, indexKey("phases", k-1))
		}
		for i, pat := range ph.Patterns {
			for _, m := range pat {
				if m >= n {
					where := "patterns"
					if ph.File != "" {
						where = "file"
					}
					c.errorf(joinKey(pk, where), "pattern %d (from 0) has member %d, but the population has %d members (0..%d)", i, m, n, n-1)
					return
				}
			}
		}
	}
}
