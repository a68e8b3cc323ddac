package consolidation

import (
	"fmt"
	"math"
	"strconv"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
)

// Late phases of luboeinski_tetzlaff_2021 (the key "late"). The calcium
// early phase (c and h, Graupner & Brunel 2012) is the same in all of
// them; they differ in what its changes drive and in what the synapse
// transmits.
const (
	// LateSTC is tagging and capture (Luboeinski & Tetzlaff 2021): the
	// protein and the late weight z, w = h + h0·z.
	LateSTC = "stc"
	// LateNone is the early phase alone, w = h: no protein is made and z
	// stays 0, the same run, bit for bit, as late = "stc" with alpha = 0.
	LateNone = "none"
	// LateMetaplastic is a hidden weight driven by the early phase's
	// changes with the attenuation of Laborieux et al. (2021); see
	// [LT2021Metaplastic].
	LateMetaplastic = "metaplastic"
	// LateImportance is an importance-weighted weight with an anchored
	// relaxation after synaptic intelligence (Zenke, Poole & Ganguli
	// 2017); see [LT2021Importance].
	LateImportance = "importance"
	// LateBennaFusi is a Benna & Fusi (2016) chain fed by the early
	// weight; see [LT2021BennaFusi].
	LateBennaFusi = "benna_fusi"
)

var lateNames = []string{LateSTC, LateNone, LateMetaplastic, LateImportance, LateBennaFusi}

// lateKind numbers the late phases in the order of lateNames.
type lateKind uint8

const (
	lateSTC lateKind = iota
	lateNone
	lateMeta
	lateSI
	lateBF
)

func lateOf(name string) lateKind {
	for k, n := range lateNames {
		if n == name {
			return lateKind(k)
		}
	}
	return lateSTC
}

// variant reports whether the late phase is one of the hidden-weight
// policies (metaplastic, importance, benna_fusi), whose state the model
// keeps besides h, z and c.
func (k lateKind) variant() bool { return k >= lateMeta }

// lateVars lists the per-synapse variables of a model built from p.
func lateVars(p *LT2021Params) []string {
	v := append([]string(nil), lt21Vars...)
	switch lateOf(p.Late) {
	case lateMeta:
		v = append(v, "w_h")
	case lateSI:
		v = append(v, "x", "x_anchor", "omega", "importance")
	case lateBF:
		for k := 1; k <= p.BFVariables; k++ {
			v = append(v, "u"+strconv.Itoa(k))
		}
	}
	return v
}

// lateState is the part of a synapse's state that a late phase keeps,
// carried through evolve: x is the metaplastic hidden weight or the
// importance-weighted weight's deviation (in units of h0), om the path
// integral ω of the importance variant, u the Benna–Fusi chain's
// eigen-coordinates (the synapse's own slice, or a scratch copy when the
// model is only read).
type lateState struct {
	x, om float64
	u     []float64
}

// lateModel is the per-synapse state of the late phases.
type lateModel struct {
	kind lateKind
	x    []float64 // meta: W_h; importance: x (w = h0 (1 + x))
	xa   []float64 // importance: anchor x*
	om   []float64 // importance: ω of the current task
	big  []float64 // importance: Ω
	task float64   // importance: the level "task"
	kSI  float64   // importance: 2c/τ [1/ms]
	ch   *bfChain  // benna_fusi
	bfM  int
	bfK  []float64 // κ_i/time_unit [1/ms]
	bfF  float64   // feed/time_unit [1/ms]
	u    []float64 // benna_fusi: n·m eigen-coordinates
	scr  []float64 // scratch for reads
}

