package armemu

import (
	"fmt"
	"net/http"
	"strings"
)

// Quota limits of the sample subscription, in vCPUs. Azure's default for a
// new pay-as-you-go subscription is of this order; eastus has little quota
// of the FSv2 family, so that a create there shows the page's quota check.
const (
	defaultFamilyLimit   = 100
	defaultRegionalLimit = 500
)

// sampleFamilyLimits are the family limits that differ from the default, by
// location and family: in eastus the platform team has raised DSv3 (its
// sample clusters use it) and has little FSv2.
var sampleFamilyLimits = map[string]map[string]int64{
	"eastus": {"standardDSv3Family": 350, "standardFSv2Family": 16},
}

// familyLimit is the sample subscription's quota of a family in a location.
func familyLimit(loc, family string) int64 {
	if l, ok := sampleFamilyLimits[strings.ToLower(loc)][family]; ok {
		return l
	}
	return defaultFamilyLimit
}

// usedCores sums what the world's clusters in loc use: by family, and in all.
func (e *Emulator) usedCores(loc string) (byFamily map[string]int64, total int64) {
	byFamily = map[string]int64{}
	for _, c := range e.w.clusters {
		if !strings.EqualFold(c.location, loc) {
			continue
		}
		for _, pool := range c.pools {
			s, ok := findVMSize(loc, pool.vmSize)
			if !ok {
				continue
			}
			byFamily[s.family] += int64(pool.count * s.vCPUs)
			total += int64(pool.count * s.vCPUs)
		}
	}
	return byFamily, total
}

// quotaExceeded is Azure's message when a cluster's cores exceed what is
// left of its family's or the region's quota, or "" when they fit.
func (e *Emulator) quotaExceeded(loc string, vm vmSize, cores int) string {
	used, total := e.usedCores(loc)
	for _, q := range []struct {
		name         string
		limit, usage int64
	}{
		{vm.family, familyLimit(loc, vm.family), used[vm.family]},
		{"Total Regional", defaultRegionalLimit, total},
	} {
		if q.usage+int64(cores) > q.limit {
			return fmt.Sprintf("Operation could not be completed as it results in exceeding approved %s Cores quota. Additional details - Deployment Model: Resource Manager, Location: %s, Current Limit: %d, Current Usage: %d, Additional Required: %d, (Minimum) New Limit Required: %d.",
				q.name, loc, q.limit, q.usage, cores, q.usage+int64(cores))
		}
	}
	return ""
}

// familyLabel is Azure's localized name of a family's usage:
// "standardDSv3Family" is "Standard DSv3 Family vCPUs".
func familyLabel(family string) string {
	name := strings.TrimSuffix(strings.TrimPrefix(family, "standard"), "Family")
	return "Standard " + name + " Family vCPUs"
}

// listUsages serves
// GET /subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/usages:
// the subscription's compute quotas in the location, in the shape of the REST
// spec's example (Compute, Usage_List: value[] of unit, currentValue, limit
// and name {value, localizedValue}). The regional total is "cores" ("Total
// Regional vCPUs") and each VM family has its own; the current value is
// what the world's clusters in the location use.
func (e *Emulator) listUsages(w http.ResponseWriter, _ *http.Request, p params) error {
	loc := strings.ToLower(p["loc"])
	if _, ok := findLocation(loc); !ok {
		return errorf(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type 'Microsoft.Compute/locations/usages'.", p["loc"])
	}
	used, total := e.usedCores(loc)
	usage := func(name, label string, current, limit int64) map[string]any {
		return map[string]any{"unit": "Count", "currentValue": current, "limit": limit,
			"name": map[string]any{"value": name, "localizedValue": label}}
	}
	out := []any{usage("cores", "Total Regional vCPUs", total, defaultRegionalLimit)}
	seen := map[string]bool{}
	if offered(loc) {
		for _, s := range vmSizes {
			if seen[s.family] {
				continue
			}
			seen[s.family] = true
			out = append(out, usage(s.family, familyLabel(s.family), used[s.family], familyLimit(loc, s.family)))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}
