//go:build !(js && wasm)

package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/amlaks/amlaks/proxy"
)

// openValidateBackend opens the Azure backend of `amlaks validate --azure
// MODE` as `amlaks serve` opens it (backendFlags), from the same
// environment (AMLAKS_SUBSCRIPTION, AMLAKS_EMULATOR_URL, AMLAKS_EMULATOR_CA).
func openValidateBackend(ctx context.Context, mode string) (proxy.Azure, func(), error) {
	b := backendFlags{
		mode:         mode,
		subscription: env("AMLAKS_SUBSCRIPTION", ""),
		emulatorURL:  env("AMLAKS_EMULATOR_URL", ""),
		emulatorCA:   env("AMLAKS_EMULATOR_CA", ""),
	}
	c, _, stop, err := b.open(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, nil, err
	}
	return c, stop, nil
}
