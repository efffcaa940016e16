package metrics_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/switchyard-dns/switchyard/functions/internal/metrics"
)

// TestTemplateAlarmsWatchTheseMetrics: an alarm on a metric name nobody
// publishes never fires, so template.yaml's alarms must name the metrics
// this package declares, and the documents it prints must carry them.
func TestTemplateAlarmsWatchTheseMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Properties struct {
				Namespace  string `yaml:"Namespace"`
				MetricName string `yaml:"MetricName"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	for alarm, metric := range map[string]string{"SwitchAlarm": metrics.Switches, "DrillAlarm": metrics.DrillFailures} {
		p := tmpl.Resources[alarm].Properties
		if p.Namespace != metrics.Namespace || p.MetricName != metric {
			t.Errorf("template.yaml %s watches %s/%s, want %s/%s", alarm, p.Namespace, p.MetricName, metrics.Namespace, metric)
		}
	}

	// The document the failover function prints for a failed drill names
	// the same metric, for the alarm's one dimension, the record.
	doc, err := metrics.DrillDocument("assets.example.com", false, 0, time.Unix(1_800_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	var emf map[string]any
	if err := json.Unmarshal(doc, &emf); err != nil || emf[metrics.DrillFailures] != 1.0 || emf["Record"] != "assets.example.com" {
		t.Errorf("a failed drill's EMF document %s does not carry %s=1 for the record", doc, metrics.DrillFailures)
	}
}
