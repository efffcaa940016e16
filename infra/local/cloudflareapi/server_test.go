package cloudflareapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

const token = "test-token-0123456789"

// world is the fake served over real HTTP and a real cloudflare-go client
// pointed at it.
type world struct {
	api    *cloudflareapi.Server
	srv    *httptest.Server
	client *cfdns.RecordService
	zone   cfdns.RecordListParams // only ZoneID set; copy before filling
}

func newWorld(t *testing.T) *world {
	t.Helper()
	api := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &world{
		api: api, srv: srv,
		client: newClient(srv.URL, token),
		zone:   listParams(api.ZoneID()),
	}
}

func listParams(zone string) cfdns.RecordListParams {
	var p cfdns.RecordListParams
	set(&p.ZoneID, zone)
	return p
}

func newClient(url, tok string) *cfdns.RecordService {
	return cfdns.NewRecordService(
		option.WithBaseURL(url+"/client/v4/"),
		option.WithAPIToken(tok),
		option.WithMaxRetries(0),
	)
}

// apiCode returns the HTTP status and first Cloudflare error code of err.
func apiCode(t *testing.T, err error) (int, int64) {
	t.Helper()
	var apiErr *cfdns.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not a Cloudflare API error", err, err)
	}
	if len(apiErr.Errors) == 0 {
		t.Fatalf("API error without errors: %v", err)
	}
	return apiErr.StatusCode, apiErr.Errors[0].Code
}

func TestRecordLifecycle(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	zone := w.api.ZoneID()

	created, err := w.client.New(ctx, newParams(zone, cnameRecord("assets", "primary.s3.example.net", 60)))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Name != "assets.example.com" || created.Type != "CNAME" || created.TTL != 60 || len(created.ID) != 32 {
		t.Fatalf("created = %+v", created)
	}

	var getParams cfdns.RecordGetParams
	set(&getParams.ZoneID, zone)
	got, err := w.client.Get(ctx, created.ID, getParams)
	if err != nil || got.Content != "primary.s3.example.net" {
		t.Fatalf("get = %+v, %v", got, err)
	}

	var patch cfdns.CNAMERecordParam
	set(&patch.Content, "standby.r2.example.net")
	var edit cfdns.RecordEditParams
	set(&edit.ZoneID, zone)
	edit.Body = patch
	edited, err := w.client.Edit(ctx, created.ID, edit)
	if err != nil || edited.Content != "standby.r2.example.net" || edited.TTL != 60 {
		t.Fatalf("patch kept other fields? %+v, %v", edited, err)
	}
	if !edited.ModifiedOn.After(created.CreatedOn) && !edited.ModifiedOn.Equal(created.CreatedOn) {
		t.Errorf("modified_on %v before created_on %v", edited.ModifiedOn, created.CreatedOn)
	}

	var update cfdns.RecordUpdateParams
	set(&update.ZoneID, zone)
	update.Body = cnameRecord("assets.example.com", "other.example.net", 0)
	put, err := w.client.Update(ctx, created.ID, update)
	if err != nil || put.TTL != 1 {
		t.Fatalf("put must reset unspecified ttl to 1 (auto): %+v, %v", put, err)
	}

	var del cfdns.RecordDeleteParams
	set(&del.ZoneID, zone)
	if _, err := w.client.Delete(ctx, created.ID, del); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = w.client.Get(ctx, created.ID, getParams)
	if status, code := apiCode(t, err); status != http.StatusNotFound || code != 81044 {
		t.Fatalf("get deleted = %d/%d, want 404/81044", status, code)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	w := newWorld(t)
	for i := range 7 {
		w.api.Add(cloudflareapi.Record{Name: fmt.Sprintf("h%d", i), Type: "A", Content: fmt.Sprintf("192.0.2.%d", i), TTL: 60})
	}
	w.api.Add(cloudflareapi.Record{Name: "_switchyard.h1", Type: "TXT", Content: `"v=1 gen=1"`})

	tests := []struct {
		name      string
		params    func(p *cfdns.RecordListParams)
		wantNames []string
		wantTotal string
		wantPages string
	}{
		{"exact name and type", func(p *cfdns.RecordListParams) {
			var n cfdns.RecordListParamsName
			set(&n.Exact, "H1.example.com")
			set(&p.Name, n)
			set(&p.Type, cfdns.RecordListParamsTypeA)
		}, []string{"h1.example.com"}, "1", "1"},
		{"type TXT", func(p *cfdns.RecordListParams) {
			set(&p.Type, cfdns.RecordListParamsTypeTXT)
		}, []string{"_switchyard.h1.example.com"}, "1", "1"},
		{"content exact", func(p *cfdns.RecordListParams) {
			var c cfdns.RecordListParamsContent
			set(&c.Exact, "192.0.2.3")
			set(&p.Content, c)
		}, []string{"h3.example.com"}, "1", "1"},
		{"name startswith, second page of 3", func(p *cfdns.RecordListParams) {
			var n cfdns.RecordListParamsName
			set(&n.Startswith, "h")
			set(&p.Name, n)
			set(&p.PerPage, 3.0)
			set(&p.Page, 2.0)
		}, []string{"h3.example.com", "h4.example.com", "h5.example.com"}, "7", "3"},
		{"no match", func(p *cfdns.RecordListParams) {
			var n cfdns.RecordListParamsName
			set(&n.Exact, "nope.example.com")
			set(&p.Name, n)
		}, nil, "0", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := w.zone
			tc.params(&p)
			page, err := w.client.List(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range page.Result {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.wantNames, ",") {
				t.Errorf("names = %v, want %v", names, tc.wantNames)
			}
			// cloudflare-go decodes only page and per_page; the rest of
			// result_info is kept raw.
			extra := page.ResultInfo.JSON.ExtraFields
			got := []string{extra["total_count"].Raw(), extra["total_pages"].Raw(), extra["count"].Raw()}
			want := []string{tc.wantTotal, tc.wantPages, fmt.Sprint(len(tc.wantNames))}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("result_info total_count, total_pages, count = %v, want %v", got, want)
			}
		})
	}
}

