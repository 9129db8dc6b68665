//go:build !noexports

package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Terraform returns the request as an azurerm_machine_learning_inference_cluster
// resource, with the variables that hold the certificate and key. That
// resource attaches a cluster: for an attach it points at the target's
// resource ID; for a create it attaches the azurerm_kubernetes_cluster the
// export declares too (in the request's location, the workspace's resource
// group, the node count, VM size and network of the request). The inference
// cluster itself is in the workspace's location, workspaceLocation; when that
// is not known, a data source reads it from the workspace.
func Terraform(req Request, workspaceLocation string) string {
	r := exportable(req).Normalized(commentSafe(workspaceLocation))
	label := hclLabel(r.Name)
	var b strings.Builder
	var clusterRef string
	location := HCLQuote(workspaceLocation)
	if workspaceLocation == "" {
		location = "data.azurerm_machine_learning_workspace." + label + ".location"
		fmt.Fprintf(&b, "data \"azurerm_machine_learning_workspace\" %q {\n", label)
		writeHCLAttrs(&b, "  ", [][2]string{
			{"name", HCLQuote(r.Workspace.Name)},
			{"resource_group_name", HCLQuote(r.Workspace.ResourceGroup)},
		})
		b.WriteString("}\n\n")
	}
	if r.Mode == ModeAttach {
		id := r.TargetResourceID()
		clusterRef = HCLQuote(id)
	} else {
		clusterRef = "azurerm_kubernetes_cluster." + label + ".id"
		writeAKSCluster(&b, r, label, location)
	}
	if r.LoadBalancer.Type == LoadBalancerInternal {
		b.WriteString("# azurerm_machine_learning_inference_cluster has no load balancer settings;\n# set the internal load balancer with the CLI or the ARM body.\n")
	}
	if r.TLS.Mode == TLSCustom {
		b.WriteString("\nvariable \"ssl_cert_pem\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"ssl_key_pem\" {\n  type      = string\n  sensitive = true\n}\n")
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "resource \"azurerm_machine_learning_inference_cluster\" %q {\n", label)
	attrs := [][2]string{
		{"name", HCLQuote(r.Name)},
		{"location", location},
		{"machine_learning_workspace_id", HCLQuote(r.Workspace.ID())},
		{"kubernetes_cluster_id", clusterRef},
		{"cluster_purpose", HCLQuote(string(r.Purpose))},
	}
	if r.Description != "" {
		attrs = append(attrs, [2]string{"description", HCLQuote(r.Description)})
	}
	writeHCLAttrs(&b, "  ", attrs)
	switch r.TLS.Mode {
	case TLSCustom:
		b.WriteString("\n  ssl {\n")
		writeHCLAttrs(&b, "    ", [][2]string{
			{"cert", "var.ssl_cert_pem"},
			{"key", "var.ssl_key_pem"},
			{"cname", HCLQuote(r.TLS.CNAME)},
		})
		b.WriteString("  }\n")
	case TLSMicrosoft:
		b.WriteString("\n  ssl {\n")
		writeHCLAttrs(&b, "    ", [][2]string{
			{"leaf_domain_label", HCLQuote(r.TLS.LeafDomainLabel)},
			{"overwrite_existing_domain", strconv.FormatBool(r.TLS.OverwriteExistingDomain)},
		})
		b.WriteString("  }\n")
	}
	if len(r.Tags) > 0 {
		b.WriteString("\n  tags = {\n")
		var tags [][2]string
		for _, k := range sortedKeys(r.Tags) {
			tags = append(tags, [2]string{HCLQuote(k), HCLQuote(r.Tags[k])})
		}
		writeHCLAttrs(&b, "    ", tags)
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// writeAKSCluster declares the AKS cluster of a create, as Azure ML v1
// creates it: in the workspace's resource group, one system node pool of the
// request's VM size and count, a Standard load balancer (AKS retired Basic,
// V4) and, with a virtual network, Azure CNI in the given subnet.
func writeAKSCluster(b *strings.Builder, r Request, label, wsLocation string) {
	location := HCLQuote(r.Location)
	if r.Location == "" {
		location = wsLocation
	}
	fmt.Fprintf(b, "resource \"azurerm_kubernetes_cluster\" %q {\n", label)
	writeHCLAttrs(b, "  ", [][2]string{
		{"name", HCLQuote(r.Name)},
		{"location", location},
		{"resource_group_name", HCLQuote(r.Workspace.ResourceGroup)},
		{"dns_prefix", HCLQuote(r.Name)},
	})
	b.WriteString("\n  default_node_pool {\n")
	pool := [][2]string{
		{"name", `"nodepool1"`},
		{"node_count", strconv.Itoa(r.NodeCount)},
		{"vm_size", HCLQuote(r.VMSize)},
	}
	n := r.Network
	if !n.IsZero() {
		pool = append(pool, [2]string{"vnet_subnet_id", HCLQuote("/subscriptions/" + r.Workspace.Subscription + "/resourceGroups/" + n.VnetResourceGroup +
			"/providers/Microsoft.Network/virtualNetworks/" + n.VnetName + "/subnets/" + n.SubnetName)})
	}
	writeHCLAttrs(b, "    ", pool)
	b.WriteString("  }\n\n  identity {\n    type = \"SystemAssigned\"\n  }\n\n  network_profile {\n")
	net := [][2]string{{"load_balancer_sku", `"standard"`}}
	if !n.IsZero() {
		net = [][2]string{
			{"network_plugin", `"azure"`},
			{"load_balancer_sku", `"standard"`},
			{"service_cidr", HCLQuote(n.ServiceCIDR)},
			{"dns_service_ip", HCLQuote(n.DNSServiceIP)},
		}
	} else {
		net = append([][2]string{{"network_plugin", `"kubenet"`}}, net...)
	}
	writeHCLAttrs(b, "    ", net)
	b.WriteString("  }\n")
	if !n.IsZero() && n.DockerBridgeCIDR != "" {
		b.WriteString("  # The docker bridge CIDR has no setting in azurerm 4: AKS no longer uses it.\n")
	}
	b.WriteString("}\n\n")
}

// writeHCLAttrs writes "key = value" lines with the equals signs aligned,
// as terraform fmt does.
func writeHCLAttrs(b *strings.Builder, indent string, attrs [][2]string) {
	width := 0
	for _, a := range attrs {
		width = max(width, utf8.RuneCountInString(a[0]))
	}
	for _, a := range attrs {
		b.WriteString(indent + a[0] + strings.Repeat(" ", width-utf8.RuneCountInString(a[0])) + " = " + a[1] + "\n")
	}
}

// HCLQuote returns s as an HCL (Terraform) quoted string: quotes,
// backslashes and control characters are escaped, and the template
// sequences ${ and %{ are written $${ and %%{ so they stay literal.
func HCLQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	s = strings.ToValidUTF8(s, "\uFFFD")
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case UnsafeRune(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case UnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hclLabel makes a Terraform resource label from a compute name: letters,
// digits and underscores, starting with a letter.
func hclLabel(name string) string {
	var b strings.Builder
	for _, r := range name {
		if isASCIILetter(r) || isDigit(r) || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	l := b.String()
	if l == "" || !isASCIILetter(rune(l[0])) {
		l = "aks_" + l
	}
	return l
}
