package template

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

// rawEnv is the environment a function gets in the raw template, Globals
// merged with its own, each value as written (tag and parameter name).
func rawEnv(t *testing.T, function string) map[string]*yaml.Node {
	t.Helper()
	root := rawTemplate(t)
	out := map[string]*yaml.Node{}
	for _, vars := range []*yaml.Node{
		get(root, "Globals", "Function", "Environment", "Variables"),
		get(root, "Resources", function, "Properties", "Environment", "Variables"),
	} {
		if vars == nil {
			continue
		}
		for k, v := range mapping(vars) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no environment", function)
	}
	return out
}

// get follows keys through nested mappings; nil when one is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil {
			return nil
		}
		n = mapping(n)[k]
	}
	return n
}

func render(t *testing.T, n *yaml.Node) string {
	t.Helper()
	b, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFailoverSharesTheProbesPeerSettings: the drill's quorum round and
// status read the peers, sign with the secret and count votes like the
// probe does. Both take them from the same parameters, so scripts/deploy's
// second pass (Peers only) reaches both functions.
func TestFailoverSharesTheProbesPeerSettings(t *testing.T) {
	probe, failover := rawEnv(t, "ProbeFunction"), rawEnv(t, "FailoverFunction")
	for _, name := range []string{
		"SWITCHYARD_PEERS", "SWITCHYARD_SECRET", "SWITCHYARD_VANTAGE", "SWITCHYARD_PEER_TIMEOUT", "SWITCHYARD_CLOCK_SKEW",
		"SWITCHYARD_QUORUM", "SWITCHYARD_MIN_PROVIDERS", "SWITCHYARD_DRILL_RECORD", "SWITCHYARD_DRILL_RESOLVER", "SWITCHYARD_PARITY_KEYS",
	} {
		p, f := probe[name], failover[name]
		switch {
		case f == nil:
			t.Errorf("the failover function does not set %s", name)
		case p == nil:
			t.Errorf("the probe does not set %s", name)
		case render(t, p) != render(t, f):
			t.Errorf("%s: probe %s, failover %s; want the same parameter", name, render(t, p), render(t, f))
		}
	}
	if p := failover["SWITCHYARD_PEERS"]; p == nil || p.Tag != "!Ref" || p.Value != "Peers" {
		t.Error("the failover function's SWITCHYARD_PEERS is not !Ref Peers, the parameter scripts/deploy writes")
	}
}

// TestEverySecretReferenceIsReadable: a function given a secret as a
// reference must be allowed to fetch it, or it fails at its cold start.
// The template recognises references by three conditions per parameter
// (<Param>InSecretsManager, InSsmByArn, InSsmByName); each function's role
// must grant exactly the read that condition's form needs, on that
// parameter alone, and no more secrets than the function is given.
func TestEverySecretReferenceIsReadable(t *testing.T) {
	secret := map[string]bool{}
	for _, v := range config.Usage() {
		secret[v.Name] = v.Secret
	}
	forms := map[string]string{"InSecretsManager": "secretsmanager:GetSecretValue", "InSsmByArn": "ssm:GetParameter", "InSsmByName": "ssm:GetParameter"}
	resources := mapping(mapping(rawTemplate(t))["Resources"])
	for fn, role := range map[string]string{"ProbeFunction": "ProbeFunctionRole", "FailoverFunction": "FailoverFunctionRole"} {
		given := map[string]bool{} // parameters feeding a secret variable
		for name, v := range rawEnv(t, fn) {
			if secret[name] && v.Tag == "!Ref" {
				given[v.Value] = true
			}
		}
		type grant struct{ action, on string }
		granted := map[string]grant{} // condition → the statement under it
		walk(resources[role], func(n *yaml.Node) {
			if n.Tag != "!If" || len(n.Content) != 3 {
				return
			}
			st := mapping(n.Content[1])
			if st["Action"] == nil || st["Resource"] == nil {
				return
			}
			g := grant{action: st["Action"].Value}
			walk(st["Resource"], func(r *yaml.Node) {
				if r.Tag == "!Ref" {
					g.on = r.Value
				}
			})
			granted[n.Content[0].Value] = g
		})
		for param := range given {
			for form, action := range forms {
				if got := granted[param+form]; got != (grant{action, param}) {
					t.Errorf("%s is given %s; under %s%s its role grants %+v, want %s on that parameter's value", fn, param, param, form, got, action)
				}
			}
		}
		for c := range granted {
			for form := range forms {
				if p, ok := cutSuffix(c, form); ok && !given[p] {
					t.Errorf("%s's role may read %s, which the function is not given", fn, p)
				}
			}
		}
	}
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return "", false
}
