package cloudflareapi

import (
	"encoding/json"
	"net/http"
)

// apiError is one entry of the envelope's "errors" list. Codes are
// Cloudflare's where they could be found in public answers of the real API
// (9005, 9006, 9021, 81044, 81053, 81054, 81057, 10000, 7003/7000, 9207,
// 971); other validation failures use the generic 1004 with a message that
// says what is wrong.
type apiError struct {
	Code    int        `json:"code"`
	Message string     `json:"message"`
	Chain   []apiError `json:"error_chain,omitempty"`
	status  int
}

// The errors the real API is known to answer with.
var (
	errAuth        = &apiError{status: http.StatusForbidden, Code: 10000, Message: "Authentication error"}
	errNoRecord    = &apiError{status: http.StatusNotFound, Code: 81044, Message: "Record does not exist."}
	errBadBody     = &apiError{status: http.StatusBadRequest, Code: 9207, Message: "Request body is invalid."}
	errA           = invalid(9005, "Content for A record must be a valid IPv4 address.")
	errAAAA        = invalid(9006, "Content for AAAA record must be a valid IPv6 address.")
	errCNAMESelf   = invalid(9039, "CNAME content cannot reference itself.")
	errCNAME       = invalid(9007, "Content for CNAME record is invalid.")
	errNotProxy    = invalid(9004, "This record type cannot be proxied.")
	errProxiedTTL  = validation("TTL must be 1 (Automatic) for a proxied record.")
	errHostTaken   = invalid(81053, "An A, AAAA, or CNAME record with that host already exists.")
	errCNAMETaken  = invalid(81054, "A CNAME record with that host already exists.")
	errDuplicate   = invalid(81057, "Record already exists.")
	errTTL         = &apiError{status: http.StatusBadRequest, Code: 1004, Message: "DNS Validation Error", Chain: []apiError{{Code: 9021, Message: "TTL must be between 60 and 86400 seconds, or 1 for Automatic."}}}
	errRateLimited = &apiError{status: http.StatusTooManyRequests, Code: 971, Message: "Please wait and consider throttling your request speed"}
)

func invalid(code int, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: code, Message: msg}
}

// validation is a 1004 "DNS Validation Error" whose code the fake could not
// confirm against the real API; the message names the problem.
func validation(msg string) *apiError { return invalid(1004, msg) }

// noRoute is what Cloudflare answers for a path or object id it cannot route,
// e.g. a zone id that is not this zone's.
func noRoute(path string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: 7003,
		Message: "Could not route to " + path + ", perhaps your object identifier is invalid?",
		Chain:   []apiError{{Code: 7000, Message: "No route for that URI"}}}
}

type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// envelope is the body of every answer of the v4 API.
type envelope struct {
	Success    bool        `json:"success"`
	Errors     []apiError  `json:"errors"`
	Messages   []apiError  `json:"messages"`
	Result     any         `json:"result"`
	ResultInfo *resultInfo `json:"result_info,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, e envelope) {
	if e.Errors == nil {
		e.Errors = []apiError{}
	}
	if e.Messages == nil {
		e.Messages = []apiError{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(e)
}

func writeResult(w http.ResponseWriter, result any, info *resultInfo) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Result: result, ResultInfo: info})
}

func writeError(w http.ResponseWriter, e *apiError) {
	errs := []apiError{{Code: e.Code, Message: e.Message, Chain: e.Chain}}
	if e.Code == 7003 { // the real API lists the chained 7000 beside it
		errs = []apiError{{Code: e.Code, Message: e.Message}, e.Chain[0]}
	}
	writeJSON(w, e.status, envelope{Success: false, Errors: errs})
}
