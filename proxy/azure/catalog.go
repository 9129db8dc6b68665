package azure

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/amlaks/amlaks/rules"
)

// skuEntry is the cached VM sizes of one subscription and location.
type skuEntry struct {
	sizes   []rules.VMSize
	fetched time.Time
}

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

// VMSizes lists the virtual machine sizes available to the subscription in
// a location, with cores, memory and accelerators, sorted by name. The list
// is read from the resource SKUs of the location and kept for an hour.
func (c *Client) VMSizes(ctx context.Context, subscription, location string) ([]rules.VMSize, error) {
	if location == "" {
		return nil, rules.Errorf(rules.ErrInvalid, "location", "A location is required.")
	}
	sizes, err := c.vmSizes(ctx, subscription, location)
	if err != nil {
		return nil, err
	}
	return slices.Clone(sizes), nil
}

// vmSizes returns the cached list of a location; callers must not modify it.
func (c *Client) vmSizes(ctx context.Context, subscription, location string) ([]rules.VMSize, error) {
	key := subscription + "/" + normLocation(location)
	c.mu.Lock()
	e, ok := c.skus[key]
	c.mu.Unlock()
	if ok && time.Since(e.fetched) < skuCacheTTL {
		return e.sizes, nil
	}
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	if err := checkLocation(location); err != nil {
		return nil, err
	}
	filter := "location eq " + odataString(normLocation(location))
	pager := sc.skus.NewListPager(&armcompute.ResourceSKUsClientListOptions{Filter: &filter})
	seen := map[string]bool{}
	sizes := []rules.VMSize{} // Azure's answer, even when empty: not "unknown" (nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "location")
		}
		for _, sku := range page.Value {
			s, ok := vmSize(sku, location)
			if !ok || seen[strings.ToLower(s.Name)] {
				continue
			}
			seen[strings.ToLower(s.Name)] = true
			sizes = append(sizes, s)
		}
	}
	slices.SortFunc(sizes, func(a, b rules.VMSize) int { return strings.Compare(a.Name, b.Name) })
	c.mu.Lock()
	c.skus[key] = skuEntry{sizes: sizes, fetched: time.Now()}
	c.mu.Unlock()
	return sizes, nil
}

