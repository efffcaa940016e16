package template

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
	"gopkg.in/yaml.v3"

	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
)

// resolved is the template as CloudFormation sees it for these parameter
// values: conditions evaluated, Fn::If chosen, Ref replaced. Resources
// carrying a Condition come out as that condition's value (a goformation
// quirk), so read those from the raw template instead.
func resolved(t *testing.T, params map[string]any) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{ParameterOverrides: params, EvaluateConditions: true})
	if err != nil {
		t.Fatalf("resolve the template: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dig walks nested maps by key.
func dig(t *testing.T, m any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		mm, ok := m.(map[string]any)
		if !ok {
			t.Fatalf("%s is %T, not a map", strings.Join(keys[:i], "."), m)
		}
		m = mm[k]
	}
	return m
}

// TestDrillScheduleIsOffByDefault: the drill's rule fires only when both
// a schedule and a drill record are given. The rule is switched by State,
// not Enabled: SAM makes any intrinsic given as Enabled ENABLED.
func TestDrillScheduleIsOffByDefault(t *testing.T) {
	cases := []struct {
		name     string
		params   map[string]any
		on       bool
		schedule string
	}{
		{"defaults", map[string]any{}, false, "rate(1 day)"},
		{"schedule without drill record", map[string]any{"DrillSchedule": "rate(1 hour)"}, false, "rate(1 day)"},
		{"drill record without schedule", map[string]any{"DrillRecord": "_drill.assets.example.com"}, false, "rate(1 day)"},
		{"schedule and drill record", map[string]any{"DrillSchedule": "cron(0 9 ? * MON *)", "DrillRecord": "_drill.assets.example.com"}, true, "cron(0 9 ? * MON *)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := resolved(t, c.params)
			if got := dig(t, tpl, "Conditions", "HasDrillSchedule"); got != c.on {
				t.Errorf("HasDrillSchedule = %v, want %v", got, c.on)
			}
			ev := dig(t, tpl, "Resources", "FailoverFunction", "Properties", "Events", "Drill")
			if typ := dig(t, ev, "Type"); typ != "Schedule" {
				t.Fatalf("the drill event is %v, want Schedule", typ)
			}
			props := dig(t, ev, "Properties").(map[string]any)
			want := map[bool]string{true: "ENABLED", false: "DISABLED"}[c.on]
			if props["State"] != want {
				t.Errorf("State = %v, want %s", props["State"], want)
			}
			if _, ok := props["Enabled"]; ok {
				t.Error("the drill event sets Enabled: SAM turns an intrinsic Enabled into ENABLED, use State")
			}
			if props["Schedule"] != c.schedule {
				t.Errorf("Schedule = %v, want %s", props["Schedule"], c.schedule)
			}
			// The function decodes its payload strictly: the input must be
			// a request it accepts, for the drill action.
			var req manual.Request
			if err := json.Unmarshal([]byte(props["Input"].(string)), &req); err != nil || req.Action != "drill" || req.DryRun {
				t.Errorf("Input %v = %+v, %v; want a drill request", props["Input"], req, err)
			}
		})
	}
}

func TestFailoverFunctionHasTimeForADrillAndNoRetries(t *testing.T) {
	f := load(t).GetAllServerlessFunctionResources()["FailoverFunction"]
	if f.Timeout == nil {
		t.Error("FailoverFunction has no Timeout: the default 3 s cannot hold a drill")
	} else if *f.Timeout < 90 {
		t.Errorf("FailoverFunction Timeout %v s, want at least 90 s (a drill waits up to 30 s per DNS answer)", *f.Timeout)
	}
	if f.EventInvokeConfig == nil || f.EventInvokeConfig.MaximumRetryAttempts == nil || *f.EventInvokeConfig.MaximumRetryAttempts != 0 {
		t.Error("FailoverFunction retries asynchronous invocations: a failed scheduled drill would run three times")
	}
}

func TestDrillAlarmWatchesTheDrillMetric(t *testing.T) {
	node := get(rawTemplate(t), "Resources", "DrillAlarm")
	if node == nil {
		t.Fatal("no DrillAlarm resource")
	}
	alarm := mapping(node)
	if v := alarm["Type"]; v == nil || v.Value != "AWS::CloudWatch::Alarm" {
		t.Errorf("DrillAlarm Type %v", v)
	}
	if c := alarm["Condition"]; c == nil || c.Value != "HasDrillSchedule" {
		t.Error("DrillAlarm is not under the HasDrillSchedule condition")
	}
	for key, want := range map[string]string{
		"Statistic": "Maximum",
		"Threshold": "1", "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
	} {
		if v := get(node, "Properties", key); v == nil || v.Value != want {
			t.Errorf("DrillAlarm %s is not %s", key, want)
		}
	}
	// The metric's only dimension is the switched record (DrillDocument).
	dims := get(node, "Properties", "Dimensions")
	if dims == nil || len(dims.Content) != 1 {
		t.Fatalf("DrillAlarm dimensions %v, want Record only", dims)
	}
	d := mapping(dims.Content[0])
	if d["Name"] == nil || d["Name"].Value != "Record" || d["Value"] == nil || d["Value"].Tag != "!Ref" || d["Value"].Value != "Record" {
		t.Error("DrillAlarm dimension is not Record = !Ref Record")
	}
	// The metric it watches is checked against the one the function prints
	// in functions/internal/metrics (TestTemplateAlarmsWatchTheseMetrics).
}

// TestConditionalResourcesAreReferencedUnderTheirCondition: an Output
// naming a resource that may not exist fails the whole deployment.
func TestConditionalResourcesAreReferencedUnderTheirCondition(t *testing.T) {
	root := mapping(rawTemplate(t))
	cond := map[string]string{}
	for name, r := range mapping(root["Resources"]) {
		if c := mapping(r)["Condition"]; c != nil {
			cond[name] = c.Value
		}
	}
	for name, out := range mapping(root["Outputs"]) {
		walk(out, func(n *yaml.Node) {
			ref := ""
			switch {
			case n.Tag == "!Ref":
				ref = n.Value
			case n.Tag == "!GetAtt":
				ref, _, _ = strings.Cut(n.Value, ".")
			}
			if c, ok := cond[ref]; ok {
				if oc := mapping(out)["Condition"]; oc == nil || oc.Value != c {
					t.Errorf("Output %s refers to %s, which exists only under %s, without that condition", name, ref, c)
				}
			}
		})
	}
}
