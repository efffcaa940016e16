package secrets

import (
	"context"
	"errors"
	"fmt"

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
			ref, isRef, err := ParseRef(raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			if !isRef {
				continue
			}
			value, ok := fetched[ref]
			if !ok {
				if value, err = f.Fetch(ctx, ref); err != nil {
					errs = append(errs, fmt.Errorf("%s: fetch %s: %w", name, ref, err))
					continue
				}
				fetched[ref] = value
			}
			if value == "" {
				errs = append(errs, fmt.Errorf("%s: %s is empty", name, ref))
				continue
			}
			if err := env.Set(name, value); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			done = append(done, Resolved{Name: name, From: ref})
		}
	}
	return done, errors.Join(errs...)
}
