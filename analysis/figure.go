package analysis

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// NamedPlot is a figure and a short name for its file ("raster", "rate",
// "capture_N", ...): one plot, or panels stacked on a shared time axis
// (Plot above, Lower below it, then More). Legends are drawn to the right
// of the axes, never over the data.
type NamedPlot struct {
	Name  string
	Plot  *plot.Plot
	Lower *plot.Plot   // optional second panel, sharing Plot's x axis
	More  []*plot.Plot // optional further panels below Lower, sharing the x axis
	// Data holds the numbers drawn, by curve name, in the axes' units, so
	// that programs and tests can check a figure against its source.
	Data map[string]plotter.XYs
}

// Formats are the file formats a figure can be written in.
var Formats = []string{"png", "svg", "pdf"}

// Render writes the figure in format ("png", "svg" or "pdf") at the given
// size; dpi applies to PNG (vector formats are resolution-free).
func (p NamedPlot) Render(w io.Writer, format string, width, height vg.Length, dpi float64) error {
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		if !(dpi > 0) {
			return fmt.Errorf("dpi %g: must be > 0", dpi)
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(int(math.Round(dpi))))}
	case "svg":
		c = vgsvg.New(width, height)
	case "pdf":
		c = vgpdf.New(width, height)
	default:
		return fmt.Errorf("format %q: the formats are %s", format, strings.Join(Formats, ", "))
	}
	p.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// Save writes the figure to file, in the format its extension names.
func (p NamedPlot) Save(file string, width, height vg.Length, dpi float64) error {
	var buf bytes.Buffer
	if err := p.Render(&buf, strings.TrimPrefix(filepath.Ext(file), "."), width, height, dpi); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return os.WriteFile(file, buf.Bytes(), 0o644)
}

// Draw draws the figure on c: the panels stacked (two: the lower one 40 %
// of the height; more: equal heights), each with its legend in a column to
// the right of its axes.
func (p NamedPlot) Draw(c draw.Canvas) {
	panels := []*plot.Plot{p.Plot}
	if p.Lower != nil {
		panels = append(panels, p.Lower)
	}
	panels = append(panels, p.More...)
	// One legend column for all panels, as wide as the widest legend, so
	// that the panels' x axes line up.
	var legW vg.Length
	for _, pl := range panels {
		if w := legendWidth(pl, c); w > 0 {
			legW = max(legW, w+vg.Points(8))
		}
	}
	legW = min(legW, (c.Max.X-c.Min.X)/3)
	// The title spans the whole width, legend column included, so that a
	// long title is not cut at the axes' edges.
	if t := p.Plot.Title; t.Text != "" {
		sty := t.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, t.Text)
		c.Max.Y -= sty.Rectangle(t.Text).Size().Y + t.Padding
	}
	areas := []draw.Canvas{c}
	h := c.Max.Y - c.Min.Y
	switch n := len(panels); {
	case n == 2:
		split := c.Min.Y + 0.4*h
		areas = []draw.Canvas{crop(c, c.Min.Y+0.4*h, c.Max.Y), crop(c, c.Min.Y, split)}
	case n > 2:
		areas = areas[:0]
		for i := range n {
			top := c.Max.Y - h*vg.Length(i)/vg.Length(n)
			areas = append(areas, crop(c, top-h/vg.Length(n), top))
		}
	}
	// Stacked panels share the time axis: their data areas start at the
	// same x whatever the widths of their y tick labels.
	var left vg.Length
	var shift []vg.Length
	for i, pl := range panels {
		axes := areas[i]
		axes.Max.X -= legW
		x := pl.DataCanvas(axes).Min.X
		shift = append(shift, x)
		left = max(left, x)
	}
	for i, pl := range panels {
		a := areas[i]
		axes, leg := a, a
		axes.Max.X -= legW
		leg.Min.X = axes.Max.X + vg.Points(4)
		if len(panels) > 1 {
			axes.Min.X += left - shift[i]
		}
		savedTitle := pl.Title.Text
		pl.Title.Text = ""
		saved := pl.Legend
		pl.Legend = plot.NewLegend()
		pl.Legend.TextStyle = saved.TextStyle
		if i < len(panels)-1 {
			// An upper panel's time axis is the lowest panel's. Its tick
			// labels are left out rather than drawn transparent: the SVG
			// backend draws text opaque whatever its colour's alpha.
			savedM, savedL := pl.X.Tick.Marker, pl.X.Label.Text
			pl.X.Tick.Marker, pl.X.Label.Text = unlabelled{savedM}, ""
			pl.Draw(axes)
			pl.X.Tick.Marker, pl.X.Label.Text = savedM, savedL
		} else {
			pl.Draw(axes)
		}
		pl.Legend = saved
		pl.Title.Text = savedTitle
		if legW > 0 {
			// Align the legend's top with the top of the data area.
			dc := pl.DataCanvas(axes)
			leg.Max.Y = dc.Max.Y
			saved.Top, saved.Left, saved.XOffs, saved.YOffs = true, false, 0, 0
			saved.Draw(leg)
		}
	}
}

