package azure

import (
	"context"
	"slices"

	"github.com/amlaks/amlaks/rules"
)

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
