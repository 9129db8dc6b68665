package app

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// Form is the create and attach page ("/"). Every field shows its findings as
// the person types, computed in the browser by the same rules the proxy runs;
// the facts from Azure come from the proxy. Every non-secret field lives in the
// page URL, so the URL is the share link.
type Form struct {
	app.Compo

	embed      bool
	cfg        config
	loadErr    string
	workspaces []rules.Workspace
	clusters   []rules.Cluster
	locations  []rules.Location

	req       rules.Request
	nodeText  string
	tagsText  string
	linkFinds rules.Findings

	facts        rules.Facts
	factsKey     string
	factsLoading bool
	factsErr     string

	findings rules.Findings
	touched  map[string]bool
	showAll  bool

	reviewing  bool
	exportTab  string
	submitting bool
	submitErr  *rules.Error
	copied     string
	shareURL   string
	self       app.Context // the component's own context: a control's dies with the control
}

// OnNav reads the request from the URL: a share link opens prefilled and
// already validated, with bad values shown as findings.
func (f *Form) OnNav(ctx app.Context) {
	f.self = ctx
	u := ctx.Page().URL()
	f.embed = embedded(u)
	req, finds := rules.DecodeLink(u.Query(), "embed")
	if req.Mode == "" {
		req.Mode = rules.ModeCreate
	}
	f.req, f.linkFinds = req, finds
	f.nodeText = ""
	if req.NodeCount > 0 {
		f.nodeText = strconv.Itoa(req.NodeCount)
	} else if v := u.Query().Get("nodes"); v != "" {
		f.nodeText = v
	}
	f.tagsText = tagsToText(req.Tags)
	f.touched = map[string]bool{}
	f.showAll = len(finds) > 0 // a link is validated at once
	for k := range u.Query() {
		f.showAll = f.showAll || (k != "mode" && k != "embed")
	}
	f.reviewing, f.submitErr = false, nil
	f.revalidate(ctx)
	ctx.Async(func() {
		cfg, err := loadConfig()
		var wss struct {
			Workspaces []rules.Workspace `json:"workspaces"`
		}
		werr := error(nil)
		if err == nil {
			werr = call("GET", "/api/workspaces", nil, &wss)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.cfg = cfg
			switch {
			case err != nil:
				f.loadErr = message(err)
			case werr != nil:
				f.loadErr = message(werr)
			}
			f.workspaces = wss.Workspaces
			if f.req.Workspace.IsZero() && len(f.workspaces) > 0 && !f.showAll {
				f.req.Workspace = f.workspaces[0].WorkspaceRef
			}
			f.revalidate(ctx)
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		})
	})
}

// revalidate recomputes the findings, keeps the URL in step, and fetches
// fresh facts when what they depend on changed.
func (f *Form) revalidate(ctx app.Context) {
	req := f.request()
	f.findings = append(append(rules.Findings{}, f.localFindings()...), rules.Validate(req, f.facts)...)
	if app.IsClient {
		q := rules.EncodeLink(req.Redacted())
		if f.embed {
			q.Set("embed", "1")
		}
		app.Window().Get("history").Call("replaceState", nil, "", "?"+q.Encode())
		ctx.Defer(func(app.Context) { f.postHeight() })
	}
	key := factsKey(req)
	if key == f.factsKey || !app.IsClient {
		return
	}
	f.factsKey, f.factsLoading, f.factsErr = key, true, ""
	if f.self.Src() != nil {
		ctx = f.self
	}
	probe := req.Redacted()
	probe.TLS = rules.TLS{}
	ctx.Async(func() {
		var facts rules.Facts
		err := call("POST", "/api/facts", probe, &facts)
		ctx.Dispatch(func(ctx app.Context) {
			if f.factsKey != key {
				return // a newer request is on its way
			}
			f.factsLoading = false
			if err != nil {
				f.factsErr = message(err)
				f.facts = rules.Facts{}
			} else {
				f.facts = facts
			}
			f.facts.Now = time.Now()
			if f.cfg.Policy != nil {
				f.facts.Policy = f.cfg.Policy
			}
			f.revalidate(ctx)
		})
	})
}

