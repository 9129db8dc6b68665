package app

import (
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// purposeOptions are the cluster purposes. FastProd is the default, so it
// is the empty choice: one option, not a second "FastProd" beside it.
var purposeOptions = []option{
	{"", "Production (FastProd, the default)"},
	{string(rules.PurposeDenseProd), "Production, dense (DenseProd)"},
	{string(rules.PurposeDevTest), "Dev/test (not for production)"},
}

// lbOptions are the load balancer types; a public IP is the default.
var lbOptions = []option{
	{"", "Public IP (the default)"},
	{string(rules.LoadBalancerInternal), "Internal load balancer"},
}

// lbValue is the load balancer choice a type selects: PublicIp is the default.
func lbValue(t rules.LoadBalancerType) string {
	if t == rules.LoadBalancerPublicIP {
		return ""
	}
	return string(t)
}

// purposeLabel, lbLabel and tlsLabel say a request's choices in words.
func purposeLabel(p rules.Purpose) string {
	switch p {
	case "", rules.PurposeFastProd:
		return "production (FastProd)"
	case rules.PurposeDenseProd:
		return "production, dense (DenseProd)"
	case rules.PurposeDevTest:
		return "dev/test (DevTest)"
	}
	return string(p)
}

func lbLabel(t rules.LoadBalancerType) string {
	switch t {
	case "", rules.LoadBalancerPublicIP:
		return "a public IP"
	case rules.LoadBalancerInternal:
		return "an internal load balancer"
	}
	return string(t)
}

func tlsLabel(m rules.TLSMode) string {
	switch m {
	case "", rules.TLSDisabled:
		return "disabled (HTTP)"
	case rules.TLSCustom:
		return "your certificate"
	case rules.TLSMicrosoft:
		return "a Microsoft certificate"
	}
	return string(m)
}

// pageOrder lists the request's fields as the form shows them, top to
// bottom: errors are listed, and the first is focused, in this order.
var pageOrder = []string{
	rules.FieldMode, rules.FieldLink, rules.FieldKind,
	rules.FieldWorkspace, rules.FieldSubscription, rules.FieldResourceGroup, rules.FieldName, rules.FieldPurpose,
	rules.FieldLocation, rules.FieldVMSize, rules.FieldNodeCount,
	rules.FieldVnetRG, rules.FieldVnetName, rules.FieldSubnetName, rules.FieldServiceCIDR, rules.FieldDNSServiceIP, rules.FieldDockerBridge,
	rules.FieldTargetName, rules.FieldTarget, rules.FieldTargetRG, rules.FieldTargetID,
	rules.FieldKubernetes, rules.FieldNamespace, rules.FieldK8sVersion, rules.FieldRouterServiceType, rules.FieldSingleRouter,
	rules.FieldIdentity, rules.FieldUserIdentity, fieldTraining,
	rules.FieldGPUPool, rules.FieldGPUPoolVMSize, rules.FieldGPUPoolCount, rules.FieldGPUPoolName,
	rules.FieldNvidiaDevicePlugin, rules.FieldNodeSelector, rules.FieldAuthorizedIPRanges,
	rules.FieldLBType, rules.FieldLBSubnet, rules.FieldTLSMode, rules.FieldTLSCert, rules.FieldTLSKey, rules.FieldTLSCNAME,
	rules.FieldAllowInsecure, rules.FieldTLSLeaf, rules.FieldTLSOverwrite, rules.FieldDescription, rules.FieldTags,
}

// fieldTraining is the page's own path of the training toggle, which no rule names.
const fieldTraining = rules.FieldKubernetes + ".training"

// inPageOrder sorts findings by where their field is on the page.
func inPageOrder(fs rules.Findings) rules.Findings {
	out := slices.Clone(fs)
	rank := func(field string) int {
		if i := slices.Index(pageOrder, field); i >= 0 {
			return i
		}
		return len(pageOrder)
	}
	rules.SortSmall(out, func(a, b rules.Finding) int { return rank(a.Field) - rank(b.Field) })
	return out
}

// controlID is the DOM id of the control a field's findings belong to.
func controlID(field string) string {
	switch field {
	case rules.FieldSubscription, rules.FieldResourceGroup:
		return fieldID(rules.FieldWorkspace)
	case rules.FieldTarget, rules.FieldTargetRG:
		return fieldID(rules.FieldTargetName)
	case rules.FieldTLSMode, rules.FieldAllowInsecure:
		return "tls-disabled"
	case rules.FieldKind:
		return "kind-kubernetes"
	case rules.FieldKubernetes:
		return fieldID(rules.FieldNamespace)
	case rules.FieldMode, rules.FieldLink, "network":
		return "error-count"
	}
	return fieldID(field)
}

// fieldLabel names a field as its label on the page does.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

var fieldLabels = map[string]string{
	rules.FieldMode: "Mode", rules.FieldLink: "Link",
	rules.FieldWorkspace: "Workspace", rules.FieldSubscription: "Workspace", rules.FieldResourceGroup: "Workspace",
	rules.FieldName: "Compute name", rules.FieldPurpose: "Cluster purpose",
	rules.FieldLocation: "Location", rules.FieldVMSize: "VM size", rules.FieldNodeCount: "Node count",
	rules.FieldVnetRG: "Virtual network resource group", rules.FieldVnetName: "Virtual network name", rules.FieldSubnetName: "Subnet name",
	rules.FieldServiceCIDR: "Service CIDR", rules.FieldDNSServiceIP: "DNS service IP", rules.FieldDockerBridge: "Docker bridge CIDR",
	rules.FieldTarget: "Cluster", rules.FieldTargetName: "Cluster", rules.FieldTargetRG: "Cluster", rules.FieldTargetID: "Cluster resource ID",
	rules.FieldLBType: "Load balancer", rules.FieldLBSubnet: "Load balancer subnet", rules.FieldTLSMode: "TLS",
	rules.FieldTLSCert: "Certificate", rules.FieldTLSKey: "Private key", rules.FieldTLSCNAME: "CNAME",
	rules.FieldTLSLeaf: "Leaf domain label", rules.FieldTLSOverwrite: "Overwrite an existing domain",
	rules.FieldDescription: "Description", rules.FieldTags: "Tags",
	rules.FieldKind: "Kind of compute", rules.FieldKubernetes: "Kubernetes compute", rules.FieldNamespace: "Namespace",
	rules.FieldK8sVersion: "Kubernetes version", rules.FieldRouterServiceType: "Inference router service type",
	rules.FieldAllowInsecure: "HTTP", rules.FieldSingleRouter: "Single inference router",
	rules.FieldNvidiaDevicePlugin: "NVIDIA device plugin", rules.FieldNodeSelector: "Node selector",
	rules.FieldIdentity: "Managed identity", rules.FieldUserIdentity: "User-assigned identity",
	rules.FieldAuthorizedIPRanges: "API server authorized IP ranges", fieldTraining: "Training",
	rules.FieldGPUPool: "GPU node pool", rules.FieldGPUPoolVMSize: "GPU VM size", rules.FieldGPUPoolCount: "GPU nodes",
	rules.FieldGPUPoolName: "GPU pool name",
}

// focusControl moves the focus to an element and scrolls it into view.
func focusControl(id string) {
	if !app.IsClient {
		return
	}
	doc := app.Window().Get("document")
	el := doc.Call("getElementById", id)
	if !el.Truthy() {
		el = doc.Call("getElementById", "error-count")
	}
	if !el.Truthy() {
		el = doc.Call("getElementById", "summary")
	}
	if el.Truthy() {
		el.Call("focus")
		el.Call("scrollIntoView", map[string]any{"block": "center"})
	}
}

// pageTitle is a page's <title>: what the page is, then the product.
func pageTitle(what string) string { return what + " · amlaks" }

func (f *Form) setTitle(ctx app.Context) {
	switch {
	case f.reviewing:
		ctx.Page().SetTitle("%s", pageTitle("Review"))
	default:
		ctx.Page().SetTitle("%s", pageTitle(formTitle(f.req)))
	}
}

// formTitle is the heading of the create or attach page for the request's kind.
func formTitle(r rules.Request) string {
	switch {
	case r.Kind == rules.KindKubernetes && r.Mode == rules.ModeAttach:
		return "Attach an AKS cluster as a Kubernetes compute"
	case r.Kind == rules.KindKubernetes:
		return "Create a Kubernetes compute"
	case r.Mode == rules.ModeAttach:
		return "Attach an existing AKS cluster"
	}
	return "Create an AKS inference cluster"
}
