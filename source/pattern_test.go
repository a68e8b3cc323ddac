package source

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/snnsim/snnsim"
	"github.com/snnsim/snnsim/checkpoint"
	"github.com/snnsim/snnsim/checkpoint/checkpointtest"
)

// span returns the members lo..hi-1.
func span(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// patternCase is a two-phase source for the state and chunking tests: three
// overlapping patterns presented at random, then at 2 s one weighted
// pattern with gammas and a shorter schedule.
func patternCase() Pattern {
	p := DefaultPattern()
	p.Background, p.Rate = 20, 200
	p.Patterns = [][]int{span(0, 10), span(5, 25), span(40, 60)}
	p.First, p.On, p.Off = 50, 100, 200
	p.Phases = []PatternPhase{{
		At: 2000, Background: 10, Rate: 300, Patterns: [][]int{{1, 3, 5}}, Gammas: [][]float64{{1, 0.5, 2}},
		First: 30, On: 50, Off: 100, RandomIntervals: true,
	}}
	return p
}

// drive runs s as the engine does up to tick until and returns its spikes
// and its switches.
func drive(t testing.TB, s Source, until snnsim.Time) ([]firing, []Switch) {
	t.Helper()
	var sw []Switch
	var out []firing
	var buf []int32
	for next := s.Next(); next < until; next = s.Next() {
		buf = s.Fire(next, buf[:0])
		sw = s.(Switcher).TakeSwitches(sw)
		if len(buf) > 0 {
			checkMembers(t, next, buf, s.Len())
			out = append(out, firing{next, slices.Clone(buf)})
		}
	}
	return out, sw
}

// TestPatternRates counts spikes against the grid Poisson law of each
// member's rate (background, or background + rate·gamma while its pattern
// is on): the count over m member-ticks of probability p is Binomial(m, p);
// each count must lie within 5 standard errors. The schedule is regular
// (random_intervals = false), so the switches must fall on exact ticks.
func TestPatternRates(t *testing.T) {
	const n, seconds = 300, 40
	for _, binary := range []bool{true, false} {
		t.Run(fmt.Sprintf("model=pattern/binary=%t", binary), func(t *testing.T) {
			p := DefaultPattern()
			p.Background, p.Rate, p.Binary = 5, 25, binary
			p.Patterns = [][]int{span(0, 100)}
			g := make([]float64, 100)
			for i := range g {
				g[i] = 0.5
				if i >= 50 {
					g[i] = 2
				}
			}
			p.Gammas = [][]float64{g}
			p.First, p.On, p.Off, p.RandomIntervals = 0, 500, 500, false
			s := mustNew(t, p, n, dt01, seeded(11))
			until := snnsim.Time(seconds * dt01.TicksPerSecond())
			fired, sw := drive(t, s, until)
			for k, x := range sw {
				want := snnsim.Time(k) * 5000
				if k == 0 {
					if x.Pattern != -1 || x.T != 0 {
						t.Fatalf("first switch %+v, want the start of phase 0 at tick 0", x)
					}
					continue
				}
				want = snnsim.Time(k-1) * 5000
				if x.T != want || x.On != (k%2 == 1) || x.Pattern != 0 {
					t.Fatalf("switch %d = %+v, want pattern 0 on=%t at tick %d", k, x, k%2 == 1, want)
				}
			}
			// Pattern on in [0, 0.5 s), [1, 1.5 s), ...
			on := func(tick snnsim.Time) bool { return tick%10000 < 5000 }
			var cnt [4]int // non-member, member off, low-gamma member on, high-gamma member on
			for _, f := range fired {
				for _, m := range f.members {
					switch {
					case m >= 100:
						cnt[0]++
					case !on(f.t):
						cnt[1]++
					case m < 50:
						cnt[2]++
					default:
						cnt[3]++
					}
				}
			}
			half := float64(until) / 2
			gl, gh := 0.5, 2.0
			if binary {
				gl, gh = 1, 1
			}
			check5 := func(what string, count int, trials, hz float64) {
				t.Helper()
				p := gridP(hz, dt01.DT)
				mean, se := trials*p, math.Sqrt(trials*p*(1-p))
				if math.Abs(float64(count)-mean) > 5*se {
					t.Errorf("%s: %d spikes, want %.0f ± 5·%.0f", what, count, mean, se)
				}
				t.Logf("%s: %d spikes (expected %.0f, s.e. %.0f)", what, count, mean, se)
			}
			check5("non-members", cnt[0], 200*float64(until), 5)
			check5("members, pattern off", cnt[1], 100*half, 5)
			check5("members (gamma 0.5), pattern on", cnt[2], 50*half, 5+25*gl)
			check5("members (gamma 2), pattern on", cnt[3], 50*half, 5+25*gh)
		})
	}
}

// TestPatternSchedule checks the random schedule against its definition
// (Auryn's StimulusGroup): the first onset at first, presentation lengths
// Normal(on, on/3), pauses Exponential(mean off), and pattern choices with
// the given probabilities. 20 000 presentations; means, standard
// deviations and choice counts must lie within 5 standard errors.
func TestPatternSchedule(t *testing.T) {
	p := DefaultPattern()
	p.Background, p.Rate = 0, 0 // only the schedule
	p.Patterns = [][]int{{0}, {0}, {0}}
	p.Probabilities = []float64{1, 2, 5}
	p.First, p.On, p.Off = 10e3, 200, 1000
	s := mustNew(t, p, 1, dt01, seeded(5))
	const presentations = 20000
	var sw []Switch
	var buf []int32
	for len(sw) < 2*presentations+1 {
		next := s.Next()
		if next == snnsim.Never {
			t.Fatal("the schedule stopped")
		}
		buf = s.Fire(next, buf[:0])
		if len(buf) > 0 {
			t.Fatalf("silent source fired at %d", next)
		}
		sw = s.(Switcher).TakeSwitches(sw)
	}
	if sw[0] != (Switch{T: 0, Phase: 0, Pattern: -1}) || sw[1].T != 100000 || !sw[1].On {
		t.Fatalf("start %+v %+v, want phase 0 at tick 0 and the first onset at tick 100000 (10 s)", sw[0], sw[1])
	}
	var onL, offL []float64
	var chosen [3]int
	for k := 1; k+1 < len(sw); k++ {
		a, b := sw[k], sw[k+1]
		if a.On == b.On || a.Pattern < 0 || b.Pattern < 0 {
			t.Fatalf("switches %d, %d = %+v, %+v: on and off must alternate", k, k+1, a, b)
		}
		if a.On {
			if b.Pattern != a.Pattern {
				t.Fatalf("pattern %d went on, pattern %d off", a.Pattern, b.Pattern)
			}
			chosen[a.Pattern]++
			onL = append(onL, float64(b.T-a.T))
		} else {
			offL = append(offL, float64(b.T-a.T))
		}
	}
	meanSD := func(x []float64) (float64, float64) {
		var s, q float64
		for _, v := range x {
			s += v
		}
		m := s / float64(len(x))
		for _, v := range x {
			q += (v - m) * (v - m)
		}
		return m, math.Sqrt(q / float64(len(x)))
	}
	within := func(what string, got, want, se float64) {
		t.Helper()
		if math.Abs(got-want) > 5*se {
			t.Errorf("%s = %.2f, want %.2f ± 5·%.2f", what, got, want, se)
		}
		t.Logf("%s = %.2f (want %.2f, s.e. %.2f)", what, got, want, se)
	}
	// Lengths in ticks: on 2000 ± 666.7, off exponential with mean 10000.
	m, sd := meanSD(onL)
	nOn := float64(len(onL))
	within("mean presentation [ticks]", m, 2000, 2000.0/3/math.Sqrt(nOn))
	within("s.d. of presentations [ticks]", sd, 2000.0/3, 2000.0/3/math.Sqrt(2*nOn))
	m, sd = meanSD(offL)
	nOff := float64(len(offL))
	within("mean pause [ticks]", m, 10000, 10000/math.Sqrt(nOff))
	// An exponential's fourth central moment is 9μ⁴, so Var(s²) ≈ 8μ⁴/n
	// and the s.e. of s is μ·sqrt(2/n).
	within("s.d. of pauses [ticks]", sd, 10000, 10000*math.Sqrt(2/nOff))
	for i, q := range []float64{1.0 / 8, 2.0 / 8, 5.0 / 8} {
		within(fmt.Sprintf("presentations of pattern %d", i), float64(chosen[i]), nOn*q, math.Sqrt(nOn*q*(1-q)))
	}
}

// TestPatternDeterminism: the same seed gives the same spikes and
// switches; the schedule does not depend on the rates (it has its own
// stream); another seed gives another schedule.
func TestPatternDeterminism(t *testing.T) {
	const until = 200000
	p := patternCase()
	f1, s1 := drive(t, mustNew(t, p, 60, dt01, seeded(3)), until)
	f2, s2 := drive(t, mustNew(t, p, 60, dt01, seeded(3)), until)
	if !equalFirings(f1, f2) || !slices.Equal(s1, s2) {
		t.Fatal("same seed, different spikes or switches")
	}
	q := patternCase()
	q.Background, q.Rate = 1, 50
	q.Phases[0].Background = 70
	_, s3 := drive(t, mustNew(t, q, 60, dt01, seeded(3)), until)
	if !slices.Equal(s1, s3) {
		t.Errorf("the schedule changed with the rates:\n%v\n%v", s1, s3)
	}
	_, s4 := drive(t, mustNew(t, p, 60, dt01, seeded(4)), until)
	if slices.Equal(s1, s4) {
		t.Error("seeds 3 and 4 gave the same schedule")
	}
	if len(s1) < 20 {
		t.Errorf("only %d switches in 20 s", len(s1))
	}
}

// TestPatternPhases: at a phase's start the pattern on is switched off,
// the phase is announced, and its first onset comes first later; patterns
// are then drawn from the new phase's list.
func TestPatternPhases(t *testing.T) {
	p := patternCase()
	p.On, p.Off = 400, 1 // almost always on at 2 s
	_, sw := drive(t, mustNew(t, p, 60, dt01, seeded(9)), 60000)
	at := -1
	for k, x := range sw {
		if x.Pattern == -1 && x.Phase == 1 {
			at = k
		}
	}
	if at < 0 {
		t.Fatalf("no start of phase 1 in %v", sw)
	}
	if x := sw[at]; x.T != 20000 {
		t.Fatalf("phase 1 starts at tick %d, want 20000", x.T)
	}
	if prev := sw[at-1]; prev.On || prev.T != 20000 || prev.Phase != 0 {
		t.Errorf("before the phase start: %+v, want phase 0's pattern going off at tick 20000", prev)
	}
	if next := sw[at+1]; !next.On || next.T != 20300 || next.Phase != 1 || next.Pattern != 0 {
		t.Errorf("after the phase start: %+v, want pattern 0 of phase 1 on at tick 20300", next)
	}
	for _, x := range sw[at+1:] {
		if x.Phase != 1 || x.Pattern != 0 {
			t.Fatalf("switch %+v in phase 1, which has one pattern", x)
		}
	}
}

// TestPatternStepEveryTick: calling Fire at every tick gives the spikes of
// calling it only at Next.
func TestPatternStepEveryTick(t *testing.T) {
	const until = 40000
	a := jump(t, mustNew(t, patternCase(), 60, dt01, seeded(2)), until)
	b := stepEvery(t, mustNew(t, patternCase(), 60, dt01, seeded(2)), until)
	if len(a) == 0 || !equalFirings(a, b) {
		t.Errorf("jumping and stepping differ: %d and %d firings", len(a), len(b))
	}
}

// TestPatternValidate refuses each kind of bad phase with the key named.
func TestPatternValidate(t *testing.T) {
	cases := []struct {
		name, key string
		mod       func(*Pattern)
	}{
		{"negative_rate", "rate", func(p *Pattern) { p.Rate = -1 }},
		{"phase_order", "phases[1].at", func(p *Pattern) { p.Phases = append(p.Phases, PatternPhase{At: 1000}) }},
		{"repeated_member", "patterns[1][3]", func(p *Pattern) { p.Patterns[1][3] = p.Patterns[1][0] }},
		{"gamma_shape", "gammas[0]", func(p *Pattern) { p.Phases[0].Gammas = nil; p.Gammas = [][]float64{{1}, {1}, {1}} }},
		{"probabilities_count", "phases[0].probabilities", func(p *Pattern) { p.Phases[0].Probabilities = []float64{1, 2} }},
		{"probabilities_zero", "probabilities", func(p *Pattern) { p.Probabilities = []float64{0, 0, 0} }},
		{"no_lengths", "on", func(p *Pattern) { p.On, p.Off = 0, 0 }},
		{"negative_member", "phases[0].patterns[0][1]", func(p *Pattern) { p.Phases[0].Patterns = [][]int{{0, -2}} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := patternCase()
			c.mod(&p)
			err := p.Validate()
			var pe *snnsim.ParamError
			if !errors.As(err, &pe) || pe.Key != c.key {
				t.Fatalf("Validate() = %v, want a ParamError on %s", err, c.key)
			}
		})
	}
	p := patternCase()
	p.Patterns[0][0] = 60
	if _, err := p.New(60, dt01, seeded(1)); err == nil || !strings.Contains(err.Error(), "patterns[0][0]") {
		t.Errorf("member 60 of 60: New = %v, want an error on patterns[0][0]", err)
	}
}

// TestReadPatterns reads a file in the spellings of Auryn's pattern files:
// comment lines naming the shape, gammas on some lines, several blank
// lines between patterns, CRLF line ends and no newline at the end.
func TestReadPatterns(t *testing.T) {
	text := "# circle\n12 1\n13 0.0039\n\n\n# square\r\n7\r\n3 0.5\r\n  \n# cross\n100"
	pats, gammas, err := ReadPatterns(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	wantP := [][]int{{12, 13}, {7, 3}, {100}}
	wantG := [][]float64{{1, 0.0039}, {1, 0.5}, {1}}
	if !slices.EqualFunc(pats, wantP, slices.Equal) || !slices.EqualFunc(gammas, wantG, slices.Equal) {
		t.Errorf("got %v %v, want %v %v", pats, gammas, wantP, wantG)
	}
	var b bytes.Buffer
	if err := WritePatterns(&b, pats, gammas); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "12 1\n13 0.0039\n\n7 1\n3 0.5\n\n100 1\n"; got != want {
		t.Errorf("WritePatterns = %q, want %q", got, want)
	}
}

// TestReadPatternsErrors: each defect is reported at its line and column.
func TestReadPatternsErrors(t *testing.T) {
	cases := []struct {
		name, text string
		line, col  int
		substr     string
	}{
		{"letter", "1\n2\nx3\n", 3, 1, "not a member index"},
		{"negative", "1\n\n -4\n", 3, 2, "not a member index"},
		{"gamma", "1 0.5\n2 abc\n", 2, 3, "not a gamma"},
		{"negative_gamma", "1 -1\n", 1, 3, "not a gamma"},
		{"nan_gamma", "1 NaN\n", 1, 3, "not a gamma"},
		{"extra_field", "1 1 1\n", 1, 5, "nothing more"},
		{"repeat", "5\n6\n5\n", 3, 1, "already in this pattern (line 1)"},
		{"overflow", "99999999999\n", 1, 1, "not a member index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadPatterns(strings.NewReader(c.text))
			var pe *PatternFileError
			if !errors.As(err, &pe) || pe.Line != c.line || pe.Column != c.col || !strings.Contains(pe.Msg, c.substr) {
				t.Fatalf("err = %v, want line %d, column %d: ...%s...", err, c.line, c.col, c.substr)
			}
		})
	}
	// A repeat in another pattern is fine.
	if _, _, err := ReadPatterns(strings.NewReader("5\n\n5\n")); err != nil {
		t.Errorf("the same member in two patterns: %v", err)
	}
}

// FuzzReadPatterns: ReadPatterns never panics, and what it accepts it
// writes back and reads again unchanged.
func FuzzReadPatterns(f *testing.F) {
	for _, s := range []string{"# a\n1\n2 0.5\n\n3\n", "1\r\n\r\n2\r\n", "", "\n\n#\n", "1 1 1", "7 1e300\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		pats, gammas, err := ReadPatterns(strings.NewReader(text))
		if err != nil {
			var pe *PatternFileError
			if errors.As(err, &pe) && pe.Line < 1 {
				t.Fatalf("error at line %d: %v", pe.Line, err)
			}
			return
		}
		var b bytes.Buffer
		if err := WritePatterns(&b, pats, gammas); err != nil {
			t.Fatal(err)
		}
		p2, g2, err := ReadPatterns(&b)
		if err != nil {
			t.Fatalf("reading back %q: %v", b.String(), err)
		}
		if !slices.EqualFunc(pats, p2, slices.Equal) || !slices.EqualFunc(gammas, g2, slices.Equal) {
			t.Fatalf("round trip changed %v %v into %v %v", pats, gammas, p2, g2)
		}
	})
}

