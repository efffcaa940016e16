package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"time"
)

// redacted is what every printed, marshalled or logged Secret shows.
const redacted = "[redacted]"

// Secret is a configuration value that must never reach a log, an error
// message or a JSON document: fmt, encoding/json, encoding.TextMarshaler and
// log/slog all see "[redacted]" (or "" when it is empty, so an unset secret
// is still visible as unset). Reveal is the one way to read it, which makes
// every use easy to find.
//
// Secret is a string kind, so envconfig assigns it like any string.
type Secret string

var (
	_ fmt.Stringer   = Secret("")
	_ fmt.GoStringer = Secret("")
	_ fmt.Formatter  = Secret("")
	_ slog.LogValuer = Secret("")
)

// Reveal returns the secret value. Call it only where the value is used
// (an Authorization header, an HMAC key), never to print it.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the quoted redacted form, so %#v of a struct holding a
// Secret reads like Go and still hides the value.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format makes every fmt verb, flag, width and precision print the
// redacted form (quoted for %q and %#v). Without it a bad verb such as %d
// on a struct holding a Secret prints the raw string, and %x or %.3v would
// print an encoding or a prefix of "[redacted]" that no reader recognises.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q', verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalText returns the redacted form; encoding/json uses MarshalJSON,
// other encoders (and slog's text handler) use this.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON returns the redacted form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", s.String()), nil }

// LogValue returns the redacted form for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

var _ slog.LogValuer = Config{}

// LogValue logs the configuration as a group keyed by variable name, so a
// start-up line shows exactly what the operator set. Secrets log as
// "[redacted]" through their own LogValue.
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c)
	t := v.Type()
	attrs := make([]slog.Attr, t.NumField())
	for i := range attrs {
		name := varOf(t.Field(i)).Name
		switch x := v.Field(i).Interface().(type) {
		case Secret:
			attrs[i] = slog.Attr{Key: name, Value: x.LogValue()}
		case time.Duration:
			// "10s" as written in the environment, not nanoseconds.
			attrs[i] = slog.String(name, x.String())
		default:
			attrs[i] = slog.Any(name, x)
		}
	}
	return slog.GroupValue(attrs...)
}
