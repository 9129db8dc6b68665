package azure

import (
	"context"
	"fmt"

	"github.com/amlaks/amlaks/rules"
)

// SubnetPrefixes reads a subnet's address prefixes (addressPrefix, or
// addressPrefixes when the subnet has several), for rule V2: a service CIDR
// must not overlap the subnet it is created in. A subnet that does not
// exist is a rules.ErrNotFound on the subnet field.
func (c *Client) SubnetPrefixes(ctx context.Context, subscription, resourceGroup, vnet, subnet string) ([]string, error) {
	if resourceGroup == "" || vnet == "" || subnet == "" {
		return nil, rules.Errorf(rules.ErrInvalid, rules.FieldSubnetName, "The virtual network's resource group, name and subnet are all required.")
	}
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	resp, err := sc.subnets.Get(ctx, resourceGroup, vnet, subnet, nil)
	if err != nil {
		if isNotFound(err) {
			return nil, rules.Errorf(rules.ErrNotFound, rules.FieldSubnetName,
				fmt.Sprintf("The subnet %s of virtual network %s in resource group %s does not exist, or the proxy's Azure identity cannot see it.", subnet, vnet, resourceGroup))
		}
		return nil, mapError(err, rules.FieldSubnetName)
	}
	var out []string
	if p := resp.Properties; p != nil {
		if s := deref(p.AddressPrefix); s != "" {
			out = append(out, s)
		}
		for _, s := range p.AddressPrefixes {
			if s != nil && *s != "" && (len(out) == 0 || out[0] != *s) {
				out = append(out, *s)
			}
		}
	}
	return out, nil
}