func TestTXTContentStoredAsGiven(t *testing.T) {
	w := newWorld(t)
	const content = `"v=1 active=standby gen=7 reason=\"4/5 down\""`
	_, err := w.client.New(context.Background(), newParams(w.api.ZoneID(), txtRecord("_switchyard.assets.example.com", content, 60)))
	if err != nil {
		t.Fatal(err)
	}
	p := w.zone
	set(&p.Type, cfdns.RecordListParamsTypeTXT)
	page, err := w.client.List(context.Background(), p)
	if err != nil || len(page.Result) != 1 || page.Result[0].Content != content {
		t.Fatalf("list = %+v, %v; want content %s", page, err, content)
	}
}

func TestAuthAndRouting(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		client     *cfdns.RecordService
		zone       string
		wantStatus int
		wantCode   int64
	}{
		{"wrong token", newClient(w.srv.URL, "not-the-token"), w.api.ZoneID(), 403, 10000},
		{"missing token", cfdns.NewRecordService(option.WithBaseURL(w.srv.URL+"/client/v4/"), option.WithMaxRetries(0)), w.api.ZoneID(), 403, 10000},
		{"unknown zone", w.client, "ffffffffffffffffffffffffffffffff", 400, 7003},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.List(ctx, listParams(tc.zone))
			status, code := apiCode(t, err)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("got %d/%d, want %d/%d", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		seed     []cloudflareapi.Record
		body     cfdns.RecordNewParamsBodyUnion
		wantCode int64
	}{
		{"A not IPv4", nil, aRecord("a", "2001:db8::1", 60), 9005},
		{"A garbage", nil, aRecord("a", "primary.example.net", 60), 9005},
		{"AAAA not IPv6", nil, aaaaRecord("a", "192.0.2.1", 60), 9006},
		{"TTL too low", nil, aRecord("a", "192.0.2.1", 30), 1004},
		{"TTL too high", nil, aRecord("a", "192.0.2.1", 86401), 1004},
		{"bad type", nil, bogusRecord(), 1004},
		{"CNAME onto A", []cloudflareapi.Record{{Name: "a", Type: "A", Content: "192.0.2.1"}},
			cnameRecord("a", "b.example.net", 60), 81053},
		{"A onto CNAME", []cloudflareapi.Record{{Name: "a", Type: "CNAME", Content: "b.example.net"}},
			aRecord("a", "192.0.2.1", 60), 81054},
		{"CNAME to itself", nil, cnameRecord("a", "a.example.com", 60), 9039},
		{"identical record", []cloudflareapi.Record{{Name: "a", Type: "A", Content: "192.0.2.1"}},
			aRecord("a", "192.0.2.1", 60), 81057},
		{"TXT proxied", nil, proxiedTXT(), 9004},
		{"proxied with a TTL of its own", nil, proxiedCNAME(60), 1004},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for _, r := range tc.seed {
				w.api.Add(r)
			}
			before := w.api.Records()
			_, err := w.client.New(ctx, newParams(w.api.ZoneID(), tc.body))
			status, code := apiCode(t, err)
			if status != http.StatusBadRequest || code != tc.wantCode {
				t.Errorf("got %d/%d, want 400/%d", status, code, tc.wantCode)
			}
			if got := w.api.Records(); len(got) != len(before) {
				t.Errorf("records changed after a refused create: %+v", got)
			}
		})
	}
}

