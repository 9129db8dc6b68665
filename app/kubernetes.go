// The Kubernetes compute (Azure ML v2) on the create and attach pages: the
// choice of kind, the extension's and the attachment's settings, and the
// chosen cluster's v2 facts.

package app

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// v2 reports whether the form makes a Kubernetes compute (Azure ML v2).
func (f *Form) v2() bool { return f.req.Kind == rules.KindKubernetes }

// kindLabels say the two kinds as the picker does.
const (
	kindV2Label = "Kubernetes compute (Azure ML v2, recommended)"
	kindV1Label = "AKS compute (Azure ML v1, legacy — CLI v1 support ended on 30 September 2025, SDK v1 support on 30 June 2026)"
)

// kindPicker is the choice between a Kubernetes compute and a legacy AKS compute.
func (f *Form) kindPicker() app.UI {
	current := rules.KindAKS
	if f.v2() {
		current = rules.KindKubernetes
	}
	radio := func(k rules.Kind, label, hint string) app.UI {
		id := "kind-" + strings.ToLower(string(k))
		return app.Elem("div").Class("kind-choice").Body(
			app.Label().For(id).Class("radio").Body(
				checkedIf(app.Input().Type("radio").ID(id).Name(rules.FieldKind).Value(string(k)).Aria("describedby", id+"-hint"), current == k).
					OnChange(f.set(rules.FieldKind, func(v string) { f.req.Kind = rules.Kind(v) })),
				app.Text(" "+label),
			),
			app.Elem("small").ID(id+"-hint").Class("hint").Text(hint),
		)
	}
	return app.Elem("fieldset").ID("kind").Body(
		app.Elem("legend").Text("Kind of compute"),
		app.Elem("div").Class("field kinds").Attr("role", "radiogroup").Aria("labelledby", "kind-label").DataSet("field", rules.FieldKind).Body(
			app.Elem("span").ID("kind-label").Class("label").Text("Which Azure ML compute to make"),
			radio(rules.KindKubernetes, kindV2Label, "amlaks installs the Azure ML extension on the cluster and attaches it with a namespace and a managed identity. Use it with Azure ML CLI v2 and the Python SDK v2 (azure-ai-ml)."),
			radio(rules.KindAKS, kindV1Label, "Only for workloads that still use Azure ML CLI v1 or SDK v1. New work should use a Kubernetes compute."),
			findingsList(fieldID(rules.FieldKind)+"-findings", f.visible(rules.FieldKind)),
		),
	)
}

// checkbox renders a yes/no setting with its label, hint and findings.
func (f *Form) checkbox(field, label, hint string, on bool, put func(bool)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		return checkedIf(app.Input().Type("checkbox").ID(id).Name(field), on).Aria("describedby", desc).
			OnChange(func(ctx app.Context, e app.Event) {
				put(ctx.JSSrc().Get("checked").Bool())
				f.touched[field] = true
				f.submitErr = nil
				f.revalidate(ctx)
			})
	})
}

// routerOptions are the inference router's service types; loadBalancer is the default.
var routerOptions = []option{
	{"", "Load balancer (loadBalancer, the default)"},
	{string(rules.RouterNodePort), "Node port (nodePort)"},
	{string(rules.RouterClusterIP), "Cluster IP (clusterIP): reachable only inside the cluster"},
}

// identityOptions are the compute's identity types; system-assigned is the default.
var identityOptions = []option{
	{"", "System-assigned managed identity (the default)"},
	{string(rules.IdentityUserAssigned), "User-assigned managed identity"},
}

