package parity_test

import (
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

const (
	sumA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	sumB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	md5A = `"0cc175b9c0f1b6a831c399e269772661"`
	md5B = `"92eb5ffee6ae2fec3ad71c777531578f"`
)

func body(sum string, size int64, etag string) probe.Result {
	return probe.Result{OK: true, Status: 200, SHA256: sum, Size: size, ETag: etag}
}

func failed(status int, reason string) probe.Result {
	return probe.Result{Status: status, Reason: reason}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name             string
		primary, standby probe.Result
		verdict          parity.Match
		etag             string // prefix
		reason           string // substring
	}{
		{"same bytes, same MD5 ETag", body(sumA, 5, md5A), body(sumA, 5, md5A), parity.Same, "same", ""},
		{"same bytes, ETag case and quotes differ", body(sumA, 5, md5A), body(sumA, 5, strings.ToUpper(strings.Trim(md5A, `"`))), parity.Same, "same", ""},
		{"same bytes, multipart ETag", body(sumA, 5, md5A), body(sumA, 5, `"3858f62230ac3c915f300c664312c11f-2"`), parity.Same, "not comparable", ""},
		{"same bytes, SSE-KMS style ETag differs", body(sumA, 5, md5A), body(sumA, 5, md5B), parity.Same, "not comparable", ""},
		{"same bytes, no ETag on one side", body(sumA, 5, md5A), body(sumA, 5, ""), parity.Same, "not comparable", ""},
		{"different bytes", body(sumA, 5, md5A), body(sumB, 5, md5B), parity.Different, "different", "sha256 aaaaaaaaaaaa"},
		{"different size", body(sumA, 5, ""), body(sumB, 6, ""), parity.Different, "not comparable", "size 5 bytes on the primary, 6 on the standby"},
		{"standby 404", body(sumA, 5, md5A), failed(404, "404 Not Found"), parity.Missing, "", "standby answered 404"},
		{"standby 403 (S3 without ListBucket)", body(sumA, 5, md5A), failed(403, "403 Forbidden"), parity.Missing, "", "standby answered 403"},
		{"standby down", body(sumA, 5, md5A), failed(503, "503 Service Unavailable"), parity.Unknown, "", "standby gave no body: 503"},
		{"primary down", failed(0, "timeout"), body(sumA, 5, md5A), parity.Unknown, "", "primary gave no body: timeout"},
		{"primary lacks the key too", failed(404, "404"), failed(404, "404"), parity.Unknown, "", "primary has no such object either"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := parity.CompareKey("k", tt.primary, tt.standby)
			if o.Match != tt.verdict {
				t.Errorf("verdict = %s, want %s (reason %q)", o.Match, tt.verdict, o.Reason)
			}
			if !strings.HasPrefix(o.ETag, tt.etag) {
				t.Errorf("etag = %q, want prefix %q", o.ETag, tt.etag)
			}
			if !strings.Contains(o.Reason, tt.reason) {
				t.Errorf("reason = %q, want it to contain %q", o.Reason, tt.reason)
			}
			if got, want := o.Failed(), tt.verdict == parity.Missing || tt.verdict == parity.Different; got != want {
				t.Errorf("Failed() = %v, want %v", got, want)
			}
		})
	}
}

func TestComparison(t *testing.T) {
	same := parity.CompareKey("a", body(sumA, 1, ""), body(sumA, 1, ""))
	missing := parity.CompareKey("img/logo.png", body(sumA, 1, ""), failed(404, "404"))
	unknown := parity.CompareKey("c", failed(503, "503"), body(sumA, 1, ""))

	r := parity.Of(same, missing, unknown)
	if r.OK {
		t.Fatal("report with a missing object is OK")
	}
	if len(r.Failed) != 1 || r.Failed[0] != "img/logo.png" {
		t.Errorf("Failed = %v, want [img/logo.png]", r.Failed)
	}
	if !strings.Contains(r.Reason, "img/logo.png missing") {
		t.Errorf("Reason %q does not name the missing key", r.Reason)
	}

	r = parity.Of(same, unknown)
	if !r.OK || !r.Comparable() || r.Reason != "1/2 objects the same, 1 not compared (c)" {
		t.Errorf("same+unknown = ok %v comparable %v %q", r.OK, r.Comparable(), r.Reason)
	}
	if r := parity.Of(unknown); r.Comparable() {
		t.Error("a report of unknowns only is Comparable")
	}
	if r := parity.Compare(body(sumA, 1, ""), body(sumA, 1, "")); !r.OK || r.Objects[0].Key != parity.Canary {
		t.Errorf("Compare = %+v", r)
	}
}

func TestKeySpec(t *testing.T) {
	tests := []struct{ check, key, want string }{
		{"s3://assets/switchyard/canary.txt?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1", "img/logo.png",
			"s3://assets/img/logo.png?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1"},
		{"https://cdn.example.com/switchyard/canary.txt", "img/a b.png", "https://cdn.example.com/img/a%20b.png"},
	}
	for _, tt := range tests {
		ks, err := parity.KeySpec(probe.Spec{URL: tt.check, SHA256: sumA, Contains: "x", LatencyBudget: 1}, tt.key)
		if err != nil {
			t.Fatalf("KeySpec(%s, %s): %v", tt.check, tt.key, err)
		}
		if ks.URL != tt.want {
			t.Errorf("KeySpec(%s, %s).URL = %s, want %s", tt.check, tt.key, ks.URL, tt.want)
		}
		if ks.SHA256 != "" || ks.Contains != "" || ks.LatencyBudget != 0 {
			t.Errorf("KeySpec kept the canary's expectations: %v", ks)
		}
	}
	for _, bad := range []string{"", "/abs"} {
		if _, err := parity.KeySpec(probe.Spec{URL: "https://h/k"}, bad); err == nil {
			t.Errorf("KeySpec accepted key %q", bad)
		}
	}
}
