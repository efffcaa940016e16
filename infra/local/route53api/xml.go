package route53api

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

type xmlRecord struct {
	Value string `xml:"Value"`
}

type xmlRecordSet struct {
	Name    string      `xml:"Name"`
	Type    string      `xml:"Type"`
	TTL     *int64      `xml:"TTL"`
	Records []xmlRecord `xml:"ResourceRecords>ResourceRecord"`
}

type xmlChange struct {
	Action string       `xml:"Action"`
	Set    xmlRecordSet `xml:"ResourceRecordSet"`
}

type changeRequest struct {
	Batch struct {
		Comment string      `xml:"Comment"`
		Changes []xmlChange `xml:"Changes>Change"`
	} `xml:"ChangeBatch"`
}

type xmlChangeInfo struct {
	ID          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

type changeResponse struct {
	XMLName xml.Name      `xml:"ChangeResourceRecordSetsResponse"`
	Xmlns   string        `xml:"xmlns,attr"`
	Info    xmlChangeInfo `xml:"ChangeInfo"`
}

type getChangeResponse struct {
	XMLName xml.Name      `xml:"GetChangeResponse"`
	Xmlns   string        `xml:"xmlns,attr"`
	Info    xmlChangeInfo `xml:"ChangeInfo"`
}

type listResponse struct {
	XMLName        xml.Name       `xml:"ListResourceRecordSetsResponse"`
	Xmlns          string         `xml:"xmlns,attr"`
	Sets           []xmlRecordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated    bool           `xml:"IsTruncated"`
	NextRecordName string         `xml:"NextRecordName,omitempty"`
	NextRecordType string         `xml:"NextRecordType,omitempty"`
	MaxItems       string         `xml:"MaxItems"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// invalidChangeBatch is the body Route 53 sends when a batch has several
// problems; aws-sdk-go-v2 decodes it into types.InvalidChangeBatch.
type invalidChangeBatch struct {
	XMLName   xml.Name `xml:"InvalidChangeBatch"`
	Xmlns     string   `xml:"xmlns,attr"`
	Messages  []string `xml:"Messages>Message"`
	RequestID string   `xml:"RequestId"`
}

const requestID = "00000000-0000-0000-0000-5w17c4ya4d00"

func toXML(rs RecordSet) xmlRecordSet {
	ttl := rs.TTL
	x := xmlRecordSet{Name: rs.Name, Type: rs.Type, TTL: &ttl}
	for _, v := range rs.Values {
		x.Records = append(x.Records, xmlRecord{Value: v})
	}
	return x
}

func fromXML(x xmlRecordSet) RecordSet {
	rs := RecordSet{Name: fqdn(x.Name), Type: strings.ToUpper(x.Type)}
	if x.TTL != nil {
		rs.TTL = *x.TTL
	}
	for _, r := range x.Records {
		rs.Values = append(rs.Values, r.Value)
	}
	return rs
}

// validate checks a record set as Route 53 does for the types switchyard
// writes.
func validate(rs RecordSet) string {
	if len(rs.Values) == 0 {
		return fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with [Action=?, Name=%s, Type=%s]", rs.Name, rs.Type)
	}
	if rs.TTL < 0 || rs.TTL > 2147483647 {
		return fmt.Sprintf("Invalid TTL %d for %s", rs.TTL, rs.Name)
	}
	for _, v := range rs.Values {
		bad := false
		switch rs.Type {
		case "A":
			a, err := netip.ParseAddr(v)
			bad = err != nil || !a.Is4()
		case "AAAA":
			a, err := netip.ParseAddr(v)
			bad = err != nil || !a.Is6()
		case "CNAME":
			bad = len(rs.Values) != 1 || v == "" || strings.ContainsAny(v, " \"")
		case "TXT":
			bad = !strings.HasPrefix(v, `"`) || !strings.HasSuffix(v, `"`) || len(v) < 2
		}
		if bad {
			return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: %s value %q is not valid' encountered with '%s'", rs.Type, v, v)
		}
	}
	return ""
}

func writeXML(w http.ResponseWriter, status int, v any) (int, string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(v)
	return status, ""
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) (int, string) {
	var e errorResponse
	e.Xmlns, e.Error.Type, e.Error.Code, e.Error.Message, e.RequestID = Namespace, typ, code, msg, requestID
	writeXML(w, status, e)
	return status, code
}

// writeInvalidChangeBatch answers as Route 53 does: one problem in the
// ErrorResponse form ("[message]"), several in the InvalidChangeBatch form.
func writeInvalidChangeBatch(w http.ResponseWriter, problems []string) (int, string) {
	if len(problems) == 1 {
		return writeError(w, http.StatusBadRequest, "Sender", "InvalidChangeBatch", "["+problems[0]+"]")
	}
	writeXML(w, http.StatusBadRequest, invalidChangeBatch{Xmlns: Namespace, Messages: problems, RequestID: requestID})
	return http.StatusBadRequest, "InvalidChangeBatch"
}
