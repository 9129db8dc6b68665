package azure

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// TestRetailPrices reads prices from a local TLS stand-in for the Azure
// Retail Prices API: the OData filter, two pages, and only Linux
// pay-as-you-go hourly prices.
func TestRetailPrices(t *testing.T) {
	var filters []string
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/retail/prices" {
			http.NotFound(w, r)
			return
		}
		item := func(sku, product, skuName string, price float64) map[string]any {
			return map[string]any{"currencyCode": "USD", "retailPrice": price, "unitPrice": price, "armRegionName": "eastus", "armSkuName": sku,
				"productName": product, "skuName": skuName, "serviceName": "Virtual Machines", "unitOfMeasure": "1 Hour", "type": "Consumption"}
		}
		page := map[string]any{"BillingCurrency": "USD"}
		if r.URL.Query().Get("page") == "" {
			filters = append(filters, r.URL.Query().Get("$filter"))
			page["Items"] = []any{
				item("Standard_D3_v2", "Virtual Machines Dv2 Series", "D3 v2", 0.229),
				item("Standard_D3_v2", "Virtual Machines Dv2 Series Windows", "D3 v2", 0.414),
				item("Standard_D3_v2", "Virtual Machines Dv2 Series", "D3 v2 Spot", 0.04),
			}
			page["NextPageLink"] = srv.URL + "/api/retail/prices?page=2"
		} else {
			page["Items"] = []any{item("Standard_D4s_v3", "Virtual Machines DSv3 Series", "D4s v3", 0.192), item("Standard_D4s_v3", "Virtual Machines DSv3 Series", "D4s v3 Low Priority", 0.038)}
		}
		_ = json.NewEncoder(w).Encode(page)
	}))
	defer srv.Close()
	rp := &RetailPrices{Endpoint: srv.URL + "/api/retail/prices", HTTPClient: srv.Client(), Now: func() time.Time { return time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC) }}
	got, err := rp.Prices(context.Background(), "eastus")
	if err != nil {
		t.Fatal(err)
	}
	want := rules.PriceList{Location: "eastus", Currency: "USD", AsOf: "2026-12-02", Source: "Azure Retail Prices API",
		Prices: []rules.VMPrice{{VMSize: "Standard_D3_v2", Hourly: 0.229}, {VMSize: "Standard_D4s_v3", Hourly: 0.192}}}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("mismatch (-want +got):\n-%s\n+%s", wb, gb)
	}
	if len(filters) != 1 || filters[0] != "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and priceType eq 'Consumption'" {
		t.Errorf("filters %q", filters)
	}
	if _, err := rp.Prices(context.Background(), "east us'"); err == nil {
		t.Error("a location that would break the filter was sent")
	}
}

// TestRetailPricesRefusesOtherHosts: a next page on another host is not followed.
func TestRetailPricesRefusesOtherHosts(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"Items": []any{}, "NextPageLink": "https://attacker.example/prices"})
	}))
	defer srv.Close()
	rp := &RetailPrices{Endpoint: srv.URL + "/api/retail/prices", HTTPClient: srv.Client()}
	if _, err := rp.Prices(context.Background(), "eastus"); err == nil {
		t.Error("followed a next page on another host")
	}
}
