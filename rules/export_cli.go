//go:build !noexports

package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// AzCLI returns the request as Azure ML CLI v1 commands (the azure-cli-ml
// extension): `az ml computetarget create aks` for a create, and
// `az ml computetarget attach aks` for an attach, followed by
// `az ml computetarget update aks` when the attach sets TLS or an internal
// load balancer, which the CLI's attach does not take. The attach returns
// before Azure ML has finished it, so `az resource wait` waits for the
// compute's provisioning state to be Succeeded before the update. The
// certificate and key are the files cert.pem and key.pem. Every value is
// single-quoted for a POSIX shell. The CLI v1 has no flag for a description
// or tags; a comment says so. A heading says the CLI v1 is legacy.
func AzCLI(req Request) string {
	r := exportable(req).Normalized("")
	var b strings.Builder
	b.WriteString(CLIv1Legacy)
	if r.Mode == ModeAttach {
		id := r.TargetResourceID()
		if r.Purpose != PurposeFastProd {
			b.WriteString("# The CLI v1 attach has no cluster purpose flag and attaches for FastProd;\n# use the Python SDK or the ARM body for another purpose.\n")
		}
		writeNoteDescriptionTags(&b, r)
		cmd := shellCommand{name: "az ml computetarget attach aks"}
		cmd.add("--name", r.Name)
		cmd.add("--compute-resource-id", id)
		cmd.add("--workspace-name", r.Workspace.Name)
		cmd.add("--resource-group", r.Workspace.ResourceGroup)
		cmd.add("--subscription", r.Workspace.Subscription)
		b.WriteString(cmd.String())
		if r.TLS.Mode == TLSCustom || r.TLS.Mode == TLSMicrosoft || r.LoadBalancer.Type == LoadBalancerInternal {
			up := shellCommand{name: "az ml computetarget update aks"}
			up.add("--name", r.Name)
			up.add("--workspace-name", r.Workspace.Name)
			up.add("--resource-group", r.Workspace.ResourceGroup)
			up.add("--subscription-id", r.Workspace.Subscription)
			if r.LoadBalancer.Type == LoadBalancerInternal {
				up.add("--load-balancer-type", string(r.LoadBalancer.Type))
				up.add("--load-balancer-subnet", r.LoadBalancer.Subnet)
			}
			addCLITLS(&up, r.TLS)
			wait := shellCommand{name: "az resource wait"}
			wait.add("--ids", computeID(r))
			wait.add("--api-version", ARMAPIVersion)
			wait.add("--custom", "properties.provisioningState=='Succeeded'")
			b.WriteString("\n# The attach returns before Azure ML has finished it: wait until the compute\n# is Succeeded (az resource wait gives up after an hour), then update it.\n")
			b.WriteString(wait.String())
			b.WriteString("\n")
			b.WriteString(up.String())
		}
		return b.String()
	}
	writeNoteDescriptionTags(&b, r)
	cmd := shellCommand{name: "az ml computetarget create aks"}
	cmd.add("--name", r.Name)
	cmd.add("--workspace-name", r.Workspace.Name)
	cmd.add("--resource-group", r.Workspace.ResourceGroup)
	cmd.add("--subscription-id", r.Workspace.Subscription)
	cmd.addRaw("--agent-count", strconv.Itoa(r.NodeCount))
	cmd.add("--vm-size", r.VMSize)
	cmd.add("--cluster-purpose", string(r.Purpose))
	cmd.add("--location", r.Location)
	cmd.add("--load-balancer-type", string(r.LoadBalancer.Type))
	cmd.add("--load-balancer-subnet", r.LoadBalancer.Subnet)
	n := r.Network
	cmd.add("--vnet-resourcegroup-name", n.VnetResourceGroup)
	cmd.add("--vnet-name", n.VnetName)
	cmd.add("--subnet-name", n.SubnetName)
	cmd.add("--service-cidr", n.ServiceCIDR)
	cmd.add("--dns-service-ip", n.DNSServiceIP)
	cmd.add("--docker-bridge-cidr", n.DockerBridgeCIDR)
	addCLITLS(&cmd, r.TLS)
	b.WriteString(cmd.String())
	return b.String()
}

// CLIv1Legacy heads the CLI v1 export: the azure-cli-ml extension is out of
// support, and the Kubernetes compute (Azure ML v2) is its successor.
const CLIv1Legacy = "# Legacy: Azure ML CLI v1 (the azure-cli-ml extension) is out of support since\n" +
	"# 30 September 2025. For new work use a Kubernetes compute (Azure ML v2):\n" +
	"# az ml compute attach --type Kubernetes, with the ml extension (the \"Kubernetes\" kind here).\n"

// computeID is the ARM resource ID of the request's compute.
func computeID(r Request) string {
	return r.Workspace.ID() + "/computes/" + r.Name
}

func writeNoteDescriptionTags(b *strings.Builder, r Request) {
	if r.Description != "" || len(r.Tags) > 0 {
		b.WriteString("# The CLI v1 has no description or tags flags for AKS computes;\n# the ARM body carries them.\n")
	}
}

func addCLITLS(cmd *shellCommand, t TLS) {
	switch t.Mode {
	case TLSCustom:
		cmd.add("--ssl-cname", t.CNAME)
		cmd.addRaw("--ssl-cert-file", CertFilePlaceholder)
		cmd.addRaw("--ssl-key-file", KeyFilePlaceholder)
	case TLSMicrosoft:
		cmd.add("--ssl-leaf-domain-label", t.LeafDomainLabel)
		if t.OverwriteExistingDomain {
			cmd.flag("--ssl-overwrite-domain")
		}
	}
}

// shellCommand builds one command line, a flag per continued line.
type shellCommand struct {
	name  string
	lines []string
}

// add appends a flag with a single-quoted value; empty values are left out.
func (c *shellCommand) add(flag, value string) {
	if value != "" {
		c.lines = append(c.lines, flag+" "+ShellQuote(value))
	}
}

// addRaw appends a flag with a value known to need no quoting.
func (c *shellCommand) addRaw(flag, value string) { c.lines = append(c.lines, flag+" "+value) }

func (c *shellCommand) flag(flag string) { c.lines = append(c.lines, flag) }

func (c *shellCommand) String() string {
	var b strings.Builder
	b.WriteString(c.name)
	for _, l := range c.lines {
		b.WriteString(" \\\n  ")
		b.WriteString(l)
	}
	b.WriteString("\n")
	return b.String()
}

// ShellQuote quotes s as one word for a POSIX shell: inside single quotes
// nothing is special, and an embedded single quote is written '\”. A value
// that holds a character UnsafeRune refuses (a control character such as ^C
// or a newline, which a terminal acts on even inside quotes when the line is
// pasted; a bidi override, which hides text) is written in dollar-single
// quotes ($'...', POSIX 2024, bash, zsh, ksh) with those characters as
// escapes, so the pasted text holds none of them.
func ShellQuote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsFunc(s, UnsafeRune) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80 && UnsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff && UnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case UnsafeRune(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
