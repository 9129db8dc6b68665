package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/amlaks/amlaks/rules"
)

// RetailPricesEndpoint is the Azure Retail Prices API: public prices, no
// credential needed.
const RetailPricesEndpoint = "https://prices.azure.com/api/retail/prices"

// RetailPrices reads pay-as-you-go Linux VM prices from the Azure Retail
// Prices API (an OData filter over a paged list of price items).
type RetailPrices struct {
	// Endpoint is the API's URL; "" is RetailPricesEndpoint.
	Endpoint string
	// HTTPClient sends the requests; nil is a client with a 20 s timeout.
	HTTPClient *http.Client
	// Now dates the list; nil is time.Now.
	Now func() time.Time
	// MaxPages bounds how many pages are read; 0 is 20.
	MaxPages int
}

// retailPage is one page of the API's answer.
type retailPage struct {
	BillingCurrency string `json:"BillingCurrency"`
	Items           []struct {
		CurrencyCode  string  `json:"currencyCode"`
		RetailPrice   float64 `json:"retailPrice"`
		UnitPrice     float64 `json:"unitPrice"`
		ArmRegionName string  `json:"armRegionName"`
		ArmSkuName    string  `json:"armSkuName"`
		ProductName   string  `json:"productName"`
		SkuName       string  `json:"skuName"`
		MeterName     string  `json:"meterName"`
		ServiceName   string  `json:"serviceName"`
		UnitOfMeasure string  `json:"unitOfMeasure"`
		Type          string  `json:"type"`
	} `json:"Items"`
	NextPageLink string `json:"NextPageLink"`
}

// retailFilter is the OData filter for a location's VM prices.
func retailFilter(location string) string {
	return fmt.Sprintf("serviceName eq 'Virtual Machines' and armRegionName eq '%s' and priceType eq 'Consumption'", location)
}

// Prices returns the hourly price of each VM size in the location, in USD:
// Linux, pay-as-you-go, neither spot nor low priority.
func (p *RetailPrices) Prices(ctx context.Context, location string) (rules.PriceList, error) {
	for _, r := range location {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return rules.PriceList{}, rules.Errorf(rules.ErrInvalid, "location", "The location must be an Azure region name such as eastus.")
		}
	}
	endpoint := p.Endpoint
	if endpoint == "" {
		endpoint = RetailPricesEndpoint
	}
	hc := p.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	maxPages := p.MaxPages
	if maxPages <= 0 {
		maxPages = 20
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	base, err := url.Parse(endpoint)
	if err != nil {
		return rules.PriceList{}, err
	}
	q := url.Values{"currencyCode": {"'USD'"}, "$filter": {retailFilter(location)}}
	base.RawQuery = q.Encode()
	next := base.String()
	best := map[string]float64{}
	var order []string
	currency := "USD"
	for page := 0; next != "" && page < maxPages; page++ {
		u, err := url.Parse(next)
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
			// A next page elsewhere is not followed: only the API is asked.
			return rules.PriceList{}, rules.Errorf(rules.ErrUnavailable, "", "The Azure Retail Prices API answered with a next page on another host.")
		}
		var pg retailPage
		if err := getJSON(ctx, hc, next, &pg); err != nil {
			return rules.PriceList{}, err
		}
		if pg.BillingCurrency != "" {
			currency = pg.BillingCurrency
		}
		for _, it := range pg.Items {
			if it.ArmSkuName == "" || !strings.EqualFold(it.ArmRegionName, location) || it.Type != "Consumption" ||
				strings.Contains(it.ProductName, "Windows") || strings.Contains(it.SkuName, "Spot") ||
				strings.Contains(it.SkuName, "Low Priority") || !strings.EqualFold(it.UnitOfMeasure, "1 Hour") {
				continue
			}
			price := it.RetailPrice
			if price <= 0 {
				price = it.UnitPrice
			}
			if price <= 0 {
				continue
			}
			if old, ok := best[it.ArmSkuName]; !ok || price < old {
				if !ok {
					order = append(order, it.ArmSkuName)
				}
				best[it.ArmSkuName] = price
			}
		}
		next = pg.NextPageLink
	}
	out := rules.PriceList{Location: location, Currency: currency, AsOf: now().UTC().Format("2006-01-02"), Source: "Azure Retail Prices API"}
	for _, name := range order {
		out.Prices = append(out.Prices, rules.VMPrice{VMSize: name, Hourly: best[name]})
	}
	return out, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return rules.Errorf(rules.ErrUnavailable, "", "The Azure Retail Prices API could not be reached.")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return rules.Errorf(rules.ErrUnavailable, "", "The Azure Retail Prices API's answer was cut short.")
	}
	if resp.StatusCode != http.StatusOK {
		return rules.Errorf(rules.ErrUnavailable, "", fmt.Sprintf("The Azure Retail Prices API answered %d.", resp.StatusCode))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return rules.Errorf(rules.ErrUnavailable, "", "The Azure Retail Prices API's answer could not be read.")
	}
	return nil
}
