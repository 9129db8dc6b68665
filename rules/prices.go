package rules

import (
	"math"
	"strings"
)

// HoursPerMonth is the month Azure's pricing calculator uses: 730 hours.
const HoursPerMonth = 730

// VMPrice is the pay-as-you-go price of one Linux VM of a size, per hour.
type VMPrice struct {
	VMSize string  `json:"vmSize"`
	Hourly float64 `json:"hourly"`
}

// PriceList is what VMs cost in a location: the currency, the date the
// prices are from and where they come from ("Azure Retail Prices API", or
// the built-in table of the emulator).
type PriceList struct {
	Location string    `json:"location"`
	Currency string    `json:"currency"`
	AsOf     string    `json:"asOf"` // YYYY-MM-DD
	Source   string    `json:"source"`
	Prices   []VMPrice `json:"prices"`
}

// Hourly returns the price per hour of a VM size, when the list has it.
func (p PriceList) Hourly(size string) (float64, bool) {
	for _, x := range p.Prices {
		if strings.EqualFold(x.VMSize, size) {
			return x.Hourly, true
		}
	}
	return 0, false
}

// Monthly returns what nodes VMs of a size cost in a month of
// HoursPerMonth hours, rounded to the cent, when the list has the size.
func (p PriceList) Monthly(size string, nodes int) (float64, bool) {
	h, ok := p.Hourly(size)
	if !ok || nodes <= 0 {
		return 0, false
	}
	return math.Round(h*HoursPerMonth*float64(nodes)*100) / 100, true
}

// PriceTableSource names the built-in table in a PriceList.
const PriceTableSource = "amlaks built-in price table (demo, not live Azure prices)"

// priceTableAsOf is the date of the built-in table.
const priceTableAsOf = "2026-11-01"

// priceTable holds Linux pay-as-you-go prices in USD per hour for the
// sizes of the Catalog, as listed for East US by the Azure Retail Prices API
// on priceTableAsOf, rounded. It is what the emulator answers.
var priceTable = []VMPrice{
	{"Standard_A1_v2", 0.043}, {"Standard_A2_v2", 0.091}, {"Standard_A4_v2", 0.191},
	{"Standard_D2_v2", 0.114}, {"Standard_D3_v2", 0.229}, {"Standard_D4_v2", 0.458},
	{"Standard_DS2_v2", 0.146}, {"Standard_DS3_v2", 0.293}, {"Standard_DS4_v2", 0.585},
	{"Standard_D2s_v3", 0.096}, {"Standard_D4s_v3", 0.192}, {"Standard_D8s_v3", 0.384}, {"Standard_D16s_v3", 0.768},
	{"Standard_D4s_v5", 0.192}, {"Standard_D8s_v5", 0.384},
	{"Standard_E4s_v3", 0.252}, {"Standard_E8s_v3", 0.504},
	{"Standard_F4s_v2", 0.169}, {"Standard_F8s_v2", 0.338},
	{"Standard_NC6s_v3", 3.06}, {"Standard_NC4as_T4_v3", 0.526}, {"Standard_NC24ads_A100_v4", 3.673},
	{"Standard_ND40rs_v2", 22.032}, {"Standard_PB6s", 1.65},
}

// PriceTable returns the built-in, dated price list for a location. The
// same prices serve every location: they are a demo, and say so.
func PriceTable(location string) PriceList {
	return PriceList{Location: location, Currency: "USD", AsOf: priceTableAsOf, Source: PriceTableSource, Prices: append([]VMPrice(nil), priceTable...)}
}
