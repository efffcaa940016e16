package statuspage

import "html/template"

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"ok": func(b bool) string {
		if b {
			return "ok"
		}
		return "FAIL"
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{{.Refresh}}">
<title>switchyard: {{.Record}} on the {{.Active}}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:.8rem;color:#222}
h1{font-size:1.25rem;margin:.2rem 0}.side{font-weight:700;padding:.1rem .4rem;border-radius:.3rem;color:#fff}
.primary{background:#2e7d32}.standby{background:#e65100}.unknown{background:#777}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
.v{border-top:1px solid #ddd;padding:.5rem 0}.v b{font-family:ui-monospace,monospace}
.strip{display:flex;align-items:center;gap:.5rem;margin-top:.3rem}.strip svg{flex:1;min-width:0}.strip small{white-space:nowrap}
.bad{color:#c62828}.good{color:#2e7d32}small{color:#666}
</style></head><body>
<h1>{{.Record}} → <span class="side {{.Active}}">{{.Active}}</span></h1>
<dl>
{{with .Group}}<dt>switched with</dt><dd>{{range .}}{{.Name}} {{.Type}} → {{.Content}} <span class="{{if .OK}}good{{else}}bad{{end}}">({{.Side}})</span><br>{{end}}</dd>{{end}}
<dt>generation</dt><dd>{{.Gen}}</dd>
<dt>since</dt><dd>{{if .Since}}{{.Since}}{{else}}-{{end}}</dd>
<dt>by</dt><dd>{{if .By}}{{.By}}{{else}}-{{end}}</dd>
<dt>why</dt><dd>{{if .Reason}}{{.Reason}}{{else}}-{{end}}</dd>
<dt>pinned</dt><dd>{{.Pin}}</dd>
<dt>parity</dt><dd>{{.Parity}}</dd>
{{range .Providers}}<dt>DNS {{.Provider}}</dt><dd>{{if .Target}}gen {{.Gen}}, {{.Active}} → {{.Target}} {{end}}{{if .Agrees}}<span class="good">agrees</span>{{else}}<span class="bad">{{.Error}}</span>{{end}}</dd>
{{end}}{{with .Topology}}<dt>topology</dt><dd>{{if .OK}}<span class="good">survives the loss and resists the blindness of any one provider</span>{{else}}<span class="bad">{{range .Warnings}}{{.}} {{end}}</span>{{end}}</dd>{{end}}
</dl>
<h2>Vantage points</h2>
{{range .Rows}}<div class="v"><b>{{.ID}}</b>
{{if .Error}} <span class="bad">{{.Error}}</span>{{else}}{{with .Round}}
<small>last round {{.At.UTC.Format "15:04:05Z"}}</small><br>
primary <span class="{{if .Primary.OK}}good{{else}}bad{{end}}">{{ok .Primary.OK}}</span>{{if .Primary.Reason}} ({{.Primary.Reason}}){{end}},
standby <span class="{{if .Standby.OK}}good{{else}}bad{{end}}">{{ok .Standby.OK}}</span>{{if .Standby.Reason}} ({{.Standby.Reason}}){{end}};
{{with .PrimaryClient}}primary at the record's name <span class="{{if .OK}}good{{else}}bad{{end}}">{{ok .OK}}</span>{{if .Reason}} ({{.Reason}}){{end}},
{{end}}{{with .StandbyClient}}standby at the record's name <span class="{{if .OK}}good{{else}}bad{{end}}">{{ok .OK}}</span>{{if .Reason}} ({{.Reason}}){{end}}{{if not .OK}} (a standby defect: clients would not be served after a switch){{end}};
{{end}}decision {{.Decision.Action}}{{if .Decision.Reason}}: {{.Decision.Reason}}{{end}}{{if .Error}} <span class="bad">{{.Error}}</span>{{end}}
{{end}}{{if .Strip}}<div class="strip">{{.Strip}}<small>last {{.Span}}</small></div>{{end}}{{end}}</div>
{{end}}
<p><small>Strips: the last hour (or since the vantage point started), primary above, standby below; green ok, red failed, dark tick a switch. The state is the newest any vantage point has read: at steady state each reads the DNS API at most once a minute (SWITCHYARD_DNS_CACHE), so a change may take that long to show here. Generated {{.Generated}}, refreshed every {{.Refresh}} s.</small></p>
</body></html>
`))
