//go:build !(js && wasm)

package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/amlaks/amlaks/proxy"
	"github.com/amlaks/amlaks/rules"
)

// TestPrices: without Config.Prices the prices are the dated built-in
// table; with it they are its answer, and a failure falls back to the table.
func TestPrices(t *testing.T) {
	get := func(cfg proxy.Config) (int, rules.PriceList) {
		t.Helper()
		rec := httptest.NewRecorder()
		handler(cfg, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/api/locations/eastus/prices", nil))
		var list rules.PriceList
		_ = json.Unmarshal(rec.Body.Bytes(), &list)
		return rec.Code, list
	}
	if code, list := get(proxy.Config{}); code != 200 || list.Source != rules.PriceTableSource || list.AsOf == "" || len(list.Prices) == 0 {
		t.Errorf("built-in: %d %+v", code, list)
	}
	live := rules.PriceList{Location: "eastus", Currency: "USD", AsOf: "2026-12-02", Source: "Azure Retail Prices API", Prices: []rules.VMPrice{{VMSize: "Standard_D3_v2", Hourly: 0.25}}}
	if _, list := get(proxy.Config{Prices: func(context.Context, string) (rules.PriceList, error) { return live, nil }}); list.Source != live.Source || len(list.Prices) != 1 {
		t.Errorf("live: %+v", list)
	}
	failing := func(context.Context, string) (rules.PriceList, error) {
		return rules.PriceList{}, errors.New("unreachable")
	}
	if code, list := get(proxy.Config{Prices: failing, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); code != 200 || list.Source != rules.PriceTableSource {
		t.Errorf("fallback: %d %+v", code, list)
	}
	rec := httptest.NewRecorder()
	handler(proxy.Config{}, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/api/locations/East%20US/prices", nil))
	if rec.Code != 400 {
		t.Errorf("a malformed location: %d", rec.Code)
	}
}
