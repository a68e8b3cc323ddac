package scenario

import "github.com/snnsim/snnsim"

// GuardSpec is a [[guard]] table:
//
//	[[guard]]
//	population = "E"
//	max_rate   = "60 Hz"
//	window     = "1 s"     # optional, default 1 s
type GuardSpec struct {
	Population string
	MaxRate    float64 // [Hz]
	Window     float64 // [ms]
}

func (d *decoder) guard(t *table) *GuardSpec {
	g := &GuardSpec{Window: 1000}
	g.Population, _ = t.str("population", true)
	g.MaxRate, _ = t.quantity("max_rate", snnsim.Frequency, true)
	if t.has("window") {
		g.Window, _ = t.quantity("window", snnsim.TimeDim, false)
	}
	t.done()
	return g
}

func (c *checker) guard(i int, g *GuardSpec) {
	key := indexKey("guard", i)
	if g == nil {
		return
	}
	if g.Population != "" {
		c.ref(key+".population", g.Population)
	}
	if !(g.MaxRate > 0) {
		c.errorf(key+".max_rate", "%g Hz: must be > 0", g.MaxRate)
	}
	if !(g.Window > 0) {
		c.errorf(key+".window", "%g ms: must be > 0", g.Window)
	} else if c.grid(key+".window", g.Window) {
		if n, _ := c.clock.Ticks(g.Window); n < 1 {
			c.errorf(key+".window", "%g ms: must be at least one tick", g.Window)
		}
	}
}
