//go:build !noexports

package rules

import "strings"

// ExportsAvailable reports whether this build writes the exports. The
// page's (tag noexports) does not: it asks the proxy (POST /api/exports).
const ExportsAvailable = true

// ExportsFor writes every export of a request of its kind, in tab order,
// with the facts the proxy read for it: the workspace's location (the
// request's defaults) and, for a Kubernetes compute, the Azure ML ranges of
// its region (the cluster's authorized IP ranges).
func ExportsFor(req Request, facts Facts) ExportsBody {
	wsLocation := facts.WorkspaceLocation
	norm := req.Normalized(wsLocation)
	kinds := ExportKinds(req.Kind)
	out := ExportsBody{Exports: make([]Export, 0, len(kinds))}
	for _, k := range kinds {
		out.Exports = append(out.Exports, Export{ID: k.ID, Label: k.Label, Text: exportText(k.ID, norm, wsLocation, facts.AMLRanges)})
	}
	return out
}

// exportText is one export of a normalized request; an export that cannot
// be written says why.
func exportText(id string, req Request, wsLocation string, amlRanges []string) string {
	if req.Kind == KindKubernetes {
		switch id {
		case "cli":
			return KubernetesAzCLI(req, wsLocation)
		case "python":
			return KubernetesPython(req, wsLocation)
		case "bicep":
			return KubernetesBicep(req, wsLocation)
		case "terraform":
			return KubernetesTerraform(req, wsLocation)
		case "arm":
			s, err := KubernetesARMBodies(req, wsLocation, amlRanges)
			if err != nil {
				return err.Error()
			}
			return s
		}
		return ""
	}
	switch id {
	case "cli":
		return AzCLI(req)
	case "python":
		return PythonSDK(req)
	case "terraform":
		return Terraform(req, wsLocation)
	case "arm":
		b, err := ARMBody(req, wsLocation)
		if err != nil {
			return err.Error()
		}
		return "PUT " + ARMPath(req) + "\n\n" + string(b)
	}
	return ""
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
