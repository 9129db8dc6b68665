package azure

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"

	"github.com/amlaks/amlaks/rules"
)

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
