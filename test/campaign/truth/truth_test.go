package truth

import (
	"strings"
	"testing"
	"time"
)

// The local world's five-vantage, three-provider topology and the older
// four-vantage one: the rule must be judged for whatever topology is given.
var (
	five = Rule{Vantages: []string{"aws:us-east-1", "aws:us-west-2", "gcp:europe-west1", "gcp:us-central1", "azure:westeurope"}, FailAfter: 3, FastInterval: 2 * time.Second}
	four = Rule{Vantages: []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}, FailAfter: 3, FastInterval: 2 * time.Second}
)

func paths(p Path, ids ...string) map[string]Path {
	m := map[string]Path{}
	for _, id := range ids {
		m[id] = p
	}
	return m
}

func TestEffective(t *testing.T) {
	if r := five.Effective(); r.Quorum != 3 || r.MinProviders != 2 {
		t.Errorf("five: quorum %d, min providers %d; want 3 and 2", r.Quorum, r.MinProviders)
	}
	if r := four.Effective(); r.Quorum != 3 || r.MinProviders != 2 {
		t.Errorf("four: quorum %d, min providers %d; want 3 and 2", r.Quorum, r.MinProviders)
	}
	one := Rule{Vantages: []string{"aws:a", "aws:b", "aws:c"}}.Effective()
	if one.Quorum != 2 || one.MinProviders != 1 {
		t.Errorf("one provider: quorum %d, min providers %d; want 2 and 1", one.Quorum, one.MinProviders)
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name string
		r    Rule
		f    Faults
		want Expect
		why  string // a word the reason must hold
	}{
		{"all healthy", five, Faults{Primary: Healthy, Standby: Healthy}, MustNotSwitch, "at most 0"},
		{"primary 503 for everyone", five, Faults{Primary: Down, Standby: Healthy}, MustSwitch, "5/5"},
		{"primary hangs", five, Faults{Primary: Hang, Standby: Healthy}, MustSwitch, ""},
		{"primary serves wrong bytes", five, Faults{Primary: WrongBody, Standby: Healthy}, MustSwitch, ""},
		{"primary slower than the budget", five, Faults{Primary: Slow, Standby: Healthy}, MustSwitch, ""},
		{"primary slow within the budget", five, Faults{Primary: SlowOK, Standby: Healthy}, MustNotSwitch, ""},
		{"primary down, standby down", five, Faults{Primary: Down, Standby: Down}, MustNotSwitch, "standby"},
		{"primary down, standby wrong bytes", five, Faults{Primary: Down, Standby: WrongBody}, MustNotSwitch, "standby"},
		{"primary down, standby slow within budget", five, Faults{Primary: Down, Standby: SlowOK}, MustSwitch, ""},
		{"one vantage cut off", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Cut, "aws:us-east-1")}, MustNotSwitch, ""},
		{"a whole provider blind (aws)", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Cut, "aws:us-east-1", "aws:us-west-2")}, MustNotSwitch, "at most 2"},
		{"a whole provider blind, three of four (aws)", four, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Cut, "aws:us-east-1", "aws:us-west-2", "aws:eu-west-1")}, MustNotSwitch, "blind provider"},
		{"three vantages of two providers cut off", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Cut, "aws:us-east-1", "aws:us-west-2", "gcp:europe-west1")}, MustSwitch, ""},
		{"three vantages slowed above budget", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Slowed, "aws:us-east-1", "gcp:us-central1", "azure:westeurope")}, MustSwitch, ""},
		{"three vantages lagged within budget", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: paths(Lagged, "aws:us-east-1", "gcp:us-central1", "azure:westeurope")}, MustNotSwitch, ""},
		{"two cut, one lossy", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: map[string]Path{"aws:us-east-1": Cut, "gcp:europe-west1": Cut, "azure:westeurope": Lossy}}, Either, "lossy"},
		{"one cut, one lossy", five, Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: map[string]Path{"aws:us-east-1": Cut, "azure:westeurope": Lossy}}, MustNotSwitch, ""},
		{"a provider dead, primary down (aws)", five, Faults{Primary: Down, Standby: Healthy, Dead: []string{"aws:us-east-1", "aws:us-west-2"}}, MustSwitch, "3/5"},
		{"a provider dead, primary down (gcp)", five, Faults{Primary: Down, Standby: Healthy, Dead: []string{"gcp:europe-west1", "gcp:us-central1"}}, MustSwitch, ""},
		{"old topology: aws dead, primary down", four, Faults{Primary: Down, Standby: Healthy, Dead: []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1"}}, MustNotSwitch, "at most 1"},
		{"old topology: gcp dead, primary down", four, Faults{Primary: Down, Standby: Healthy, Dead: []string{"gcp:europe-west1"}}, MustNotSwitch, "blind provider"},
		{"three dead, primary down", five, Faults{Primary: Down, Standby: Healthy, Dead: []string{"aws:us-east-1", "gcp:europe-west1", "azure:westeurope"}}, MustNotSwitch, "at most 2"},
		{"skewed clocks beyond the window count as absent", five, Faults{Primary: Down, Standby: Healthy, Skewed: []string{"aws:us-east-1", "gcp:europe-west1", "azure:westeurope"}}, MustNotSwitch, ""},
		{"two skewed, three vote", five, Faults{Primary: Down, Standby: Healthy, Skewed: []string{"aws:us-east-1", "gcp:europe-west1"}}, MustSwitch, ""},
		{"standby cut for three: no standby quorum", five, Faults{Primary: Down, Standby: Healthy, StandbyPath: paths(Cut, "aws:us-east-1", "aws:us-west-2", "gcp:europe-west1")}, MustNotSwitch, "standby"},
		{"standby lossy for three", five, Faults{Primary: Down, Standby: Healthy, StandbyPath: paths(Lossy, "aws:us-east-1", "aws:us-west-2", "gcp:europe-west1")}, Either, ""},
		{"short blip alone", five, Faults{Primary: Healthy, Standby: Healthy, Blip: 3 * time.Second}, MustNotSwitch, ""},
		{"long blip", five, Faults{Primary: Healthy, Standby: Healthy, Blip: 4 * time.Second}, Either, "not shorter"},
		{"short blip while a provider is blind", five, Faults{Primary: Healthy, Standby: Healthy, Blip: 3 * time.Second, PrimaryPath: paths(Cut, "gcp:europe-west1", "gcp:us-central1")}, Either, "during the"},
		{"short blip, blind provider, standby down for the rest", five, Faults{Primary: Healthy, Standby: Down, Blip: 3 * time.Second, PrimaryPath: paths(Cut, "gcp:europe-west1")}, MustNotSwitch, ""},
		{"operator pins the primary during an outage", five, Faults{Primary: Down, Standby: Healthy, Pin: "primary"}, Either, "never after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Judge(tc.r, tc.f)
			if got.Expect != tc.want {
				t.Fatalf("Judge = %s (%s), want %s", got.Expect, got.Why, tc.want)
			}
			if !strings.Contains(got.Why, tc.why) {
				t.Errorf("reason %q does not say %q", got.Why, tc.why)
			}
			if got.Why == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestPinSetsFinalSide(t *testing.T) {
	if v := Judge(five, Faults{Primary: Down, Standby: Healthy, Pin: "primary"}); v.FinalSide != "primary" {
		t.Errorf("FinalSide = %q, want primary", v.FinalSide)
	}
	if v := Judge(five, Faults{Primary: Down, Standby: Healthy}); v.FinalSide != "" {
		t.Errorf("FinalSide = %q without a pin", v.FinalSide)
	}
}

func TestMaxDown(t *testing.T) {
	tests := []struct {
		name string
		f    Faults
		want int
	}{
		{"healthy", Faults{Primary: Healthy, Standby: Healthy}, 0},
		{"one provider blind, one lossy", Faults{Primary: Healthy, Standby: Healthy, PrimaryPath: map[string]Path{"aws:us-east-1": Cut, "aws:us-west-2": Cut, "azure:westeurope": Lossy}}, 3},
		{"primary down, one dead", Faults{Primary: Down, Standby: Healthy, Dead: []string{"gcp:us-central1"}}, 4},
		{"a blip: everyone", Faults{Primary: Healthy, Standby: Healthy, Blip: time.Second}, 5},
	}
	for _, tc := range tests {
		if got := Judge(five, tc.f).MaxDown; got != tc.want {
			t.Errorf("%s: MaxDown = %d, want %d", tc.name, got, tc.want)
		}
	}
}