// initLate allocates the state of m's late phase.
func (m *lt21) initLate() error {
	L := &m.late
	L.kind = lateOf(m.p.Late)
	if L.kind != lateSTC {
		// every other late phase makes no protein (alpha = 0): z stays 0
		m.p.Alpha = 0
	}
	switch L.kind {
	case lateMeta:
		L.x = make([]float64, m.n)
	case lateSI:
		L.x, L.xa, L.om, L.big = make([]float64, m.n), make([]float64, m.n), make([]float64, m.n), make([]float64, m.n)
		L.kSI = 2 * m.p.SIC / m.p.SITau
	case lateBF:
		ch, err := newBFChain(m.p.LT2021BennaFusi.chainParams())
		if err != nil {
			return err
		}
		L.ch, L.bfM = ch, ch.m
		L.bfK = make([]float64, ch.m)
		for i, k := range ch.kappa {
			L.bfK[i] = k / m.p.BFTimeUnit
		}
		L.bfF = m.p.BFFeed / m.p.BFTimeUnit
		L.u = make([]float64, m.n*ch.m)
		L.scr = make([]float64, ch.m)
	}
	return nil
}

// lateOfSyn returns synapse s's late state (its own chain slice).
func (m *lt21) lateOfSyn(s int64) lateState {
	L := &m.late
	switch L.kind {
	case lateMeta:
		return lateState{x: L.x[s]}
	case lateSI:
		return lateState{x: L.x[s], om: L.om[s]}
	case lateBF:
		o := int(s) * L.bfM
		return lateState{u: L.u[o : o+L.bfM : o+L.bfM]}
	}
	return lateState{}
}

// lateCopy returns synapse s's late state with the chain copied to
// scratch, for a read that must not change the model.
func (m *lt21) lateCopy(s int64) lateState {
	ls := m.lateOfSyn(s)
	if ls.u != nil {
		copy(m.late.scr, ls.u)
		ls.u = m.late.scr
	}
	return ls
}

// storeLate stores a late state evolved from lateOfSyn(s) (the chain
// already in place).
func (m *lt21) storeLate(s int64, ls lateState) {
	L := &m.late
	switch L.kind {
	case lateMeta:
		L.x[s] = ls.x
	case lateSI:
		L.x[s], L.om[s] = ls.x, ls.om
	}
}

// latePiece advances the late state over one piece of h's path: from ha
// towards the fixed point hs at rate rate [1/ms] (coefficient ra =
// rate·τ_h) for dur ms, ending at the mean hm and, noise included, at hb;
// active says whether calcium drives h there (a threshold is exceeded).
func (m *lt21) latePiece(s int64, ls lateState, ha, hb, hm, hs, rate, ra, dur float64, active bool) lateState {
	h0 := m.p.H0
	switch m.late.kind {
	case lateMeta:
		ls.x = metaPhi(m.p.MetaM, ls.x, (hb-ha)/h0)
	case lateSI:
		ls = m.siPiece(s, ls, ha, hb, hm, hs, rate, ra, dur, active)
	case lateBF:
		m.bfPiece(ls.u, (ha-hs)/h0, (hs-h0)/h0, rate, dur)
	}
	return ls
}

// lateWeight returns the transmitted weight [mV] of a synapse with early
// weight h, late weight z and late state ls.
func (m *lt21) lateWeight(h, z float64, ls lateState) float64 {
	h0 := m.p.H0
	switch m.late.kind {
	case lateMeta, lateSI:
		// the range of the calcium rule's own weight, [0, h_max]: a
		// hidden weight may grow without bound (the metaplastic one
		// ratchets away from 0 on every fluctuation of h), the synapse's
		// efficacy does not, as sign(W_h) in Laborieux et al. (2021)
		return min(h0*math.Max(1+ls.x, 0), math.Max(m.p.HMax, h0))
	case lateBF:
		return math.Max(h+h0*m.bfU1(ls.u), 0)
	}
	return h + h0*z
}

// lateGet returns late variable v (an index past lt21Vars) of state ls.
func (m *lt21) lateGet(s int64, v int, ls lateState) float64 {
	L := &m.late
	k := v - len(lt21Vars)
	switch L.kind {
	case lateMeta:
		return ls.x
	case lateSI:
		return [4]float64{ls.x, L.xa[s], ls.om, L.big[s]}[k]
	case lateBF:
		return m.bfU(ls.u, k)
	}
	panic("consolidation: luboeinski_tetzlaff_2021: no late variable")
}

