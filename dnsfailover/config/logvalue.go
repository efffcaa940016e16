package config

import (
	"log/slog"
	"reflect"
	"time"
)

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