// renderKubernetesFields are the Kubernetes compute's own settings.
func (f *Form) renderKubernetesFields() app.UI {
	k := f.req.Kubernetes
	create := f.req.Mode != rules.ModeAttach
	identity := string(k.Identity)
	if k.Identity == rules.IdentitySystemAssigned {
		identity = ""
	}
	router := string(k.RouterServiceType)
	if k.RouterServiceType == rules.RouterLoadBalancer {
		router = ""
	}
	return app.Elem("fieldset").ID("kubernetes").Body(
		app.Elem("legend").Text("Kubernetes compute"),
		findingsList(fieldID(rules.FieldKubernetes)+"-findings", f.visible(rules.FieldKubernetes)),
		f.text(rules.FieldNamespace, "Namespace", k.Namespace, rules.DefaultNamespace,
			"Where the compute's workloads run. It must already exist on the cluster: attaching neither creates nor checks it. Empty means \"default\".",
			func(v string) { f.req.Kubernetes.Namespace = strings.TrimSpace(v) }),
		app.If(create, func() app.UI { return f.versionPicker() }),
		f.selectField(rules.FieldRouterServiceType, "Inference router service type", router,
			"How the Azure ML inference router (azureml-fe) is reached. An internal load balancer needs loadBalancer.",
			routerOptions, func(v string) { f.req.Kubernetes.RouterServiceType = rules.RouterServiceType(v) }),
		f.checkbox(rules.FieldSingleRouter, "Run a single inference router (development and test only)",
			fmt.Sprintf("By default the extension runs three router replicas, which need at least %d nodes.", rules.RouterHANodes),
			k.SingleRouter, func(b bool) { f.req.Kubernetes.SingleRouter = b }),
		f.selectField(rules.FieldIdentity, "Managed identity of the compute", identity, "", identityOptions,
			func(v string) { f.req.Kubernetes.Identity = rules.IdentityType(v) }),
		app.If(k.Identity == rules.IdentityUserAssigned || k.UserIdentity != "", func() app.UI {
			return f.text(rules.FieldUserIdentity, "User-assigned identity resource ID", k.UserIdentity,
				"/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…",
				"Copy it from the identity's Properties page in the Azure portal.",
				func(v string) { f.req.Kubernetes.UserIdentity = strings.TrimSpace(v) })
		}),
		f.checkbox(fieldTraining, "Also run training jobs on this compute",
			"Turns on enableTraining beside inference; training needs its own share of the nodes.",
			k.Training, func(b bool) { f.req.Kubernetes.Training = b }),
		app.If(create, func() app.UI { return f.gpuPoolFields() }),
		f.checkbox(rules.FieldNvidiaDevicePlugin, "Install the NVIDIA device plugin (GPU nodes)",
			"GPU workloads need it; leave it off on a cluster that already runs one.",
			k.NvidiaDevicePlugin, func(b bool) { f.req.Kubernetes.NvidiaDevicePlugin = b }),
		f.textarea(rules.FieldNodeSelector, "Node selector", f.nodeSelText, "agentpool=inference",
			"Optional. Runs the extension's workloads only on nodes with these labels: one key=value a line.",
			func(v string) { f.nodeSelText = v }),
		app.If(create, func() app.UI {
			return f.textarea(rules.FieldAuthorizedIPRanges, "API server authorized IP ranges", f.rangesText, "203.0.113.0/24",
				"Optional. Only these ranges may reach the cluster's API server; amlaks adds the Azure ML ranges of the workspace's region and its pair. One range a line.",
				func(v string) { f.rangesText = v })
		}),
	)
}

// gpuPool is the GPU pool as the form holds it: a count that is not a
// whole number is -1, which X16 refuses.
func (f *Form) gpuPool() rules.GPUPool {
	p := f.req.Kubernetes.GPUPool
	p.Count = -1
	if n, err := strconv.Atoi(strings.TrimSpace(f.gpuCountText)); err == nil {
		p.Count = n
	}
	return p
}

// gpuSizeOptions are the GPU sizes of the location (or of the catalogue),
// each with its cores, GPUs and monthly price a node.
func (f *Form) gpuSizeOptions() []option {
	sizes := f.facts.VMSizes
	if sizes == nil {
		sizes = rules.Catalog
	}
	opts := []option{{"", "Choose a GPU size"}}
	for _, s := range rules.GPUSizes(sizes) {
		label := fmt.Sprintf("%s: %s, %s, %g GiB", s.Name, rules.Count(s.GPUs, "GPU"), rules.Count(s.VCPUs, "vCPU"), s.MemoryGB)
		if m, ok := f.prices.Monthly(s.Name, 1); ok {
			label += ", about " + money(m, f.prices.Currency) + " a month a node"
		}
		opts = append(opts, option{s.Name, label})
	}
	return opts
}

