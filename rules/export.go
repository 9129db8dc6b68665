package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The exports show a request four ways on the review step: an Azure ML CLI v1
// command, a Python SDK v1 snippet, a Terraform block and the ARM request
// body. They never carry the certificate or key (rule L5): those are left as
// placeholders. Every value a person typed is quoted for its language so that
// a hostile name or description stays one inert literal.

// ARMAPIVersion is the Microsoft.MachineLearningServices API version of the
// ARM PUT, the one armmachinelearning v4.0.0 (used by the proxy) speaks.
const ARMAPIVersion = "2024-04-01"

// Placeholders that stand for secrets in the exports.
const (
	CertFilePlaceholder = "cert.pem"
	KeyFilePlaceholder  = "key.pem"
	CertPEMPlaceholder  = "<certificate PEM>"
	KeyPEMPlaceholder   = "<private key PEM>"
)

// AzCLI returns the request as Azure ML CLI v1 commands (the azure-cli-ml
// extension): `az ml computetarget create aks` for a create, and
// `az ml computetarget attach aks` for an attach, followed by
// `az ml computetarget update aks` when the attach sets TLS or an internal
// load balancer, which the CLI's attach does not take. The certificate and
// key are the files cert.pem and key.pem. Every value is single-quoted for a
// POSIX shell. The CLI v1 has no flag for a description or tags; a comment
// says so.
func AzCLI(req Request) string {
	r := exportable(req).Normalized("")
	var b strings.Builder
	if r.Mode == ModeAttach {
		id, ok := r.TargetID()
		if !ok {
			id = r.Target.ResourceID
		}
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

// PythonSDK returns the request as an Azure ML Python SDK v1 snippet:
// AksCompute.provisioning_configuration and ComputeTarget.create for a
// create, AksCompute.attach_configuration and ComputeTarget.attach for an
// attach, with enable_ssl for TLS. The certificate and key are the files
// cert.pem and key.pem. Strings are Python literals of ASCII only.
func PythonSDK(req Request) string {
	r := exportable(req).Normalized("")
	var b strings.Builder
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
			id, ok := r.TargetID()
			if !ok {
				id = r.Target.ResourceID
			}
			arg("resource_id", id)
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

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
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

// Terraform returns the request as an azurerm_machine_learning_inference_cluster
// resource, with the variables that hold the certificate and key. That
// resource attaches a cluster: for an attach it points at the target's
// resource ID; for a create it refers to an azurerm_kubernetes_cluster,
// which Terraform creates separately. workspaceLocation is the location of
// the inference cluster when the request has none.
func Terraform(req Request, workspaceLocation string) string {
	r := exportable(req).Normalized(commentSafe(workspaceLocation))
	label := hclLabel(r.Name)
	var b strings.Builder
	var clusterRef string
	if r.Mode == ModeAttach {
		id, ok := r.TargetID()
		if !ok {
			id = r.Target.ResourceID
		}
		clusterRef = HCLQuote(id)
	} else {
		clusterRef = "azurerm_kubernetes_cluster." + label + ".id"
		fmt.Fprintf(&b, "# Terraform creates the AKS cluster separately: declare it as\n# resource \"azurerm_kubernetes_cluster\" %q (%d nodes of %s)\n# and this resource attaches it to the workspace.\n",
			label, r.NodeCount, commentSafe(r.VMSize))
		if !r.Network.IsZero() {
			b.WriteString("# Its virtual network settings go in that resource's network_profile.\n")
		}
	}
	if r.LoadBalancer.Type == LoadBalancerInternal {
		b.WriteString("# azurerm_machine_learning_inference_cluster has no load balancer settings;\n# set the internal load balancer with the CLI or the ARM body.\n")
	}
	if r.TLS.Mode == TLSCustom {
		b.WriteString("\nvariable \"ssl_cert_pem\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"ssl_key_pem\" {\n  type      = string\n  sensitive = true\n}\n")
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	location := HCLQuote(r.Location)
	if r.Mode == ModeAttach || r.Location == "" {
		location = HCLQuote(workspaceLocation)
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

// commentSafe keeps a value on one comment line.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if UnsafeRune(r) {
			return ' '
		}
		return r
	}, s)
}

// ARMPath returns the path and query of the ARM PUT that creates or attaches
// the compute: /subscriptions/{sub}/resourceGroups/{rg}/providers/
// Microsoft.MachineLearningServices/workspaces/{ws}/computes/{name}?api-version=...
// Each segment is escaped.
func ARMPath(req Request) string {
	req = exportable(req)
	w := req.Workspace
	return "/subscriptions/" + url.PathEscape(w.Subscription) +
		"/resourceGroups/" + url.PathEscape(w.ResourceGroup) +
		"/providers/Microsoft.MachineLearningServices/workspaces/" + url.PathEscape(w.Name) +
		"/computes/" + url.PathEscape(req.Name) + "?api-version=" + ARMAPIVersion
}

// ARMCompute is the JSON body of the ARM PUT of an AKS compute.
type ARMCompute struct {
	Location   string            `json:"location,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties ARMAKS            `json:"properties"`
}

// ARMAKS is the compute's properties with computeType AKS.
type ARMAKS struct {
	ComputeType     string           `json:"computeType"`
	ComputeLocation string           `json:"computeLocation,omitempty"`
	Description     string           `json:"description,omitempty"`
	ResourceID      string           `json:"resourceId,omitempty"`
	Properties      ARMAKSProperties `json:"properties"`
}

// ARMAKSProperties is the AKS schema properties of the compute.
type ARMAKSProperties struct {
	AgentCount                 int            `json:"agentCount,omitempty"`
	AgentVMSize                string         `json:"agentVmSize,omitempty"`
	ClusterPurpose             string         `json:"clusterPurpose,omitempty"`
	LoadBalancerType           string         `json:"loadBalancerType,omitempty"`
	LoadBalancerSubnet         string         `json:"loadBalancerSubnet,omitempty"`
	AKSNetworkingConfiguration *ARMNetworking `json:"aksNetworkingConfiguration,omitempty"`
	SSLConfiguration           ARMSSLConfig   `json:"sslConfiguration"`
}

// ARMNetworking is the aksNetworkingConfiguration of a created cluster.
type ARMNetworking struct {
	SubnetID         string `json:"subnetId"`
	ServiceCIDR      string `json:"serviceCidr"`
	DNSServiceIP     string `json:"dnsServiceIP"`
	DockerBridgeCIDR string `json:"dockerBridgeCidr"`
}

// ARMSSLConfig is the sslConfiguration; cert and key are placeholders.
type ARMSSLConfig struct {
	Status                  string `json:"status"`
	Cert                    string `json:"cert,omitempty"`
	Key                     string `json:"key,omitempty"`
	Cname                   string `json:"cname,omitempty"`
	LeafDomainLabel         string `json:"leafDomainLabel,omitempty"`
	OverwriteExistingDomain bool   `json:"overwriteExistingDomain,omitempty"`
}

// ARMBody returns the JSON body of the ARM PUT at ARMPath, indented with two
// spaces. The certificate and key are the placeholders "<certificate PEM>"
// and "<private key PEM>". workspaceLocation is the compute resource's
// location (the workspace's) and the default location of a created cluster.
func ARMBody(req Request, workspaceLocation string) ([]byte, error) {
	r := exportable(req).Normalized(workspaceLocation)
	body := ARMCompute{
		Location: workspaceLocation,
		Tags:     r.Tags,
		Properties: ARMAKS{
			ComputeType: "AKS",
			Description: r.Description,
			Properties: ARMAKSProperties{
				ClusterPurpose:     string(r.Purpose),
				LoadBalancerType:   string(r.LoadBalancer.Type),
				LoadBalancerSubnet: r.LoadBalancer.Subnet,
			},
		},
	}
	p := &body.Properties.Properties
	if r.Mode == ModeAttach {
		id, ok := r.TargetID()
		if !ok {
			id = r.Target.ResourceID
		}
		body.Properties.ResourceID = id
	} else {
		body.Properties.ComputeLocation = r.Location
		p.AgentCount = r.NodeCount
		p.AgentVMSize = r.VMSize
		if n := r.Network; !n.IsZero() {
			p.AKSNetworkingConfiguration = &ARMNetworking{
				SubnetID: "/subscriptions/" + r.Workspace.Subscription + "/resourceGroups/" + n.VnetResourceGroup +
					"/providers/Microsoft.Network/virtualNetworks/" + n.VnetName + "/subnets/" + n.SubnetName,
				ServiceCIDR:      n.ServiceCIDR,
				DNSServiceIP:     n.DNSServiceIP,
				DockerBridgeCIDR: n.DockerBridgeCIDR,
			}
		}
	}
	switch r.TLS.Mode {
	case TLSCustom:
		p.SSLConfiguration = ARMSSLConfig{Status: "Enabled", Cert: CertPEMPlaceholder, Key: KeyPEMPlaceholder, Cname: r.TLS.CNAME}
	case TLSMicrosoft:
		p.SSLConfiguration = ARMSSLConfig{Status: "Enabled", LeafDomainLabel: r.TLS.LeafDomainLabel, OverwriteExistingDomain: r.TLS.OverwriteExistingDomain}
	default:
		p.SSLConfiguration = ARMSSLConfig{Status: "Disabled"}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return escapeUnsafeJSON(buf.Bytes()), nil
}

// escapeUnsafeJSON writes every character UnsafeRune refuses that
// encoding/json leaves as it is (DEL, C1, format characters such as bidi
// overrides) as a \u escape. They can only stand inside JSON strings, where
// the escape means the same character, so the JSON is unchanged and the text
// shows what it holds.
func escapeUnsafeJSON(b []byte) []byte {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	unsafe := func(r rune) bool { return r >= 0x7f && UnsafeRune(r) } // encoding/json escapes C0
	if !strings.ContainsFunc(s, unsafe) {
		return []byte(s)
	}
	var out strings.Builder
	for _, r := range s {
		if !unsafe(r) {
			out.WriteRune(r)
			continue
		}
		if r > 0xffff {
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			continue
		}
		fmt.Fprintf(&out, `\u%04x`, r)
	}
	return []byte(out.String())
}

// exportable is the request an export shows: a value that looks like a
// secret outside the certificate and key fields (C2) is left out, so an
// export never carries one.
func exportable(req Request) Request {
	req = req.cloneTags()
	for _, f := range textFields(&req) {
		if LooksSecret(*f.value) {
			*f.value = ""
		}
	}
	for k, v := range req.Tags {
		if LooksSecret(k) {
			delete(req.Tags, k)
		} else if LooksSecret(v) {
			req.Tags[k] = ""
		}
	}
	req.TLS.CertPEM, req.TLS.KeyPEM = "", ""
	return req
}