// factsKey names what the facts depend on: workspace, mode, location, target.
func factsKey(r rules.Request) string {
	id, _ := r.TargetID()
	if r.Mode != rules.ModeAttach {
		id = ""
	}
	loc := r.Location
	if r.Mode == rules.ModeAttach {
		loc = ""
	}
	return strings.Join([]string{string(r.Mode), r.Workspace.ID(), loc, strings.ToLower(id)}, "|")
}

// request is the request as the form holds it, without the other mode's fields.
func (f *Form) request() rules.Request {
	r := f.req
	r.NodeCount = 0
	if n, err := strconv.Atoi(strings.TrimSpace(f.nodeText)); err == nil {
		r.NodeCount = n
	}
	r.Tags, _ = parseTags(f.tagsText)
	if r.Mode == rules.ModeAttach {
		r.Location, r.VMSize, r.NodeCount, r.Network = "", "", 0, rules.Network{}
	} else {
		r.Target = rules.Target{}
	}
	return r
}

// localFindings are what the form itself sees: text that is not a number,
// tags that are not name=value, and the link's own findings.
func (f *Form) localFindings() rules.Findings {
	var out rules.Findings
	if t := strings.TrimSpace(f.nodeText); t != "" && f.req.Mode == rules.ModeCreate {
		if n, err := strconv.Atoi(t); err != nil || n <= 0 {
			out = append(out, rules.Finding{Code: "P5", Field: rules.FieldNodeCount, Severity: rules.SeverityError,
				Message: fmt.Sprintf("The node count %q is not a positive whole number.", t), Fix: "Type a node count of 1 or more, such as 3."})
		}
	}
	if _, bad := parseTags(f.tagsText); len(bad) > 0 {
		out = append(out, rules.Finding{Code: "D2", Field: rules.FieldTags, Severity: rules.SeverityError,
			Message: "These lines are not name=value: " + strings.Join(bad, ", ") + ".", Fix: "Write one tag a line, as name=value."})
	}
	for _, lf := range f.linkFinds {
		if lf.Field == rules.FieldNodeCount && f.nodeText != "" {
			continue // the form shows the raw value's own finding
		}
		out = append(out, lf)
	}
	return out
}

func parseTags(text string) (map[string]string, []string) {
	var tags map[string]string
	var bad []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			bad = append(bad, strconv.Quote(line))
			continue
		}
		if tags == nil {
			tags = map[string]string{}
		}
		tags[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return tags, bad
}

func tagsToText(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + tags[k] + "\n")
	}
	return b.String()
}

// visible returns the findings of a field that should show now.
func (f *Form) visible(field string) rules.Findings {
	all := f.findings.For(field)
	if f.showAll || f.touched[field] {
		return all
	}
	var out rules.Findings
	for _, x := range all {
		if x.Severity != rules.SeverityError { // advice shows at once; errors once touched
			out = append(out, x)
		}
	}
	return out
}

// set returns an input handler that writes the value with put and revalidates.
func (f *Form) set(field string, put func(string)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		put(ctx.JSSrc().Get("value").String())
		f.touched[field] = true
		f.submitErr = nil
		f.revalidate(ctx)
	}
}

// Render draws the form, or the review step.
func (f *Form) Render() app.UI {
	active := "create"
	if f.req.Mode == rules.ModeAttach {
		active = "attach"
	}
	return layout(f.embed, f.cfg.Backend, active, f.req.Workspace,
		app.If(f.loadErr != "", func() app.UI {
			return app.Div().Class("alert error").Attr("role", "alert").Text(f.loadErr)
		}),
		app.If(f.reviewing, f.renderReview).Else(f.renderForm),
	)
}