// gpuPoolFields are the create's optional GPU node pool: a toggle, then
// the pool's size (GPU sizes only), node count and name.
func (f *Form) gpuPoolFields() app.UI {
	p := f.req.Kubernetes.GPUPool
	return app.Elem("div").ID("gpu-pool").Body(
		f.checkbox(rules.FieldGPUPool, "Add a GPU node pool",
			"A second node pool (mode User) of a GPU size beside the system pool, for GPU models. The NVIDIA device plugin is turned on with it.",
			f.gpuOn, func(on bool) {
				f.gpuOn = on
				if on {
					f.req.Kubernetes.NvidiaDevicePlugin = true
					if strings.TrimSpace(f.gpuCountText) == "" {
						f.gpuCountText = "1"
					}
				}
			}),
		app.If(f.gpuOn, func() app.UI {
			return app.Elem("div").Class("gpu-pool-fields").Body(
				f.selectField(rules.FieldGPUPoolVMSize, "GPU VM size", p.VMSize, "Only GPU sizes offered in the location are listed.",
					f.gpuSizeOptions(), func(v string) { f.req.Kubernetes.GPUPool.VMSize = v }),
				f.field(rules.FieldGPUPoolCount, "GPU nodes", fmt.Sprintf("1 to %d nodes.", rules.MaxPoolNodes), func(id, desc string, invalid bool) app.UI {
					return app.Input().Type("text").Attr("inputmode", "numeric").ID(id).Name(rules.FieldGPUPoolCount).Value(typed(id, f.gpuCountText)).
						Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
						AutoComplete(false).OnInput(f.set(rules.FieldGPUPoolCount, func(v string) { f.gpuCountText = v }))
				}),
				f.text(rules.FieldGPUPoolName, "GPU pool name", p.Name, rules.DefaultGPUPoolName,
					fmt.Sprintf("Optional: up to %d lower-case letters and digits, starting with a letter. Empty means %q.", rules.MaxLinuxPoolName, rules.DefaultGPUPoolName),
					func(v string) { f.req.Kubernetes.GPUPool.Name = strings.TrimSpace(v) }),
			)
		}),
	)
}

// versionPicker offers the location's Kubernetes versions, newest first,
// marking the default and previews; empty means the default.
func (f *Form) versionPicker() app.UI {
	vs := append([]rules.KubernetesVersion(nil), f.facts.Versions...)
	rules.SortSmall(vs, func(a, b rules.KubernetesVersion) int { return rules.CompareVersions(b.Version, a.Version) })
	def, hasDef := rules.DefaultVersion(vs)
	first := "The location's default"
	if hasDef {
		first += " (" + def.Version + ")"
	}
	opts := []option{{"", first}}
	for _, v := range vs {
		label := v.Version
		switch {
		case v.Default:
			label += " (default)"
		case v.Preview:
			label += " (preview: no SLA)"
		case !rules.InSupportWindow(vs, v.Version):
			label += " (outside the support window)"
		}
		opts = append(opts, option{v.Version, label})
	}
	return f.selectField(rules.FieldK8sVersion, "Kubernetes version", f.req.Kubernetes.Version,
		"AKS supports the newest generally available minor version and the two before it.", opts,
		func(v string) { f.req.Kubernetes.Version = v })
}

// azureMLExtension is the cluster's Azure ML extension, if it has one.
func azureMLExtension(cl *rules.Cluster) (rules.Extension, bool) {
	if cl == nil {
		return rules.Extension{}, false
	}
	for _, e := range cl.Extensions {
		if e.AzureML() {
			return e, true
		}
	}
	return rules.Extension{}, false
}

// extensionText says in words whether and how the Azure ML extension is installed.
func extensionText(cl *rules.Cluster) string {
	e, ok := azureMLExtension(cl)
	if !ok {
		return "Not installed: amlaks installs it"
	}
	s := fmt.Sprintf("%s, %s", e.Name, orDash(e.State))
	if e.Version != "" {
		s += ", version " + e.Version
	}
	return s
}

