//go:build !noexports

package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PythonSDK returns the request as an Azure ML Python SDK v1 snippet:
// AksCompute.provisioning_configuration and ComputeTarget.create for a
// create, AksCompute.attach_configuration and ComputeTarget.attach for an
// attach, with enable_ssl for TLS. The certificate and key are the files
// cert.pem and key.pem. Strings are Python literals of ASCII only. A
// heading says the SDK v1 is legacy.
func PythonSDK(req Request) string {
	r := exportable(req).Normalized("")
	var b strings.Builder
	b.WriteString(SDKv1Legacy)
	b.WriteString("from azureml.core import Workspace\n")
	b.WriteString("from azureml.core.compute import AksCompute, ComputeTarget\n\n")
	fmt.Fprintf(&b, "ws = Workspace.get(\n    name=%s,\n    subscription_id=%s,\n    resource_group=%s,\n)\n\n",
		PyQuote(r.Workspace.Name), PyQuote(r.Workspace.Subscription), PyQuote(r.Workspace.ResourceGroup))
	var args []string
	arg := func(name, value string) {
		if value != "" {
			args = append(args, name+"="+PyQuote(value))
		}
	}
	if r.Mode == ModeAttach {
		if r.Target.ResourceID != "" {
			arg("resource_id", r.TargetResourceID())
		} else {
			arg("resource_group", r.Target.ResourceGroup)
			arg("cluster_name", r.Target.Name)
		}
	} else {
		args = append(args, "agent_count="+strconv.Itoa(r.NodeCount))
		arg("vm_size", r.VMSize)
	}
	args = append(args, "cluster_purpose="+pyPurpose(r.Purpose))
	if r.Mode == ModeCreate {
		arg("location", r.Location)
	}
	arg("load_balancer_type", string(r.LoadBalancer.Type))
	arg("load_balancer_subnet", r.LoadBalancer.Subnet)
	if r.Mode == ModeCreate {
		n := r.Network
		arg("vnet_resourcegroup_name", n.VnetResourceGroup)
		arg("vnet_name", n.VnetName)
		arg("subnet_name", n.SubnetName)
		arg("service_cidr", n.ServiceCIDR)
		arg("dns_service_ip", n.DNSServiceIP)
		arg("docker_bridge_cidr", n.DockerBridgeCIDR)
	}
	method := "provisioning_configuration"
	if r.Mode == ModeAttach {
		method = "attach_configuration"
	}
	fmt.Fprintf(&b, "config = AksCompute.%s(\n", method)
	for _, a := range args {
		fmt.Fprintf(&b, "    %s,\n", a)
	}
	b.WriteString(")\n")
	switch r.TLS.Mode {
	case TLSCustom:
		fmt.Fprintf(&b, "config.enable_ssl(\n    ssl_cname=%s,\n    ssl_cert_pem_file=%s,\n    ssl_key_pem_file=%s,\n)\n",
			PyQuote(r.TLS.CNAME), PyQuote(CertFilePlaceholder), PyQuote(KeyFilePlaceholder))
	case TLSMicrosoft:
		fmt.Fprintf(&b, "config.enable_ssl(\n    leaf_domain_label=%s,\n    overwrite_existing_domain=%s,\n)\n",
			PyQuote(r.TLS.LeafDomainLabel), pyBool(r.TLS.OverwriteExistingDomain))
	}
	if r.Description != "" || len(r.Tags) > 0 {
		b.WriteString("# The SDK v1 AKS configurations take no description or tags; the ARM body carries them.\n")
	}
	verb := "create"
	if r.Mode == ModeAttach {
		verb = "attach"
	}
	fmt.Fprintf(&b, "\naks_target = ComputeTarget.%s(ws, %s, config)\n", verb, PyQuote(r.Name))
	b.WriteString("aks_target.wait_for_completion(show_output=True)\n")
	return b.String()
}

// SDKv1Legacy heads the SDK v1 export: azureml-core is out of support, and
// the Kubernetes compute (Azure ML v2) is its successor.
const SDKv1Legacy = "# Legacy: the Azure ML SDK v1 (azureml-core) is out of support since 30 June 2026.\n" +
	"# For new work use a Kubernetes compute (Azure ML v2): KubernetesCompute of azure-ai-ml\n" +
	"# (the \"Kubernetes\" kind here).\n"

func pyPurpose(p Purpose) string {
	switch p {
	case PurposeFastProd:
		return "AksCompute.ClusterPurpose.FAST_PROD"
	case PurposeDevTest:
		return "AksCompute.ClusterPurpose.DEV_TEST"
	}
	// The SDK v1 has no constant for DenseProd (or an unknown purpose).
	return PyQuote(string(p))
}

// PyQuote returns s as a Python string literal in single quotes, of ASCII
// only: backslashes, quotes, control and non-ASCII characters are escaped,
// and invalid UTF-8 becomes U+FFFD.
func PyQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
