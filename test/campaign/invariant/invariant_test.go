package invariant

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

var zone = Zone{Record: "assets.example.test", PrimaryTarget: "primary.example.test", StandbyTarget: "standby.example.test"}

// groupZone switches an A record at img. with the record.
var groupZone = Zone{Record: zone.Record, PrimaryTarget: zone.PrimaryTarget, StandbyTarget: zone.StandbyTarget,
	Group: []GroupRecord{{Name: "img.example.test", Type: "A", PrimaryTarget: "192.0.2.1", StandbyTarget: "192.0.2.2"}}}

func member(id, content string) cloudflareapi.Record {
	return cloudflareapi.Record{ID: id, Name: "img.example.test", Type: "A", Content: content}
}

func txt(s string) string { return strconv.Quote(s) }

func rec(id, content string) cloudflareapi.Record {
	return cloudflareapi.Record{ID: id, Name: zone.Record, Type: "CNAME", Content: content}
}

func st(id string, side state.Side, gen uint64, by string, pinned bool) cloudflareapi.Record {
	s := state.State{Active: side, Gen: gen, By: by, Pinned: pinned, Since: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC), Reason: "test"}
	return cloudflareapi.Record{ID: id, Name: state.RecordName(zone.Record), Type: "TXT", Content: txt(s.Format())}
}

func claim(id string, gen uint64) cloudflareapi.Record {
	return cloudflareapi.Record{ID: id, Name: claimPrefix + zone.Record, Type: "TXT", Content: `"gen=` + strconv.FormatUint(gen, 10) + `"`}
}

// zones returns a healthy zone at gen 1 on the standby, and that zone with
// one change applied.
func healthy() []cloudflareapi.Record {
	return []cloudflareapi.Record{rec("r", zone.StandbyTarget), st("s", state.Standby, 1, "aws:us-east-1", false), claim("c1", 1)}
}

func TestOneSnapshot(t *testing.T) {
	tests := []struct {
		name string
		zone Zone
		rs   []cloudflareapi.Record
		want map[string]int
	}{
		{"healthy", zone, healthy(), nil},
		{"gen 0 without a claim, before claims existed from the start", zone,
			[]cloudflareapi.Record{rec("r", zone.PrimaryTarget), st("s", state.Primary, 0, "setup", false)}, nil},
		{"gen 0 without a claim, claims from the start", Zone{Record: zone.Record, PrimaryTarget: zone.PrimaryTarget, StandbyTarget: zone.StandbyTarget, ClaimFromStart: true},
			[]cloudflareapi.Record{rec("r", zone.PrimaryTarget), st("s", state.Primary, 0, "setup", false)}, map[string]int{ClaimMissing: 1}},
		{"a duplicated record", zone, append(healthy(), rec("r2", zone.PrimaryTarget)), map[string]int{RecordDuplicated: 1}},
		{"a missing record", zone, healthy()[1:], map[string]int{RecordMissing: 1}},
		{"a missing state", zone, []cloudflareapi.Record{rec("r", zone.StandbyTarget), claim("c1", 1)}, map[string]int{StateMissing: 1}},
		{"a duplicated state", zone, append(healthy(), st("s2", state.Primary, 1, "x:y", false)), map[string]int{StateDuplicated: 1}},
		{"an unreadable state", zone, []cloudflareapi.Record{rec("r", zone.StandbyTarget), {ID: "s", Name: state.RecordName(zone.Record), Type: "TXT", Content: `"v=9 nonsense"`}, claim("c1", 1)},
			map[string]int{StateUnreadable: 1}},
		{"a record disagreeing with its state", zone, []cloudflareapi.Record{rec("r", zone.PrimaryTarget), st("s", state.Standby, 1, "aws:us-east-1", false), claim("c1", 1)},
			map[string]int{RecordDisagrees: 1}},
		{"a group on the state's side", groupZone, append(healthy(), member("g", groupZone.Group[0].StandbyTarget)), nil},
		{"a group record left behind", groupZone, append(healthy(), member("g", groupZone.Group[0].PrimaryTarget)), map[string]int{GroupDisagrees: 1}},
		{"a group record missing", groupZone, healthy(), map[string]int{GroupDisagrees: 1}},
		{"two claims", zone, append(healthy(), claim("c2", 2)), map[string]int{ClaimDuplicated: 1}},
		{"no claim after a switch", zone, healthy()[:2], map[string]int{ClaimMissing: 1}},
		{"only a claim behind its state", zone, []cloudflareapi.Record{rec("r", zone.StandbyTarget), st("s", state.Standby, 2, "a:b", false), claim("c1", 1)}, map[string]int{ClaimMissing: 1}},
		{"claim ahead of its state", zone, []cloudflareapi.Record{rec("r", zone.StandbyTarget), st("s", state.Standby, 2, "a:b", false), claim("c3", 3)}, map[string]int{ClaimDisagrees: 1}},
		{"a stale claim beside the current one, writes in flight", zone, append(healthy(), claim("c0", 0)), nil},
		{"everything wrong at once is counted, not just the first", zone,
			[]cloudflareapi.Record{rec("r", zone.PrimaryTarget), rec("r2", zone.StandbyTarget), claim("c1", 1), claim("c2", 1)},
			map[string]int{RecordDuplicated: 1, StateMissing: 1, ClaimDuplicated: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.zone)
			c.Check(tc.rs)
			got := c.Counts()
			if len(got) != len(tc.want) {
				t.Fatalf("counts %v, want %v (first: %v)", got, tc.want, c.First())
			}
			for k, n := range tc.want {
				if got[k] != n {
					t.Errorf("%s: %d, want %d (counts %v)", k, got[k], n, got)
				}
			}
		})
	}
}