// unlabelled gives the ticks of a Ticker without their labels.
type unlabelled struct{ plot.Ticker }

// Ticks returns the ticks of u.Ticker, labels removed.
func (u unlabelled) Ticks(min, max float64) []plot.Tick {
	ts := u.Ticker.Ticks(min, max)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// legendWidth returns the width of pl's legend, 0 when it is empty.
func legendWidth(pl *plot.Plot, c draw.Canvas) vg.Length {
	r := pl.Legend.Rectangle(c)
	return r.Max.X - r.Min.X
}

func crop(c draw.Canvas, lo, hi vg.Length) draw.Canvas {
	c.Min.Y, c.Max.Y = lo, hi
	return c
}

// palette is a colour cycle that stays readable on white and for the
// common forms of colour blindness (Okabe and Ito, 2008), with a black
// that the eighth line takes.
var palette = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{213, 94, 0, 255},    // vermilion
	{0, 158, 115, 255},   // bluish green
	{204, 121, 167, 255}, // reddish purple
	{230, 159, 0, 255},   // orange
	{86, 180, 233, 255},  // sky blue
	{240, 228, 66, 255},  // yellow
	{0, 0, 0, 255},       // black
}

// colours returns n distinct colours: the palette when it is long enough,
// else n hues evenly spaced around the colour wheel, so that no colour
// repeats within one figure.
func colours(n int) []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		if n <= len(palette) {
			out[i] = palette[i]
			continue
		}
		out[i] = hsv(float64(i)/float64(n), 0.75, 0.8)
	}
	return out
}

// hsv converts a hue in [0, 1), a saturation and a value to RGB.
func hsv(h, s, v float64) color.Color {
	h6 := h * 6
	k := math.Floor(h6)
	f := h6 - k
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch int(k) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r*255 + 0.5), uint8(g*255 + 0.5), uint8(b*255 + 0.5), 255}
}

// fade returns c at the given opacity (premultiplied), for bands and
// overlaid histograms.
func fade(c color.Color, alpha float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.RGBA64{uint16(float64(r) * alpha), uint16(float64(g) * alpha), uint16(float64(b) * alpha), uint16(alpha * 0xffff)}
}

// newPlot returns a plot with the title, axis labels and nice ticks.
func newPlot(title, x, y string) *plot.Plot {
	pl := plot.New()
	pl.Title.TextStyle.Font.Size = vg.Points(11)
	pl.Title.Text = title
	pl.X.Label.Text = x
	pl.Y.Label.Text = y
	pl.X.Tick.Marker = niceTicks{}
	pl.Y.Tick.Marker = niceTicks{}
	return pl
}

// addLine adds a line (and its legend entry when name is not "").
func addLine(pl *plot.Plot, xy plotter.XYs, c color.Color, width float64, dashed bool, name string) error {
	l, err := plotter.NewLine(finite(xy))
	if err != nil {
		return err
	}
	l.Color = c
	l.Width = vg.Points(width)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	pl.Add(l)
	if name != "" {
		pl.Legend.Add(name, l)
	}
	return nil
}

// addBand adds the band between lo and hi (same x), filled with c faded.
func addBand(pl *plot.Plot, x, lo, hi []float64, c color.Color) error {
	var poly plotter.XYs
	for i := range x {
		if isFinite(lo[i]) && isFinite(hi[i]) {
			poly = append(poly, plotter.XY{X: x[i], Y: hi[i]})
		}
	}
	for i := len(x) - 1; i >= 0; i-- {
		if isFinite(lo[i]) && isFinite(hi[i]) {
			poly = append(poly, plotter.XY{X: x[i], Y: lo[i]})
		}
	}
	if len(poly) < 3 {
		return nil
	}
	p, err := plotter.NewPolygon(poly)
	if err != nil {
		return err
	}
	p.Color = fade(c, 0.18)
	p.LineStyle.Width = 0
	pl.Add(p)
	return nil
}

// addPoints adds markers with optional symmetric y error bars (err nil:
// none).
func addPoints(pl *plot.Plot, xy plotter.XYs, errs []float64, c color.Color, shape draw.GlyphDrawer, name string) error {
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: shape}
	if errs != nil {
		pts := make(plotter.XYs, len(xy))
		copy(pts, xy)
		yerrs := make(plotter.YErrors, len(errs))
		for i, e := range errs {
			yerrs[i] = struct{ Low, High float64 }{e, e}
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, yerrs})
		if err != nil {
			return err
		}
		eb.Color = c
		eb.CapWidth = vg.Points(5)
		pl.Add(eb)
	}
	pl.Add(sc)
	if name != "" {
		pl.Legend.Add(name, sc)
	}
	return nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
