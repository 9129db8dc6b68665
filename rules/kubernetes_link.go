package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// boolField is a yes/no setting in the share link: "1" when on, absent when off.
func boolField(key, field, what string, p func(*Request) *bool) linkField {
	return linkField{key: key, field: field,
		get: func(r *Request) string {
			if *p(r) {
				return "1"
			}
			return ""
		},
		set: func(r *Request, v string) *Finding {
			switch strings.ToLower(v) {
			case "1", "true", "yes":
				*p(r) = true
			case "0", "false", "no", "":
				*p(r) = false
			default:
				return &Finding{Code: "U2", Field: field, Severity: SeverityError,
					Message: fmt.Sprintf("The link's %s value %q is not yes or no.", what, clip(v)), Fix: "Tick or clear the box."}
			}
			return nil
		}}
}

// kubernetesLinkFields are the compute kind and the Kubernetes compute's
// settings in the share link. A link without "kind" is a legacy AKS
// compute's, as every link made before v2 is.
var kubernetesLinkFields = []linkField{
	{key: "kind", field: FieldKind,
		get: func(r *Request) string { return string(r.Kind) },
		set: func(r *Request, v string) *Finding { r.Kind = Kind(v); return nil }},
	strField("ns", FieldNamespace, func(r *Request) *string { return &r.Kubernetes.Namespace }),
	strField("k8s", FieldK8sVersion, func(r *Request) *string { return &r.Kubernetes.Version }),
	boolField("training", FieldKubernetes, "training", func(r *Request) *bool { return &r.Kubernetes.Training }),
	{key: "router", field: FieldRouterServiceType,
		get: func(r *Request) string { return string(r.Kubernetes.RouterServiceType) },
		set: func(r *Request, v string) *Finding { r.Kubernetes.RouterServiceType = RouterServiceType(v); return nil }},
	boolField("http", FieldAllowInsecure, "allow HTTP", func(r *Request) *bool { return &r.Kubernetes.AllowInsecure }),
	boolField("singleRouter", FieldSingleRouter, "single router", func(r *Request) *bool { return &r.Kubernetes.SingleRouter }),
	boolField("nvidia", FieldNvidiaDevicePlugin, "NVIDIA device plugin", func(r *Request) *bool { return &r.Kubernetes.NvidiaDevicePlugin }),
	{key: "nodeSelector", field: FieldNodeSelector,
		get: func(r *Request) string { return NodeSelectorText(r.Kubernetes.NodeSelector, ",") },
		set: func(r *Request, v string) *Finding {
			sel, bad := ParseNodeSelector(v)
			r.Kubernetes.NodeSelector = sel
			if len(bad) > 0 {
				return &Finding{Code: "U2", Field: FieldNodeSelector, Severity: SeverityError,
					Message: fmt.Sprintf("The link's node selector %q is not key=value pairs.", clip(v)), Fix: "Write the node selector as key=value, one a line."}
			}
			return nil
		}},
	{key: "identity", field: FieldIdentity,
		get: func(r *Request) string { return string(r.Kubernetes.Identity) },
		set: func(r *Request, v string) *Finding { r.Kubernetes.Identity = IdentityType(v); return nil }},
	strField("userIdentity", FieldUserIdentity, func(r *Request) *string { return &r.Kubernetes.UserIdentity }),
	{key: "ranges", field: FieldAuthorizedIPRanges,
		get: func(r *Request) string { return strings.Join(r.Kubernetes.AuthorizedIPRanges, ",") },
		set: func(r *Request, v string) *Finding { r.Kubernetes.AuthorizedIPRanges = SplitList(v); return nil }},
	strField("gpuPool", FieldGPUPoolName, func(r *Request) *string { return &r.Kubernetes.GPUPool.Name }),
	strField("gpuSize", FieldGPUPoolVMSize, func(r *Request) *string { return &r.Kubernetes.GPUPool.VMSize }),
	{key: "gpuNodes", field: FieldGPUPoolCount,
		get: func(r *Request) string {
			if r.Kubernetes.GPUPool.Count == 0 {
				return ""
			}
			return strconv.Itoa(r.Kubernetes.GPUPool.Count)
		},
		set: func(r *Request, v string) *Finding {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return &Finding{Code: "U2", Field: FieldGPUPoolCount, Severity: SeverityError,
					Message: fmt.Sprintf("The link's GPU pool node count %q is not a positive whole number.", clip(v)), Fix: "Type a node count of 1 or more."}
			}
			r.Kubernetes.GPUPool.Count = n
			return nil
		}},
}

// NodeSelectorText writes a node selector as key=value pairs in key order,
// joined by sep.
func NodeSelectorText(sel map[string]string, sep string) string {
	parts := make([]string, 0, len(sel))
	for _, k := range sortedKeys(sel) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, sep)
}

// ParseNodeSelector reads key=value pairs separated by commas or new lines;
// it returns the pairs it could read and the parts that are not key=value.
func ParseNodeSelector(text string) (map[string]string, []string) {
	var sel map[string]string
	var bad []string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			bad = append(bad, part)
			continue
		}
		if sel == nil {
			sel = map[string]string{}
		}
		sel[k] = strings.TrimSpace(v)
	}
	return sel, bad
}

// SplitList splits a list typed with commas, spaces or new lines, without
// empty or repeated items.
func SplitList(text string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