func TestSequence(t *testing.T) {
	gen0 := []cloudflareapi.Record{rec("r", zone.PrimaryTarget), st("s", state.Primary, 0, "setup", false)}
	tests := []struct {
		name  string
		snaps [][]cloudflareapi.Record
		want  map[string]int
	}{
		{"a switch, then a claim swap", [][]cloudflareapi.Record{
			gen0,
			healthy(),
			{rec("r", zone.PrimaryTarget), st("s", state.Primary, 2, "aws:us-west-2", false), claim("c2", 2)},
		}, nil},
		{"generation goes back", [][]cloudflareapi.Record{
			{rec("r", zone.PrimaryTarget), st("s", state.Primary, 2, "a:b", false), claim("c2", 2)},
			{rec("r", zone.StandbyTarget), st("s", state.Standby, 1, "a:c", false), claim("c2", 2)},
		}, map[string]int{GenerationBack: 1, ClaimDisagrees: 1}},
		{"two writers commit the same generation", [][]cloudflareapi.Record{
			healthy(),
			{rec("r", zone.PrimaryTarget), st("s", state.Primary, 1, "gcp:x", false), claim("c1", 1)},
		}, map[string]int{GenerationReused: 1}},
		{"the record deleted and posted again", [][]cloudflareapi.Record{
			healthy(),
			{rec("r9", zone.StandbyTarget), st("s", state.Standby, 1, "aws:us-east-1", false), claim("c1", 1)},
		}, map[string]int{Deleted: 1}},
		{"the claim deleted without a successor", [][]cloudflareapi.Record{
			healthy(),
			{rec("r", zone.StandbyTarget), st("s", state.Standby, 1, "aws:us-east-1", false)},
		}, map[string]int{Deleted: 1, ClaimMissing: 1}},
		{"an operator pins, automation moves it", [][]cloudflareapi.Record{
			{rec("r", zone.PrimaryTarget), st("s", state.Primary, 2, "manual:ops", true), claim("c2", 2)},
			{rec("r", zone.StandbyTarget), st("s", state.Standby, 3, "aws:us-east-1", false), claim("c3", 3)},
		}, map[string]int{PinOverridden: 1}},
		{"an operator pins, then moves again", [][]cloudflareapi.Record{
			{rec("r", zone.PrimaryTarget), st("s", state.Primary, 2, "manual:ops", true), claim("c2", 2)},
			{rec("r", zone.StandbyTarget), st("s", state.Standby, 3, "manual:ops", true), claim("c3", 3)},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(zone)
			for _, s := range tc.snaps {
				c.Check(s)
			}
			got := c.Counts()
			if len(got) != len(tc.want) {
				t.Fatalf("counts %v, want %v (first: %v)", got, tc.want, c.First())
			}
			for k, n := range tc.want {
				if got[k] != n {
					t.Errorf("%s: %d, want %d", k, got[k], n)
				}
			}
			if c.Checks() != len(tc.snaps) {
				t.Errorf("Checks = %d, want %d", c.Checks(), len(tc.snaps))
			}
		})
	}
}

// TestCountsEverySnapshot: the same broken zone seen twice counts twice,
// so a figure says how long an inconsistency lasted, not only that it did.
func TestCountsEverySnapshot(t *testing.T) {
	c := New(zone)
	bad := append(healthy(), rec("r2", zone.PrimaryTarget))
	c.Check(bad)
	c.Check(bad)
	if n := c.Total(); n != 2 {
		t.Fatalf("Total = %d, want 2", n)
	}
	if len(c.First()) != 2 {
		t.Fatalf("First = %v", c.First())
	}
}

// TestStaleClaim: a claim older than the state beside the current one is
// noted while writes are in flight and counted only if it is still there
// when they have ended.
func TestStaleClaim(t *testing.T) {
	c := New(zone)
	c.Check(append(healthy(), claim("c0", 0)))
	if c.Total() != 0 || c.Stale() != 1 {
		t.Fatalf("in flight: total %d, stale %d; want 0 and 1", c.Total(), c.Stale())
	}
	c.Final(healthy())
	if c.Total() != 0 {
		t.Fatalf("cleaned up: %v", c.First())
	}
	c.Final(append(healthy(), claim("c0", 0)))
	if got := c.Counts()[ClaimLeftStale]; got != 1 {
		t.Fatalf("left behind: counts %v, want one %q", c.Counts(), ClaimLeftStale)
	}
}
