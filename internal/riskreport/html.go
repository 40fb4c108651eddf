package riskreport

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// WriteHTML writes r as one self-contained HTML page: the charts of the
// Markdown as inline SVG, with the same tables. The page loads nothing
// (no script, style sheet, font or image from anywhere) and says so in a
// Content-Security-Policy that allows no script at all and only its own
// style element (by hash). Every outside string reaches the page through
// html/template, which escapes it for where it lands (text, attribute,
// SVG title), after textutil.Visible.
func WriteHTML(w io.Writer, r Report) error {
	return page.Execute(w, view(r))
}

// css is the page's one style element, allowed by its hash (cspHash).
const css = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:760px;margin:0 auto;padding:16px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}code{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
.note{border-left:4px solid #9a6700;padding:4px 12px;background:#fff8c5}
svg{display:block;margin:8px 0;max-width:100%;height:auto}svg text{font-size:12px;fill:#1f2328}
`

// csp is the page's Content-Security-Policy.
var csp = func() string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"img-src 'none'; base-uri 'none'; form-action 'none'"
}()

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="` + csp + `">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>User risk report</title>
<style>` + css + `</style>
</head>
<body>
<main>
<h1>User risk report</h1>
<p>{{.Summary}}</p>
{{- range .Notes}}
<p class="note">{{.}}</p>
{{- end}}
<h2>Users by highest risk level</h2>
{{- if .Pie}}
{{template "pie" .Pie}}
<table><tr><th>Level</th><th class="n">Users</th></tr>
{{- range .Pie.Slices}}
<tr><td>{{.Label}}</td><td class="n">{{.Value}}</td></tr>
{{- end}}
</table>
{{- else}}
<p>No user has risk events.</p>
{{- end}}
<h2>Risk events by behavior</h2>
{{- if .Behaviors}}
<p>{{.EventsOf}}, since each user's last reset.</p>
{{template "hbars" .Behaviors}}
<table><tr><th>Behavior</th><th class="n">Events</th></tr>
{{- range .Behaviors.Bars}}
<tr><td>{{if .Code}}<code>{{.Full}}</code>{{else}}{{.Full}}{{end}}</td><td class="n">{{.Value}}</td></tr>
{{- end}}
</table>
{{- else}}
<p>No risk events were read.</p>
{{- end}}
<h2>Risk events per day</h2>
<p>{{.Window}}</p>
{{- if .Days}}
{{template "columns" .Days}}
{{- end}}
{{- with .Top}}
<h2>Users at {{.Level}} risk ({{.Count}})</h2>
<table><tr>{{if .ShowUsers}}<th>User</th><th>Email</th>{{else}}<th class="n">#</th>{{end}}<th class="n">Events</th><th>Last event</th><th>Latest events</th></tr>
{{- range .Rows}}
<tr>{{if $.Top.ShowUsers}}<td><code>{{.Name}}</code></td><td><code>{{.Email}}</code></td>{{else}}<td class="n">{{.Index}}</td>{{end}}<td class="n">{{.Events}}</td><td>{{.LastEvent}}</td><td>
{{- if not .Read}}not read{{else}}{{range $i, $e := .Latest}}{{if $i}}<br>{{end}}<code>{{$e.Behavior}}</code> ({{$e.Level}}, {{$e.Time}}){{else}}none{{end}}{{end -}}
</td></tr>
{{- end}}
</table>
{{- if .More}}
<p>{{.More}}</p>
{{- end}}
{{- end}}
</main>
</body>
</html>
{{define "pie" -}}
<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="pie-title" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}">
<title id="pie-title">{{.Title}}</title>
{{- range .Slices}}
{{if .Whole}}<circle cx="{{$.CX}}" cy="{{$.CY}}" r="{{$.R}}" fill="{{.Fill}}"><title>{{.Label}}: {{.Value}}</title></circle>{{else}}<path d="{{.Path}}" fill="{{.Fill}}" stroke="#fff"><title>{{.Label}}: {{.Value}}</title></path>{{end}}
<rect x="{{.KeyX}}" y="{{.KeyY}}" width="14" height="14" fill="{{.Fill}}"/><text x="{{.TextX}}" y="{{.TextY}}">{{.Label}}: {{.Value}} ({{.Percent}})</text>
{{- end}}
</svg>
{{- end}}
{{define "hbars" -}}
<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{{.ID}}-title" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}">
<title id="{{.ID}}-title">{{.Title}}</title>
{{- range .Bars}}
<text x="{{$.LabelX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#0969da"><title>{{.Full}}: {{.Value}}</title></rect><text x="{{.ValueX}}" y="{{.TextY}}">{{.Value}}</text>
{{- end}}
</svg>
{{- end}}
{{define "columns" -}}
<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{{.ID}}-title" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}">
<title id="{{.ID}}-title">{{.Title}}</title>
{{- range .Ticks}}
<line x1="{{$.Left}}" x2="{{$.Right}}" y1="{{.Y}}" y2="{{.Y}}" stroke="#d0d7de"/><text x="{{.TextX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>
{{- end}}
{{- range .Bars}}
{{if .H}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#0969da"><title>{{.Full}}: {{.Value}}</title></rect>{{end}}{{if .Label}}<text x="{{.TextX}}" y="{{.TextY}}" text-anchor="middle">{{.Label}}</text>{{end}}
{{- end}}
</svg>
{{- end}}`))

// Colours of the levels, as GitHub's palette names danger, severe,
// attention and muted.
var levelFill = map[string]string{"high": "#cf222e", "medium": "#bc4c00", "low": "#9a6700", OtherLevel: "#6e7781"}

type pageView struct {
	Summary, EventsOf, Window string
	Notes                     []string
	Pie                       *pieView
	Behaviors                 *hbarsView
	Days                      *columnsView
	Top                       *topView
}

type pieView struct {
	Title     string
	W, H      int
	CX, CY, R float64
	Slices    []sliceView
}

type sliceView struct {
	Label, Fill, Path, Percent string
	Value                      int
	Whole                      bool
	KeyX, KeyY, TextX, TextY   float64
}

type hbarsView struct {
	ID, Title string
	W, H      int
	LabelX    float64
	Bars      []hbarView
}

type hbarView struct {
	Label, Full   string
	Code          bool // Full is a name from outside, shown as code
	Value         int
	X, Y, W, H    float64
	TextY, ValueX float64
}

type columnsView struct {
	ID, Title   string
	W, H        int
	Left, Right float64
	Ticks       []tickView
	Bars        []columnView
}

type tickView struct {
	Label           string
	Y, TextX, TextY float64
}

type columnView struct {
	Label, Full  string
	Value        int
	X, Y, W, H   float64
	TextX, TextY float64
}

type topView struct {
	Level     string
	Count     int
	ShowUsers bool
	Rows      []topRow
	More      string
}

type topRow struct {
	Index       int
	Name, Email string
	Events      int
	LastEvent   string
	Read        bool
	Latest      []eventView
}

type eventView struct{ Behavior, Level, Time string }

// view lays r out for the page: geometry computed here, text escaped by
// the template.
func view(r Report) pageView {
	v := pageView{Summary: summary(r), EventsOf: eventsOf(r)}
	for _, n := range notes(r) {
		v.Notes = append(v.Notes, strings.NewReplacer("**", "", "`", "").Replace(n)) // the notes' own Markdown
	}
	if r.Users > 0 {
		v.Pie = pie("Users by highest risk level", r.ByLevel)
	}
	if r.Events > 0 {
		v.Behaviors = behaviorBars(r)
	}
	first, last := r.PerDay[0].Day, r.PerDay[len(r.PerDay)-1].Day
	v.Window = fmt.Sprintf("The last %d days, %s to %s (UTC): %s.", r.Days, day(first), day(last), plural(r.InWindow, "event"))
	if r.InWindow == 0 && !r.Newest.IsZero() {
		v.Window += fmt.Sprintf(" The newest event read is of %s.", day(r.Newest))
	}
	if r.InWindow > 0 {
		v.Days = dayColumns(r)
	}
	if r.Top.Level != "" {
		t := &topView{Level: r.Top.Level, Count: len(r.Top.Users) + r.Top.More, ShowUsers: r.ShowUsers}
		for i, u := range r.Top.Users {
			row := topRow{Index: i + 1, Name: outside(u.Name), Email: outside(u.Email), Events: u.Events,
				LastEvent: stamp(u.LastEvent), Read: u.Read}
			for _, e := range u.Latest {
				row.Latest = append(row.Latest, eventView{Behavior: outside(e.Behavior), Level: e.Level, Time: stamp(e.Time)})
			}
			t.Rows = append(t.Rows, row)
		}
		if r.Top.More > 0 {
			t.More = fmt.Sprintf("And %d more at %s risk.", r.Top.More, r.Top.Level)
		}
		v.Top = t
	}
	return v
}

// round1 rounds to one decimal, for short SVG numbers.
func round1(f float64) float64 { return math.Round(f*10) / 10 }

// pie lays out a pie chart with its legend on the right.
func pie(title string, counts []Count) *pieView {
	p := &pieView{Title: title, W: 480, H: 220, CX: 110, CY: 110, R: 100}
	total := 0
	for _, c := range counts {
		total += c.N
	}
	angle := -math.Pi / 2 // from twelve o'clock, clockwise
	for i, c := range counts {
		frac := float64(c.N) / float64(total)
		next := angle + 2*math.Pi*frac
		x1, y1 := p.CX+p.R*math.Cos(angle), p.CY+p.R*math.Sin(angle)
		x2, y2 := p.CX+p.R*math.Cos(next), p.CY+p.R*math.Sin(next)
		large := 0
		if frac > 0.5 {
			large = 1
		}
		s := sliceView{
			Label: c.Name, Value: c.N, Fill: levelFill[c.Name], Whole: c.N == total,
			Path:    fmt.Sprintf("M%g %g L%g %g A%g %g 0 %d 1 %g %g Z", p.CX, p.CY, round1(x1), round1(y1), p.R, p.R, large, round1(x2), round1(y2)),
			Percent: fmt.Sprintf("%.0f%%", 100*frac),
			KeyX:    250, KeyY: float64(40 + 28*i), TextX: 272, TextY: float64(52 + 28*i),
		}
		if s.Fill == "" {
			s.Fill = levelFill[OtherLevel]
		}
		p.Slices = append(p.Slices, s)
		angle = next
	}
	return p
}

// svgLabel is the most characters of a bar's label that fit left of the
// bars; the table and the bar's tooltip give the whole name.
const svgLabel = 34

// behaviorBars lays out the behaviors as horizontal bars.
func behaviorBars(r Report) *hbarsView {
	const labelW, barMax, rowH, barH = 260.0, 400.0, 26.0, 18.0
	h := &hbarsView{ID: "behaviors", Title: "Risk events by behavior", W: 720, LabelX: labelW - 8}
	top := 1
	for _, c := range r.ByBehavior {
		top = max(top, c.N)
	}
	for i, c := range r.ByBehavior {
		y := 10 + rowH*float64(i)
		w := round1(barMax * float64(c.N) / float64(top))
		full, isName := outside(c.Name), true
		if i == len(r.ByBehavior)-1 && r.Folded > 0 {
			full, isName = fmt.Sprintf("%d other behaviors", r.Folded), false
		}
		h.Bars = append(h.Bars, hbarView{
			Label: cut(full, svgLabel), Full: full, Code: isName, Value: c.N,
			X: labelW, Y: y, W: w, H: barH, TextY: y + 13, ValueX: labelW + w + 6,
		})
	}
	h.H = int(20 + rowH*float64(len(r.ByBehavior)))
	return h
}

// dayColumns lays out the events per day as columns, with a few date
// labels under them and grid lines at 0, half and the top.
func dayColumns(r Report) *columnsView {
	const left, right, top, bottom, w, h = 44.0, 690.0, 12.0, 224.0, 720, 250
	c := &columnsView{ID: "days", Title: fmt.Sprintf("Risk events per day, last %d days", r.Days), W: w, H: h, Left: left, Right: right}
	peak := 1
	for _, d := range r.PerDay {
		peak = max(peak, d.N)
	}
	ticks := []int{0, peak}
	if peak >= 4 {
		ticks = []int{0, peak / 2, peak}
	}
	for _, v := range ticks {
		y := round1(bottom - (bottom-top)*float64(v)/float64(peak))
		c.Ticks = append(c.Ticks, tickView{Label: fmt.Sprint(v), Y: y, TextX: left - 6, TextY: y + 4})
	}
	n := len(r.PerDay)
	slot := (right - left) / float64(n)
	every := int(math.Ceil(float64(n) / 8))
	for i, d := range r.PerDay {
		x := left + slot*float64(i)
		bh := round1((bottom - top) * float64(d.N) / float64(peak))
		col := columnView{Full: day(d.Day), Value: d.N,
			X: round1(x + slot*0.1), Y: round1(bottom - bh), W: round1(slot * 0.8), H: bh,
			TextX: round1(x + slot/2), TextY: bottom + 16}
		if (n-1-i)%every == 0 {
			col.Label = d.Day.Format("01-02")
		}
		c.Bars = append(c.Bars, col)
	}
	return c
}
