package rules

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// linkField is one request field in the share link: its query key, its field
// path in findings, and how to read and write it.
type linkField struct {
	key   string
	field string
	get   func(*Request) string
	set   func(*Request, string) *Finding
}

func str(p func(*Request) *string) (func(*Request) string, func(*Request, string) *Finding) {
	return func(r *Request) string { return *p(r) },
		func(r *Request, v string) *Finding { *p(r) = v; return nil }
}

func strField(key, field string, p func(*Request) *string) linkField {
	g, s := str(p)
	return linkField{key: key, field: field, get: g, set: s}
}

// linkFields lists every non-secret field of a request, in the order links
// write them, the Kubernetes compute's last. The keys are stable: links in the wild depend on them.
var linkFields = append([]linkField{
	{key: "mode", field: FieldMode,
		get: func(r *Request) string { return string(r.Mode) },
		set: func(r *Request, v string) *Finding { r.Mode = Mode(v); return nil }},
	strField("sub", FieldSubscription, func(r *Request) *string { return &r.Workspace.Subscription }),
	strField("rg", FieldResourceGroup, func(r *Request) *string { return &r.Workspace.ResourceGroup }),
	strField("ws", FieldWorkspace, func(r *Request) *string { return &r.Workspace.Name }),
	strField("name", FieldName, func(r *Request) *string { return &r.Name }),
	{key: "purpose", field: FieldPurpose,
		get: func(r *Request) string { return string(r.Purpose) },
		set: func(r *Request, v string) *Finding { r.Purpose = Purpose(v); return nil }},
	strField("location", FieldLocation, func(r *Request) *string { return &r.Location }),
	strField("vmSize", FieldVMSize, func(r *Request) *string { return &r.VMSize }),
	{key: "nodes", field: FieldNodeCount,
		get: func(r *Request) string {
			if r.NodeCount == 0 {
				return ""
			}
			return strconv.Itoa(r.NodeCount)
		},
		set: func(r *Request, v string) *Finding {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return &Finding{Code: "P5", Field: FieldNodeCount, Severity: SeverityError,
					Message: fmt.Sprintf("The link's node count %q is not a positive whole number.", clip(v)), Fix: "Type a node count of 1 or more."}
			}
			r.NodeCount = n
			return nil
		}},
	strField("vnetRg", FieldVnetRG, func(r *Request) *string { return &r.Network.VnetResourceGroup }),
	strField("vnet", FieldVnetName, func(r *Request) *string { return &r.Network.VnetName }),
	strField("subnet", FieldSubnetName, func(r *Request) *string { return &r.Network.SubnetName }),
	strField("serviceCidr", FieldServiceCIDR, func(r *Request) *string { return &r.Network.ServiceCIDR }),
	strField("dnsIp", FieldDNSServiceIP, func(r *Request) *string { return &r.Network.DNSServiceIP }),
	strField("dockerCidr", FieldDockerBridge, func(r *Request) *string { return &r.Network.DockerBridgeCIDR }),
	{key: "lb", field: FieldLBType,
		get: func(r *Request) string { return string(r.LoadBalancer.Type) },
		set: func(r *Request, v string) *Finding { r.LoadBalancer.Type = LoadBalancerType(v); return nil }},
	strField("lbSubnet", FieldLBSubnet, func(r *Request) *string { return &r.LoadBalancer.Subnet }),
	{key: "tls", field: FieldTLSMode,
		get: func(r *Request) string { return string(r.TLS.Mode) },
		set: func(r *Request, v string) *Finding { r.TLS.Mode = TLSMode(v); return nil }},
	strField("cname", FieldTLSCNAME, func(r *Request) *string { return &r.TLS.CNAME }),
	strField("leaf", FieldTLSLeaf, func(r *Request) *string { return &r.TLS.LeafDomainLabel }),
	{key: "overwrite", field: FieldTLSOverwrite,
		get: func(r *Request) string {
			if r.TLS.OverwriteExistingDomain {
				return "1"
			}
			return ""
		},
		set: func(r *Request, v string) *Finding {
			switch strings.ToLower(v) {
			case "1", "true", "yes":
				r.TLS.OverwriteExistingDomain = true
			case "0", "false", "no", "":
				r.TLS.OverwriteExistingDomain = false
			default:
				return &Finding{Code: "U2", Field: FieldTLSOverwrite, Severity: SeverityError,
					Message: fmt.Sprintf("The link's overwrite value %q is not yes or no.", clip(v)), Fix: "Tick or clear the box."}
			}
			return nil
		}},
	strField("targetId", FieldTargetID, func(r *Request) *string { return &r.Target.ResourceID }),
	strField("targetRg", FieldTargetRG, func(r *Request) *string { return &r.Target.ResourceGroup }),
	strField("target", FieldTargetName, func(r *Request) *string { return &r.Target.Name }),
	strField("desc", FieldDescription, func(r *Request) *string { return &r.Description }),
}, kubernetesLinkFields...)

