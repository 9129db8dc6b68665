package azure

import (
	"context"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/amlaks/amlaks/rules"
)

// normLocation makes "East US" and "eastus" the same key.
func normLocation(location string) string {
	return strings.ToLower(strings.ReplaceAll(location, " ", ""))
}

// checkLocation refuses, before it goes into an ARM path or an OData
// filter, a location that no Azure region has the shape of (rule C3).
func checkLocation(location string) error {
	if location == "" {
		return rules.Errorf(rules.ErrInvalid, "location", "A location is required.")
	}
	if !rules.ValidLocation(normLocation(location)) {
		return rules.Errorf(rules.ErrInvalid, "location", "This is not an Azure region name: use one such as eastus or westeurope.")
	}
	return nil
}

// odataString quotes s as an OData string literal: a single quote is doubled.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Locations lists the regions of a subscription, with their pairs, by name.
func (c *Client) Locations(ctx context.Context, subscription string) ([]rules.Location, error) {
	var out []rules.Location
	pager := c.subs.NewListLocationsPager(subscription, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "")
		}
		for _, l := range page.Value {
			if l == nil || deref(l.Name) == "" {
				continue
			}
			out = append(out, rules.Location{Name: normLocation(deref(l.Name)), DisplayName: deref(l.DisplayName), Paired: firstPair(l)})
		}
	}
	slices.SortFunc(out, func(a, b rules.Location) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// pairedRegion reads a region's pair from the subscription's locations; ""
// when the region has none.
func (c *Client) pairedRegion(ctx context.Context, subscription, region string) (string, error) {
	locs, err := c.Locations(ctx, subscription)
	if err != nil {
		return "", err
	}
	for _, l := range locs {
		if l.Name == region {
			return l.Paired, nil
		}
	}
	return "", nil
}

// firstPair returns the name of a location's first paired region.
func firstPair(l *armsubscriptions.Location) string {
	if l.Metadata == nil {
		return ""
	}
	for _, p := range l.Metadata.PairedRegion {
		if p != nil && deref(p.Name) != "" {
			return normLocation(deref(p.Name))
		}
	}
	return ""
}
