package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
)

// recordsAPI is the subset of the Cloudflare API that switchyard uses (as
// external-dns does): list records, create one, and change several in one
// batch. *cfdns.RecordService implements it; only the dns and option
// packages of cloudflare-go are linked, not its root package, which pulls in
// every Cloudflare service.
type recordsAPI interface {
	List(ctx context.Context, params cfdns.RecordListParams, opts ...option.RequestOption) (*pagination.V4PagePaginationArray[cfdns.RecordResponse], error)
	New(ctx context.Context, params cfdns.RecordNewParams, opts ...option.RequestOption) (*cfdns.RecordResponse, error)
	Batch(ctx context.Context, params cfdns.RecordBatchParams, opts ...option.RequestOption) (*cfdns.RecordBatchResponse, error)
}

var _ recordsAPI = (*cfdns.RecordService)(nil)

// set fills a cloudflare-go request field (an internal param.Field[T]) and
// marks it present, as cloudflare.F does in the root package we do not link.
// A wrong T panics; every call site runs in the tests.
func set[F, T any](dst *F, v T) {
	f := reflect.ValueOf(dst).Elem()
	f.FieldByName("Value").Set(reflect.ValueOf(v))
	f.FieldByName("Present").SetBool(true)
}

// perPage is the page size of the one list call a read makes. Cloudflare
// allows up to 5,000,000; a read must fit one page to be one snapshot.
const perPage = 5000

// listParams asks, in one call, for every record whose name ends in name:
// the record itself, `_switchyard.<name>` and `_switchyard-claim.<name>`
// (and any sub-name, which the registry ignores). One call is one database
// read: the record and its TXT records can never straddle a switch, as
// three calls could.
func listParams(zoneID, name string) cfdns.RecordListParams {
	var p cfdns.RecordListParams
	set(&p.ZoneID, zoneID)
	var n cfdns.RecordListParamsName
	set(&n.Endswith, name)
	set(&p.Name, n)
	set(&p.PerPage, float64(perPage))
	return p
}

// patchTarget changes the content and TTL of the switched record.
func patchTarget(typ, id, content string, ttl int) cfdns.BatchPatchUnionParam {
	switch typ {
	case "A":
		var p cfdns.BatchPatchARecordParam
		set(&p.ID, id)
		set(&p.Content, content)
		set(&p.TTL, cfdns.TTL(ttl))
		return p
	case "AAAA":
		var p cfdns.BatchPatchAAAARecordParam
		set(&p.ID, id)
		set(&p.Content, content)
		set(&p.TTL, cfdns.TTL(ttl))
		return p
	default:
		var p cfdns.BatchPatchCNAMERecordParam
		set(&p.ID, id)
		set(&p.Content, content)
		set(&p.TTL, cfdns.TTL(ttl))
		return p
	}
}

func patchTXT(id, content string, ttl int) cfdns.BatchPatchUnionParam {
	var p cfdns.BatchPatchTXTRecordParam
	set(&p.ID, id)
	set(&p.Content, content)
	set(&p.TTL, cfdns.TTL(ttl))
	return p
}

func postTXT(name, content string, ttl int, comment string) cfdns.RecordBatchParamsPostUnion {
	return txtParam(name, content, ttl, comment)
}

// txtParam is a new TXT record with the given text, quoted as Cloudflare
// documents TXT content.
func txtParam(name, content string, ttl int, comment string) cfdns.TXTRecordParam {
	var p cfdns.TXTRecordParam
	set(&p.Name, name)
	set(&p.Type, cfdns.TXTRecordTypeTXT)
	set(&p.Content, QuoteTXT(content))
	set(&p.TTL, cfdns.TTL(ttl))
	if comment != "" {
		set(&p.Comment, comment)
	}
	return p
}

func deleteRecord(id string) cfdns.RecordBatchParamsDelete {
	var d cfdns.RecordBatchParamsDelete
	set(&d.ID, id)
	return d
}

// QuoteTXT writes s as one quoted DNS character-string, the form Cloudflare
// documents for TXT content; state.Parse reads it back.
func QuoteTXT(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// maxEnvelope bounds how much of a successful answer checkSuccess reads.
const maxEnvelope = 4 << 20

// checkSuccess is a cloudflare-go middleware that turns a 2xx answer whose
// envelope says "success": false into an error: cloudflare-go decodes only
// "result" then, and would report success.
func checkSuccess(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res.StatusCode >= 300 {
		return res, err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxEnvelope))
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	var env struct {
		Success *bool         `json:"success"`
		Errors  []errorDetail `json:"errors"`
	}
	if json.Unmarshal(body, &env) == nil && env.Success != nil && !*env.Success {
		return nil, &apiError{Status: res.StatusCode, Errors: env.Errors, unsuccessful: true}
	}
	return res, nil
}
