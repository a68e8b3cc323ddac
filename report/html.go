package report

import (
	_ "embed"
	"html/template"
	"io"
)

//go:embed page.html
var pageHTML string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"sig": sig,
	// svg marks a figure drawn by gonum/plot's SVG backend as safe HTML:
	// the backend escapes every text it draws (titles, axis labels and
	// legends, which hold names from the log).
	"svg":      func(b []byte) template.HTML { return template.HTML(b) },
	"duration": duration,
}).Parse(pageHTML))

// WriteHTML writes the report as one HTML5 document.
func (p *Page) WriteHTML(w io.Writer) error {
	return page.Execute(w, p)
}
