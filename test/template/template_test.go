// Package template checks template.yaml, the SAM template deployed once per
// region, against the code it deploys: goformation reads the resources,
// and the raw YAML is walked for what intrinsic functions hide from it
// (conditional IAM statements, parameter references).
package template

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/global"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"gopkg.in/yaml.v3"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

const path = "../../template.yaml"

func load(t *testing.T) *cloudformation.Template {
	t.Helper()
	tpl, err := goformation.Open(path)
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return tpl
}

// globalFunction returns the Globals.Function section.
func globalFunction(t *testing.T, tpl *cloudformation.Template) *global.Function {
	t.Helper()
	g, ok := tpl.Globals["Function"].(*global.Function)
	if !ok {
		t.Fatalf("Globals.Function is %T, want a function section", tpl.Globals["Function"])
	}
	return g
}

// env returns the environment a function gets: Globals merged with its own.
func env(g *global.Function, f *serverless.Function) map[string]string {
	out := map[string]string{}
	if g.Environment != nil {
		for k, v := range g.Environment.Variables {
			out[k] = v
		}
	}
	if f.Environment != nil {
		for k, v := range f.Environment.Variables {
			out[k] = v
		}
	}
	return out
}

func TestFunctionsAreArmProvidedAL2023MakefileBuilds(t *testing.T) {
	tpl := load(t)
	g := globalFunction(t, tpl)
	fns := tpl.GetAllServerlessFunctionResources()
	for _, name := range []string{"ProbeFunction", "FailoverFunction"} {
		f, ok := fns[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		runtime, handler, archs := f.Runtime, f.Handler, f.Architectures
		if runtime == nil {
			runtime = g.Runtime
		}
		if handler == nil {
			handler = g.Handler
		}
		if archs == nil && g.Architectures != nil {
			archs = *g.Architectures
		}
		if runtime == nil || *runtime != "provided.al2023" {
			t.Errorf("%s runtime %v, want provided.al2023", name, deref(runtime))
		}
		if handler == nil || *handler != "bootstrap" {
			t.Errorf("%s handler %v, want bootstrap", name, deref(handler))
		}
		if !slices.Equal(archs, []string{"arm64"}) {
			t.Errorf("%s architectures %v, want [arm64]", name, archs)
		}
		if bm := f.AWSCloudFormationMetadata["BuildMethod"]; bm != "makefile" {
			t.Errorf("%s Metadata.BuildMethod %v, want makefile", name, bm)
		}
	}
	probe := fns["ProbeFunction"]
	if probe.FunctionUrlConfig == nil || probe.FunctionUrlConfig.AuthType != "NONE" {
		t.Error("the probe has no Function URL with AuthType NONE (peers on other clouds sign with HMAC, not SigV4)")
	}
	sched, ok := probe.Events["Schedule"]
	if !ok || sched.Type != "Schedule" || sched.Properties == nil || sched.Properties.ScheduleEvent == nil ||
		sched.Properties.ScheduleEvent.Schedule != "rate(1 minute)" {
		t.Error("the probe has no Schedule event at rate(1 minute)")
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for name := range fns {
		if !strings.Contains(string(makefile), "\nbuild-"+name+":") {
			t.Errorf("Makefile has no build-%s target for BuildMethod makefile", name)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

// TestEnvironmentMatchesTheConfig: every variable the template sets is one
// the code reads, and the probe gets every variable the code requires.
func TestEnvironmentMatchesTheConfig(t *testing.T) {
	tpl := load(t)
	g := globalFunction(t, tpl)
	known := map[string]bool{}
	for _, v := range config.Usage() {
		known[v.Name] = true
	}
	fns := tpl.GetAllServerlessFunctionResources()
	for name, f := range fns {
		for k := range env(g, f) {
			if !known[k] {
				t.Errorf("%s sets %s, which is not a configuration variable (config.Usage)", name, k)
			}
		}
	}
	probe := env(g, fns["ProbeFunction"])
	// A Parameter for every setting: the probe sets every variable but PORT
	// (a Lambda function listens on nothing).
	for _, v := range config.Usage() {
		if _, ok := probe[v.Name]; !ok && v.Name != "SWITCHYARD_PORT" {
			t.Errorf("the probe does not set %s: add a Parameter for it", v.Name)
		}
	}
	for _, name := range requiredVars(t) {
		if _, ok := probe[name]; !ok {
			t.Errorf("the probe does not set %s, which config.Load requires", name)
		}
	}
}

// requiredVars finds the variables config.Load requires by removing each
// from a complete, valid environment and asking the loader, so the list
// cannot drift from the code.
func requiredVars(t *testing.T) []string {
	t.Helper()
	valid := map[string]string{
		"SWITCHYARD_RECORD":               "assets.example.com",
		"SWITCHYARD_PRIMARY_TARGET":       "primary.example.net",
		"SWITCHYARD_STANDBY_TARGET":       "standby.example.org",
		"SWITCHYARD_PRIMARY_CHECK":        "https://primary.example.net/canary.txt",
		"SWITCHYARD_STANDBY_CHECK":        "https://standby.example.org/canary.txt",
		"SWITCHYARD_VANTAGE":              "aws:us-east-1",
		"SWITCHYARD_PEERS":                "aws:us-west-2=https://a.lambda-url.us-west-2.on.aws/,gcp:europe-west1=https://b.run.app",
		"SWITCHYARD_SECRET":               "0123456789abcdef0123456789abcdef",
		"SWITCHYARD_CLOUDFLARE_ZONE_ID":   "023e105f4ecef8ad9ca31a8372d0c353",
		"SWITCHYARD_CLOUDFLARE_API_TOKEN": "token",
	}
	for _, v := range config.Usage() {
		os.Unsetenv(v.Name) // t.Setenv below restores them
		if v.Alt != "" {
			t.Setenv(v.Alt, "")
			os.Unsetenv(v.Alt)
		}
	}
	set := func(env map[string]string) {
		for _, v := range config.Usage() {
			t.Setenv(v.Name, "")
			os.Unsetenv(v.Name)
		}
		for k, v := range env {
			t.Setenv(k, v)
		}
	}
	set(valid)
	if _, err := config.Load(); err != nil {
		t.Fatalf("the test's complete environment is invalid: %v", err)
	}
	var required []string
	for name := range valid {
		without := map[string]string{}
		for k, v := range valid {
			if k != name {
				without[k] = v
			}
		}
		set(without)
		_, err := config.Load()
		if err != nil && regexp.MustCompile(`(?m)^`+name+`: required`).MatchString(err.Error()) {
			required = append(required, name)
		}
	}
	if len(required) < 8 {
		t.Fatalf("found only %v required; the probe's required set is larger", required)
	}
	slices.Sort(required)
	return required
}

// node is the raw template, for what intrinsics hide from goformation.
func rawTemplate(t *testing.T) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func walk(n *yaml.Node, visit func(*yaml.Node)) {
	visit(n)
	for _, c := range n.Content {
		walk(c, visit)
	}
}

func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// TestIAMIsLeastPrivilege walks every IAM statement, including those
// inside Fn::If, and refuses wildcard actions and resources.
func TestIAMIsLeastPrivilege(t *testing.T) {
	statements := 0
	walk(rawTemplate(t), func(n *yaml.Node) {
		m := mapping(n)
		action, ok := m["Action"]
		if !ok || m["Effect"] == nil {
			return
		}
		statements++
		for _, a := range scalars(action) {
			if a == "*" || strings.HasSuffix(a, ":*") {
				t.Errorf("line %d: IAM action %q is a wildcard", action.Line, a)
			}
		}
		if r, ok := m["Resource"]; ok {
			for _, s := range scalars(r) {
				if s == "*" {
					t.Errorf("line %d: IAM resource \"*\" for %v", r.Line, scalars(action))
				}
			}
		}
	})
	if statements < 10 {
		t.Errorf("found %d IAM statements; the walk is missing the conditional ones", statements)
	}
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// TestEveryParameterIsUsed: a Parameter nobody references is a setting
// that silently does nothing.
func TestEveryParameterIsUsed(t *testing.T) {
	root := mapping(rawTemplate(t))
	params := mapping(root["Parameters"])
	if len(params) == 0 {
		t.Fatal("no Parameters")
	}
	used := map[string]bool{}
	for _, section := range []string{"Conditions", "Globals", "Resources", "Outputs"} {
		walk(root[section], func(n *yaml.Node) {
			switch {
			case n.Tag == "!Ref" && n.Kind == yaml.ScalarNode:
				used[n.Value] = true
			case n.Tag == "!Sub":
				for _, s := range scalars(n) {
					for _, m := range subRef.FindAllStringSubmatch(s, -1) {
						used[m[1]] = true
					}
				}
			case n.Kind == yaml.MappingNode:
				if ref, ok := mapping(n)["Ref"]; ok {
					used[ref.Value] = true
				}
			}
		})
	}
	for name := range params {
		if !used[name] {
			t.Errorf("Parameter %s is never used", name)
		}
	}
}

// TestSecretParametersAreNoEcho: every parameter feeding a secret variable
// is NoEcho, so CloudFormation never shows it.
func TestSecretParametersAreNoEcho(t *testing.T) {
	root := rawTemplate(t)
	params := mapping(mapping(root)["Parameters"])
	secret := map[string]bool{}
	for _, v := range config.Usage() {
		secret[v.Name] = v.Secret
	}
	checked := 0
	walk(root, func(n *yaml.Node) {
		vars, ok := mapping(n)["Variables"]
		if !ok {
			return
		}
		for name, value := range mapping(vars) {
			if !secret[name] {
				continue
			}
			checked++
			if value.Tag != "!Ref" {
				t.Errorf("%s is set from %s %q, want !Ref of a NoEcho parameter", name, value.Tag, value.Value)
				continue
			}
			p := mapping(params[value.Value])
			if p["NoEcho"] == nil || p["NoEcho"].Value != "true" {
				t.Errorf("Parameter %s feeds %s and is not NoEcho", value.Value, name)
			}
		}
	})
	if checked < 5 {
		t.Errorf("checked %d secret variables, want all five", checked)
	}
}
