package azure

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"

	"github.com/amlaks/amlaks/rules"
)

// skuEntry is the cached VM sizes of one subscription and location.
type skuEntry struct {
	sizes   []rules.VMSize
	fetched time.Time
}

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