// lateSet sets late variable v of synapse s (brought to its h time).
func (m *lt21) lateSet(s int64, v int, x float64) error {
	L := &m.late
	k := v - len(lt21Vars)
	name := lateVars(&m.p)[v]
	switch L.kind {
	case lateMeta:
		if err := finiteIn(modelLT2021, name, x, -math.MaxFloat64, math.MaxFloat64); err != nil {
			return err
		}
		L.x[s] = x
	case lateSI:
		lo := -math.MaxFloat64
		if k >= 2 {
			lo = 0
		}
		if err := finiteIn(modelLT2021, name, x, lo, math.MaxFloat64); err != nil {
			return err
		}
		[4][]float64{L.x, L.xa, L.om, L.big}[k][s] = x
	case lateBF:
		return fmt.Errorf("consolidation: %s: variable %s is read-only (the chain moves only by the early weight's feed)", modelLT2021, name)
	}
	return nil
}

// lateGetAt is Get for a late phase with a state of its own.
func (m *lt21) lateGetAt(v int, s snnsim.SynapseID) float64 {
	vars := lateVars(&m.p)
	checkVar(modelLT2021, v, len(vars))
	t := max(m.now, m.tc[s])
	st := m.at(s, t)
	switch v {
	case 0:
		return m.lateWeight(st.h, st.z, st.ls) / m.p.H0
	case 1:
		return st.h
	case 2:
		return st.z
	case 3:
		return m.calcium(s, t)
	case 4:
		return m.lateWeight(st.h, st.z, st.ls)
	}
	return m.lateGet(s, v, st.ls)
}

// lateSetAt is Set for the variables that a late phase with a state of
// its own handles itself (the transmitted weight, read-only, and its own
// variables); done is false for h, z and c, which Set handles as for
// "stc".
func (m *lt21) lateSetAt(t snnsim.Time, v int, s snnsim.SynapseID, x float64) (done bool, err error) {
	vars := lateVars(&m.p)
	checkVar(modelLT2021, v, len(vars))
	switch {
	case v == 0 || v == 4:
		return true, fmt.Errorf("consolidation: %s with late = %q: variable %s is read-only (it follows h and the late phase's state)", modelLT2021, m.p.Late, vars[v])
	case v < len(lt21Vars):
		return false, nil
	}
	m.Advance(t)
	m.advance(s, t)
	if err := m.lateSet(s, v, x); err != nil {
		return true, err
	}
	m.deliver(s)
	return true, nil
}

// Modulators returns ["task"] with late = "importance", else nil.
func (m *lt21) Modulators() []string { return m.p.Modulators() }

// SetLevel sets the level "task" (late = "importance" only): a change of
// its value is a task boundary (see [LT2021Importance]).
func (m *lt21) SetLevel(t snnsim.Time, name string, level float64) error {
	if m.late.kind != lateSI || name != levelTask {
		return fmt.Errorf("consolidation: %s with late = %q reads no level %q", modelLT2021, m.p.Late, name)
	}
	if !isFinite(level) {
		return fmt.Errorf("consolidation: %s: level %q = %g: must be a finite number (a task number)", modelLT2021, levelTask, level)
	}
	m.Advance(t)
	if level == m.late.task {
		return nil
	}
	m.late.task = level
	m.siConsolidate(t)
	return nil
}

// expConv returns ∫_0^d e^{−k(d−s)} e^{−r s} ds = (e^{−rd} − e^{−kd})/(k − r)
// for k, r >= 0, d >= 0, without cancellation when k is near r.
func expConv(k, r, d float64) float64 {
	y := k - r
	switch {
	case y == 0:
		return d * math.Exp(-r*d)
	case y > 0:
		return math.Exp(-r*d) * -math.Expm1(-y*d) / y
	}
	return math.Exp(-k*d) * math.Expm1(y*d) / y
}