func (f *Form) renderForm() app.UI {
	r := f.req
	create := r.Mode != rules.ModeAttach
	title := "Create an AKS inference cluster"
	if !create {
		title = "Attach an existing AKS cluster"
	}
	return app.Form().ID("request-form").Class("request").Attr("novalidate", true).
		OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); f.review(ctx) }).Body(
		app.H1().Text(title),
		f.summary(),
		app.FieldSet().Body(
			app.Legend().Text("Workspace"),
			f.workspacePicker(),
			f.text(rules.FieldName, "Compute name", r.Name, "aks-prod", "3 to 24 letters, digits and hyphens; starts with a letter.", func(v string) { f.req.Name = v }),
			f.purposePicker(),
		),
		app.If(create, f.renderCreateFields).Else(f.renderAttachFields),
		f.renderEndpoint(),
		app.FieldSet().Body(
			app.Legend().Text("Description and tags"),
			f.text(rules.FieldDescription, "Description", r.Description, "optional", "", func(v string) { f.req.Description = v }),
			f.textarea(rules.FieldTags, "Tags", f.tagsText, "team=vision\ncostCenter=1234", "One tag a line, as name=value.", func(v string) { f.tagsText = v }),
		),
		app.Div().Class("actions").Body(
			app.Button().ID("review").Type("submit").Class("primary").Text("Review"),
			app.Button().ID("copy-link").Type("button").Text("Copy link").OnClick(f.copyLink),
			app.If(f.copied == "link", func() app.UI { return app.Span().Class("copied").Attr("role", "status").Text("Link copied") }),
		),
		app.If(f.shareURL != "", func() app.UI {
			return app.Div().Class("field").Body(
				app.Label().For("share-link").Text("Share link (no secrets)"),
				app.Input().Type("text").ID("share-link").ReadOnly(true).Value(f.shareURL),
			)
		}),
	)
}

// summary lists the errors at the top, with links to their fields, and the
// findings that belong to no field shown on the page.
func (f *Form) summary() app.UI {
	var show rules.Findings
	for _, x := range f.findings {
		if !f.rendered(x.Field) {
			show = append(show, x)
		}
	}
	errs := 0
	for _, x := range f.findings {
		if x.Severity == rules.SeverityError && (f.showAll || f.touched[x.Field]) {
			errs++
		}
	}
	status := ""
	switch {
	case f.factsLoading:
		status = "Checking with Azure…"
	case f.factsErr != "":
		status = "Azure's facts are not available (" + f.factsErr + "); the checks use built-in defaults."
	}
	return app.Div().ID("summary").Class("summary").Attr("aria-live", "polite").Body(
		app.If(errs > 0, func() app.UI {
			return app.P().ID("error-count").Class("error").Text(fmt.Sprintf("%d %s to fix before review.", errs, pluralize(errs, "problem")))
		}),
		app.If(status != "", func() app.UI { return app.P().Class("muted").Text(status) }),
		findingsList("summary-findings", show),
	)
}

// rendered reports whether the form shows a field, and so its findings.
func (f *Form) rendered(field string) bool {
	r := f.req
	create := r.Mode != rules.ModeAttach
	switch field {
	case rules.FieldWorkspace, rules.FieldSubscription, rules.FieldResourceGroup, rules.FieldName, rules.FieldPurpose,
		rules.FieldLBType, rules.FieldTLSMode, rules.FieldDescription, rules.FieldTags:
		return true
	case rules.FieldLocation, rules.FieldVMSize, rules.FieldNodeCount,
		rules.FieldVnetRG, rules.FieldVnetName, rules.FieldSubnetName, rules.FieldServiceCIDR, rules.FieldDNSServiceIP, rules.FieldDockerBridge:
		return create
	case rules.FieldTarget, rules.FieldTargetRG, rules.FieldTargetName, rules.FieldTargetID:
		return !create
	case rules.FieldLBSubnet:
		return r.LoadBalancer.Type == rules.LoadBalancerInternal || r.LoadBalancer.Subnet != ""
	case rules.FieldTLSCert, rules.FieldTLSKey, rules.FieldTLSCNAME:
		return r.TLS.Mode == rules.TLSCustom
	case rules.FieldTLSLeaf, rules.FieldTLSOverwrite:
		return r.TLS.Mode == rules.TLSMicrosoft
	}
	return false
}

