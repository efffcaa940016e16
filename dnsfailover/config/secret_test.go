package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretConfig holds every Secret field set to a recognisable value.
func secretConfig() Config {
	return Config{
		Record:                   "assets.example.com",
		PrimaryS3SecretAccessKey: testS3Key,
		StandbyS3SecretAccessKey: testS3Key,
		Secret:                   testSecret,
		CloudflareAPIToken:       testToken,
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c := secretConfig()
	// holder has no LogValue of its own, so slog and fmt reach the Secret
	// field through reflection.
	holder := struct{ Token Secret }{Token: testToken}

	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3v"} {
		outputs["fmt "+verb+" Config"] = fmt.Sprintf(verb, c)
		outputs["fmt "+verb+" *Config"] = fmt.Sprintf(verb, &c)
		outputs["fmt "+verb+" holder"] = fmt.Sprintf(verb, holder)
		outputs["fmt "+verb+" Secret"] = fmt.Sprintf(verb, c.Secret)
	}
	for name, v := range map[string]any{"Config": c, "*Config": &c, "holder": holder} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", name, err)
		}
		outputs["json "+name] = string(b)
	}
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("start", "config", c, "ptr", &c, "holder", holder, "token", c.CloudflareAPIToken)
		outputs["slog "+name] = buf.String()
	}

	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			assertNoSecrets(t, out)
			if !strings.Contains(out, "[redacted]") {
				t.Errorf("output %q does not show [redacted]", out)
			}
		})
	}
}

func TestSecretForms(t *testing.T) {
	tests := []struct {
		name   string
		secret Secret
		want   string // String, MarshalText and LogValue
		json   string
		gov    string // %#v
	}{
		{"set", Secret(testSecret), "[redacted]", `"[redacted]"`, `"[redacted]"`},
		{"empty", "", "", `""`, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.secret.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got, _ := tt.secret.MarshalText(); string(got) != tt.want {
				t.Errorf("MarshalText() = %q, want %q", got, tt.want)
			}
			if got := tt.secret.LogValue().String(); got != tt.want {
				t.Errorf("LogValue() = %q, want %q", got, tt.want)
			}
			if got, _ := json.Marshal(tt.secret); string(got) != tt.json {
				t.Errorf("json = %s, want %s", got, tt.json)
			}
			if got := fmt.Sprintf("%#v", tt.secret); got != tt.gov {
				t.Errorf("%%#v = %s, want %s", got, tt.gov)
			}
		})
	}
	if got := Secret(testSecret).Reveal(); got != testSecret {
		t.Error("Reveal() does not return the value")
	}
}

func TestSecretReadByEnvconfig(t *testing.T) {
	setEnv(t, validEnv(), map[string]string{"SWITCHYARD_SECRET": testSecret + "  "})
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Secret.Reveal() != testSecret+"  " {
		t.Error("SWITCHYARD_SECRET was not read verbatim")
	}
}
