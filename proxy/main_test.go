//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/proxy/azure"
	wiring "github.com/amlaks/amlaks/proxy/serve"
)

// mainOptions tune startMain; zero values are what `amlaks serve --azure
// emulator` does.
type mainOptions struct {
	azure  func(*azure.Options) // adapter options: poll frequency, retries, log
	proxy  func(*proxy.Config)  // the proxy's configuration, last word
	page   http.Handler         // instead of the web files; nil answers 404
	logger *slog.Logger         // nil discards
}

// startMain is the one wiring of the integration tests: serve.Main, as
// `amlaks serve` runs it, on a free loopback port, against emu (an
// armemu.Emulator or a handler around one) served over TLS by the Main
// itself. Several Mains may share one emulator, as replicas share Azure.
func startMain(tb testing.TB, emu http.Handler, o mainOptions) *wiring.Main {
	tb.Helper()
	cfg, err := wiring.ParseConfig([]string{"--addr", "127.0.0.1:0", "--azure", "emulator"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	logger := o.logger
	if logger == nil {
		logger = discardLogger()
	}
	page := o.page
	if page == nil {
		page = http.NotFoundHandler()
	}
	m := &wiring.Main{Config: cfg, Logger: logger, Emulator: emu, Azure: o.azure, Page: page,
		Proxy: func(c *proxy.Config) {
			c.Audit = io.Discard
			if clock := clockOf(emu); clock != nil {
				c.PollTimer = clock.After // the emulator's clock says when the next poll comes
			}
			if o.proxy != nil {
				o.proxy(c)
			}
		}}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	return m
}