func pluralize(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// field renders a label, the control and the field's findings, tied together
// for screen readers.
func (f *Form) field(field, label, hint string, control func(id, describedBy string, invalid bool) app.UI) app.UI {
	id := fieldID(field)
	fs := f.visible(field)
	invalid := fs.HasErrors()
	describedBy := id + "-findings"
	if hint != "" {
		describedBy = id + "-hint " + describedBy
	}
	cls := "field"
	if invalid {
		cls += " invalid"
	}
	return app.Div().Class(cls).DataSet("field", field).Body(
		app.Label().For(id).Text(label),
		control(id, describedBy, invalid),
		app.If(hint != "", func() app.UI { return app.Small().ID(id + "-hint").Class("hint").Text(hint) }),
		findingsList(id+"-findings", fs),
	)
}

func (f *Form) text(field, label, value, placeholder, hint string, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		return app.Input().Type("text").ID(id).Name(field).Value(value).Placeholder(placeholder).
			Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			AutoComplete(false).Spellcheck(false).OnInput(f.set(field, put))
	})
}

func (f *Form) textarea(field, label, value, placeholder, hint string, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		return app.Textarea().ID(id).Name(field).Text(value).Placeholder(placeholder).Rows(3).
			Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			Spellcheck(false).OnInput(f.set(field, put))
	})
}

type option struct{ value, label string }

func (f *Form) selectField(field, label, value, hint string, opts []option, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		known := false
		for _, o := range opts {
			known = known || o.value == value
		}
		if !known && value != "" {
			opts = append([]option{{value, value + " (not a known choice)"}}, opts...)
		}
		return app.Select().ID(id).Name(field).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			OnChange(f.set(field, put)).Body(
			app.Range(opts).Slice(func(i int) app.UI {
				return app.Option().Value(opts[i].value).Selected(opts[i].value == value).Text(opts[i].label)
			}),
		)
	})
}

func (f *Form) workspacePicker() app.UI {
	ws := f.req.Workspace
	opts := []option{{"", "Choose a workspace"}}
	for _, w := range f.workspaces {
		opts = append(opts, option{w.ID(), fmt.Sprintf("%s (%s, %s)", w.Name, w.ResourceGroup, w.Location)})
	}
	value := ""
	if !ws.IsZero() {
		value = ws.ID()
	}
	put := func(v string) {
		for _, w := range f.workspaces {
			if w.ID() == v {
				f.req.Workspace = w.WorkspaceRef
				return
			}
		}
		f.req.Workspace = rules.WorkspaceRef{}
	}
	sel := f.selectField(rules.FieldWorkspace, "Workspace", value, "", opts, put)
	return app.Div().Body(
		sel,
		findingsList("f-workspace-subscription-findings", f.visible(rules.FieldSubscription)),
		findingsList("f-workspace-resourceGroup-findings", f.visible(rules.FieldResourceGroup)),
	)
}

func (f *Form) purposePicker() app.UI {
	return f.selectField(rules.FieldPurpose, "Cluster purpose", string(f.req.Purpose), "Production needs at least 12 vCPUs and 3 nodes; dev/test at least 2 vCPUs.",
		[]option{{"", "Production (FastProd, the default)"}, {"FastProd", "FastProd (production)"}, {"DenseProd", "DenseProd (production)"}, {"DevTest", "DevTest (not for production)"}},
		func(v string) { f.req.Purpose = rules.Purpose(v) })
}

