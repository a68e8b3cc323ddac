package consolidation

import (
	"testing"

	"github.com/snnsim/snnsim/internal/paramtest"
)

// TestRegistry walks the model table: every model validates its defaults
// and refuses a wrong value of each parameter with a ParamError naming
// the key.
func TestRegistry(t *testing.T) {
	paramtest.Registry(t, paramtest.Table[Params]{Pkg: "consolidation", Names: Models(), Lookup: Lookup, Model: Params.Model})
}
