package rules

import (
	"fmt"
	"strings"
)

// RegionalQuotaName is Azure's usage name of a subscription's total vCPUs in
// a region ("Total Regional vCPUs"), beside one usage per VM family.
const RegionalQuotaName = "cores"

// Quota is one vCPU quota of the subscription in a location, as Azure's
// compute usages list it (`az vm list-usage`): a VM family's, named as the
// family of the VM size's resource SKU ("standardDSv3Family"), or the
// regional total (RegionalQuotaName).
type Quota struct {
	// Name is Azure's usage name: a VM family, or "cores".
	Name string `json:"name"`
	// Label is Azure's own words for it, such as "Standard DSv3 Family vCPUs".
	Label string `json:"label,omitempty"`
	// Limit is how many vCPUs the subscription may use; Used how many it does.
	Limit int64 `json:"limit"`
	Used  int64 `json:"used"`
}

// Left is how many vCPUs of the quota are not in use (never below zero).
func (q Quota) Left() int64 { return max(q.Limit-q.Used, 0) }

// Title is the quota's label, or its name when Azure gave none.
func (q Quota) Title() string {
	if q.Label != "" {
		return q.Label
	}
	return q.Name
}

// QuotasFor returns the quotas a VM size draws on in quotas: its family's
// and the regional total, those that are known.
func QuotasFor(quotas []Quota, size VMSize) []Quota {
	var out []Quota
	for _, name := range []string{size.Family, RegionalQuotaName} {
		if name == "" {
			continue
		}
		for _, q := range quotas {
			if strings.EqualFold(q.Name, name) && q.Limit >= 0 {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

// checkQuota applies Q1: the vCPUs that added nodes of the size need must
// fit in what is left of its family's quota and of the regional total in
// the location. added is the number of new nodes (the node count of a
// create, the increase of a scale). Unknown quotas check nothing.
func checkQuota(c *checker, field string, added int, size VMSize, quotas []Quota, location string) {
	if added <= 0 || size.VCPUs <= 0 {
		return
	}
	need, ok := mulNodes(added, size.VCPUs)
	if !ok { // out of range: P5 says so
		return
	}
	where := ""
	if location != "" {
		where = " in " + location
	}
	for _, q := range QuotasFor(quotas, size) {
		if int64(need) <= q.Left() {
			continue
		}
		fits := q.Left() / int64(size.VCPUs)
		fix := fmt.Sprintf("Use at most %s of %s, a VM size of another family, or ask for more quota (Azure portal: Quotas, Compute).", Count(int(fits), "node"), size.Name)
		if fits == 0 {
			fix = fmt.Sprintf("No node of %s fits: pick a VM size of another family, or ask for more quota (Azure portal: Quotas, Compute).", size.Name)
		}
		c.err("Q1", field, fmt.Sprintf("Not enough quota: %s%s allows %d, %d are in use, %d are left; %s × %s of %s = %d.",
			q.Title(), where, q.Limit, q.Used, q.Left(), Count(added, "node"), Count(size.VCPUs, "core"), size.Name, need), fix)
	}
}