func (f *Form) renderCreateFields() app.UI {
	r := f.req
	loc := r.Location
	if loc == "" {
		loc = f.facts.WorkspaceLocation
	}
	sizes := f.facts.VMSizes
	if sizes == nil {
		sizes = rules.Catalog
	}
	if p := f.cfg.Policy; p != nil && len(p.VMSizes) > 0 {
		var allowed []rules.VMSize
		for _, s := range sizes {
			if slices.ContainsFunc(p.VMSizes, func(a string) bool { return strings.EqualFold(a, s.Name) }) {
				allowed = append(allowed, s)
			}
		}
		sizes = allowed // the picker offers only what the platform team allows
	}
	n := r.Network
	return app.Div().Body(
		app.FieldSet().Body(
			app.Legend().Text("Size"),
			f.field(rules.FieldLocation, "Location", "Defaults to the workspace's location.", func(id, desc string, invalid bool) app.UI {
				return app.Div().Body(
					app.Input().Type("text").ID(id).Name(rules.FieldLocation).Value(r.Location).List("locations").
						Placeholder(placeholderOr(f.facts.WorkspaceLocation, "the workspace's location")).
						Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).AutoComplete(false).Spellcheck(false).
						OnInput(f.set(rules.FieldLocation, func(v string) { f.req.Location = strings.ToLower(strings.TrimSpace(v)) })),
					app.DataList().ID("locations").Body(
						app.Range(f.locationChoices()).Slice(func(i int) app.UI {
							l := f.locationChoices()[i]
							return app.Option().Value(l.Name).Text(l.DisplayName)
						}),
					),
				)
			}),
			f.field(rules.FieldVMSize, "VM size", "Type or pick; the list is the sizes of "+placeholderOr(loc, "the location")+".", func(id, desc string, invalid bool) app.UI {
				return app.Div().Body(
					app.Input().Type("text").ID(id).Name(rules.FieldVMSize).Value(r.VMSize).Placeholder(rules.DefaultVMSize).List("vm-sizes").
						Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).AutoComplete(false).Spellcheck(false).
						OnInput(f.set(rules.FieldVMSize, func(v string) { f.req.VMSize = strings.TrimSpace(v) })),
					app.DataList().ID("vm-sizes").Body(
						app.Range(sizes).Slice(func(i int) app.UI {
							s := sizes[i]
							return app.Option().Value(s.Name).Text(sizeLabel(s))
						}),
					),
				)
			}),
			f.field(rules.FieldNodeCount, "Node count", "", func(id, desc string, invalid bool) app.UI {
				return app.Input().Type("text").Attr("inputmode", "numeric").ID(id).Name(rules.FieldNodeCount).Value(f.nodeText).
					Placeholder("%d", rules.DefaultNodeCount).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
					AutoComplete(false).OnInput(f.set(rules.FieldNodeCount, func(v string) { f.nodeText = v }))
			}),
			f.meter(),
			f.versionsTable(),
		),
		app.Details().ID("network").Open(!n.IsZero()).Body(
			app.Summary().Text("Virtual network (optional: all six settings or none)"),
			f.text(rules.FieldVnetRG, "Virtual network resource group", n.VnetResourceGroup, "network-rg", "", func(v string) { f.req.Network.VnetResourceGroup = v }),
			f.text(rules.FieldVnetName, "Virtual network name", n.VnetName, "ml-vnet", "", func(v string) { f.req.Network.VnetName = v }),
			f.text(rules.FieldSubnetName, "Subnet name", n.SubnetName, "aks-subnet", "", func(v string) { f.req.Network.SubnetName = v }),
			f.text(rules.FieldServiceCIDR, "Service CIDR", n.ServiceCIDR, "10.0.0.0/16", "Must not overlap the subnet or the docker bridge.", func(v string) { f.req.Network.ServiceCIDR = strings.TrimSpace(v) }),
			f.text(rules.FieldDNSServiceIP, "DNS service IP", n.DNSServiceIP, "10.0.0.10", "Inside the service CIDR, not its .1.", func(v string) { f.req.Network.DNSServiceIP = strings.TrimSpace(v) }),
			f.text(rules.FieldDockerBridge, "Docker bridge CIDR", n.DockerBridgeCIDR, "172.17.0.1/16", "", func(v string) { f.req.Network.DockerBridgeCIDR = strings.TrimSpace(v) }),
		),
	)
}