// secretKeys are query keys that must never carry a value (L5).
var secretKeys = map[string]string{"certPem": FieldTLSCert, "keyPem": FieldTLSKey, "cert": FieldTLSCert, "key": FieldTLSKey}

// EncodeLink writes every non-secret field of the request as URL query
// values, for a share link. Empty fields are left out; secrets never go in.
func EncodeLink(r Request) url.Values {
	v := url.Values{}
	for _, f := range linkFields {
		if s := f.get(&r); s != "" && !LooksSecret(s) { // a key in the wrong field (C2) never goes in a link
			v.Set(f.key, s)
		}
	}
	for _, k := range sortedKeys(r.Tags) {
		if LooksSecret(k) || LooksSecret(r.Tags[k]) {
			continue
		}
		// A tag name may hold "=" but never "%" (rule D2), so "=" in a
		// name is written as %3D and the first "=" always ends the name.
		v.Add("tag", strings.ReplaceAll(k, "=", "%3D")+"="+r.Tags[k])
	}
	return v
}

// DecodeLink reads a share link's query values back into a request. A
// malformed value, a repeated key, an unknown key or a secret is reported as
// a finding on its field (or on "link"), never silently dropped; the
// request keeps every value it could read. Keys the page itself uses (listed
// in ignore) are skipped.
func DecodeLink(v url.Values, ignore ...string) (Request, Findings) {
	var r Request
	var c checker
	known := map[string]*linkField{}
	for i := range linkFields {
		known[linkFields[i].key] = &linkFields[i]
	}
	for _, k := range sortedValueKeys(v) {
		vals := v[k]
		if containsFold(ignore, k) {
			continue
		}
		if field, ok := secretKeys[k]; ok {
			c.err("L5", field, "The link carries a certificate or key; keys are secrets and never go in a link. It was not used.", "Paste the certificate and key into the form, and ask whoever made the link to replace the key.")
			continue
		}
		if k == "tag" {
			for _, t := range vals {
				key, val, ok := strings.Cut(t, "=")
				key = strings.ReplaceAll(key, "%3D", "=")
				if !ok || key == "" {
					c.err("U2", FieldTags, fmt.Sprintf("The link's tag %q is not name=value.", clip(t)), "Write tags as name=value.")
					continue
				}
				if r.Tags == nil {
					r.Tags = map[string]string{}
				}
				if _, dup := r.Tags[key]; dup {
					c.err("D2", FieldTags, fmt.Sprintf("The link gives the tag %q twice; the first value was kept.", clip(key)), "Give each tag name once.")
					continue
				}
				r.Tags[key] = val
			}
			continue
		}
		f, ok := known[k]
		if !ok {
			c.warn("U1", FieldLink, fmt.Sprintf("The link has a setting %q that amlaks does not know; it was not used.", clip(k)), "Check the link, or ask whoever made it for a new one.")
			continue
		}
		if len(vals) > 1 {
			c.err("U2", f.field, fmt.Sprintf("The link gives %q %d times; the first value was used.", k, len(vals)), "Use a link with one value for each setting.")
		}
		if fd := f.set(&r, vals[0]); fd != nil {
			c.out = append(c.out, *fd)
		}
	}
	return r, c.out
}

func sortedValueKeys(v url.Values) []string {
	m := make(map[string]string, len(v))
	for k := range v {
		m[k] = ""
	}
	return sortedKeys(m)
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