// attachmentsOf lists the workspace's computes that use a cluster.
func attachmentsOf(cs []rules.Compute, clusterID string) []string {
	var out []string
	for _, c := range cs {
		if clusterID != "" && strings.EqualFold(c.ClusterID, clusterID) {
			out = append(out, fmt.Sprintf("%s (%s)", c.Name, kindName(c.Type)))
		}
	}
	return out
}

// kindName names a compute type as the page does.
func kindName(computeType string) string {
	switch strings.ToLower(computeType) {
	case "kubernetes":
		return "Kubernetes compute"
	case "aks", "":
		return "AKS compute, v1"
	}
	return computeType
}

// kubernetesClusterFacts are the chosen cluster's facts that a Kubernetes
// compute depends on (X1–X3, X10, X14, X15).
func (f *Form) kubernetesClusterFacts(cl *rules.Cluster) []app.UI {
	identity := orDash(cl.IdentityType)
	if strings.EqualFold(cl.IdentityType, "ServicePrincipal") {
		identity = "Service principal (Azure ML needs a managed identity)"
	}
	local := "Enabled"
	if cl.LocalAccountsDisabled {
		local = "Disabled (the extension needs them)"
	}
	attached := strings.Join(attachmentsOf(f.facts.Computes, cl.ID), ", ")
	if attached == "" {
		attached = "None in this workspace"
	}
	out := []app.UI{
		app.Elem("dt").Text("Identity"), app.Elem("dd").ID("fact-identity").Text(identity),
		app.Elem("dt").Text("Local accounts"), app.Elem("dd").ID("fact-local-accounts").Text(local),
		app.Elem("dt").Text("Azure ML extension"), app.Elem("dd").ID("fact-extension").Text(extensionText(cl)),
		app.Elem("dt").Text("Attached as"), app.Elem("dd").ID("fact-attachments").Text(attached),
	}
	if cl.PodIdentity {
		out = append(out, app.Elem("dt").Text("Pod identity"), app.Elem("dd").Text("Enabled (Azure ML does not support it)"))
	}
	if cl.LegacyFrontend {
		out = append(out, app.Elem("dt").Text("v1 inference front end"), app.Elem("dd").Text("azureml-fe of a legacy AKS compute is still installed: migrate it first"))
	}
	return out
}

// kubernetesSteps are the steps a Kubernetes compute request runs, in
// order, each with what it costs.
func (f *Form) kubernetesSteps(norm rules.Request) []reviewStep {
	var steps []reviewStep
	if norm.Mode == rules.ModeCreate {
		what := fmt.Sprintf("Create the AKS cluster %s: %s of %s in %s, Kubernetes %s, managed identity, Standard load balancer.",
			norm.Name, rules.Count(norm.NodeCount, "node"), norm.VMSize, norm.Location, orWords(norm.Kubernetes.Version, "the location's default"))
		cost := "The nodes are charged while the cluster exists."
		gpuCost := ""
		if g := norm.Kubernetes.GPUPool; !g.IsZero() {
			what += fmt.Sprintf(" Beside it the GPU node pool %s: %s of %s (mode User).", g.Name, rules.Count(g.Count, "node"), g.VMSize)
			gpuCost = " The GPU pool's nodes are charged too."
			if m := f.gpuMonthlyText(g); m != "" {
				gpuCost = "; GPU pool: " + m
			}
		}
		if m := f.monthlyText(norm.VMSize, norm.NodeCount); m != "" {
			cost = m + gpuCost + " (" + priceNote(f.prices) + ")"
		} else {
			cost += gpuCost
		}
		steps = append(steps, reviewStep{"cluster", what, cost, "about " + minutes(rules.StepExpectedSec(rules.StepCluster))})
	}
	ext := "Install the Azure ML extension (" + rules.ExtensionType + ", release train stable) on the cluster."
	if e, ok := azureMLExtension(f.facts.Cluster); ok && norm.Mode == rules.ModeAttach && strings.EqualFold(e.State, "succeeded") {
		ext = fmt.Sprintf("Check the Azure ML extension %s: installed and Succeeded, so it is used as it is.", e.Name)
	}
	steps = append(steps, reviewStep{"extension", ext, "No charge of its own; it runs on the cluster's nodes.", "about " + minutes(rules.StepExpectedSec(rules.StepExtension))})
	steps = append(steps, reviewStep{"attach", fmt.Sprintf("Attach the cluster to workspace %s as the Kubernetes compute %q, namespace %s, %s identity.",
		norm.Workspace.Name, norm.Name, norm.Kubernetes.Namespace, identityWords(norm.Kubernetes.Identity)), "No charge.", "about " + minutes(rules.StepExpectedSec(rules.StepAttach))})
	return steps
}

