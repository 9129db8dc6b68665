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
	rules.FieldMode, rules.FieldLink,
	rules.FieldWorkspace, rules.FieldSubscription, rules.FieldResourceGroup, rules.FieldName, rules.FieldPurpose,
	rules.FieldLocation, rules.FieldVMSize, rules.FieldNodeCount,
	rules.FieldVnetRG, rules.FieldVnetName, rules.FieldSubnetName, rules.FieldServiceCIDR, rules.FieldDNSServiceIP, rules.FieldDockerBridge,
	rules.FieldTargetName, rules.FieldTarget, rules.FieldTargetRG, rules.FieldTargetID,
	rules.FieldLBType, rules.FieldLBSubnet, rules.FieldTLSMode, rules.FieldTLSCert, rules.FieldTLSKey, rules.FieldTLSCNAME,
	rules.FieldTLSLeaf, rules.FieldTLSOverwrite, rules.FieldDescription, rules.FieldTags,
}

// inPageOrder sorts findings by where their field is on the page.
func inPageOrder(fs rules.Findings) rules.Findings {
	out := slices.Clone(fs)
	rank := func(field string) int {
		if i := slices.Index(pageOrder, field); i >= 0 {
			return i
		}
		return len(pageOrder)
	}
	slices.SortStableFunc(out, func(a, b rules.Finding) int { return rank(a.Field) - rank(b.Field) })
	return out
}

// controlID is the DOM id of the control a field's findings belong to.
func controlID(field string) string {
	switch field {
	case rules.FieldSubscription, rules.FieldResourceGroup:
		return fieldID(rules.FieldWorkspace)
	case rules.FieldTarget, rules.FieldTargetRG:
		return fieldID(rules.FieldTargetName)
	case rules.FieldTLSMode:
		return "tls-disabled"
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
	case f.req.Mode == rules.ModeAttach:
		ctx.Page().SetTitle("%s", pageTitle("Attach an existing AKS cluster"))
	default:
		ctx.Page().SetTitle("%s", pageTitle("Create an AKS inference cluster"))
	}
}
