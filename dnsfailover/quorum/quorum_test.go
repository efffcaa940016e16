package quorum

import (
	"slices"
	"testing"
	"time"
)

var (
	now  = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	four = []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}
	rule = Rule{Vantages: four, Quorum: Majority(4), MinProviders: 2, MaxAge: 30 * time.Second}
)

func down(id string) Vote { return Vote{Vantage: id, PrimaryUp: false, StandbyUp: true, At: now} }
func up(id string) Vote   { return Vote{Vantage: id, PrimaryUp: true, StandbyUp: true, At: now} }

func TestDecide(t *testing.T) {
	tests := []struct {
		name        string
		votes       []Vote
		rule        Rule
		wantDown    bool
		wantUp      bool
		wantStandby bool
		wantCounts  [2]int // down, up
	}{
		{
			name:  "real outage seen by everyone",
			votes: []Vote{down("aws:us-east-1"), down("aws:us-west-2"), down("aws:eu-west-1"), down("gcp:europe-west1")},
			rule:  rule, wantDown: true, wantStandby: true, wantCounts: [2]int{4, 0},
		},
		{
			name:  "cut-off prober: only itself says down",
			votes: []Vote{down("aws:us-east-1"), up("aws:us-west-2"), up("aws:eu-west-1"), up("gcp:europe-west1")},
			rule:  rule, wantUp: true, wantStandby: true, wantCounts: [2]int{1, 3},
		},
		{
			name:  "cut-off prober whose peers do not answer: abstentions are not down votes",
			votes: []Vote{down("aws:us-east-1")},
			rule:  rule, wantStandby: false, wantCounts: [2]int{1, 0},
		},
		{
			name:  "dead region abstains, the rest still reach quorum",
			votes: []Vote{down("aws:us-west-2"), down("aws:eu-west-1"), down("gcp:europe-west1")},
			rule:  rule, wantDown: true, wantStandby: true, wantCounts: [2]int{3, 0},
		},
		{
			name:  "one provider only (all of AWS partitioned) is not enough with min providers 2",
			votes: []Vote{down("aws:us-east-1"), down("aws:us-west-2"), down("aws:eu-west-1"), up("gcp:europe-west1")},
			rule:  rule, wantStandby: true, wantCounts: [2]int{3, 1},
		},
		{
			name:     "one provider is enough when min providers is 1",
			votes:    []Vote{down("aws:us-east-1"), down("aws:us-west-2"), down("aws:eu-west-1"), up("gcp:europe-west1")},
			rule:     Rule{Vantages: four, Quorum: 3, MinProviders: 1, MaxAge: 30 * time.Second},
			wantDown: true, wantStandby: true, wantCounts: [2]int{3, 1},
		},
		{
			name: "stale votes are ignored",
			votes: []Vote{down("aws:us-east-1"), down("gcp:europe-west1"),
				{Vantage: "aws:us-west-2", At: now.Add(-time.Minute), StandbyUp: true}},
			rule: rule, wantStandby: false, wantCounts: [2]int{2, 0},
		},
		{
			name: "future-dated votes are ignored",
			votes: []Vote{down("aws:us-east-1"), down("gcp:europe-west1"),
				{Vantage: "aws:us-west-2", At: now.Add(time.Hour), StandbyUp: true}},
			rule: rule, wantCounts: [2]int{2, 0},
		},
		{
			name:  "a duplicate voter counts once",
			votes: []Vote{down("aws:us-east-1"), down("aws:us-east-1"), down("aws:us-east-1"), down("gcp:europe-west1")},
			rule:  rule, wantCounts: [2]int{2, 0},
		},
		{
			name: "of duplicates the newest counts",
			votes: []Vote{
				{Vantage: "aws:us-west-2", At: now.Add(-2 * time.Second), PrimaryUp: false, StandbyUp: true},
				{Vantage: "aws:us-west-2", At: now.Add(-time.Second), PrimaryUp: true, StandbyUp: true},
				down("aws:us-east-1"), down("gcp:europe-west1")},
			rule: rule, wantStandby: true, wantCounts: [2]int{2, 1},
		},
		{
			name:  "an unknown vantage (e.g. a forged or misconfigured peer) is ignored",
			votes: []Vote{down("aws:us-east-1"), down("gcp:europe-west1"), down("evil:nowhere"), down("gcp:us-central1")},
			rule:  rule, wantCounts: [2]int{2, 0},
		},
		{
			name: "standby unhealthy by the same votes blocks nothing here but is reported",
			votes: []Vote{
				{Vantage: "aws:us-east-1", At: now}, {Vantage: "aws:us-west-2", At: now},
				{Vantage: "aws:eu-west-1", At: now}, {Vantage: "gcp:europe-west1", At: now}},
			rule: rule, wantDown: true, wantStandby: false, wantCounts: [2]int{4, 0},
		},
		{
			name:  "primary healthy again by quorum from two providers",
			votes: []Vote{up("aws:us-east-1"), up("aws:us-west-2"), up("gcp:europe-west1")},
			rule:  rule, wantUp: true, wantStandby: true, wantCounts: [2]int{0, 3},
		},
		{
			name:  "zero quorum is treated as one, never as zero votes",
			votes: nil,
			rule:  Rule{Vantages: four, Quorum: 0, MinProviders: 0, MaxAge: time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(now, tt.votes, tt.rule)
			if got.PrimaryDown != tt.wantDown || got.PrimaryUp != tt.wantUp || got.StandbyUp != tt.wantStandby {
				t.Errorf("down=%v up=%v standby=%v, want %v %v %v (%s)", got.PrimaryDown, got.PrimaryUp, got.StandbyUp,
					tt.wantDown, tt.wantUp, tt.wantStandby, got.Reason)
			}
			if [2]int{got.Down, got.Up} != tt.wantCounts {
				t.Errorf("counts down,up = %d,%d, want %v", got.Down, got.Up, tt.wantCounts)
			}
			if len(got.Counted)+len(got.Abstained) != len(tt.rule.Vantages) {
				t.Errorf("counted %v + abstained %v do not cover %v", got.Counted, got.Abstained, tt.rule.Vantages)
			}
		})
	}
}