// vmSize maps a resource SKU to a VM size. It refuses SKUs that are not
// virtual machines or that the subscription may not use in the location.
func vmSize(sku *armcompute.ResourceSKU, location string) (rules.VMSize, bool) {
	if sku == nil || !strings.EqualFold(deref(sku.ResourceType), "virtualMachines") || deref(sku.Name) == "" {
		return rules.VMSize{}, false
	}
	for _, r := range sku.Restrictions {
		if r == nil || deref(r.Type) != armcompute.ResourceSKURestrictionsTypeLocation {
			continue
		}
		for _, v := range r.Values {
			if normLocation(deref(v)) == normLocation(location) {
				return rules.VMSize{}, false
			}
		}
	}
	s := rules.VMSize{Name: deref(sku.Name), Family: deref(sku.Family)}
	for _, capability := range sku.Capabilities {
		if capability == nil {
			continue
		}
		name, value := deref(capability.Name), deref(capability.Value)
		switch {
		case strings.EqualFold(name, "vCPUs"):
			s.VCPUs, _ = strconv.Atoi(value)
		case strings.EqualFold(name, "MemoryGB"):
			s.MemoryGB, _ = strconv.ParseFloat(value, 64)
		case strings.EqualFold(name, "GPUs"):
			s.GPUs, _ = strconv.Atoi(value)
		case strings.Contains(strings.ToLower(name), "fpga"):
			if n, err := strconv.Atoi(value); (err == nil && n > 0) || strings.EqualFold(value, "true") {
				s.FPGA = true
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(s.Name), "standard_pb") ||
		strings.HasPrefix(strings.ToLower(deref(sku.Family)), "standardpbs") {
		s.FPGA = true
	}
	return s, true
}

// sizeIndex finds VM sizes by name, case-insensitively.
func sizeIndex(sizes []rules.VMSize) map[string]rules.VMSize {
	m := make(map[string]rules.VMSize, len(sizes))
	for _, s := range sizes {
		m[strings.ToLower(s.Name)] = s
	}
	return m
}

// KubernetesVersions lists the AKS versions of a location, one row per patch
// version like `az aks get-versions -l LOCATION -o table` (rule K4). The
// default row is the newest patch of the default minor version; preview is
// the minor version's flag. Rows are sorted oldest first.
func (c *Client) KubernetesVersions(ctx context.Context, subscription, location string) ([]rules.KubernetesVersion, error) {
	if err := checkLocation(location); err != nil {
		return nil, err
	}
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	resp, err := sc.clusters.ListKubernetesVersions(ctx, normLocation(location), nil)
	if err != nil {
		return nil, mapError(err, "location")
	}
	var out []rules.KubernetesVersion
	for _, v := range resp.Values {
		if v == nil {
			continue
		}
		var rows []rules.KubernetesVersion
		for patch, pv := range v.PatchVersions {
			row := rules.KubernetesVersion{Version: patch, Preview: deref(v.IsPreview)}
			if pv != nil {
				for _, u := range pv.Upgrades {
					if u != nil {
						row.Upgrades = append(row.Upgrades, *u)
					}
				}
				slices.SortFunc(row.Upgrades, rules.CompareVersions)
			}
			rows = append(rows, row)
		}
		if len(rows) == 0 && deref(v.Version) != "" {
			rows = append(rows, rules.KubernetesVersion{Version: deref(v.Version), Preview: deref(v.IsPreview)})
		}
		slices.SortFunc(rows, func(a, b rules.KubernetesVersion) int { return rules.CompareVersions(a.Version, b.Version) })
		if deref(v.IsDefault) && len(rows) > 0 {
			rows[len(rows)-1].Default = true
		}
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b rules.KubernetesVersion) int { return rules.CompareVersions(a.Version, b.Version) })
	return out, nil
}

// amlServiceTag is the service tag of the Azure ML control plane.
const amlServiceTag = "AzureMachineLearning"

// AMLRanges returns the address prefixes of the AzureMachineLearning service
// tag for a region and its paired region, and the paired region's name (rule
// A1). The pair comes from the subscription's list of locations; the prefixes
// from the regional tags (AzureMachineLearning.<Region>), matched by their
// region property.
func (c *Client) AMLRanges(ctx context.Context, subscription, location string) ([]string, string, error) {
	if location == "" {
		return nil, "", rules.Errorf(rules.ErrInvalid, "location", "A location is required.")
	}
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, "", err
	}
	region := normLocation(location)
	paired, err := c.pairedRegion(ctx, subscription, region)
	if err != nil {
		return nil, "", err
	}
	tags, err := sc.serviceTags.List(ctx, region, nil)
	if err != nil {
		return nil, "", mapError(err, "")
	}
	var ranges []string
	seen := map[string]bool{}
	for _, want := range []string{region, paired} {
		if want == "" {
			continue
		}
		for _, t := range tags.Values {
			if t == nil || t.Properties == nil || !isAMLTag(t) {
				continue
			}
			if normLocation(deref(t.Properties.Region)) != want {
				continue
			}
			for _, p := range t.Properties.AddressPrefixes {
				if p != nil && !seen[*p] {
					seen[*p] = true
					ranges = append(ranges, *p)
				}
			}
		}
	}
	return ranges, paired, nil
}

// isAMLTag reports whether a service tag is a regional AzureMachineLearning tag.
func isAMLTag(t *armnetwork.ServiceTagInformation) bool {
	name := strings.ToLower(deref(t.Name))
	return strings.HasPrefix(name, strings.ToLower(amlServiceTag)+".") ||
		(strings.EqualFold(deref(t.Properties.SystemService), amlServiceTag) && deref(t.Properties.Region) != "")
}

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