// TestPatternStateInvalid restores states with a valid frame but contents
// that no source could have written: each is refused as corrupt.
func TestPatternStateInvalid(t *testing.T) {
	s := mustNew(t, patternCase(), 60, dt01, seeded(3)).(*patternSource)
	drive(t, s, 5000)
	payload := func(mod func(*patternSource)) []byte {
		c := *s
		c.pend = slices.Clone(s.pend)
		mod(&c)
		return c.AppendState(nil)
	}
	cases := []struct {
		name  string
		state []byte
	}{
		{"phase_range", payload(func(c *patternSource) { c.phase = 2 })},
		{"pattern_range", payload(func(c *patternSource) { c.active = 3 })},
		{"before_first_phase", payload(func(c *patternSource) { c.phase, c.active = -1, -1 })},
		{"next_after_phase", payload(func(c *patternSource) { c.next = 30000 })},
		{"negative_pending", payload(func(c *patternSource) { c.pend[4] = -3 })},
	}
	for _, c := range cases {
		t.Run("model=pattern/case="+c.name, func(t *testing.T) {
			r := mustNew(t, patternCase(), 60, dt01, seeded(3)).(checkpoint.Stater)
			checkpointtest.Refuse(t, r, c.state, checkpoint.ErrCorrupt)
		})
	}
}
