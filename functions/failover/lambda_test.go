package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestLambdaGoldenEvents feeds each testdata event, in order, through the
// aws-lambda-go handler wrapping Manual.Invoke (the runtime's own decoding
// path) against a local world, and checks the answer or the errorType.
func TestLambdaGoldenEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := world.Start(ctx, world.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	path := filepath.Join(t.TempDir(), "env")
	if err := w.WriteEnvFile(path, w.OperatorConfig()); err != nil {
		t.Fatal(err)
	}
	vars, err := config.ReadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	m, _, err := build(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(m.Invoke)

	for _, tt := range []struct {
		event     string
		errorType string
		after     string // the target after, for a success
		gen       uint64
		msg       string        // in the error message, for an error
		hold      time.Duration // the hold asked for: pinned until about now+hold
	}{
		{event: "status.json", after: world.PrimaryTarget, gen: 0},
		{event: "standby-dry-run.json", after: world.StandbyTarget, gen: 1},
		{event: "unknown-action.json", errorType: "InputError"},
		{event: "unknown-field.json", errorType: "InputError"},
		{event: "wrong-type.json", errorType: "InputError"},
		{event: "standby.json", after: world.StandbyTarget, gen: 1},
		{event: "auto.json", after: world.StandbyTarget, gen: 2},
		{event: "primary-forced.json", after: world.PrimaryTarget, gen: 3},
		{event: "hold-bad-duration.json", errorType: "InputError", msg: `for "2 hours": want a duration such as "2h"`},
		{event: "hold-too-long.json", errorType: "InputError", msg: "hold --for 200h0m0s: want a duration from 1s to 168h0m0s"},
		{event: "hold-without-for.json", errorType: "InputError", msg: `hold needs "for"`},
		{event: "for-without-hold.json", errorType: "InputError", msg: `for "2h" is only for hold`},
		{event: "hold.json", after: world.PrimaryTarget, gen: 4, hold: 2 * time.Hour},
	} {
		t.Run(tt.event, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("testdata", tt.event))
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.Invoke(context.Background(), payload)
			if tt.errorType != "" {
				if err == nil || errorType(err) != tt.errorType || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v (errorType %s), want %s saying %q", err, errorType(err), tt.errorType, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var res manual.Response
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			if res.After.Target != tt.after || res.After.State == nil || res.After.State.Gen != tt.gen || res.Before.Target == "" {
				t.Fatalf("response: %s", out)
			}
			if tt.hold > 0 {
				st := res.After.State
				if until := time.Until(st.Until); !st.Pinned || until <= tt.hold-time.Minute || until > tt.hold+time.Second ||
					st.Reason != "database maintenance" || st.By != "manual:alice" {
					t.Fatalf("hold: state %+v, want pinned by manual:alice until about %s from now", st, tt.hold)
				}
			}
		})
	}
	if ans, err := w.Answer(ctx); err != nil || ans != world.PrimaryTarget {
		t.Fatalf("DNS answers %q (%v) at the end, want the primary", ans, err)
	}
}

// errorType is the name the Lambda runtime reports for err (as
// aws-lambda-go's getErrorType computes it).
func errorType(err error) string {
	if err == nil {
		return ""
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}
