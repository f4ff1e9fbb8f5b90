package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/go-logr/logr"
	flagd "github.com/open-feature/go-sdk-contrib/providers/flagd/pkg"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/flags"
)

// flagDomain is the OpenFeature domain of the service's flags.
const flagDomain = "catalog"

// openFlags starts the flagd provider on the flag file and returns the
// decider, the write-mode source and a function that stops them. The OpenFeature API is an
// instance of the service's own rather than the global one, so that
// closing the service stops the SDK's goroutines too.
func openFlags(ctx context.Context, path string, logger *slog.Logger) (*flags.Flags, *dualwrite.FlagWriteModes, func(context.Context) error, error) {
	provider, err := flagd.NewProvider(
		flagd.WithFileResolver(),
		flagd.WithOfflineFilePath(path),
		flagd.WithLogger(logr.FromSlogHandler(logger.Handler())),
	)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("app: flagd provider for %s: %w", path, err)
	}
	api := isolated.NewAPI()
	domain := openfeature.WithDomain(flagDomain)
	if err := api.SetProviderAndWait(ctx, provider, domain); err != nil {
		return nil, nil, nil, fmt.Errorf("app: flag file %s: %w", path, err)
	}
	client := api.NewClient(domain)
	decider := flags.New(client,
		// Exact mode: the flag file targets customers (fractional primary
		// switch), which cached mode would never show a customer to.
		flags.WithExactEvaluation(),
		flags.WithTargetingKey(flags.HeaderKey(catalog.HeaderCustomerID)),
	)
	stop := func(ctx context.Context) error {
		decider.Close()
		return api.Shutdown(ctx)
	}
	return decider, dualwrite.NewFlagWriteModes(client, dualwrite.DefaultWriteMode), stop, nil
}
