package scenario

import "github.com/snnsim/snnsim/stdp"

// stp decodes a projection's stp table, the short-term plasticity of its
// source neurons (stdp.STP): U, tau_d and tau_f are required, x0 defaults
// to 1 and u0 to U. It returns nil after an error.
func (d *decoder) stp(t *table) *stdp.STP {
	before := len(d.errs)
	for _, k := range stdp.STPRequired {
		t.get(k, true)
	}
	p := &stdp.STP{X0: 1}
	d.params(t, p, "stp")
	if !t.has("u0") {
		p.U0 = p.U
	}
	if len(d.errs) != before {
		return nil
	}
	if err := p.Validate(); err != nil {
		d.add(paramAt(t.key, t.m, err))
		return nil
	}
	return p
}
