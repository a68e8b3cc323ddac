package scenario

import (
	"errors"
	"strings"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/stdp"
)

// plasticity decodes a projection's plasticity table:
//
//	plasticity = { rule = "triplet", preset = "visual_cortex_all_to_all_minimal", w_max = 1.0, start = "2 s" }
//
// rule names a stdp rule; preset (optional) loads a published parameter
// set; the rule's parameters then override it; start (optional) is the time
// from which weights change (before it the traces run but weights stay).
func (d *decoder) plasticity(t *table) (stdp.Params, float64) {
	name, ok := t.str("rule", true)
	start := 0.0
	if t.has("start") {
		start, _ = t.quantity("start", snnsim.TimeDim, false)
	}
	if !ok {
		t.ignore()
		return nil, start
	}
	p, found := stdp.Lookup(name)
	if !found {
		d.errorf(t.path("rule"), "unknown plasticity rule %q%s (known: %s)", name, didYouMean(name, stdp.Rules()), strings.Join(stdp.Rules(), ", "))
		t.ignore()
		return nil, start
	}
	if preset, ok := t.str("preset", false); ok {
		if err := p.ApplyPreset(preset); err != nil {
			if errors.Is(err, stdp.ErrUnknownPreset) {
				d.errorf(t.path("preset"), "unknown preset %q for rule %s%s (known: %s)", preset, name,
					didYouMean(preset, stdp.Presets(name)), strings.Join(stdp.Presets(name), ", "))
			} else {
				d.add(t.path("preset"), err)
			}
		}
	}
	before := len(d.errs)
	d.params(t, p, name)
	if len(d.errs) == before {
		if err := p.Validate(); err != nil {
			d.add(paramAt(t.key, t.m, err))
		}
	}
	return p, start
}
