//go:build !noexports

package exportcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/amlaks/amlaks/rules"
)

// blockSchema is one resource's or block's names in
// rules/testdata/terraform-schema.json.
type blockSchema struct {
	Required       []string               `json:"required"`
	RequiredBlocks []string               `json:"requiredBlocks"`
	Attributes     []string               `json:"attributes"`
	Blocks         map[string]blockSchema `json:"blocks"`
}

type providerSchema struct {
	Meta     []string               `json:"meta"`
	Resource map[string]blockSchema `json:"resource"`
	Data     map[string]blockSchema `json:"data"`
}

func mustSchema(tb testing.TB) providerSchema {
	tb.Helper()
	b, err := os.ReadFile("../testdata/terraform-schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	var s providerSchema
	if err := json.Unmarshal(b, &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// checkTerraform parses src with HashiCorp's HCL parser and returns every
// resource type, data source, argument or block that the provider schema
// subset does not have, and every required argument that is missing.
func checkTerraform(s providerSchema, src string) []string {
	f, diags := hclsyntax.ParseConfig([]byte(src), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return []string{"HCL does not parse: " + diags.Error()}
	}
	var problems []string
	body := f.Body.(*hclsyntax.Body)
	for _, b := range body.Blocks {
		switch b.Type {
		case "terraform", "variable", "output", "locals", "provider":
			continue
		case "resource", "data":
		default:
			problems = append(problems, "unknown top-level block "+b.Type)
			continue
		}
		if len(b.Labels) != 2 {
			problems = append(problems, fmt.Sprintf("%s block with %d labels", b.Type, len(b.Labels)))
			continue
		}
		table := s.Resource
		if b.Type == "data" {
			table = s.Data
		}
		sch, ok := table[b.Labels[0]]
		if !ok {
			problems = append(problems, b.Type+" type "+b.Labels[0]+" is not in the schema subset")
			continue
		}
		problems = append(problems, checkBody(s, b.Labels[0], sch, b.Body, true)...)
	}
	return problems
}

func checkBody(s providerSchema, path string, sch blockSchema, body *hclsyntax.Body, top bool) []string {
	var problems []string
	for name := range body.Attributes {
		if !slices.Contains(sch.Attributes, name) && !(top && slices.Contains(s.Meta, name)) {
			problems = append(problems, path+"."+name+" is not an argument of the provider")
		}
	}
	for _, name := range sch.Required {
		if _, ok := body.Attributes[name]; !ok {
			problems = append(problems, path+"."+name+" is required and missing")
		}
	}
	seen := map[string]bool{}
	for _, b := range body.Blocks {
		seen[b.Type] = true
		inner, ok := sch.Blocks[b.Type]
		if !ok {
			problems = append(problems, path+"."+b.Type+" is not a block of the provider")
			continue
		}
		problems = append(problems, checkBody(s, path+"."+b.Type, inner, b.Body, false)...)
	}
	for _, name := range sch.RequiredBlocks {
		if !seen[name] {
			problems = append(problems, path+"."+name+" block is required and missing")
		}
	}
	return problems
}

var ws = rules.WorkspaceRef{Subscription: "00000000-0000-4000-8000-000000000001", ResourceGroup: "ml-rg", Name: "ws-east"}

// TestKubernetesTerraformSchema parses the v2 Terraform export of a create
// with every option, and of an attach, and checks each resource type and
// argument against the providers' schema subset.
func TestKubernetesTerraformSchema(t *testing.T) {
	s := mustSchema(t)
	full := rules.Request{Mode: rules.ModeCreate, Kind: rules.KindKubernetes, Workspace: ws, Name: "k8s-full",
		VMSize: "Standard_DS3_v2", NodeCount: 3, Description: "team \"a\" ${x}", Tags: map[string]string{"team": "ml", "cost center": "42"},
		Network: rules.Network{VnetResourceGroup: "net-rg", VnetName: "vnet", SubnetName: "aks", ServiceCIDR: "10.1.0.0/16", DNSServiceIP: "10.1.0.10"},
		TLS:     rules.TLS{Mode: rules.TLSCustom, CertPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", KeyPEM: "k", CNAME: "scoring.example.com"},
		Kubernetes: rules.Kubernetes{Namespace: "team-a", Version: "1.32", Training: true, NvidiaDevicePlugin: true, NodeSelector: map[string]string{"agentpool": "gpu"},
			Identity: rules.IdentityUserAssigned, UserIdentity: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-id",
			AuthorizedIPRanges: []string{"203.0.113.0/24"}, GPUPool: rules.GPUPool{Name: "gpu", VMSize: "Standard_NC6s_v3", Count: 2}}}
	attach := rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: ws, Name: "k8s-attach",
		Target:     rules.Target{ResourceID: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy"},
		Kubernetes: rules.Kubernetes{AllowInsecure: true}}
	for _, tc := range []struct {
		name string
		req  rules.Request
		want []string // resource types that must be there
	}{
		{"create", full, []string{`resource "azurerm_kubernetes_cluster"`, `resource "azurerm_kubernetes_cluster_node_pool"`, `resource "azurerm_kubernetes_cluster_extension"`, `resource "azapi_resource"`}},
		{"attach", attach, []string{`data "azurerm_kubernetes_cluster"`, `resource "azurerm_kubernetes_cluster_extension"`, `resource "azapi_resource"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := rules.KubernetesTerraform(tc.req, "eastus")
			for _, p := range checkTerraform(s, src) {
				t.Errorf("%s\n%s", p, src)
			}
			for _, w := range tc.want {
				if !strings.Contains(src, w) {
					t.Errorf("the export has no %s", w)
				}
			}
			if strings.Contains(src, "BEGIN CERTIFICATE") {
				t.Error("the export holds the certificate")
			}
		})
	}
}

// TestTerraformCheckCatches shows the check is not vacuous: a misspelt
// argument, an unknown block, a missing required argument, an unknown
// resource type and broken HCL are each reported.
func TestTerraformCheckCatches(t *testing.T) {
	s := mustSchema(t)
	good := rules.KubernetesTerraform(rules.Request{Mode: rules.ModeAttach, Kind: rules.KindKubernetes, Workspace: ws, Name: "k",
		Target:     rules.Target{ResourceID: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-healthy"},
		Kubernetes: rules.Kubernetes{AllowInsecure: true}}, "eastus")
	if p := checkTerraform(s, good); len(p) > 0 {
		t.Fatalf("the good export fails: %v", p)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"misspelt argument", "release_namespace", "release_namespce", "release_namespce is not an argument"},
		{"unknown block", "  identity {", "  identitty {", "identitty is not a block"},
		{"missing required", `  extension_type    = "Microsoft.AzureML.Kubernetes"` + "\n", "", "extension_type is required"},
		{"unknown type", `resource "azapi_resource"`, `resource "azapi_resourc"`, "azapi_resourc is not in the schema"},
		{"broken HCL", "depends_on = [", "depends_on = [[", "does not parse"},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%s: %q is not in the export", tc.name, tc.from)
		}
		if p := strings.Join(checkTerraform(s, bad), "; "); !strings.Contains(p, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, p, tc.want)
		}
	}
}
