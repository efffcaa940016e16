package statuspage

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// The page is written by render rather than by html/template on purpose:
// template execution calls methods by name through reflection, which makes
// the Go linker keep every exported method of every type the binary can
// reach, and in the probe's Lambda bootstrap that is the whole AWS SDK
// surface: html/template alone made it about 5 MB larger (17.2 MB against
// 12.3 MB, arm64, stripped), over the 16 MB goal. Every value that comes
// from outside (record names, reasons, errors, vantage ids) goes through
// esc, which escapes the five characters that matter in HTML text and in
// double-quoted attributes, as html/template does in those two contexts;
// the page has no other context (no script, no URL, no style from data).

// esc escapes s for HTML text and double-quoted attribute values.
func esc(s string) string { return html.EscapeString(s) }

const style = `body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:.8rem;color:#222}
h1{font-size:1.25rem;margin:.2rem 0}.side{font-weight:700;padding:.1rem .4rem;border-radius:.3rem;color:#fff}
.primary{background:#2e7d32}.standby{background:#e65100}.unknown{background:#777}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
.v{border-top:1px solid #ddd;padding:.5rem 0}.v b{font-family:ui-monospace,monospace}
.strip{display:flex;align-items:center;gap:.5rem;margin-top:.3rem}.strip svg{flex:1;min-width:0}.strip small{white-space:nowrap}
.bad{color:#c62828}.good{color:#2e7d32}small{color:#666}`

// render writes the page for v.
func render(w io.Writer, v view) error {
	var b strings.Builder
	active := esc(v.Active)
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="%d">
<title>switchyard: %s on the %s</title>
<style>
%s
</style></head><body>
<h1>%s → <span class="side %s">%s</span></h1>
<dl>
`, v.Refresh, esc(v.Record), active, style, esc(v.Record), sideClass(v.Active), active)
	if len(v.Group) > 0 {
		b.WriteString("<dt>switched with</dt><dd>")
		for _, m := range v.Group {
			fmt.Fprintf(&b, `%s %s → %s <span class="%s">(%s)</span><br>`, esc(m.Name), esc(m.Type), esc(m.Content), goodBad(m.OK), esc(m.Side))
		}
		b.WriteString("</dd>\n")
	}
	fmt.Fprintf(&b, "<dt>generation</dt><dd>%d</dd>\n", v.Gen)
	for _, f := range []struct{ name, value string }{{"since", v.Since}, {"by", v.By}, {"why", v.Reason}} {
		fmt.Fprintf(&b, "<dt>%s</dt><dd>%s</dd>\n", f.name, esc(orDash(f.value)))
	}
	fmt.Fprintf(&b, "<dt>pinned</dt><dd>%s</dd>\n<dt>parity</dt><dd>%s</dd>\n", esc(v.Pin), esc(v.Parity))
	for _, p := range v.Providers {
		fmt.Fprintf(&b, "<dt>DNS %s</dt><dd>", esc(p.Provider))
		if p.Target != "" {
			fmt.Fprintf(&b, "gen %d, %s → %s ", p.Gen, esc(string(p.Active)), esc(p.Target))
		}
		if p.Agrees {
			b.WriteString(`<span class="good">agrees</span>`)
		} else {
			fmt.Fprintf(&b, `<span class="bad">%s</span>`, esc(p.Error))
		}
		b.WriteString("</dd>\n")
	}
	if t := v.Topology; t != nil {
		if t.OK() {
			b.WriteString(`<dt>topology</dt><dd><span class="good">survives the loss and resists the blindness of any one provider</span></dd>` + "\n")
		} else {
			b.WriteString(`<dt>topology</dt><dd><span class="bad">`)
			for _, w := range t.Warnings {
				b.WriteString(esc(w) + " ")
			}
			b.WriteString("</span></dd>\n")
		}
	}
	b.WriteString("</dl>\n<h2>Vantage points</h2>\n")
	for _, r := range v.Rows {
		renderRow(&b, r)
	}
	fmt.Fprintf(&b, `<p><small>Strips: the last hour (or since the vantage point started), primary above, standby below; green ok, red failed, dark tick a switch. The state is the newest any vantage point has read: at steady state each reads the DNS API at most once a minute (SWITCHYARD_DNS_CACHE), so a change may take that long to show here. Generated %s, refreshed every %d s.</small></p>
</body></html>
`, esc(v.Generated), v.Refresh)
	_, err := io.WriteString(w, b.String())
	return err
}

func renderRow(b *strings.Builder, r row) {
	fmt.Fprintf(b, `<div class="v"><b>%s</b>`+"\n", esc(r.ID))
	if r.Error != "" {
		fmt.Fprintf(b, ` <span class="bad">%s</span></div>`+"\n", esc(r.Error))
		return
	}
	if rd := r.Round; rd != nil {
		fmt.Fprintf(b, "<small>last round %s</small><br>\n", rd.At.UTC().Format("15:04:05Z"))
		check(b, "primary", rd.Primary, ",\n")
		check(b, "standby", rd.Standby, ";\n")
		if rd.PrimaryClient != nil {
			check(b, "primary at the record's name", *rd.PrimaryClient, ",\n")
		}
		if rd.StandbyClient != nil {
			suffix := ";\n"
			if !rd.StandbyClient.OK {
				suffix = " (a standby defect: clients would not be served after a switch);\n"
			}
			check(b, "standby at the record's name", *rd.StandbyClient, suffix)
		}
		fmt.Fprintf(b, "decision %s", esc(string(rd.Decision.Action)))
		if rd.Decision.Reason != "" {
			fmt.Fprintf(b, ": %s", esc(rd.Decision.Reason))
		}
		if rd.Error != "" {
			fmt.Fprintf(b, ` <span class="bad">%s</span>`, esc(rd.Error))
		}
		b.WriteString("\n")
	}
	if r.Strip != "" {
		// Strip is SVG built from numbers and fixed colours only (strip).
		fmt.Fprintf(b, `<div class="strip">%s<small>last %s</small></div>`, r.Strip, esc(r.Span))
	}
	b.WriteString("</div>\n")
}

// check writes one check's outcome: its name, ok or FAIL, and the reason.
func check(b *strings.Builder, name string, r probe.Result, suffix string) {
	word := "FAIL"
	if r.OK {
		word = "ok"
	}
	fmt.Fprintf(b, `%s <span class="%s">%s</span>`, name, goodBad(r.OK), word)
	if r.Reason != "" {
		fmt.Fprintf(b, " (%s)", esc(r.Reason))
	}
	b.WriteString(suffix)
}

func goodBad(ok bool) string {
	if ok {
		return "good"
	}
	return "bad"
}

// sideClass is the CSS class of the active side: one of three fixed names.
func sideClass(active string) string {
	switch active {
	case "primary", "standby":
		return active
	}
	return "unknown"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
