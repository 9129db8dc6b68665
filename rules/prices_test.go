package rules

import "testing"

func TestPriceTableCoversTheCatalog(t *testing.T) {
	t.Parallel()
	p := PriceTable("eastus")
	for _, s := range Catalog {
		if _, ok := p.Hourly(s.Name); !ok {
			t.Errorf("no price for %s", s.Name)
		}
	}
	if p.AsOf == "" || p.Currency != "USD" {
		t.Errorf("table %q %q", p.AsOf, p.Currency)
	}
}

func TestMonthly(t *testing.T) {
	t.Parallel()
	p := PriceList{Prices: []VMPrice{{"Standard_D3_v2", 0.229}}}
	if got, ok := p.Monthly("standard_d3_v2", 3); !ok || got != 501.51 {
		t.Errorf("Monthly = %v %v, want 501.51 (0.229 × 730 × 3)", got, ok)
	}
	if _, ok := p.Monthly("Standard_D3_v2", 0); ok {
		t.Error("a cost for 0 nodes")
	}
	if _, ok := p.Monthly("Standard_X", 3); ok {
		t.Error("a cost for an unknown size")
	}
}
