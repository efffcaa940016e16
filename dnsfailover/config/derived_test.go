package config

import (
	"reflect"
	"testing"
	"time"
)

func TestDerived(t *testing.T) {
	peers := func(ids ...string) Peers {
		var p Peers
		for _, id := range ids {
			p = append(p, Peer{ID: id, URL: "https://" + id + ".example"})
		}
		return p
	}
	tests := []struct {
		name          string
		c             Config
		vantages      []string
		quorum        int
		minProviders  int
		wantProviders []string
	}{
		{
			name:     "alone",
			c:        Config{Vantage: "aws:us-east-1"},
			vantages: []string{"aws:us-east-1"}, quorum: 1, minProviders: 1, wantProviders: []string{"aws"},
		},
		{
			name:     "two on one provider",
			c:        Config{Vantage: "aws:us-east-1", Peers: peers("aws:eu-west-1")},
			vantages: []string{"aws:eu-west-1", "aws:us-east-1"}, quorum: 2, minProviders: 1, wantProviders: []string{"aws"},
		},
		{
			name:     "three on two providers",
			c:        Config{Vantage: "gcp:europe-west1", Peers: peers("aws:us-east-1", "aws:eu-west-1")},
			vantages: []string{"aws:eu-west-1", "aws:us-east-1", "gcp:europe-west1"}, quorum: 2, minProviders: 2, wantProviders: []string{"aws", "gcp"},
		},
		{
			name:     "four: a majority is three",
			c:        Config{Vantage: "aws:us-east-1", Peers: peers("aws:eu-west-1", "gcp:us-central1", "azure:westeurope")},
			vantages: []string{"aws:eu-west-1", "aws:us-east-1", "azure:westeurope", "gcp:us-central1"}, quorum: 3, minProviders: 2, wantProviders: []string{"aws", "azure", "gcp"},
		},
		{
			name:     "explicit quorum and providers",
			c:        Config{Vantage: "aws:us-east-1", Peers: peers("gcp:us-central1", "azure:westeurope"), Quorum: 3, MinProviders: 3},
			vantages: []string{"aws:us-east-1", "azure:westeurope", "gcp:us-central1"}, quorum: 3, minProviders: 3, wantProviders: []string{"aws", "azure", "gcp"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Vantages(); !reflect.DeepEqual(got, tt.vantages) {
				t.Errorf("Vantages() = %v, want %v", got, tt.vantages)
			}
			if got := tt.c.Providers(); !reflect.DeepEqual(got, tt.wantProviders) {
				t.Errorf("Providers() = %v, want %v", got, tt.wantProviders)
			}
			if got := tt.c.EffectiveQuorum(); got != tt.quorum {
				t.Errorf("EffectiveQuorum() = %d, want %d", got, tt.quorum)
			}
			if got := tt.c.EffectiveMinProviders(); got != tt.minProviders {
				t.Errorf("EffectiveMinProviders() = %d, want %d", got, tt.minProviders)
			}
		})
	}
}

func TestProviderOf(t *testing.T) {
	for id, want := range map[string]string{"aws:us-east-1": "aws", "gcp:europe-west1": "gcp", "local": "local", "": ""} {
		if got := (Config{}).ProviderOf(id); got != want {
			t.Errorf("ProviderOf(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestFastIntervalAndShortestFailover(t *testing.T) {
	tests := []struct {
		interval, fast   time.Duration
		failAfter        int
		effective, short time.Duration
	}{
		{10 * time.Second, 0, 3, 2 * time.Second, 4 * time.Second},                  // the defaults
		{10 * time.Second, 5 * time.Second, 3, 5 * time.Second, 10 * time.Second},   // set
		{10 * time.Second, 10 * time.Second, 3, 10 * time.Second, 20 * time.Second}, // off: every round at the interval
		{time.Second, 0, 1, 200 * time.Millisecond, 0},                              // FAIL_AFTER 1: any failure confirmed by peers
	}
	for _, tt := range tests {
		c := Config{Interval: tt.interval, FastInterval: tt.fast, FailAfter: tt.failAfter}
		if got := c.EffectiveFastInterval(); got != tt.effective {
			t.Errorf("%+v: EffectiveFastInterval = %s, want %s", tt, got, tt.effective)
		}
		if got := c.ShortestFailover(); got != tt.short {
			t.Errorf("%+v: ShortestFailover = %s, want %s", tt, got, tt.short)
		}
	}
}

// A start logs the verdict without the fix; whoever asks later (a status
// page, failover status) gets the fix, searched once on that first call.
func TestTopologyFixOnlyWhenAsked(t *testing.T) {
	c := Config{Vantage: "aws:us-east-1", Peers: Peers{
		{ID: "aws:eu-west-1", URL: "https://a.example"}, {ID: "aws:us-west-2", URL: "https://b.example"},
		{ID: "gcp:europe-west1", URL: "https://c.example"}, {ID: "gcp:us-central1", URL: "https://d.example"},
		{ID: "azure:westeurope", URL: "https://e.example"},
	}}
	if v := c.TopologyVerdict(); v.OK() || v.Fix != "" {
		t.Fatalf("start verdict: OK %v, fix %q; want a failing verdict without the fix search", v.OK(), v.Fix)
	}
	lazy := c.LazyTopology()
	first := lazy()
	if first == nil || first.Fix == "" || first.Fix != c.Topology().Fix {
		t.Fatalf("asked for: %+v, want the full analysis with the fix %q", first, c.Topology().Fix)
	}
	if again := lazy(); again != first {
		t.Error("the analysis was searched again on the second call")
	}
	if (Config{}).LazyTopology()() != nil {
		t.Error("no vantage points configured: want nil, nothing to show")
	}
}
