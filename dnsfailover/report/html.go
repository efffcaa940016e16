package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
	"time"
)

// Layout of the SVG, in pixels.
const (
	width      = 1240
	labelWidth = 224 // lane names
	rightPad   = 24
	axisHeight = 28
	laneHeight = 56
	compactH   = 30
	labelRow   = 18 // one row of line labels above the lanes
	legendGap  = 40
)

var colors = map[Tone]string{
	Good:    "#2f9e44",
	Bad:     "#e03131",
	Warn:    "#f08c00",
	Neutral: "#adb5bd",
	Parity:  "#9c36b5",
}

var lineStyles = map[LineKind]struct{ color, dash, width string }{
	LineSwitch: {"#3b5bdb", "", "2.5"},
	LineDNS:    {"#0c8599", "6 4", "2.5"},
	LineFault:  {"#e03131", "2 3", "1.5"},
	LineHeal:   {"#2f9e44", "2 3", "1.5"},
	LineNote:   {"#868e96", "1 4", "1.5"},
}

// WriteHTML writes t as one self-contained HTML page.
func (t Timeline) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s</title>\n<style>%s</style></head><body>\n", esc(t.Title), css)
	p("<header><h1>%s", esc(t.Title))
	if t.Verdict != "" {
		cls := "fail"
		if t.OK {
			cls = "pass"
		}
		p(" <span class=\"badge %s\">%s</span>", cls, esc(t.Verdict))
	}
	p("</h1>")
	if t.Subtitle != "" {
		p("<p class=\"sub\">%s</p>", esc(t.Subtitle))
	}
	if len(t.Summary) > 0 {
		p("<ul class=\"summary\">")
		for _, s := range t.Summary {
			p("<li>%s</li>", esc(s))
		}
		p("</ul>")
	}
	p("</header>\n")
	t.writeSVG(bw)
	p("\n</body></html>\n")
	return bw.Flush()
}

// scale maps times to x.
type scale struct {
	start time.Time
	span  time.Duration
}

func (s scale) x(at time.Time) float64 {
	f := float64(at.Sub(s.start)) / float64(s.span)
	return labelWidth + f*float64(width-labelWidth-rightPad)
}

