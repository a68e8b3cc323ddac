package consolidation

// ruleBuf is the rule buffer of a [RuleDriven] model and the loop that
// turns a rule's edits of it into signals. The rule weight of synapse s is
// either the model's own variable, state[s] (trivial, zenke_2015,
// ziegler_2015: the rule and the model share one weight), or fixed,
// Unit[s]·c (event models, which read only the sign or the size of a
// change); in both cases the buffer holds it rounded to float32, as the
// engine's float32 rules compute.
//
// Taking the changes is two passes: the first collects every synapse's
// difference and restores the buffer, the second (the model's) signals
// them. The rule weights are thus all read before any signal changes the
// model, as the rule saw them.
type ruleBuf struct {
	w    []float32 // nil until RuleWeights is first called
	unit []float32 // fixed rule weights Unit[s]·c; nil with c = 0 for a rule weight of 0
	c    float64
	ch   []ruleChange // scratch of changes
}

// ruleChange is one synapse's change dw.
type ruleChange struct {
	s  int64
	dw float64
}

// at returns the rule weight of synapse s, rounded to float32; state is
// the model's variable, or nil for a fixed rule weight.
func (b *ruleBuf) at(s int64, state []float64) float32 {
	if state != nil {
		return float32(state[s])
	}
	if b.unit != nil {
		return float32(float64(b.unit[s]) * b.c)
	}
	return 0
}

// weights returns the buffer, allocating and filling it on the first call.
func (b *ruleBuf) weights(n int, state []float64) []float32 {
	if b.w == nil {
		b.w = make([]float32, n)
		b.fill(state)
	}
	return b.w
}

// fill sets every entry to its rule weight (after a restore).
func (b *ruleBuf) fill(state []float64) {
	for s := range b.w {
		b.w[s] = b.at(int64(s), state)
	}
}

// set records a new value of the model's variable of synapse s.
func (b *ruleBuf) set(s int64, x float64) {
	if b.w != nil {
		b.w[s] = float32(x)
	}
}

// changes returns the changes of synapses off+syn[k].
func (b *ruleBuf) changes(off int64, syn []int32, state []float64) []ruleChange {
	b.ch = b.ch[:0]
	switch {
	case state != nil:
		for _, k := range syn {
			s := off + int64(k)
			b.take(s, &b.w[s], float32(state[s]))
		}
	case b.unit != nil:
		for _, k := range syn {
			s := off + int64(k)
			b.take(s, &b.w[s], float32(float64(b.unit[s])*b.c))
		}
	default:
		for _, k := range syn {
			s := off + int64(k)
			b.take(s, &b.w[s], 0)
		}
	}
	return b.ch
}

// take records the change of synapse s, whose entry is *w and rule weight
// r, if any, and restores the entry.
func (b *ruleBuf) take(s int64, w *float32, r float32) {
	if dw := float64(*w) - float64(r); dw != 0 {
		b.ch = append(b.ch, ruleChange{s, dw})
	}
	*w = r
}
