package route53

import (
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// A group's listing runs from its first name, in Route 53's order (labels
// reversed, compared label by label), to the end of its last name's
// subtree, and keeps only the group's subtrees.
func TestListRange(t *testing.T) {
	r := listRange("img.example.com", []dns.Member{{Name: "assets.example.com", Type: "A"}, {Name: "cdn.example.com", Type: "CNAME"}})
	if r.first != "assets.example.com." || r.page != groupListPage {
		t.Fatalf("first %q page %d; want assets.example.com. and %d", r.first, r.page, groupListPage)
	}
	for _, tc := range []struct {
		name         string
		within, past bool
	}{
		{"assets.example.com.", true, false},
		{"_switchyard.assets.example.com.", true, false},
		{"assets-x.example.com.", false, false}, // after assets' subtree, before cdn
		{"cdn.example.com.", true, false},
		{"img.example.com.", true, false},
		{"_switchyard-claim.img.example.com.", true, false},
		{"a.b.img.example.com.", true, false},
		{"img-2.example.com.", false, true},
		{"www.example.com.", false, true},
	} {
		if got := r.within(tc.name); got != tc.within {
			t.Errorf("within(%s) = %v, want %v", tc.name, got, tc.within)
		}
		if got := r.past(tc.name); got != tc.past {
			t.Errorf("past(%s) = %v, want %v", tc.name, got, tc.past)
		}
	}
}