func TestDecideExplains(t *testing.T) {
	got := Decide(now, []Vote{down("aws:us-east-1"), down("gcp:europe-west1"), down("aws:eu-west-1")}, rule)
	want := "3/4 down (aws,gcp), 0 up, standby ok 3/4, quorum 3, min providers 2, 1 abstained"
	if got.Reason != want {
		t.Errorf("Reason = %q, want %q", got.Reason, want)
	}
	if !slices.Equal(got.Abstained, []string{"aws:us-west-2"}) {
		t.Errorf("Abstained = %v", got.Abstained)
	}
}

func TestMajority(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4} {
		if got := Majority(n); got != want {
			t.Errorf("Majority(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestDownSpare: a verdict that one check could have made (the last vote
// over the quorum, or the only down vote of a provider the rule needs) has
// no spare; the vantage point confirms such a verdict before switching.
func TestDownSpare(t *testing.T) {
	five := []string{"aws:us-east-1", "aws:eu-west-1", "gcp:europe-west1", "gcp:us-central1", "azure:westeurope"}
	r5 := Rule{Vantages: five, Quorum: 3, MinProviders: 2, MaxAge: 30 * time.Second}
	tests := []struct {
		name      string
		votes     []Vote
		rule      Rule
		wantDown  bool
		wantSpare bool
	}{
		{"everyone sees it", []Vote{down(five[0]), down(five[1]), down(five[2]), down(five[3]), down(five[4])}, r5, true, true},
		{"exactly the quorum", []Vote{down(five[0]), down(five[1]), down(five[2]), up(five[3]), up(five[4])}, r5, true, false},
		{"blind provider plus one check elsewhere", []Vote{down(five[0]), down(five[1]), up(five[2]), up(five[3]), down(five[4])}, r5, true, false},
		{"one over the quorum, each provider twice", []Vote{down(five[0]), down(five[1]), down(five[2]), down(five[3]), up(five[4])}, r5, true, true},
		{"one over the quorum, a provider the rule needs once", []Vote{down(five[0]), down(five[1]), up(five[2]), down(five[3]), down(five[4])}, r5, true, true},
		{"blind AWS of four plus gcp", []Vote{down(four[0]), down(four[1]), down(four[2]), down(four[3])}, rule, true, false},
		{"not down at all", []Vote{down(five[0]), down(five[1]), up(five[2]), up(five[3]), up(five[4])}, r5, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vd := Decide(now, tc.votes, tc.rule)
			if vd.PrimaryDown != tc.wantDown || vd.DownSpare != tc.wantSpare {
				t.Errorf("PrimaryDown=%v DownSpare=%v, want %v and %v (%s)", vd.PrimaryDown, vd.DownSpare, tc.wantDown, tc.wantSpare, vd.Reason)
			}
		})
	}
}
