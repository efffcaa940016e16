package cloudflareapi_test

import (
	"reflect"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
)

// set fills a cloudflare-go request field (an internal param.Field[T]) the
// way cloudflare.F does, without importing the SDK's root package, which
// would link every Cloudflare service into the test binary.
func set[F, T any](dst *F, v T) {
	f := reflect.ValueOf(dst).Elem()
	f.FieldByName("Value").Set(reflect.ValueOf(v))
	f.FieldByName("Present").SetBool(true)
}

func aRecord(name, content string, ttl float64) cfdns.ARecordParam {
	var p cfdns.ARecordParam
	set(&p.Name, name)
	set(&p.Type, cfdns.ARecordTypeA)
	set(&p.Content, content)
	set(&p.TTL, cfdns.TTL(ttl))
	return p
}

func aaaaRecord(name, content string, ttl float64) cfdns.AAAARecordParam {
	var p cfdns.AAAARecordParam
	set(&p.Name, name)
	set(&p.Type, cfdns.AAAARecordTypeAAAA)
	set(&p.Content, content)
	set(&p.TTL, cfdns.TTL(ttl))
	return p
}

func cnameRecord(name, content string, ttl float64) cfdns.CNAMERecordParam {
	var p cfdns.CNAMERecordParam
	set(&p.Name, name)
	set(&p.Type, cfdns.CNAMERecordTypeCNAME)
	set(&p.Content, content)
	if ttl != 0 {
		set(&p.TTL, cfdns.TTL(ttl))
	}
	return p
}

func txtRecord(name, content string, ttl float64) cfdns.TXTRecordParam {
	var p cfdns.TXTRecordParam
	set(&p.Name, name)
	set(&p.Type, cfdns.TXTRecordTypeTXT)
	set(&p.Content, content)
	set(&p.TTL, cfdns.TTL(ttl))
	return p
}

func txtPatch(id, content string) cfdns.BatchPatchTXTRecordParam {
	var p cfdns.BatchPatchTXTRecordParam
	set(&p.ID, id)
	set(&p.Content, content)
	return p
}

func newParams(zone string, body cfdns.RecordNewParamsBodyUnion) cfdns.RecordNewParams {
	var p cfdns.RecordNewParams
	set(&p.ZoneID, zone)
	p.Body = body
	return p
}

func bogusRecord() cfdns.RecordNewParamsBody {
	var p cfdns.RecordNewParamsBody
	set(&p.Name, "a")
	set(&p.Type, cfdns.RecordNewParamsBodyType("BOGUS"))
	set(&p.Content, "x")
	set(&p.TTL, cfdns.TTL(60))
	return p
}

func proxiedTXT() cfdns.TXTRecordParam {
	p := txtRecord("a", "x", 1)
	set(&p.Proxied, true)
	return p
}

func proxiedCNAME(ttl float64) cfdns.CNAMERecordParam {
	p := cnameRecord("a", "b.example.net", ttl)
	set(&p.Proxied, true)
	return p
}
