package registry

import (
	"slices"
	"testing"
)

func TestTable(t *testing.T) {
	var tab Table[*int]
	if _, ok := tab.Lookup("a"); ok {
		t.Fatal("empty table finds a model")
	}
	tab.Register("b", func() *int { v := 2; return &v })
	tab.Register("a", func() *int { v := 1; return &v })
	p, ok := tab.Lookup("a")
	if !ok || *p != 1 {
		t.Fatalf("Lookup(a) = %v, %v", p, ok)
	}
	q, _ := tab.Lookup("a")
	if p == q {
		t.Error("Lookup returns shared parameters; each call must construct fresh defaults")
	}
	if got := tab.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Names = %v, want [a b]", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice does not panic")
		}
	}()
	tab.Register("a", func() *int { return nil })
}
