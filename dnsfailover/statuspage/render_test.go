package statuspage

import (
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// TestRenderEscapesWhatComesFromOutside: reasons, errors and names come
// from origins, peers and people; none of them can add markup to the page.
func TestRenderEscapesWhatComesFromOutside(t *testing.T) {
	const hostile = `<script>alert("x")</script>`
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	v := view{
		Record: "assets.example.com", Active: "standby", Gen: 3, By: "aws:us-east-1", Reason: hostile,
		Pin: "no", Parity: "ok", Generated: at.Format(time.RFC3339), Refresh: 10,
		Group:     []member{{Name: "img.example.com", Type: "CNAME", Content: hostile, Side: "standby", OK: true}},
		Providers: []dns.ProviderView{{Provider: "route53", Gen: 2, Error: `behind "><img src=x>`}},
		Rows: []row{
			{ID: "aws:us-east-1", Round: &vantage.Round{At: at,
				Primary:  probe.Result{Reason: hostile},
				Standby:  probe.Result{OK: true},
				Decision: failover.Decision{Action: failover.Hold, Reason: hostile}}},
			{ID: "gcp:europe-west1", Error: `unreachable <b>`},
		},
	}
	var b strings.Builder
	if err := render(&b, v); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, raw := range []string{"<script", `"><img`, "unreachable <b>"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains %q unescaped", raw)
		}
	}
	for _, want := range []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`,
		`<h1>assets.example.com → <span class="side standby">standby</span></h1>`,
		`<dt>generation</dt><dd>3</dd>`,
		`primary <span class="bad">FAIL</span>`,
		`standby <span class="good">ok</span>`,
		`<span class="bad">unreachable &lt;b&gt;</span>`,
		`<span class="bad">behind &#34;&gt;&lt;img src=x&gt;</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestSideClassIsOneOfThree: the active side's CSS class never carries data.
func TestSideClassIsOneOfThree(t *testing.T) {
	for in, want := range map[string]string{"primary": "primary", "standby": "standby", "unknown (no round yet)": "unknown", `x" onclick="y`: "unknown"} {
		if got := sideClass(in); got != want {
			t.Errorf("sideClass(%q) = %q, want %q", in, got, want)
		}
	}
}
