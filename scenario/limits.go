package scenario

import (
	"math"
	"reflect"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/source"
)

// sourceLimits checks the values of a source population that the engine
// could only honour by dropping spikes silently: a rate above one spike per
// tick (a source emits at most one spike per member and tick) and an
// explicit spike time at or after the end of the run (a run simulates the
// ticks of [0, duration)).
func (c *checker) sourceLimits(key string, p *PopulationSpec) {
	if p.Source == nil || !c.tickOK {
		return
	}
	maxHz := 1000 / c.s.Resolution
	rv := reflect.Indirect(reflect.ValueOf(p.Source))
	if rv.Kind() == reflect.Struct {
		rt := rv.Type()
		for i := range rt.NumField() {
			f := rt.Field(i)
			name, _, _ := cutTag(f.Tag.Get("toml"))
			if f.Tag.Get("unit") != "Hz" || name == "" {
				continue
			}
			fkey := key + ".params." + name
			check := func(k string, hz float64) {
				if hz > maxHz {
					c.errorf(k, "%g Hz: above one spike per tick (%g Hz at resolution %g ms), the most a source can fire", hz, maxHz, c.s.Resolution)
				}
			}
			switch fv := rv.Field(i); fv.Kind() {
			case reflect.Float64:
				check(fkey, fv.Float())
			case reflect.Slice:
				for j := range fv.Len() {
					if e := fv.Index(j); e.Kind() == reflect.Float64 {
						check(indexKey(fkey, j), e.Float())
					}
				}
			}
		}
	}
	if pp, ok := p.Source.(*source.Pattern); ok {
		// A member of the pattern on fires at background + rate·gamma.
		for k, ph := range pp.AllPhases() {
			pk := key + ".params"
			if k > 0 {
				pk = joinKey(pk, indexKey("phases", k-1))
			}
			g := 1.0
			if !ph.Binary {
				for _, gs := range ph.Gammas {
					for _, x := range gs {
						g = max(g, x)
					}
				}
			}
			if hz := ph.Background + ph.Rate*g; hz > maxHz {
				c.errorf(joinKey(pk, "rate"), "background + rate·gamma = %g Hz: above one spike per tick (%g Hz at resolution %g ms), the most a source can fire", hz, maxHz, c.s.Resolution)
			}
		}
	}
	st, ok := p.Source.(*source.SpikeTimes)
	if !ok || !(c.s.Duration > 0) || math.IsInf(c.s.Duration, 0) {
		return
	}
	end, err := c.clock.Ticks(c.s.Duration)
	if err != nil {
		return
	}
	for j, ms := range st.Times {
		if t := snnsim.Time(math.Round(ms / c.s.Resolution)); t >= end {
			c.errorf(indexKey(key+".params.times", j), "%g ms is at or after the end of the run (%g ms): a run simulates [0, duration), so this spike would never be fired; remove it or lengthen the run",
				ms, c.s.Duration)
		}
	}
}

// cutTag splits a struct tag value at its first comma.
func cutTag(tag string) (name, rest string, found bool) {
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}
