package lambdaform

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/secrets"
)

// ResolveSecrets replaces every secret variable of the process environment
// that names a Secrets Manager secret or an SSM parameter with its value,
// before config.Load reads it. Called once per cold start: the values then
// live in the process for every invocation of this execution environment.
func ResolveSecrets(ctx context.Context, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done, err := secrets.Resolve(ctx, secrets.Env{Lookup: os.LookupEnv, Set: os.Setenv}, &secrets.AWS{})
	for _, r := range done {
		log.Info("secret resolved", "variable", r.Name, "from", r.From.String())
	}
	return err
}
