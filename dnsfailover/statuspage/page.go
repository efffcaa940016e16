// Package statuspage renders the live HTML status page every vantage
// point serves at GET /: the record and its state, every vantage point's
// last round (fetched from the peers' GET /status; unreachable ones shown
// so), the topology's tolerance, parity, and the last hour of rounds as an
// inline SVG strip per vantage point. One self-contained page: no external
// assets, no script, a meta refresh; no secret is on it (a Round holds
// none, check URLs are redacted where they are made).
package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// Options configure the page.
type Options struct {
	Self    *vantage.Vantage
	Peers   []peers.Peer
	HTTP    *http.Client  // for the peers' GET /status; nil: a default client
	Timeout time.Duration // per peer; default 2s
	// Topology returns the configured topology's verdict, nil when none is
	// configured; the page asks for it when it is first shown, so the
	// search for the smallest fix (topology.Analyze) is paid by the person
	// looking, not by a cold start.
	Topology func() *topology.Analysis
	Record   string
	Refresh  time.Duration // meta refresh; default 30s
	Now      func() time.Time
}

// maxStatus bounds a peer's /status body.
const maxStatus = 512 << 10

// Handler serves the page.
func Handler(o Options) http.Handler {
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Refresh <= 0 {
		o.Refresh = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		_ = render(w, build(r.Context(), o))
	})
}

// row is one vantage point on the page.
type row struct {
	ID, Error string
	Round     *vantage.Round
	Span      string // how far back Strip reaches, e.g. "hour"
	Strip     string // SVG, built by strip from numbers and fixed colours only
}

// member is one record of a failover group on the page.
type member struct {
	Name, Type, Content, Side string
	OK                        bool // on the side the state says
}

type view struct {
	Group                                                     []member // the failover group's other records, when there is one
	Record, Active, Since, By, Reason, Pin, Parity, Generated string
	Gen                                                       uint64
	Refresh                                                   int
	Rows                                                      []row
	Topology                                                  *topology.Analysis
	// Providers is each DNS provider's view with several (dns/multi).
	Providers []dns.ProviderView
}

func build(ctx context.Context, o Options) view {
	now := o.Now()
	own := o.Self.Last()
	own.History = o.Self.History()
	v := view{Record: o.Record, Refresh: int(o.Refresh.Seconds()), Generated: now.UTC().Format(time.RFC3339)}
	if o.Topology != nil {
		v.Topology = o.Topology()
	}
	rows := make([]row, len(o.Peers)+1)
	rows[0] = row{ID: own.Vantage, Round: &own}
	var wg sync.WaitGroup
	for i, p := range o.Peers {
		wg.Go(func() {
			r, err := fetch(ctx, o, p)
			rows[i+1] = row{ID: p.ID, Round: r}
			if err != nil {
				rows[i+1].Error = err.Error()
			}
		})
	}
	wg.Wait()
	for i := range rows {
		if rows[i].Round != nil {
			rows[i].Strip, rows[i].Span = strip(rows[i].Round.History, now)
		}
	}
	v.Rows = rows
	v.Active, v.Pin, v.Parity = "unknown (no round yet)", "no", "not compared yet"
	if rec := newest(rows); rec != nil {
		v.Providers = rec.Providers
		st := rec.State
		v.Active, v.Gen, v.By, v.Reason = string(st.Active), st.Gen, st.By, st.Reason
		if !st.Since.IsZero() {
			v.Since = st.Since.UTC().Format(time.RFC3339) + " (" + now.Sub(st.Since).Round(time.Second).String() + " ago)"
		}
		for _, m := range rec.Group {
			side := "neither target"
			switch {
			case dns.SameTarget(m.Content, m.Primary):
				side = string(state.Primary)
			case dns.SameTarget(m.Content, m.Standby):
				side = string(state.Standby)
			}
			v.Group = append(v.Group, member{Name: m.Name, Type: m.Type, Content: m.Content, Side: side, OK: side == string(st.Active)})
		}
		switch {
		case st.Held(now) && !st.Until.IsZero():
			v.Pin = "held until " + st.Until.UTC().Format(time.RFC3339) + " (" + st.Until.Sub(now).Round(time.Second).String() + " left)"
		case st.Held(now):
			v.Pin = "pinned by " + st.By + " until `failover auto`"
		case st.HoldEnded(now):
			v.Pin = "no (hold ended " + st.Until.UTC().Format(time.RFC3339) + ")"
		}
	}
	if own.Parity != nil {
		v.Parity = own.Parity.Reason
		if own.Parity.OK {
			v.Parity = "ok: " + own.Parity.Reason
		}
	}
	return v
}

