//go:build !noexports

package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

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
		id := r.TargetResourceID()
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
		// "Auto", as the SDK v1 and Terraform send a Microsoft certificate (L4).
		p.SSLConfiguration = ARMSSLConfig{Status: "Auto", LeafDomainLabel: r.TLS.LeafDomainLabel, OverwriteExistingDomain: r.TLS.OverwriteExistingDomain}
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