// reviewStep is one step of the review's plan.
type reviewStep struct{ id, what, cost, duration string }

func identityWords(t rules.IdentityType) string {
	if t == rules.IdentityUserAssigned {
		return "a user-assigned"
	}
	return "a system-assigned"
}

func orWords(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// renderKubernetesReview is the review of a Kubernetes compute: the steps
// that will run and what each costs, the settings, the findings, the exports.
func (f *Form) renderKubernetesReview() app.UI {
	req := f.request()
	norm := req.Normalized(f.facts.WorkspaceLocation)
	verb := "Create"
	if norm.Mode == rules.ModeAttach {
		verb = "Attach"
	}
	steps := f.kubernetesSteps(norm)
	k := norm.Kubernetes
	lines := []string{
		fmt.Sprintf("For %s; the inference router is %s with %s.", purposeLabel(norm.Purpose), k.RouterServiceType,
			map[bool]string{true: "one replica (development and test only)", false: "three replicas"}[k.SingleRouter]),
		"The scoring endpoint uses " + lbLabel(norm.LoadBalancer.Type) + " and " +
			map[bool]string{true: "HTTP (development and test only)", false: "HTTPS with your certificate"}[norm.TLS.Mode != rules.TLSCustom] + ".",
	}
	if k.Training {
		lines = append(lines, "Training jobs may run on it too.")
	}
	if g := k.GPUPool; !g.IsZero() && norm.Mode == rules.ModeCreate {
		line := fmt.Sprintf("GPU node pool %s: %s of %s.", g.Name, rules.Count(g.Count, "node"), g.VMSize)
		if m := f.gpuMonthlyText(g); m != "" {
			line = fmt.Sprintf("GPU node pool %s: %s.", g.Name, m)
		}
		lines = append(lines, line)
	}
	if k.NvidiaDevicePlugin {
		lines = append(lines, "The NVIDIA device plugin is installed for GPU nodes.")
	}
	if len(k.NodeSelector) > 0 {
		lines = append(lines, "The extension's workloads run only on nodes labelled "+rules.NodeSelectorText(k.NodeSelector, ", ")+".")
	}
	if len(k.AuthorizedIPRanges) > 0 {
		lines = append(lines, "API server ranges: "+strings.Join(k.AuthorizedIPRanges, ", ")+", and the Azure ML ranges of the workspace's region and its pair.")
	}
	if d := strings.TrimSpace(norm.Description); d != "" {
		lines = append(lines, "Description: "+d)
	}
	if f.exportTab == "" {
		f.exportTab = "cli"
	}
	return app.Elem("section").ID("review-step").Class("review").Body(
		app.Elem("h1").ID("review-title").Attr("tabindex", "-1").Text("Review"),
		app.Elem("p").ID("review-kind").Text(kindV2Label+": "+norm.Name+" in workspace "+norm.Workspace.Name+" ("+norm.Workspace.ResourceGroup+")."),
		app.Elem("h2").Text("What will run"),
		app.Elem("ol").ID("review-steps").Class("steps").Body(app.Range(steps).Slice(func(i int) app.UI {
			s := steps[i]
			return app.Li().ID("review-step-"+s.id).Body(
				app.Elem("p").Class("wrap").Text(s.what),
				app.Elem("p").Class("muted").Text("Cost: "+s.cost+" Usually "+s.duration+"."),
			)
		})),
		app.Ul().ID("review-summary").Class("wrap").Body(app.Range(lines).Slice(func(i int) app.UI { return app.Li().Text(lines[i]) })),
		findingsList("review-findings", withoutRestatedDefaults(f.findings)),
		f.exportsAndSubmit(verb),
	)
}
