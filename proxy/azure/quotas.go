package azure

import (
	"context"
	"strings"

	"github.com/amlaks/amlaks/rules"
)

// Quotas lists the subscription's vCPU quotas in a location with what is in
// use (`az vm list-usage`): the regional total ("cores") and one per VM
// family (Q1). Other usages (availability sets, scale sets, disks) are left
// out. The location's shape is checked before it goes into the ARM path.
func (c *Client) Quotas(ctx context.Context, subscription, location string) ([]rules.Quota, error) {
	if err := checkLocation(location); err != nil {
		return nil, err
	}
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	pager := sc.usages.NewListPager(normLocation(location), nil)
	out := []rules.Quota{} // Azure's answer, even when empty: not "unknown" (nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "location")
		}
		for _, u := range page.Value {
			if u == nil || u.Name == nil || u.Limit == nil || u.CurrentValue == nil {
				continue
			}
			name := deref(u.Name.Value)
			if !strings.EqualFold(name, rules.RegionalQuotaName) && !strings.HasSuffix(strings.ToLower(name), "family") {
				continue
			}
			out = append(out, rules.Quota{Name: name, Label: deref(u.Name.LocalizedValue), Limit: *u.Limit, Used: int64(*u.CurrentValue)})
		}
	}
	return out, nil
}
