package rules

import (
	"fmt"
	"strings"
)

// GPUPool is the optional second node pool of a Kubernetes create: a user
// pool (mode User) of a GPU VM size beside the system pool, for the GPU
// models the compute serves. A zero GPUPool means no second pool.
//
// amlaks puts no taint on the pool: AKS's GPU guide suggests
// sku=gpu:NoSchedule, but nothing documents that the Azure ML extension's
// inference pods tolerate it, and a pool they cannot be scheduled on would
// be paid for and unused. Workloads are steered to it by the node selector
// (agentpool=<name>) of an instance type instead.
type GPUPool struct {
	// Name is the agent pool's name; empty means "gpu".
	Name string `json:"name,omitempty"`
	// VMSize is a GPU size offered in the cluster's location.
	VMSize string `json:"vmSize,omitempty"`
	// Count is the pool's node count, 1 to MaxPoolNodes.
	Count int `json:"count,omitempty"`
}

// IsZero reports whether no GPU pool is asked for.
func (p GPUPool) IsZero() bool { return p == GPUPool{} }

// Names of a created cluster's node pools.
const (
	// SystemPoolName is the created cluster's system pool.
	SystemPoolName = "system"
	// DefaultGPUPoolName is the GPU pool's name when none is given.
	DefaultGPUPoolName = "gpu"
	// MaxLinuxPoolName is the longest name of a Linux node pool.
	MaxLinuxPoolName = 12
)

// Field paths of the GPU pool.
const (
	FieldGPUPool       = "kubernetes.gpuPool"
	FieldGPUPoolName   = "kubernetes.gpuPool.name"
	FieldGPUPoolVMSize = "kubernetes.gpuPool.vmSize"
	FieldGPUPoolCount  = "kubernetes.gpuPool.count"
)

// ValidPoolName reports whether s is an AKS Linux node pool name: 1 to 12
// lower-case letters and digits, starting with a letter ("Create node pools
// for a cluster in AKS", naming rules; azurerm's KubernetesAgentPoolName).
func ValidPoolName(s string) bool {
	if len(s) == 0 || len(s) > MaxLinuxPoolName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || isDigit(r)) {
			return false
		}
	}
	return true
}

// GPUSizes returns the sizes of sizes that have GPUs, in their order.
func GPUSizes(sizes []VMSize) []VMSize {
	var out []VMSize
	for _, s := range sizes {
		if s.GPUs > 0 {
			out = append(out, s)
		}
	}
	return out
}

// checkGPUPool applies X16 to a create's GPU pool: its name, a GPU size
// offered in the location, its node count, and the vCPU quota it draws on
// beside the system pool (Q1). It returns the pool's size when it is a known
// GPU size. X13 (the device plugin) is checked by the caller.
func checkGPUPool(c *checker, req Request, facts Facts, system VMSize, systemKnown bool) (VMSize, bool) {
	p := req.Kubernetes.GPUPool
	if p.IsZero() {
		return VMSize{}, false
	}
	switch {
	case !ValidPoolName(p.Name):
		c.err("X16", FieldGPUPoolName, fmt.Sprintf("%s is not an AKS node pool name.", quoteValue(p.Name)), fmt.Sprintf("Use 1 to %d lower-case letters and digits, starting with a letter, such as gpu.", MaxLinuxPoolName))
	case p.Name == SystemPoolName:
		c.err("X16", FieldGPUPoolName, fmt.Sprintf("The cluster's system pool is called %s already; two pools cannot share a name.", SystemPoolName), "Call the GPU pool gpu, or another name.")
	}
	switch {
	case p.Count < 1:
		c.err("X16", FieldGPUPoolCount, "The GPU pool needs a node count: a whole number of 1 or more.", fmt.Sprintf("Give a node count of 1 to %d.", MaxPoolNodes))
	case p.Count > MaxPoolNodes:
		c.err("X16", FieldGPUPoolCount, fmt.Sprintf("The GPU pool's node count is %d; AKS allows at most %d nodes in a pool.", p.Count, MaxPoolNodes), fmt.Sprintf("Give a node count of 1 to %d.", MaxPoolNodes))
	}
	sizes := vmSizesOf(facts)
	gpus := GPUSizes(sizes)
	var names []string
	for _, s := range gpus {
		names = append(names, s.Name)
	}
	where := "in the known list"
	if facts.VMSizes != nil && req.Location != "" {
		where = "in " + req.Location
	}
	switch {
	case p.VMSize == "":
		c.err("X16", FieldGPUPoolVMSize, "A GPU node pool needs a GPU VM size.", suggestGPUSizes(names, where, ""))
		return VMSize{}, false
	case !ValidVMSize(p.VMSize):
		return VMSize{}, false // C3 says so
	}
	size, ok := FindVMSize(sizes, p.VMSize)
	if !ok {
		c.err("X16", FieldGPUPoolVMSize, fmt.Sprintf("VM size %q is not available %s.", p.VMSize, where), suggestGPUSizes(names, where, p.VMSize))
		return VMSize{}, false
	}
	if size.GPUs == 0 {
		c.err("X16", FieldGPUPoolVMSize, fmt.Sprintf("%s has no GPU; a GPU pool needs a GPU size.", size.Name), suggestGPUSizes(names, where, p.VMSize))
		return VMSize{}, false
	}
	if p.Count >= 1 && p.Count <= MaxPoolNodes {
		checkQuota(c, FieldGPUPoolCount, p.Count, size, quotasAfter(facts.Quotas, system, systemKnown, req.NodeCount), req.Location)
	}
	return size, true
}

// suggestGPUSizes is the fix of a GPU pool without a usable size.
func suggestGPUSizes(names []string, where, typed string) string {
	if len(names) == 0 {
		return "No GPU size is offered " + where + ": choose another region, or remove the GPU pool."
	}
	if typed != "" {
		names = closest(typed, names, 3)
	} else if len(names) > 3 {
		names = names[:3]
	}
	return "Choose a GPU size offered " + where + ", such as " + strings.Join(names, ", ") + "."
}

// quotasAfter returns quotas with the system pool's vCPUs counted as used,
// so that the GPU pool's check sees what is left after the system pool
// (they share the regional total, and may share a family).
func quotasAfter(quotas []Quota, system VMSize, known bool, nodes int) []Quota {
	if !known || len(quotas) == 0 {
		return quotas
	}
	need, ok := mulNodes(nodes, system.VCPUs)
	if !ok || need == 0 {
		return quotas
	}
	out := make([]Quota, len(quotas))
	copy(out, quotas)
	for _, q := range QuotasFor(quotas, system) {
		for i := range out {
			if strings.EqualFold(out[i].Name, q.Name) {
				out[i].Used += int64(need)
			}
		}
	}
	return out
}