func TestBatchOrderAndAtomicity(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	zone := w.api.ZoneID()
	cname := w.api.Add(cloudflareapi.Record{Name: "assets", Type: "CNAME", Content: "primary.example.net", TTL: 60})
	txt := w.api.Add(cloudflareapi.Record{Name: "_switchyard.assets", Type: "TXT", Content: `"gen=1"`, TTL: 60})
	var changes [][]cloudflareapi.Record
	var mu sync.Mutex
	w.api.OnChange(func(rs []cloudflareapi.Record) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, rs)
	})

	t.Run("refused batch changes nothing", func(t *testing.T) {
		before := w.api.Records()
		var b cfdns.RecordBatchParams
		set(&b.ZoneID, zone)
		set(&b.Patches, []cfdns.BatchPatchUnionParam{txtPatch(txt.ID, `"gen=2"`)})
		set(&b.Posts, []cfdns.RecordBatchParamsPostUnion{aRecord("x", "not-an-ip", 60)})
		_, err := w.client.Batch(ctx, b)
		if status, code := apiCode(t, err); status != 400 || code != 9005 {
			t.Fatalf("got %d/%d, want 400/9005", status, code)
		}
		if after := w.api.Records(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a refused batch changed records:\nbefore %+v\nafter  %+v", before, after)
		}
		if len(changes) != 0 {
			t.Fatalf("OnChange called for a refused batch")
		}
	})

	t.Run("deletes run before posts", func(t *testing.T) {
		// Replacing a CNAME by an A on the same name only works when the
		// delete runs first, whatever the order in the body.
		var b cfdns.RecordBatchParams
		set(&b.ZoneID, zone)
		set(&b.Posts, []cfdns.RecordBatchParamsPostUnion{aRecord("assets", "192.0.2.10", 60)})
		set(&b.Patches, []cfdns.BatchPatchUnionParam{txtPatch(txt.ID, `"gen=2"`)})
		var d cfdns.RecordBatchParamsDelete
		set(&d.ID, cname.ID)
		set(&b.Deletes, []cfdns.RecordBatchParamsDelete{d})
		res, err := w.client.Batch(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Deletes) != 1 || len(res.Patches) != 1 || len(res.Posts) != 1 || res.Posts[0].Content != "192.0.2.10" {
			t.Fatalf("batch result = %+v", res)
		}
		got := w.api.Records()
		if len(got) != 2 || got[0].Type != "TXT" || got[0].Content != `"gen=2"` || got[1].Type != "A" {
			t.Fatalf("records after batch = %+v", got)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(changes) != 1 || len(changes[0]) != 2 {
			t.Fatalf("want one OnChange with the committed records, got %+v", changes)
		}
	})

	t.Run("patch of unknown id", func(t *testing.T) {
		var b cfdns.RecordBatchParams
		set(&b.ZoneID, zone)
		set(&b.Patches, []cfdns.BatchPatchUnionParam{txtPatch("0123456789abcdef0123456789abcdef", "x")})
		_, err := w.client.Batch(ctx, b)
		if status, code := apiCode(t, err); status != 400 || code != 81044 {
			t.Fatalf("got %d/%d, want 400/81044", status, code)
		}
	})
}

func TestFailNext(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.api.FailNext(1, http.StatusTooManyRequests, 2*time.Second)
	var raw *http.Response
	_, err := w.client.List(ctx, w.zone, option.WithResponseInto(&raw))
	if status, code := apiCode(t, err); status != 429 || code != 971 {
		t.Fatalf("got %d/%d, want 429/971", status, code)
	}
	if ra := raw.Header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After = %q, want 2", ra)
	}

	// cloudflare-go retries 5xx itself, honouring Retry-After.
	w.api.FailNext(2, http.StatusServiceUnavailable, 10*time.Millisecond)
	if _, err := w.client.List(ctx, w.zone, option.WithMaxRetries(2)); err != nil {
		t.Fatalf("list after two 503s with two retries: %v", err)
	}
	var statuses []int
	for _, c := range w.api.Calls() {
		statuses = append(statuses, c.Status)
	}
	if fmt.Sprint(statuses) != "[429 503 503 200]" {
		t.Errorf("call statuses = %v", statuses)
	}
	if c := w.api.Calls()[0]; c.Method != "GET" || c.Path != "/client/v4/zones/"+w.api.ZoneID()+"/dns_records" {
		t.Errorf("call = %+v", c)
	}
}

func TestConcurrentWrites(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := w.client.New(context.Background(), newParams(w.api.ZoneID(), aRecord("multi", fmt.Sprintf("192.0.2.%d", i), 60)))
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(w.api.Records()); n != 20 {
		t.Fatalf("records = %d, want 20", n)
	}
}

func TestOnChangeInCommitOrder(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var sizes []int
	w.api.OnChange(func(rs []cloudflareapi.Record) {
		_ = w.api.Records() // a callback may read the server
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(rs))
	})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := w.client.New(context.Background(), newParams(w.api.ZoneID(), aRecord("multi", fmt.Sprintf("192.0.2.%d", i), 60))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i, n := range sizes {
		if n != i+1 {
			t.Fatalf("snapshot sizes = %v: want one per commit, in commit order", sizes)
		}
	}
	if len(sizes) != 20 {
		t.Fatalf("OnChange calls = %d, want 20", len(sizes))
	}
}
