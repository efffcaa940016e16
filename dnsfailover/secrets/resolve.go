package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

// Fetcher reads one secret from its store.
type Fetcher interface {
	Fetch(ctx context.Context, r Ref) (string, error)
}

// Env is the environment Resolve reads and rewrites: os.LookupEnv and
// os.Setenv in a function, a map in tests.
type Env struct {
	Lookup func(string) (string, bool)
	Set    func(name, value string) error
}

// Resolved names one variable whose reference was replaced by its value.
type Resolved struct {
	Name string
	From Ref
}

// Resolve replaces, in env, every secret variable of the configuration
// (config.Usage entries marked Secret, under both names) that holds a
// reference with the value it points at, so that config.Load then sees
// plain values. It fetches each distinct reference once and reports every
// failure at once. Errors name the variable and the reference, never a
// value.
func Resolve(ctx context.Context, env Env, f Fetcher) ([]Resolved, error) {
	var done []Resolved
	var errs []error
	fetched := map[Ref]string{}
	for _, v := range config.Usage() {
		if !v.Secret {
			continue
		}
		for _, name := range []string{v.Name, v.Alt} {
			if name == "" {
				continue
			}
			raw, ok := env.Lookup(name)
			if !ok {
				continue
			}
			fetch := func(ref Ref) (string, error) {
				if value, ok := fetched[ref]; ok {
					return value, nil
				}
				value, err := f.Fetch(ctx, ref)
				if err != nil {
					return "", fmt.Errorf("fetch %s: %w", ref, err)
				}
				if value == "" {
					return "", fmt.Errorf("%s is empty", ref)
				}
				fetched[ref] = value
				return value, nil
			}
			ref, isRef, err := ParseRef(raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			var value string
			var refs []Ref
			switch {
			case isRef:
				value, err = fetch(ref)
				refs = []Ref{ref}
			case v.Parts:
				value, refs, err = resolveParts(raw, fetch)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			if len(refs) == 0 {
				continue
			}
			if err := env.Set(name, value); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			for _, r := range refs {
				done = append(done, Resolved{Name: name, From: r})
			}
		}
	}
	return done, errors.Join(errs...)
}

// resolveParts resolves each value of a kind:value,kind:value list that is
// a reference (pagerduty:ssm:/switchyard/pd-key), leaving the others.
func resolveParts(raw string, fetch func(Ref) (string, error)) (string, []Ref, error) {
	parts := strings.Split(raw, ",")
	var refs []Ref
	var errs []error
	for i, part := range parts {
		kind, value, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			continue
		}
		ref, isRef, err := ParseRef(value)
		if err == nil && isRef {
			value, err = fetch(ref)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("part %d (%s): %w", i+1, kind, err))
			continue
		}
		if isRef {
			parts[i] = kind + ":" + value
			refs = append(refs, ref)
		}
	}
	return strings.Join(parts, ","), refs, errors.Join(errs...)
}