// builtinLocations are the regions the picker offers until the proxy has
// said which the subscription can use.
var builtinLocations = func() []rules.Location {
	out := make([]rules.Location, 0, len(rules.RegionPairs))
	for r, pair := range rules.RegionPairs {
		out = append(out, rules.Location{Name: r, Paired: pair})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}()

func (f *Form) locationChoices() []rules.Location {
	if len(f.locations) > 0 {
		return f.locations
	}
	return builtinLocations
}

func placeholderOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func sizeLabel(s rules.VMSize) string {
	l := fmt.Sprintf("%d vCPUs, %g GB", s.VCPUs, s.MemoryGB)
	if s.GPUs > 0 {
		l += fmt.Sprintf(", %d GPU", s.GPUs)
	}
	if s.FPGA {
		l += ", FPGA"
	}
	return l
}

// meter shows nodes × cores against the purpose's minimum (P2, P3, T5).
func (f *Form) meter() app.UI {
	r := f.request().Normalized(f.facts.WorkspaceLocation)
	need := rules.MinVCPUs(r.Purpose)
	var have int
	var text string
	if r.Mode == rules.ModeAttach {
		cl := f.facts.Cluster
		if cl == nil {
			return app.Div().ID("vcpu-meter").Class("meter empty")
		}
		have = cl.VCPUs()
		text = fmt.Sprintf("%d of %d vCPUs over the cluster's node pools", have, need)
	} else {
		sizes := f.facts.VMSizes
		if sizes == nil {
			sizes = rules.Catalog
		}
		size, ok := rules.FindVMSize(sizes, r.VMSize)
		if !ok || r.NodeCount <= 0 {
			return app.Div().ID("vcpu-meter").Class("meter empty")
		}
		have = r.NodeCount * size.VCPUs
		text = fmt.Sprintf("%d of %d vCPUs: %d nodes × %d cores of %s", have, need, r.NodeCount, size.VCPUs, size.Name)
		if have < need {
			text += fmt.Sprintf(" — %d nodes would pass", rules.MinNodes(r.Purpose, size))
		}
	}
	cls := "meter ok"
	if have < need {
		cls = "meter short"
	}
	return app.Div().ID("vcpu-meter").Class(cls).Body(
		app.Meter().Attr("min", 0).Attr("max", max(need*2, have)).Attr("low", need).Attr("optimum", need*2).Attr("value", have).Aria("label", "vCPUs"),
		app.Span().Text(text),
	)
}

// versionsTable shows the location's Kubernetes versions (K4).
func (f *Form) versionsTable() app.UI {
	vs := append([]rules.KubernetesVersion(nil), f.facts.Versions...)
	if len(vs) == 0 {
		return app.Div().ID("versions").Class("empty")
	}
	sort.Slice(vs, func(i, j int) bool { return rules.CompareVersions(vs[i].Version, vs[j].Version) > 0 })
	mark := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	return app.Details().ID("versions").Body(
		app.Summary().Text("Kubernetes versions of this location"),
		app.Table().Class("versions").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text("Version"), app.Th().Text("Default"), app.Th().Text("Preview"), app.Th().Text("Upgrades"))),
			app.TBody().Body(app.Range(vs).Slice(func(i int) app.UI {
				v := vs[i]
				up := strings.Join(v.Upgrades, ", ")
				if up == "" {
					up = "None available"
				}
				return app.Tr().Body(app.Td().Text(v.Version), app.Td().Text(mark(v.Default)), app.Td().Text(mark(v.Preview)), app.Td().Text(up))
			})),
		),
	)
}