func (t Timeline) writeSVG(w *bufio.Writer) {
	start, end := t.span()
	sc := scale{start: start, span: end.Sub(start)}

	// Place the line labels in rows so that they never overlap: each goes
	// in the first row where it fits, a new row when none has room. At
	// the switch several lines fall within a few pixels (switched, DNS
	// answers, heal), so they stack rather than print over each other.
	type placed struct {
		Line
		row int
		x   float64
	}
	var labels []placed
	var taken [][][2]float64 // per row: occupied [from, to]
	for _, l := range t.Lines {
		x := sc.x(l.At)
		from, to := x, x+labelWidthOf(l.Label)
		if endAnchored(x) {
			from, to = x-labelWidthOf(l.Label), x
		}
		row := 0
		for ; row < len(taken); row++ {
			free := true
			for _, iv := range taken[row] {
				if from < iv[1] && iv[0] < to {
					free = false
					break
				}
			}
			if free {
				break
			}
		}
		if row == len(taken) {
			taken = append(taken, nil)
		}
		taken[row] = append(taken[row], [2]float64{from, to})
		labels = append(labels, placed{l, row, x})
	}
	rows := len(taken)
	top := axisHeight + rows*labelRow + 8
	laneY := make([]int, len(t.Lanes)) // top of each lane
	lanesBottom := top
	for i, l := range t.Lanes {
		laneY[i] = lanesBottom
		lanesBottom += laneH(l)
	}
	height := lanesBottom + legendGap + 30

	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`, width, height, width, height)
	p(`<rect width="%d" height="%d" fill="#ffffff"/>`, width, height)

	// Lanes: alternating backgrounds and names.
	for i, l := range t.Lanes {
		y := laneY[i]
		fill := "#f8f9fa"
		if i%2 == 1 {
			fill = "#f1f3f5"
		}
		p(`<rect x="0" y="%d" width="%d" height="%d" fill="%s"/>`, y, width, laneH(l), fill)
		if l.Compact {
			p(`<text x="14" y="%d" fill="#212529">%s</text>`, y+19, esc(l.Name))
			if l.Note != "" {
				p(`<text x="%d" y="%d" fill="#868e96" font-size="11" text-anchor="end">%s</text>`, labelWidth-8, y+19, esc(l.Note))
			}
			continue
		}
		p(`<text x="14" y="%d" font-weight="600" fill="#212529">%s</text>`, y+24, esc(l.Name))
		if l.Note != "" {
			p(`<text x="14" y="%d" fill="#868e96" font-size="11">%s</text>`, y+40, esc(l.Note))
		}
		if hasTicks(l) {
			p(`<text x="%d" y="%d" fill="#adb5bd" font-size="9" text-anchor="end">primary</text>`, labelWidth-6, y+21)
			p(`<text x="%d" y="%d" fill="#adb5bd" font-size="9" text-anchor="end">standby</text>`, labelWidth-6, y+41)
		}
	}

	// Fault bands: from a fault to the next heal, or to the end.
	for i, l := range t.Lines {
		if l.Kind != LineFault {
			continue
		}
		until := end
		for _, h := range t.Lines[i+1:] {
			if h.Kind == LineHeal {
				until = h.At
				break
			}
		}
		x0, x1 := sc.x(l.At), sc.x(until)
		p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#ffe3e3" opacity="0.6"><title>%s</title></rect>`, x0, top, x1-x0, lanesBottom-top, esc(l.Label))
	}

	t.writeAxis(w, sc, start, end, top, lanesBottom)

	// Marks and bars.
	for i, l := range t.Lanes {
		y := float64(laneY[i])
		for _, b := range l.Bars {
			x0, x1 := sc.x(b.Start), sc.x(b.End)
			wd := max(x1-x0, 3)
			by, bh := y+15, 26.0
			if l.Compact {
				by, bh = y+6, 18
			}
			p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" rx="4" fill="%s" opacity="0.9"><title>%s</title></rect>`, x0, by, wd, bh, colors[b.Tone], esc(b.Label))
		}
		for _, m := range l.Marks {
			x := sc.x(m.At)
			c := colors[m.Tone]
			switch m.Shape {
			case TickPrimary:
				p(`<rect x="%.1f" y="%.1f" width="4" height="13" rx="1" fill="%s"><title>%s</title></rect>`, x-2, y+9, c, esc(m.Label))
			case TickStandby:
				p(`<rect x="%.1f" y="%.1f" width="4" height="13" rx="1" fill="%s"><title>%s</title></rect>`, x-2, y+31, c, esc(m.Label))
			case Diamond:
				p(`<path d="M%.1f %.1f l6 6 l-6 6 l-6 -6 z" fill="%s" stroke="#fff" stroke-width="1"><title>%s</title></path>`, x, y+22, c, esc(m.Label))
			case Cross:
				p(`<path d="M%.1f %.1f l10 10 m0 -10 l-10 10" stroke="%s" stroke-width="3" stroke-linecap="round"><title>%s</title></path>`, x-5, y+23, c, esc(m.Label))
			}
		}
	}

	// Lines across every lane, then their labels above, each on a white
	// halo, so that a line from a label in an upper row never strikes
	// through the text of one below it.
	for _, l := range labels {
		st := lineStyles[l.Kind]
		labelY := axisHeight + l.row*labelRow + 14
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%s" stroke-dasharray="%s"><title>%s</title></line>`,
			l.x, labelY+4, l.x, lanesBottom, st.color, st.width, st.dash, esc(l.Label))
	}
	for _, l := range labels {
		st := lineStyles[l.Kind]
		labelY := axisHeight + l.row*labelRow + 14
		anchor, dx := "start", 4.0
		if endAnchored(l.x) {
			anchor, dx = "end", -4
		}
		p(`<text x="%.1f" y="%d" fill="%s" font-weight="600" text-anchor="%s" stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">%s</text>`, l.x+dx, labelY, st.color, anchor, esc(l.Label))
	}

	t.writeLegend(w, lanesBottom+legendGap-10)
	p("</svg>")
}

// labelWidthOf estimates the width of a bold 12px label, with a gap.
func labelWidthOf(s string) float64 { return 7.6*float64(len([]rune(s))) + 14 }