// newest returns the record with the highest state generation any vantage
// point last read, nil when none has read one. Each reads the DNS API at
// most once per SWITCHYARD_DNS_CACHE at steady state, so this one's own
// read may be older than a peer's: an operator's hold or move shows as
// soon as any of them has seen it. Generations only go forward, so the
// highest is the newest.
func newest(rows []row) *dns.Snapshot {
	var best *dns.Snapshot
	for _, r := range rows {
		if r.Round == nil || r.Round.Record == nil || !r.Round.Record.HasState {
			continue
		}
		if best == nil || r.Round.Record.State.Gen > best.State.Gen {
			best = r.Round.Record
		}
	}
	return best
}

func fetch(ctx context.Context, o Options, p peers.Peer) (*vantage.Round, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(p.URL, "/")+"/status", nil)
	if err != nil {
		return nil, errors.New("bad URL")
	}
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("unreachable")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatus+1))
	if err != nil || resp.StatusCode != http.StatusOK || len(body) > maxStatus {
		return nil, fmt.Errorf("unreachable (HTTP %d)", resp.StatusCode)
	}
	var r vantage.Round
	if err := json.Unmarshal(body, &r); err != nil || r.Vantage != p.ID {
		return nil, errors.New("bad reply: not this vantage point's status")
	}
	if r.At.IsZero() {
		return nil, errors.New("up, no round yet")
	}
	return &r, nil
}

// strip draws the history as one SVG: a cell per round, the primary's
// check on the top lane and the standby's below (green ok, red failed,
// grey an error reading DNS), a dark tick where a switch was written. It
// spans the last hour, or less when the vantage point has been up for
// less (ten seconds at least), so a young history is not a sliver at the
// right edge; the caption says which span it is.
func strip(marks []vantage.Mark, now time.Time) (string, string) {
	const w, h, lane = 360.0, 24.0, 10.0
	span := vantage.HistoryWindow
	if len(marks) > 0 {
		span = min(max(now.Sub(marks[0].At), minStrip), vantage.HistoryWindow)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %g" preserveAspectRatio="none" width="100%%" height="%g" role="img" aria-label="last %s of rounds"><rect width="%g" height="%g" fill="#f2f2f2"/>`, w, h, h, spanText(span), w, h)
	start := now.Add(-span)
	for i, m := range marks {
		if m.At.Before(start) {
			continue
		}
		x := w * m.At.Sub(start).Seconds() / span.Seconds()
		next := now
		if i+1 < len(marks) {
			next = marks[i+1].At
		}
		cw := max(w*next.Sub(m.At).Seconds()/span.Seconds(), 0.5)
		fmt.Fprintf(&b, `<rect x="%.1f" y="1" width="%.1f" height="%g" fill="%s"/>`, x, cw, lane, color(m.Primary, m.Error))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" fill="%s"/>`, x, lane+3, cw, lane, color(m.Standby, m.Error))
		if m.Switched {
			fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="1.5" height="%g" fill="#222"/>`, x, h)
		}
	}
	b.WriteString(`</svg>`)
	return b.String(), spanText(span) // built here from numbers and fixed colours only
}

// minStrip is the shortest span a strip shows.
const minStrip = 10 * time.Second

// spanText says how far back a strip reaches: "hour", "12 min", "40 s".
func spanText(d time.Duration) string {
	switch {
	case d >= vantage.HistoryWindow:
		return "hour"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
}

func color(ok, errored bool) string {
	switch {
	case errored && ok:
		return "#9aa0a6"
	case ok:
		return "#2e7d32"
	}
	return "#c62828"
}
