package armemu

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

func subscriptionJSON() map[string]any {
	return map[string]any{
		"id":                  "/subscriptions/" + SubscriptionID,
		"subscriptionId":      SubscriptionID,
		"tenantId":            TenantID,
		"displayName":         "Contoso ML (emulated)",
		"state":               "Enabled",
		"authorizationSource": "RoleBased",
		"managedByTenants":    []any{},
		"subscriptionPolicies": map[string]any{
			"locationPlacementId": "Public_2014-09-01",
			"quotaId":             "PayAsYouGo_2014-09-01",
			"spendingLimit":       "Off",
		},
	}
}

// listSubscriptions serves GET /subscriptions.
func (e *Emulator) listSubscriptions(w http.ResponseWriter, _ *http.Request, _ params) error {
	writeJSON(w, http.StatusOK, map[string]any{"value": []any{subscriptionJSON()}})
	return nil
}

// getSubscription serves GET /subscriptions/{sub}.
func (e *Emulator) getSubscription(w http.ResponseWriter, _ *http.Request, _ params) error {
	writeJSON(w, http.StatusOK, subscriptionJSON())
	return nil
}

// listLocations serves GET /subscriptions/{sub}/locations, each region with
// its paired region in metadata.pairedRegion.
func (e *Emulator) listLocations(w http.ResponseWriter, _ *http.Request, _ params) error {
	var out []any
	for _, l := range locations {
		out = append(out, map[string]any{
			"id":                  "/subscriptions/" + SubscriptionID + "/locations/" + l.name,
			"name":                l.name,
			"type":                "Region",
			"displayName":         l.display,
			"regionalDisplayName": "(" + l.geography + ") " + l.display,
			"metadata": map[string]any{
				"regionType":       "Physical",
				"regionCategory":   "Recommended",
				"geography":        l.geography,
				"geographyGroup":   l.geography,
				"longitude":        l.long,
				"latitude":         l.lat,
				"physicalLocation": l.display,
				"pairedRegion": []any{map[string]any{
					"name": l.paired,
					"id":   "/subscriptions/" + SubscriptionID + "/locations/" + l.paired,
				}},
			},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

var locationFilter = regexp.MustCompile(`(?i)^\s*location\s+eq\s+'([^']*)'\s*$`)

// listSKUs serves GET /subscriptions/{sub}/providers/Microsoft.Compute/skus,
// with the optional $filter=location eq '{location}'.
func (e *Emulator) listSKUs(w http.ResponseWriter, req *http.Request, _ params) error {
	locs := skuLocations
	if f := req.URL.Query().Get("$filter"); f != "" {
		m := locationFilter.FindStringSubmatch(f)
		if m == nil {
			return errorf(http.StatusBadRequest, "InvalidFilter", "The $filter '%s' is not supported; use location eq '{location}'.", f)
		}
		locs = nil
		if offered(m[1]) {
			locs = []string{strings.ToLower(m[1])}
		}
	}
	out := []any{}
	for _, loc := range locs {
		for _, s := range vmSizes {
			caps := []any{
				capability("MaxResourceVolumeMB", strconv.Itoa(s.vCPUs*8192)),
				capability("vCPUs", strconv.Itoa(s.vCPUs)),
				capability("vCPUsAvailable", strconv.Itoa(s.vCPUs)),
				capability("MemoryGB", strconv.FormatFloat(s.memoryGB, 'f', -1, 64)),
				capability("MaxDataDiskCount", strconv.Itoa(min(64, s.vCPUs*4))),
				capability("HyperVGenerations", "V1,V2"),
				capability("PremiumIO", strconv.FormatBool(strings.Contains(s.name, "s_") || strings.HasSuffix(s.name, "s"))),
			}
			if s.gpus > 0 {
				caps = append(caps, capability("GPUs", strconv.Itoa(s.gpus)))
			}
			out = append(out, map[string]any{
				"resourceType": "virtualMachines",
				"name":         s.name,
				"tier":         "Standard",
				"size":         strings.TrimPrefix(s.name, "Standard_"),
				"family":       s.family,
				"locations":    []any{loc},
				"locationInfo": []any{map[string]any{"location": loc, "zones": []any{"1", "2", "3"}, "zoneDetails": []any{}}},
				"capabilities": caps,
				"restrictions": []any{},
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

func capability(name, value string) map[string]any {
	return map[string]any{"name": name, "value": value}
}

// regionTagName is the service tag suffix of a region: "EastUS" for "eastus".
func regionTagName(region string) string {
	l, _ := findLocation(region)
	return strings.ReplaceAll(l.display, " ", "")
}

// listServiceTags serves
// GET /subscriptions/{sub}/providers/Microsoft.Network/locations/{loc}/serviceTags.
// As in Azure, the location picks the list's version, not its content: every
// region's AzureMachineLearning tag is listed, with the global one.
func (e *Emulator) listServiceTags(w http.ResponseWriter, _ *http.Request, p params) error {
	if _, ok := findLocation(p["loc"]); !ok {
		return errorf(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type 'Microsoft.Network/locations/serviceTags'.", p["loc"])
	}
	const change = "00042"
	tag := func(name, region string, prefixes []string) map[string]any {
		return map[string]any{
			"name":                   name,
			"id":                     name,
			"serviceTagChangeNumber": change,
			"properties": map[string]any{
				"changeNumber":    change,
				"region":          region,
				"state":           "GA",
				"systemService":   "AzureMachineLearning",
				"addressPrefixes": prefixes,
			},
		}
	}
	var all []string
	values := []any{}
	for _, t := range amlTags {
		all = append(all, t.prefixes...)
	}
	values = append(values, tag("AzureMachineLearning", "", all))
	for _, t := range amlTags {
		values = append(values, tag("AzureMachineLearning."+regionTagName(t.region), t.region, t.prefixes))
	}
	values = append(values, map[string]any{
		"name": "AzureContainerRegistry.EastUS", "id": "AzureContainerRegistry.EastUS", "serviceTagChangeNumber": change,
		"properties": map[string]any{"changeNumber": change, "region": "eastus", "state": "GA",
			"systemService": "AzureContainerRegistry", "addressPrefixes": []string{"20.42.66.0/23", "40.71.10.216/29"}},
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"name":         "Public",
		"id":           "/subscriptions/" + SubscriptionID + "/providers/Microsoft.Network/serviceTags/Public",
		"type":         "Microsoft.Network/serviceTags",
		"changeNumber": change,
		"cloud":        "Public",
		"values":       values,
	})
	return nil
}
