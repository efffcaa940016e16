package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Load reads the configuration from the environment and validates it. Any
// problem, whether a value that cannot be parsed or a rule it breaks, comes
// back in one *ValidationError that lists them all, with a zero Config so
// that nothing half-loaded can be used by mistake.
//
// Only variables tagged `unprefixed:"true"` (CLOUDFLARE_API_TOKEN, PORT) are
// also read without the SWITCHYARD_ prefix.
func Load() (Config, error) {
	c, unparsed, problems := parseEnv()
	problems = append(problems, c.validate(unparsed)...)
	if len(problems) > 0 {
		return Config{}, &ValidationError{Problems: problems}
	}
	return c, nil
}

// parseEnv fills a Config from the environment one field at a time.
// envconfig.Process stops at the first value it cannot parse, so each field
// gets a one-field struct of its own, with the same type and tags, and
// envconfig parses it exactly as it would in the full struct. The result is
// every unparsable variable, named, and all the other fields set.
func parseEnv() (c Config, unparsed map[string]bool, problems []string) {
	unparsed = map[string]bool{}
	v := reflect.ValueOf(&c).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		one := reflect.New(reflect.StructOf([]reflect.StructField{{Name: f.Name, Type: f.Type, Tag: oneFieldTag(f)}}))
		if err := envconfig.Process(prefixFor(f), one.Interface()); err != nil {
			name := varOf(f).Name
			unparsed[name] = true
			problems = append(problems, name+": "+parseProblem(err, f.Type))
			continue
		}
		v.Field(i).Set(one.Elem().Field(0))
	}
	return c, unparsed, problems
}

// parseProblem says what was wrong with an unparsable value and what was
// expected. Secrets are strings and never fail to parse, so repeating the
// value is safe; Peers errors are written not to repeat credentials.
func parseProblem(err error, t reflect.Type) string {
	var pe *envconfig.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return fmt.Sprintf("%q is not a duration: want e.g. 10s, 1m30s or 500ms", pe.Value)
	case t == reflect.TypeFor[Peers](), t == reflect.TypeFor[Group]():
		return pe.Err.Error()
	case t.Kind() == reflect.Int:
		return fmt.Sprintf("%q is not a whole number", pe.Value)
	case t.Kind() == reflect.Bool:
		return fmt.Sprintf("%q is not a boolean: want true or false", pe.Value)
	}
	return fmt.Sprintf("cannot parse %q as %s", pe.Value, strings.ToLower(t.Kind().String()))
}

// prefixFor and oneFieldTag turn off envconfig's unprefixed fallback for
// every field not tagged `unprefixed:"true"`: such a field is processed with
// no prefix and its full name as the tag, so envconfig's fallback name is
// the full name itself.
func prefixFor(f reflect.StructField) string {
	if f.Tag.Get("unprefixed") == "true" {
		return Prefix
	}
	return ""
}

func oneFieldTag(f reflect.StructField) reflect.StructTag {
	if f.Tag.Get("unprefixed") == "true" {
		return f.Tag
	}
	tag := f.Tag.Get("envconfig")
	return reflect.StructTag(strings.Replace(string(f.Tag), `envconfig:"`+tag+`"`, `envconfig:"`+Prefix+"_"+tag+`"`, 1))
}
