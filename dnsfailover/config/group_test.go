package config

import (
	"reflect"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

func TestLoadGroup(t *testing.T) {
	setEnv(t, validEnv(), map[string]string{
		"SWITCHYARD_GROUP": " img.example.com  cname img.primary.example.net img.standby.example.net ,Assets.example.com. AAAA 2001:db8::10 2001:db8::20"})
	_, err := Load()
	if err == nil {
		t.Fatal("a name with a trailing dot was accepted")
	}
	setEnv(t, validEnv(), map[string]string{
		"SWITCHYARD_GROUP": " img.example.com  cname img.primary.example.net img.standby.example.net ,cdn.example.com A 192.0.2.10 198.51.100.20"})
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := Group{
		{Name: "img.example.com", Type: "CNAME", Primary: "img.primary.example.net", Standby: "img.standby.example.net"},
		{Name: "cdn.example.com", Type: "A", Primary: "192.0.2.10", Standby: "198.51.100.20"},
	}
	if !reflect.DeepEqual(c.Group, want) {
		t.Fatalf("Group = %+v, want %+v", c.Group, want)
	}
	if got := c.Group.String(); got != "img.example.com CNAME img.primary.example.net img.standby.example.net,cdn.example.com A 192.0.2.10 198.51.100.20" {
		t.Errorf("String = %q", got)
	}
	// What config accepts, the providers accept.
	if _, err := dns.NormalizeGroup(c.Record, c.RecordType, c.Group); err != nil {
		t.Errorf("dns.NormalizeGroup refuses a valid SWITCHYARD_GROUP: %v", err)
	}
}
