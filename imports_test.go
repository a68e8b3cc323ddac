package snnsim_test

import (
	"bufio"
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// docGraph reads the two tables of the root package's documentation
// (section Packages): the layer of each package and the packages each one
// imports, both by path inside the module ("snnsim" for the root).
func docGraph(t *testing.T) (layer map[string]int, imports map[string][]string) {
	t.Helper()
	f, err := os.Open("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	layer = map[string]int{}
	imports = map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//\t")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "layer "); ok {
			fields := strings.Fields(rest)
			n, err := strconv.Atoi(fields[0])
			if err != nil {
				t.Fatalf("doc.go: %q: the layer is not a number", line)
			}
			for _, p := range fields[1:] {
				if _, dup := layer[p]; dup {
					t.Errorf("doc.go: %s is in two layers", p)
				}
				layer[p] = n
			}
		} else if from, to, ok := strings.Cut(line, "->"); ok {
			p := strings.TrimSpace(from)
			if _, dup := imports[p]; dup {
				t.Errorf("doc.go: %s has two import lines", p)
			}
			imports[p] = strings.Fields(to)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(layer) == 0 || len(imports) == 0 {
		t.Fatal("doc.go: no layer table or no import table in the section Packages")
	}
	return layer, imports
}

// codeGraph returns the packages of the module and, for each, the module's
// packages that its non-test files import, found by go/build as go list
// finds them.
func codeGraph(t *testing.T) map[string][]string {
	t.Helper()
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(mod), "\n")
	module, ok := strings.CutPrefix(strings.TrimSpace(line), "module ")
	if !ok {
		t.Fatalf("go.mod: the first line is %q, not the module path", line)
	}
	short := func(path string) (string, bool) {
		if path == module {
			return "snnsim", true
		}
		rest, ok := strings.CutPrefix(path, module+"/")
		return rest, ok
	}
	graph := map[string][]string{}
	err = filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if dir != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		path := "snnsim"
		if dir != "." {
			path = filepath.ToSlash(dir)
		}
		graph[path] = []string{}
		for _, imp := range pkg.Imports {
			if p, ok := short(imp); ok {
				graph[path] = append(graph[path], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

// TestImportGraph checks that the package graph of the root documentation
// is the code's, and that no package imports one of its own layer or of a
// layer above: the models stay free of networks, the network of scenario
// files, the engine of scenario files and the command line.
func TestImportGraph(t *testing.T) {
	layer, documented := docGraph(t)
	code := codeGraph(t)
	for _, p := range slices.Sorted(maps.Keys(code)) {
		got := slices.Sorted(slices.Values(code[p]))
		want, ok := documented[p]
		switch {
		case !ok:
			t.Errorf("package %s is not in the import table of doc.go; add: %s -> %s", p, p, strings.Join(got, " "))
		case !slices.Equal(got, slices.Sorted(slices.Values(want))):
			t.Errorf("doc.go says %s -> %s, the code: %s -> %s", p, strings.Join(want, " "), p, strings.Join(got, " "))
		}
		lp, ok := layer[p]
		if !ok {
			t.Errorf("package %s is in no layer of doc.go", p)
			continue
		}
		for _, q := range got {
			if lq, ok := layer[q]; ok && lq >= lp {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package may import only lower layers", p, lp, q, lq)
			}
		}
	}
	for p := range documented {
		if _, ok := code[p]; !ok {
			t.Errorf("doc.go lists the imports of %s, which is not a package of the module", p)
		}
	}
	for p := range layer {
		if _, ok := code[p]; !ok {
			t.Errorf("doc.go puts %s in a layer, but it is not a package of the module", p)
		}
	}
}
