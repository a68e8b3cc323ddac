package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/analysis"
	"github.com/snnsim/snnsim/scenario"
	"github.com/snnsim/snnsim/spikelog"
)

// recordedSequence decodes the scenario that the log header h recorded
// (its text and --set overrides) and returns it when it has a [sequence];
// nil and no error when it has none.
func recordedSequence(h spikelog.Header) (*scenario.Scenario, error) {
	if h.Text == "" {
		return nil, nil
	}
	text, sets := scenario.SplitRecorded(h.Text)
	sc, err := scenario.DecodeOverrides(h.File, []byte(text), sets)
	if err != nil {
		return nil, fmt.Errorf("the scenario recorded in the log does not decode: %w", err)
	}
	if sc.Sequence == nil {
		return nil, nil
	}
	return sc, nil
}

// seqRecall is the readout of one cue of one assembly of a sequence.
type seqRecall struct {
	Assembly string   `json:"assembly"`
	Index    int      `json:"index"`
	Neurons  int      `json:"neurons"`
	Cued     int      `json:"cued"`
	LearnMs  float64  `json:"learn_ms"`  // centre of the learning window
	RecallMs float64  `json:"recall_ms"` // centre of the recall window
	AgeS     float64  `json:"age_s"`     // from the learning onset to the cue onset
	Later    int      `json:"later"`     // assemblies learned after it, before the cue
	NuAS     *float64 `json:"nu_as_hz"`
	NuANS    *float64 `json:"nu_ans_hz"`
	NuCtrl   *float64 `json:"nu_ctrl_hz"`
	Q        *float64 `json:"q"`
	QErr     *float64 `json:"q_err"`
	MI       *float64 `json:"mi_bits"`
	HL       *float64 `json:"h_learn_bits"`
	m        analysis.LearnRecallMeasures
}

// measureSequence reads out every cue of every assembly of the sequence
// sc in the log at path: the recall measures of Luboeinski & Tetzlaff
// (2021) between the assembly's learning window and its recall window,
// both of width w, with the cue's neurons as the cued part. Cues whose
// recall window ends after until [ms] (the end of a run that was stopped
// early; +Inf for one that ran to its end) are left out.
func measureSequence(path string, h spikelog.Header, sc *scenario.Scenario, w snnsim.Time, until float64) ([]seqRecall, error) {
	clock := h.Clock()
	q := sc.Sequence
	pop, err := recordedPopulation(h, q.Population)
	if err != nil {
		return nil, err
	}
	var out []seqRecall
	for _, a := range sc.SequenceReadout() {
		asm, ok := h.Group(a.Name)
		if !ok {
			return nil, fmt.Errorf("the log has no group %q of the sequence (%s)", a.Name, groupList(h))
		}
		cue, ok := h.Group(a.Cue)
		if !ok {
			return nil, fmt.Errorf("the log has no group %q of the sequence (%s)", a.Cue, groupList(h))
		}
		tl, err := clock.Ticks(a.Learn)
		if err != nil {
			return nil, err
		}
		for _, rc := range a.Recalls {
			if rc+clock.Ms(w)/2 > until {
				continue
			}
			tr, err := clock.Ticks(rc)
			if err != nil {
				return nil, err
			}
			lr := analysis.LearnRecall{Population: pop.Name, Assembly: asm.Neurons, Cue: cue.Neurons, Learn: tl, Recall: tr, Width: w}
			m, _, _, err := lr.Measures(path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.Name, err)
			}
			onset := rc - q.Width
			out = append(out, seqRecall{Assembly: a.Name, Index: a.Index, Neurons: len(asm.Neurons), Cued: len(cue.Neurons),
				LearnMs: a.Learn, RecallMs: rc, AgeS: (onset - (a.Learn - float64(q.Pulses-1)*q.Every)) / 1000,
				Later: sc.LearnedBetween(a, onset), NuAS: num(m.AS.Mean), NuANS: num(m.ANS.Mean), NuCtrl: num(m.Ctrl.Mean),
				Q: num(m.Q), QErr: num(m.QErr), MI: num(m.MI), HL: num(m.HL), m: m})
		}
	}
	return out, nil
}

// printSequence writes the readout of a sequence run as a table or JSON.
func printSequence(stdout io.Writer, path string, sc *scenario.Scenario, w float64, rs []seqRecall, asJSON bool) {
	if asJSON {
		b, _ := json.MarshalIndent(struct {
			Log      string      `json:"log"`
			WidthMs  float64     `json:"width_ms"`
			Recalls  []seqRecall `json:"recalls"`
			Sequence string      `json:"sequence"`
		}{path, w, rs, sc.Sequence.Name}, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return
	}
	q := sc.Sequence
	fmt.Fprintf(stdout, "%s: sequence %s, %d assemblies of %d neurons of %s (overlap %g, %s), windows %s wide\n",
		path, q.Name, q.N, q.Size, q.Population, q.Overlap, q.Layout, fmtMs(w))
	fmt.Fprintf(stdout, "learning window centred on the last learning pulse's onset, recall window on the cue's end\n\n")
	fmt.Fprintf(stdout, "%-8s %6s %12s %12s %10s %6s %9s %9s %9s %8s %8s %8s\n",
		"assembly", "cued", "learn [s]", "recall [s]", "age", "later", "nu_as", "nu_ans", "nu_ctrl", "Q", "Q_err", "MI")
	for _, r := range rs {
		fmt.Fprintf(stdout, "%-8s %6d %12.4f %12.4f %10s %6d %9s %9s %9s %8s %8s %8s\n",
			r.Assembly, r.Cued, r.LearnMs/1000, r.RecallMs/1000, fmtMs(r.AgeS*1000), r.Later,
			f4(r.m.AS.Mean), f4(r.m.ANS.Mean), f4(r.m.Ctrl.Mean), f4(r.m.Q), f4(r.m.QErr), f4(r.m.MI))
	}
}
