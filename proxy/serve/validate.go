//go:build !(js && wasm)

package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/amlaks/amlaks/proxy"
)

// validateBackend is the Open of `amlaks validate --azure MODE`: the backend
// `amlaks serve` would open (Main.openBackend), from the same environment
// (AMLAKS_SUBSCRIPTION, AMLAKS_EMULATOR_URL, AMLAKS_EMULATOR_CA).
func validateBackend(ctx context.Context, mode string) (proxy.Azure, func(), error) {
	var c Config
	for _, o := range options {
		switch o.name {
		case "azure", "subscription", "emulator-url", "emulator-ca":
		default:
			continue
		}
		_ = o.set(&c, o.def)
		v := os.Getenv(o.env)
		if o.name == "azure" {
			v = mode
		}
		if v == "" {
			continue
		}
		if err := o.set(&c, v); err != nil {
			if o.name == "azure" {
				return nil, nil, fmt.Errorf("--azure %q: %v", v, err)
			}
			return nil, nil, fmt.Errorf("%s=%q (the variable of --%s) %v", o.env, v, o.name, err)
		}
	}
	m := &Main{Config: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics()}
	if err := m.openBackend(ctx); err != nil {
		m.Close()
		return nil, nil, err
	}
	return m.AzureClient, func() { m.Close() }, nil
}
