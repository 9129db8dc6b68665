//go:build !noexports

package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The exports of a Kubernetes compute (Azure ML v2): the Azure CLI (az aks,
// az k8s-extension, az ml), the Python SDK v2 (azure-ai-ml), Bicep,
// Terraform (azurerm for the cluster and the extension, azapi for the
// compute, which azurerm has no resource for) and the ARM bodies. As for v1,
// secrets are placeholders and every typed value is quoted for its language.

// cliExtensionConfig is what a person passes to `az k8s-extension create
// --config`: the CLI derives the other settings from these.
func cliExtensionConfig(r Request) []string {
	k := r.Kubernetes
	cfg := []string{"enableInference=True"}
	if k.Training {
		cfg = append(cfg, "enableTraining=True")
	}
	switch k.RouterServiceType {
	case RouterNodePort:
		cfg = append(cfg, "inferenceRouterServiceType=NodePort")
	case RouterClusterIP:
		cfg = append(cfg, "inferenceRouterServiceType=ClusterIP")
	default:
		cfg = append(cfg, "inferenceRouterServiceType=LoadBalancer")
		if r.LoadBalancer.Type == LoadBalancerInternal {
			cfg = append(cfg, "internalLoadBalancerProvider=azure")
		}
	}
	if k.SingleRouter {
		cfg = append(cfg, "inferenceRouterHA=False")
	}
	if r.TLS.Mode == TLSCustom {
		cfg = append(cfg, "sslCname="+r.TLS.CNAME)
	}
	if r.TLS.Mode != TLSCustom || k.AllowInsecure {
		cfg = append(cfg, "allowInsecureConnections=True")
	}
	if k.NvidiaDevicePlugin {
		cfg = append(cfg, "installNvidiaDevicePlugin=True")
	}
	for _, key := range sortedKeys(k.NodeSelector) {
		cfg = append(cfg, "nodeSelector."+key+"="+k.NodeSelector[key])
	}
	return cfg
}

// KubernetesAzCLI returns a Kubernetes request as Azure CLI commands: `az
// aks create` for a create, `az k8s-extension create` and `az ml compute
// attach --type Kubernetes`. The certificate and key are cert.pem and
// key.pem. Every value is single-quoted for a POSIX shell.
func KubernetesAzCLI(req Request, workspaceLocation string) string {
	r := req.Normalized(workspaceLocation)
	cl, _ := r.KubernetesCluster()
	var b strings.Builder
	b.WriteString("# Azure ML v2: a Kubernetes compute. Needs the CLI extensions k8s-extension and ml.\n")
	if r.Mode == ModeCreate {
		aks := shellCommand{name: "az aks create"}
		aks.add("--subscription", cl.Subscription)
		aks.add("--resource-group", cl.ResourceGroup)
		aks.add("--name", cl.Name)
		aks.add("--location", r.Location)
		aks.addRaw("--node-count", nodeCountText(r.NodeCount))
		aks.add("--node-vm-size", r.VMSize)
		aks.add("--kubernetes-version", strings.TrimPrefix(r.Kubernetes.Version, "v"))
		aks.flag("--enable-managed-identity")
		aks.addRaw("--load-balancer-sku", "standard")
		if n := r.Network; !n.IsZero() {
			aks.add("--vnet-subnet-id", SubnetID(r.Workspace.Subscription, n))
			aks.add("--service-cidr", n.ServiceCIDR)
			aks.add("--dns-service-ip", n.DNSServiceIP)
		}
		if len(r.Kubernetes.AuthorizedIPRanges) > 0 {
			aks.add("--api-server-authorized-ip-ranges", strings.Join(r.Kubernetes.AuthorizedIPRanges, ","))
			b.WriteString("# Add the Azure ML control plane ranges (service tag AzureMachineLearning) of the\n# workspace region and its pair to --api-server-authorized-ip-ranges.\n")
		}
		addShellTags(&aks, r.Tags)
		aks.flag("--generate-ssh-keys")
		b.WriteString(aks.String())
		if g := r.Kubernetes.GPUPool; !g.IsZero() {
			np := shellCommand{name: "az aks nodepool add"}
			np.add("--subscription", cl.Subscription)
			np.add("--resource-group", cl.ResourceGroup)
			np.add("--cluster-name", cl.Name)
			np.add("--name", g.Name)
			np.addRaw("--mode", "User")
			np.add("--node-vm-size", g.VMSize)
			np.addRaw("--node-count", nodeCountText(g.Count))
			if n := r.Network; !n.IsZero() {
				np.add("--vnet-subnet-id", SubnetID(r.Workspace.Subscription, n))
			}
			b.WriteString(np.String())
		}
	}
	ext := shellCommand{name: "az k8s-extension create"}
	ext.add("--subscription", cl.Subscription)
	ext.add("--resource-group", cl.ResourceGroup)
	ext.add("--cluster-name", cl.Name)
	ext.addRaw("--cluster-type", "managedClusters")
	ext.addRaw("--name", ExtensionName)
	ext.addRaw("--extension-type", ExtensionType)
	ext.addRaw("--scope", "cluster")
	ext.addRaw("--release-train", ExtensionReleaseTrain)
	ext.addWords("--config", cliExtensionConfig(r))
	if r.TLS.Mode == TLSCustom {
		ext.addRaw("--config-protected", "sslCertPemFile="+CertFilePlaceholder+" sslKeyPemFile="+KeyFilePlaceholder)
	}
	b.WriteString(ext.String())
	att := shellCommand{name: "az ml compute attach"}
	att.add("--subscription", r.Workspace.Subscription)
	att.add("--resource-group", r.Workspace.ResourceGroup)
	att.add("--workspace-name", r.Workspace.Name)
	att.addRaw("--type", string(KindKubernetes))
	att.add("--name", r.Name)
	att.add("--resource-id", cl.ID())
	att.add("--namespace", r.Kubernetes.Namespace)
	att.add("--identity-type", string(r.Kubernetes.Identity))
	if r.Kubernetes.Identity == IdentityUserAssigned {
		att.add("--user-assigned-identities", r.Kubernetes.UserIdentity)
	}
	if r.Description != "" || len(r.Tags) > 0 {
		b.WriteString("# az ml compute attach takes no description or tags; the ARM body carries them.\n")
	}
	b.WriteString(att.String())
	return b.String()
}

// addWords appends a flag followed by several single-quoted values.
func (c *shellCommand) addWords(flag string, values []string) {
	if len(values) == 0 {
		return
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = ShellQuote(v)
	}
	c.lines = append(c.lines, flag+" "+strings.Join(quoted, " "))
}

func addShellTags(c *shellCommand, tags map[string]string) {
	var words []string
	for _, k := range sortedKeys(tags) {
		words = append(words, k+"="+tags[k])
	}
	c.addWords("--tags", words)
}

// KubernetesPython returns the attach step of a Kubernetes request as a
// Python SDK v2 (azure-ai-ml) snippet. The SDK has no call for the cluster
// or the extension; a comment points at the CLI or Bicep export for them.
func KubernetesPython(req Request, workspaceLocation string) string {
	r := req.Normalized(workspaceLocation)
	cl, _ := r.KubernetesCluster()
	var b strings.Builder
	b.WriteString("# Azure ML v2 (azure-ai-ml). The cluster and the Azure ML extension come first:\n")
	b.WriteString("# see the CLI or Bicep export for az aks create and az k8s-extension create.\n")
	if g := r.Kubernetes.GPUPool; r.Mode == ModeCreate && !g.IsZero() {
		fmt.Fprintf(&b, "# The cluster's GPU pool %s (%s of %s) is created with it there.\n", commentSafe(g.Name), Count(g.Count, "node"), commentSafe(g.VMSize))
	}
	b.WriteString("from azure.ai.ml import MLClient\n")
	b.WriteString("from azure.ai.ml.entities import IdentityConfiguration, KubernetesCompute, ManagedIdentityConfiguration\n")
	b.WriteString("from azure.identity import DefaultAzureCredential\n\n")
	fmt.Fprintf(&b, "ml_client = MLClient(\n    DefaultAzureCredential(),\n    subscription_id=%s,\n    resource_group_name=%s,\n    workspace_name=%s,\n)\n\n",
		PyQuote(r.Workspace.Subscription), PyQuote(r.Workspace.ResourceGroup), PyQuote(r.Workspace.Name))
	identity := "IdentityConfiguration(type='SystemAssigned')"
	if r.Kubernetes.Identity == IdentityUserAssigned {
		identity = fmt.Sprintf("IdentityConfiguration(\n        type='UserAssigned',\n        user_assigned_identities=[ManagedIdentityConfiguration(resource_id=%s)],\n    )", PyQuote(r.Kubernetes.UserIdentity))
	}
	b.WriteString("compute = KubernetesCompute(\n")
	fmt.Fprintf(&b, "    name=%s,\n    resource_id=%s,\n    namespace=%s,\n    identity=%s,\n", PyQuote(r.Name), PyQuote(cl.ID()), PyQuote(r.Kubernetes.Namespace), identity)
	if r.Description != "" {
		fmt.Fprintf(&b, "    description=%s,\n", PyQuote(r.Description))
	}
	if len(r.Tags) > 0 {
		b.WriteString("    tags={")
		for i, k := range sortedKeys(r.Tags) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(PyQuote(k) + ": " + PyQuote(r.Tags[k]))
		}
		b.WriteString("},\n")
	}
	b.WriteString(")\nml_client.compute.begin_create_or_update(compute).result()\n")
	return b.String()
}