func (f *Form) renderAttachFields() app.UI {
	t := f.req.Target
	opts := []option{{"", "Choose a cluster, or give its resource ID below"}}
	for _, c := range f.clusters {
		label := fmt.Sprintf("%s (%s, %s, Kubernetes %s, %s load balancer", c.Name, c.ResourceGroup, c.Location, c.Version, orDash(c.LoadBalancerSKU))
		if c.Private {
			label += ", private"
		}
		if len(c.AuthorizedIPRanges) > 0 {
			label += ", authorized ranges"
		}
		opts = append(opts, option{strings.ToLower(c.ID), label + ")"})
	}
	picked := ""
	if id, ok := f.req.TargetID(); ok && t.ResourceID == "" {
		picked = strings.ToLower(id)
	}
	return app.FieldSet().Body(
		app.Legend().Text("Cluster to attach"),
		f.selectField(rules.FieldTargetName, "Cluster", picked, "The clusters of the workspace's subscription.", opts, func(v string) {
			for _, c := range f.clusters {
				if strings.ToLower(c.ID) == v {
					f.req.Target = rules.Target{ResourceGroup: c.ResourceGroup, Name: c.Name}
					if !strings.EqualFold(c.Subscription, f.req.Workspace.Subscription) {
						f.req.Target = rules.Target{ResourceID: c.ID}
					}
					return
				}
			}
			f.req.Target = rules.Target{}
		}),
		f.text(rules.FieldTargetID, "Or the cluster's resource ID", t.ResourceID, "/subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerService/managedClusters/…", "", func(v string) {
			f.req.Target.ResourceID = strings.TrimSpace(v)
			if v != "" {
				f.req.Target.ResourceGroup, f.req.Target.Name = "", ""
			}
		}),
		findingsList("f-target-findings", f.visible(rules.FieldTarget)),
		findingsList("f-target-resourceGroup-findings", f.visible(rules.FieldTargetRG)),
		f.meter(),
		f.clusterFacts(),
		f.versionsTable(),
	)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// clusterFacts shows the attach target's version against the location's default.
func (f *Form) clusterFacts() app.UI {
	cl := f.facts.Cluster
	if cl == nil {
		return app.Div().ID("cluster-facts").Class("empty")
	}
	def, _ := rules.DefaultVersion(f.facts.Versions)
	return app.Dl().ID("cluster-facts").Class("facts").Body(
		app.Dt().Text("Kubernetes"), app.Dd().Text(cl.Version+" (the location's default is "+orDash(def.Version)+")"),
		app.Dt().Text("Load balancer"), app.Dd().Text(orDash(cl.LoadBalancerSKU)),
		app.Dt().Text("Authorized IP ranges"), app.Dd().Text(orDash(strings.Join(cl.AuthorizedIPRanges, ", "))),
		app.Dt().Text("Node pools"), app.Dd().Text(poolsText(cl.Pools)),
	)
}

func poolsText(ps []rules.Pool) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s: %d × %s", p.Name, p.Count, p.VMSize))
	}
	return orDash(strings.Join(parts, "; "))
}

// renderEndpoint is the load balancer and TLS part, common to both modes.
func (f *Form) renderEndpoint() app.UI {
	r := f.req
	tlsMode := r.TLS.Mode
	if tlsMode == "" {
		tlsMode = rules.TLSDisabled
	}
	radio := func(value rules.TLSMode, label string) app.UI {
		id := "tls-" + string(value)
		return app.Label().For(id).Class("radio").Body(
			app.Input().Type("radio").ID(id).Name("tls.mode").Value(string(value)).Checked(tlsMode == value).
				OnChange(f.set(rules.FieldTLSMode, func(v string) { f.req.TLS.Mode = rules.TLSMode(v) })),
			app.Text(" "+label),
		)
	}
	return app.FieldSet().Body(
		app.Legend().Text("Scoring endpoint"),
		f.selectField(rules.FieldLBType, "Load balancer", string(r.LoadBalancer.Type), "",
			[]option{{"", "Public IP (default)"}, {"PublicIp", "Public IP"}, {"InternalLoadBalancer", "Internal load balancer"}},
			func(v string) { f.req.LoadBalancer.Type = rules.LoadBalancerType(v) }),
		app.If(r.LoadBalancer.Type == rules.LoadBalancerInternal || r.LoadBalancer.Subnet != "", func() app.UI {
			return f.text(rules.FieldLBSubnet, "Load balancer subnet", r.LoadBalancer.Subnet, "aks-subnet", "", func(v string) { f.req.LoadBalancer.Subnet = v })
		}),
		app.Div().Class("field").Attr("role", "radiogroup").Aria("labelledby", "tls-label").Body(
			app.Span().ID("tls-label").Class("label").Text("TLS"),
			radio(rules.TLSDisabled, "Disabled"),
			radio(rules.TLSCustom, "My certificate"),
			radio(rules.TLSMicrosoft, "Microsoft certificate"),
			findingsList(fieldID(rules.FieldTLSMode)+"-findings", f.visible(rules.FieldTLSMode)),
		),
		app.If(tlsMode == rules.TLSCustom, func() app.UI {
			return app.Div().Body(
				f.textarea(rules.FieldTLSCert, "Certificate (PEM)", r.TLS.CertPEM, "-----BEGIN CERTIFICATE-----", "Kept in this page only: never in a link, an export or a log.", func(v string) { f.req.TLS.CertPEM = v }),
				f.textarea(rules.FieldTLSKey, "Private key (PEM)", r.TLS.KeyPEM, "-----BEGIN PRIVATE KEY-----", "Sent to Azure only when you submit.", func(v string) { f.req.TLS.KeyPEM = v }),
				f.text(rules.FieldTLSCNAME, "CNAME", r.TLS.CNAME, "scoring.contoso.com", "A name the certificate names.", func(v string) { f.req.TLS.CNAME = strings.TrimSpace(v) }),
			)
		}),
		app.If(tlsMode == rules.TLSMicrosoft, func() app.UI {
			return app.Div().Body(
				f.text(rules.FieldTLSLeaf, "Leaf domain label", r.TLS.LeafDomainLabel, "myservice", "", func(v string) { f.req.TLS.LeafDomainLabel = strings.TrimSpace(v) }),
				f.field(rules.FieldTLSOverwrite, "Overwrite an existing domain with this label", "", func(id, desc string, invalid bool) app.UI {
					return app.Input().Type("checkbox").ID(id).Checked(r.TLS.OverwriteExistingDomain).Aria("describedby", desc).
						OnChange(func(ctx app.Context, e app.Event) {
							f.req.TLS.OverwriteExistingDomain = ctx.JSSrc().Get("checked").Bool()
							f.touched[rules.FieldTLSOverwrite] = true
							f.revalidate(ctx)
						})
				}),
			)
		}),
	)
}