// endAnchored reports whether a line's label is drawn to its left, so
// that labels near the right edge stay inside the picture.
func endAnchored(x float64) bool { return x > width-300 }

func laneH(l Lane) int {
	if l.Compact {
		return compactH
	}
	return laneHeight
}

func hasTicks(l Lane) bool {
	for _, m := range l.Marks {
		if m.Shape == TickPrimary || m.Shape == TickStandby {
			return true
		}
	}
	return false
}

// steps are the candidate distances between axis ticks.
var steps = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second,
	10 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
}

// writeAxis draws time ticks relative to the first event, every step that
// gives about ten of them.
func (t Timeline) writeAxis(w *bufio.Writer, sc scale, start, end time.Time, top, bottom int) {
	span := end.Sub(start)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 12 {
			step = s
			break
		}
	}
	origin := start.Add(span / 42) // the first event: span() pads 1/40 of the data each side
	for d := time.Duration(0); origin.Add(d).Before(end); d += step {
		x := sc.x(origin.Add(d))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dee2e6" stroke-width="1"/>`, x, top, x, bottom)
		fmt.Fprintf(w, `<text x="%.1f" y="18" fill="#868e96" text-anchor="middle">+%s</text>`, x, shortDuration(d))
	}
}

func shortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", d.Seconds()), "0"), ".") + "s"
	default:
		return d.Round(time.Second).String()
	}
}

func (t Timeline) writeLegend(w *bufio.Writer, y int) {
	x := 14
	item := func(swatch, label string) {
		fmt.Fprintf(w, `<g transform="translate(%d %d)">%s<text x="18" y="10" fill="#495057">%s</text></g>`, x, y, swatch, esc(label))
		x += 26 + 7*len(label)
	}
	item(fmt.Sprintf(`<rect x="4" y="0" width="4" height="13" fill="%s"/>`, colors[Good]), "probe ok")
	item(fmt.Sprintf(`<rect x="4" y="0" width="4" height="13" fill="%s"/>`, colors[Bad]), "probe failed")
	item(fmt.Sprintf(`<rect x="4" y="0" width="4" height="13" fill="%s"/>`, colors[Neutral]), "cut short (run stopped)")
	item(fmt.Sprintf(`<path d="M6 0 l6 6 l-6 6 l-6 -6 z" fill="%s"/>`, colors[Warn]), "suspect / vote")
	item(fmt.Sprintf(`<path d="M6 0 l6 6 l-6 6 l-6 -6 z" fill="%s"/>`, colors[Bad]), "refused")
	item(fmt.Sprintf(`<path d="M6 0 l6 6 l-6 6 l-6 -6 z" fill="%s"/>`, colors[Parity]), "parity failed")
	item(fmt.Sprintf(`<path d="M1 1 l10 10 m0 -10 l-10 10" stroke="%s" stroke-width="3"/>`, colors[Bad]), "no answer / error")
	item(fmt.Sprintf(`<line x1="6" y1="-2" x2="6" y2="14" stroke="%s" stroke-width="2.5"/>`, lineStyles[LineSwitch].color), "switch")
	item(fmt.Sprintf(`<line x1="6" y1="-2" x2="6" y2="14" stroke="%s" stroke-width="2.5" stroke-dasharray="4 3"/>`, lineStyles[LineDNS].color), "DNS answer changed")
	item(`<rect x="0" y="0" width="12" height="13" fill="#ffe3e3"/>`, "fault")
}

func esc(s string) string { return html.EscapeString(s) }

const css = `
body{margin:0;padding:24px 28px;background:#fff;color:#212529;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
header h1{font-size:22px;margin:0 0 4px}
.sub{margin:0 0 10px;color:#495057}
.badge{display:inline-block;font-size:13px;padding:2px 10px;border-radius:12px;vertical-align:middle;color:#fff;letter-spacing:.05em}
.badge.pass{background:#2f9e44}.badge.fail{background:#e03131}
.summary{list-style:none;margin:0 0 14px;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.summary li{background:#f1f3f5;border-radius:6px;padding:3px 9px;font-size:13px;font-variant-numeric:tabular-nums}
svg{max-width:100%;height:auto;border:1px solid #e9ecef;border-radius:8px}
`