// KubernetesBicep returns a Kubernetes request as a Bicep file to deploy to
// the workspace's resource group: the cluster (created, or an existing
// one), the Azure ML extension on it, and the compute. An existing cluster
// in another resource group gets its extension from the CLI instead, since a
// Bicep extension resource must live in the deployment's scope.
func KubernetesBicep(req Request, workspaceLocation string) string {
	r := req.Normalized(workspaceLocation)
	cl, _ := r.KubernetesCluster()
	sameGroup := strings.EqualFold(cl.ResourceGroup, r.Workspace.ResourceGroup) && strings.EqualFold(cl.Subscription, r.Workspace.Subscription)
	var b strings.Builder
	b.WriteString("// Azure ML v2: a Kubernetes compute.\n")
	fmt.Fprintf(&b, "// az deployment group create --resource-group %s --template-file main.bicep\n", commentSafe(r.Workspace.ResourceGroup))
	if r.TLS.Mode == TLSCustom {
		b.WriteString("\n@secure()\nparam sslCertPem string\n\n@secure()\nparam sslKeyPem string\n")
	}
	b.WriteString("\n")
	if r.Mode == ModeCreate {
		body := ManagedClusterBody(r, workspaceLocation, nil)
		fmt.Fprintf(&b, "resource aks 'Microsoft.ContainerService/managedClusters@%s' = {\n", ManagedClusterAPIVersion)
		fmt.Fprintf(&b, "  name: %s\n", BicepQuote(cl.Name))
		writeBicepValue(&b, "  ", "location", body.Location)
		writeBicepValue(&b, "  ", "tags", body.Tags)
		writeBicepValue(&b, "  ", "identity", body.Identity)
		writeBicepValue(&b, "  ", "properties", body.Properties)
		b.WriteString("}\n")
	} else {
		fmt.Fprintf(&b, "resource aks 'Microsoft.ContainerService/managedClusters@%s' existing = {\n  name: %s\n", ManagedClusterAPIVersion, BicepQuote(cl.Name))
		if !sameGroup {
			fmt.Fprintf(&b, "  scope: resourceGroup(%s, %s)\n", BicepQuote(cl.Subscription), BicepQuote(cl.ResourceGroup))
		}
		b.WriteString("}\n")
	}
	if sameGroup {
		ext := ExtensionBody(ExtensionSettings(r, cl, bicepLocation(r, workspaceLocation), r.NodeCount), false)
		fmt.Fprintf(&b, "\nresource azureml 'Microsoft.KubernetesConfiguration/extensions@%s' = {\n  name: %s\n  scope: aks\n", ExtensionAPIVersion, BicepQuote(ExtensionName))
		writeBicepValue(&b, "  ", "identity", ext.Identity)
		protected := ext.Properties.ConfigurationProtectedSettings
		ext.Properties.ConfigurationProtectedSettings = nil
		b.WriteString("  properties: {\n")
		writeBicepFields(&b, "    ", ext.Properties)
		if protected != nil {
			b.WriteString("    configurationProtectedSettings: {\n")
			b.WriteString("      'scoringFe.sslCert': base64(sslCertPem)\n")
			b.WriteString("      'scoringFe.sslKey': base64(sslKeyPem)\n")
			b.WriteString("    }\n")
		}
		b.WriteString("  }\n}\n")
	} else {
		b.WriteString("\n// The cluster is in another resource group: install the Azure ML extension with\n// az k8s-extension create (see the CLI export) before deploying this file.\n")
	}
	fmt.Fprintf(&b, "\nresource workspace 'Microsoft.MachineLearningServices/workspaces@%s' existing = {\n  name: %s\n}\n", ARMAPIVersion, BicepQuote(r.Workspace.Name))
	compute := KubernetesComputeBody(r, workspaceLocation)
	fmt.Fprintf(&b, "\nresource compute 'Microsoft.MachineLearningServices/workspaces/computes@%s' = {\n  parent: workspace\n  name: %s\n", ARMAPIVersion, BicepQuote(r.Name))
	writeBicepValue(&b, "  ", "location", compute.Location)
	writeBicepValue(&b, "  ", "tags", compute.Tags)
	writeBicepValue(&b, "  ", "identity", compute.Identity)
	b.WriteString("  properties: {\n")
	writeBicepValue(&b, "    ", "computeType", compute.Properties.ComputeType)
	writeBicepValue(&b, "    ", "description", compute.Properties.Description)
	b.WriteString("    resourceId: aks.id\n")
	writeBicepValue(&b, "    ", "properties", compute.Properties.Properties)
	b.WriteString("  }\n")
	if sameGroup {
		b.WriteString("  dependsOn: [\n    azureml\n  ]\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func bicepLocation(r Request, workspaceLocation string) string {
	if r.Mode == ModeCreate && r.Location != "" {
		return r.Location
	}
	return workspaceLocation
}

// writeBicepValue writes "name: value" for a JSON-encodable value, as a
// Bicep literal; empty values are left out.
func writeBicepValue(b *strings.Builder, indent, name string, v any) {
	data, err := json.Marshal(v)
	if err != nil || string(data) == `""` || string(data) == "null" || string(data) == "{}" {
		return
	}
	b.WriteString(indent + bicepKey(name) + ": ")
	writeBicepJSON(b, indent, data)
	b.WriteString("\n")
}

// writeBicepFields writes the fields of a struct (as its JSON) one by one.
func writeBicepFields(b *strings.Builder, indent string, v any) {
	data, _ := json.Marshal(v)
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(data, &obj)
	for _, k := range sortedKeys(rawKeys(obj)) {
		b.WriteString(indent + bicepKey(k) + ": ")
		writeBicepJSON(b, indent, obj[k])
		b.WriteString("\n")
	}
}

func rawKeys(m map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}

// writeBicepJSON writes a JSON value as Bicep: objects and arrays one entry a
// line, strings single-quoted.
func writeBicepJSON(b *strings.Builder, indent string, data json.RawMessage) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '{':
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(data, &obj)
		b.WriteString("{\n")
		for _, k := range sortedKeys(rawKeys(obj)) {
			b.WriteString(indent + "  " + bicepKey(k) + ": ")
			writeBicepJSON(b, indent+"  ", obj[k])
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case len(data) > 0 && data[0] == '[':
		var arr []json.RawMessage
		_ = json.Unmarshal(data, &arr)
		b.WriteString("[\n")
		for _, e := range arr {
			b.WriteString(indent + "  ")
			writeBicepJSON(b, indent+"  ", e)
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case len(data) > 0 && data[0] == '"':
		var s string
		_ = json.Unmarshal(data, &s)
		b.WriteString(BicepQuote(s))
	default:
		b.Write(data)
	}
}

// bicepKey writes an object key bare when it is an identifier, quoted otherwise.
func bicepKey(k string) string {
	for i, r := range k {
		if !isASCIILetter(r) && r != '_' && (i == 0 || !isDigit(r)) {
			return BicepQuote(k)
		}
	}
	if k == "" {
		return "''"
	}
	return k
}

// BicepQuote returns s as a Bicep single-quoted string: backslashes,
// quotes, control characters and the interpolation ${ are escaped.
func BicepQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	s = strings.ToValidUTF8(s, "\uFFFD")
	for i, r := range s {
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
		case r == '$' && strings.HasPrefix(s[i+1:], "{"):
			b.WriteString(`\$`)
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// KubernetesTerraform returns a Kubernetes request as Terraform: the AKS
// cluster (azurerm_kubernetes_cluster, or a data source for an existing
// one), the extension (azurerm_kubernetes_cluster_extension) and the compute
// (azapi_resource, since azurerm has no Kubernetes compute resource).
func KubernetesTerraform(req Request, workspaceLocation string) string {
	r := req.Normalized(workspaceLocation)
	cl, _ := r.KubernetesCluster()
	label := hclLabel(r.Name)
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    azurerm = {\n      source = \"hashicorp/azurerm\"\n    }\n    azapi = {\n      source = \"azure/azapi\"\n    }\n  }\n}\n")
	if r.TLS.Mode == TLSCustom {
		b.WriteString("\nvariable \"ssl_cert_pem\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"ssl_key_pem\" {\n  type      = string\n  sensitive = true\n}\n")
	}
	clusterID := "data.azurerm_kubernetes_cluster." + label + ".id"
	if r.Mode == ModeCreate {
		clusterID = "azurerm_kubernetes_cluster." + label + ".id"
		fmt.Fprintf(&b, "\nresource \"azurerm_kubernetes_cluster\" %q {\n", label)
		attrs := [][2]string{
			{"name", HCLQuote(cl.Name)},
			{"location", HCLQuote(r.Location)},
			{"resource_group_name", HCLQuote(cl.ResourceGroup)},
			{"dns_prefix", HCLQuote(dnsPrefix(r.Name))},
			{"local_account_disabled", "false"},
		}
		if v := strings.TrimPrefix(r.Kubernetes.Version, "v"); v != "" {
			attrs = append(attrs, [2]string{"kubernetes_version", HCLQuote(v)})
		}
		writeHCLAttrs(&b, "  ", attrs)
		b.WriteString("\n  default_node_pool {\n")
		pool := [][2]string{{"name", `"system"`}, {"vm_size", HCLQuote(r.VMSize)}, {"node_count", nodeCountText(r.NodeCount)}}
		if n := r.Network; !n.IsZero() {
			pool = append(pool, [2]string{"vnet_subnet_id", HCLQuote(SubnetID(r.Workspace.Subscription, n))})
		}
		writeHCLAttrs(&b, "    ", pool)
		b.WriteString("  }\n\n  identity {\n    type = \"SystemAssigned\"\n  }\n\n  network_profile {\n")
		netAttrs := [][2]string{{"network_plugin", `"azure"`}, {"load_balancer_sku", `"standard"`}}
		if n := r.Network; !n.IsZero() {
			netAttrs = append(netAttrs, [2]string{"service_cidr", HCLQuote(n.ServiceCIDR)}, [2]string{"dns_service_ip", HCLQuote(n.DNSServiceIP)})
		}
		writeHCLAttrs(&b, "    ", netAttrs)
		b.WriteString("  }\n")
		if len(r.Kubernetes.AuthorizedIPRanges) > 0 {
			b.WriteString("\n  # Add the Azure ML control plane ranges (service tag AzureMachineLearning) of the\n  # workspace region and its pair.\n  api_server_access_profile {\n    authorized_ip_ranges = [")
			for i, a := range r.Kubernetes.AuthorizedIPRanges {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(HCLQuote(a))
			}
			b.WriteString("]\n  }\n")
		}
		writeHCLTags(&b, r.Tags)
		b.WriteString("}\n")
		if g := r.Kubernetes.GPUPool; !g.IsZero() {
			fmt.Fprintf(&b, "\nresource \"azurerm_kubernetes_cluster_node_pool\" %q {\n", label+"_gpu")
			attrs := [][2]string{
				{"name", HCLQuote(g.Name)},
				{"kubernetes_cluster_id", clusterID},
				{"mode", `"User"`},
				{"os_type", `"Linux"`},
				{"vm_size", HCLQuote(g.VMSize)},
				{"node_count", nodeCountText(g.Count)},
			}
			if n := r.Network; !n.IsZero() {
				attrs = append(attrs, [2]string{"vnet_subnet_id", HCLQuote(SubnetID(r.Workspace.Subscription, n))})
			}
			writeHCLAttrs(&b, "  ", attrs)
			writeHCLTags(&b, r.Tags)
			b.WriteString("}\n")
		}
	} else {
		fmt.Fprintf(&b, "\ndata \"azurerm_kubernetes_cluster\" %q {\n", label)
		writeHCLAttrs(&b, "  ", [][2]string{{"name", HCLQuote(cl.Name)}, {"resource_group_name", HCLQuote(cl.ResourceGroup)}})
		b.WriteString("}\n")
	}
	cfg := ExtensionSettings(r, cl, bicepLocation(r, workspaceLocation), r.NodeCount)
	b.WriteString("\nresource \"azurerm_kubernetes_cluster_extension\" \"azureml\" {\n")
	writeHCLAttrs(&b, "  ", [][2]string{
		{"name", HCLQuote(ExtensionName)},
		{"cluster_id", clusterID},
		{"extension_type", HCLQuote(ExtensionType)},
		{"release_train", HCLQuote(ExtensionReleaseTrain)},
		{"release_namespace", HCLQuote(ExtensionReleaseNamespace)},
	})
	b.WriteString("\n  configuration_settings = {\n")
	var settings [][2]string
	for _, k := range sortedKeys(cfg.Settings) {
		settings = append(settings, [2]string{HCLQuote(k), HCLQuote(cfg.Settings[k])})
	}
	writeHCLAttrs(&b, "    ", settings)
	b.WriteString("  }\n")
	if cfg.Protected != nil {
		b.WriteString("\n  configuration_protected_settings = {\n")
		writeHCLAttrs(&b, "    ", [][2]string{
			{`"scoringFe.sslCert"`, "base64encode(var.ssl_cert_pem)"},
			{`"scoringFe.sslKey"`, "base64encode(var.ssl_key_pem)"},
		})
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	compute := KubernetesComputeBody(r, workspaceLocation)
	fmt.Fprintf(&b, "\nresource \"azapi_resource\" %q {\n", label+"_compute")
	writeHCLAttrs(&b, "  ", [][2]string{
		{"type", HCLQuote("Microsoft.MachineLearningServices/workspaces/computes@" + ARMAPIVersion)},
		{"name", HCLQuote(r.Name)},
		{"parent_id", HCLQuote(r.Workspace.ID())},
		{"location", HCLQuote(compute.Location)},
	})
	fmt.Fprintf(&b, "\n  identity {\n    type = %s\n", HCLQuote(compute.Identity.Type))
	if r.Kubernetes.Identity == IdentityUserAssigned {
		fmt.Fprintf(&b, "    identity_ids = [%s]\n", HCLQuote(r.Kubernetes.UserIdentity))
	}
	b.WriteString("  }\n\n  body = {\n    properties = {\n")
	props := [][2]string{{"computeType", HCLQuote(string(KindKubernetes))}, {"resourceId", clusterID}}
	if r.Description != "" {
		props = append(props, [2]string{"description", HCLQuote(r.Description)})
	}
	writeHCLAttrs(&b, "      ", props)
	b.WriteString("      properties = {\n")
	writeHCLAttrs(&b, "        ", [][2]string{{"namespace", HCLQuote(r.Kubernetes.Namespace)}})
	b.WriteString("      }\n    }\n  }\n")
	writeHCLTags(&b, r.Tags)
	b.WriteString("\n  depends_on = [azurerm_kubernetes_cluster_extension.azureml]\n}\n")
	return b.String()
}

func writeHCLTags(b *strings.Builder, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	b.WriteString("\n  tags = {\n")
	var attrs [][2]string
	for _, k := range sortedKeys(tags) {
		attrs = append(attrs, [2]string{HCLQuote(k), HCLQuote(tags[k])})
	}
	writeHCLAttrs(b, "    ", attrs)
	b.WriteString("  }\n")
}

// KubernetesARMBodies returns the ARM requests of a Kubernetes request, in
// order, as "PUT path" and indented JSON: the cluster (create only), the
// extension, the compute. Secrets are placeholders.
func KubernetesARMBodies(req Request, workspaceLocation string, amlRanges []string) (string, error) {
	r := req.Normalized(workspaceLocation)
	cl, _ := r.KubernetesCluster()
	var b strings.Builder
	write := func(path string, v any) error {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("PUT " + path + "\n")
		b.Write(buf.Bytes())
		return nil
	}
	if r.Mode == ModeCreate {
		if err := write(cl.ID()+"?api-version="+ManagedClusterAPIVersion, ManagedClusterBody(r, workspaceLocation, amlRanges)); err != nil {
			return "", err
		}
	}
	ext := ExtensionBody(ExtensionSettings(r, cl, bicepLocation(r, workspaceLocation), r.NodeCount), false)
	if err := write(cl.ID()+"/providers/Microsoft.KubernetesConfiguration/extensions/"+ExtensionName+"?api-version="+ExtensionAPIVersion, ext); err != nil {
		return "", err
	}
	if err := write(ARMPath(r), KubernetesComputeBody(r, workspaceLocation)); err != nil {
		return "", err
	}
	return b.String(), nil
}