// OnMount loads the clusters for the attach picker.
func (f *Form) OnMount(ctx app.Context) {
	f.self = ctx
	ctx.Async(func() {
		cfg, err := loadConfig()
		if err != nil {
			return
		}
		var query string
		if cfg.DefaultSubscription != "" {
			query = "?" + url.Values{"subscription": {cfg.DefaultSubscription}}.Encode()
		}
		var cl struct {
			Clusters []rules.Cluster `json:"clusters"`
		}
		var locs struct {
			Locations []rules.Location `json:"locations"`
		}
		clErr := call("GET", "/api/clusters"+query, nil, &cl)
		locErr := call("GET", "/api/locations"+query, nil, &locs)
		ctx.Dispatch(func(ctx app.Context) {
			if clErr == nil {
				f.clusters = cl.Clusters
			}
			if locErr == nil {
				f.locations = locs.Locations
			}
		})
	})
}

// review shows every error, or moves on to the review step.
func (f *Form) review(ctx app.Context) {
	f.showAll = true
	f.revalidate(ctx)
	if errs := f.findings.Errors(); len(errs) > 0 {
		id := fieldID(errs[0].Field)
		ctx.Defer(func(ctx app.Context) {
			doc := app.Window().Get("document")
			el := doc.Call("getElementById", id)
			if !el.Truthy() {
				el = doc.Call("getElementById", "summary")
			}
			if el.Truthy() {
				el.Call("focus")
				el.Call("scrollIntoView", map[string]any{"block": "center"})
			}
		})
		return
	}
	f.reviewing = true
	if f.exportTab == "" {
		f.exportTab = "cli"
	}
	f.self.Defer(func(ctx app.Context) {
		if el := app.Window().GetElementByID("review-title"); el.Truthy() {
			el.Call("focus") // screen readers and keyboards land on the new step
		}
	})
}

// copyLink copies the share link: every non-secret field.
func (f *Form) copyLink(ctx app.Context, e app.Event) {
	href := app.Window().Get("location").Get("href").String()
	u, err := url.Parse(href)
	if err == nil {
		q := u.Query()
		q.Del("embed")
		u.RawQuery = q.Encode()
		href = u.String()
	}
	copyText(href)
	f.copied, f.shareURL = "link", href
}

func copyText(s string) {
	if !app.IsClient {
		return
	}
	if cb := app.Window().Get("navigator").Get("clipboard"); cb.Truthy() {
		cb.Call("writeText", s).Call("catch", app.FuncOf(func(app.Value, []app.Value) any { return nil }))
	}
}