// lateIdentKeys returns the keys and values that fix the meaning of a
// late phase's state, for the checkpoint identity.
func (m *lt21) lateIdent() ([]string, []float64) {
	p := &m.p
	keys, vals := []string{"late"}, []float64{float64(m.late.kind)}
	switch m.late.kind {
	case lateMeta:
		keys, vals = append(keys, "meta_m"), append(vals, p.MetaM)
	case lateSI:
		keys = append(keys, "si_c", "si_tau", "si_xi")
		vals = append(vals, p.SIC, p.SITau, p.SIXi)
	case lateBF:
		keys = append(keys, "bf_variables", "bf_ratio", "bf_g12", "bf_time_unit", "bf_feed")
		vals = append(vals, float64(p.BFVariables), p.BFRatio, p.BFG12, p.BFTimeUnit, p.BFFeed)
	}
	return keys, vals
}

// appendLate appends the late phase's per-synapse state.
func (m *lt21) appendLate(b []byte) []byte {
	L := &m.late
	switch L.kind {
	case lateMeta:
		for _, x := range L.x {
			b = checkpoint.PutF64(b, x)
		}
	case lateSI:
		b = checkpoint.PutF64(b, L.task)
		for s := range L.x {
			b = checkpoint.PutF64(b, L.x[s])
			b = checkpoint.PutF64(b, L.xa[s])
			b = checkpoint.PutF64(b, L.om[s])
			b = checkpoint.PutF64(b, L.big[s])
		}
	case lateBF:
		for _, u := range L.u {
			b = checkpoint.PutF64(b, u)
		}
	}
	return b
}

// readLate reads what appendLate wrote into a copy of the late state;
// ok is false when the frame is short (the decoder says so) or a value is
// invalid (err says which).
func (m *lt21) readLate(d *checkpoint.Decoder) (lateModel, bool, error) {
	L := m.late
	bad := func(s int, what string, v float64) error {
		return stateCodec.Corruptf("%s state: synapse %d has %s = %g", modelLT2021, s, what, v)
	}
	switch L.kind {
	case lateMeta:
		if len(d.B) < 8*m.n {
			return L, false, nil
		}
		L.x = make([]float64, m.n)
		for s := range L.x {
			if L.x[s] = d.F64(); !isFinite(L.x[s]) {
				return L, false, bad(s, "w_h", L.x[s])
			}
		}
	case lateSI:
		if len(d.B) < 8+32*m.n {
			return L, false, nil
		}
		if L.task = d.F64(); !isFinite(L.task) {
			return L, false, stateCodec.Corruptf("%s state: level task = %g", modelLT2021, L.task)
		}
		L.x, L.xa, L.om, L.big = make([]float64, m.n), make([]float64, m.n), make([]float64, m.n), make([]float64, m.n)
		for s := range L.x {
			L.x[s], L.xa[s], L.om[s], L.big[s] = d.F64(), d.F64(), d.F64(), d.F64()
			if !isFinite(L.x[s]) || !isFinite(L.xa[s]) || !isFinite(L.om[s]) || !(L.big[s] >= 0 && L.big[s] <= math.MaxFloat64) {
				return L, false, stateCodec.Corruptf("%s state: synapse %d has x = %g, x_anchor = %g, omega = %g, importance = %g", modelLT2021, s, L.x[s], L.xa[s], L.om[s], L.big[s])
			}
		}
	case lateBF:
		if len(d.B) < 8*len(L.u) {
			return L, false, nil
		}
		L.u = make([]float64, len(L.u))
		for k := range L.u {
			if L.u[k] = d.F64(); !isFinite(L.u[k]) {
				return L, false, bad(k/L.bfM, "chain mode "+strconv.Itoa(k%L.bfM+1), L.u[k])
			}
		}
	}
	return L, true, nil
}
