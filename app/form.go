package app

import (
	"errors"
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

	loading   bool // the workspaces are on their way (and always, before the wasm runs)
	req       rules.Request
	nodeText  string
	tagsText  string
	linkFinds rules.Findings

	facts        rules.Facts
	prices       rules.PriceList
	pricesLoc    string
	sizeFilter   string
	fileErr      map[string]string
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
	query := u.Query()
	if app.IsServer {
		// Pre-rendered for crawlers and slow phones: the mode only. The
		// link's values are read by the page itself, once it runs.
		query = url.Values{}
		if m := u.Query().Get("mode"); m == string(rules.ModeAttach) {
			query.Set("mode", m)
		}
	}
	req, finds := rules.DecodeLink(query, "embed")
	if req.Mode == "" {
		req.Mode = rules.ModeCreate
	}
	f.req, f.linkFinds = req, finds
	f.nodeText = ""
	if req.NodeCount > 0 {
		f.nodeText = strconv.Itoa(req.NodeCount)
	} else if v := query.Get("nodes"); v != "" {
		f.nodeText = v
	}
	f.tagsText = tagsToText(req.Tags)
	if raw := query["tag"]; len(raw) > 0 {
		// Keep what the link says, bad lines and repeats too, so the page
		// shows them as findings and the address bar keeps them.
		lines := make([]string, len(raw))
		for i, t := range raw {
			k, v, ok := strings.Cut(t, "=")
			if ok {
				t = strings.ReplaceAll(k, "%3D", "=") + "=" + v
			}
			lines[i] = t
		}
		f.tagsText = strings.Join(lines, "\n") + "\n"
	}
	f.touched, f.fileErr = map[string]bool{}, map[string]string{}
	f.showAll = len(finds) > 0 // a link is validated at once
	for k := range query {
		f.showAll = f.showAll || (k != "mode" && k != "embed")
	}
	f.reviewing, f.submitErr = false, nil
	f.loading = true
	f.setTitle(ctx)
	f.revalidate(ctx)
	if !app.IsClient {
		return // no fetch before the wasm runs: the page shows it is loading
	}
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
			f.cfg, f.loading = cfg, false
			watchHeight(cfg, f.embed)
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
	f.findings = mergeFindings(f.localFindings(), rules.Validate(req, f.facts))
	if app.IsClient {
		q := f.link(req)
		if f.embed {
			q.Set("embed", "1")
		}
		app.Window().Get("history").Call("replaceState", nil, "", "?"+q.Encode())
		ctx.Defer(func(app.Context) { syncSelects(); f.postHeight() })
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
	if !regionShaped(probe.Location) {
		probe.Location = "" // the rules say W2 here; the proxy would refuse the probe
	}
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
			if r := f.request(); r.Mode == rules.ModeCreate {
				f.loadPrices(ctx, r.Normalized(f.facts.WorkspaceLocation).Location)
			}
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
	if r.Mode == rules.ModeAttach || !regionShaped(loc) {
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
		if fd, ok := nodeTextFinding(t); !ok {
			out = append(out, fd)
		}
	}
	tags, bad := parseTags(f.tagsText)
	if len(bad) > 0 {
		out = append(out, rules.Finding{Code: "D2", Field: rules.FieldTags, Severity: rules.SeverityError,
			Message: "These lines are not name=value: " + strings.Join(bad, ", ") + ".", Fix: "Write one tag a line, as name=value."})
	}
	if dups := duplicateTags(f.tagsText); len(dups) > 0 {
		out = append(out, rules.Finding{Code: "D2", Field: rules.FieldTags, Severity: rules.SeverityError,
			Message: "These tags are given more than once: " + strings.Join(dups, ", ") + ". Azure keeps one value for each name.", Fix: "Give each tag name once."})
	}
	_ = tags
	for _, lf := range f.linkFinds {
		if lf.Field == rules.FieldNodeCount && f.nodeText != "" {
			continue // the form shows the raw value's own finding
		}
		if lf.Field == rules.FieldTags && f.tagsText != "" {
			continue // the tags box holds the link's tags, and says what is wrong with them
		}
		out = append(out, lf)
	}
	return out
}

func nodeTextOK(t string) bool { _, ok := nodeTextFinding(t); return ok }

// nodeTextFinding checks the node count as typed: a whole number (the rules
// check its range), and not 0, which the request cannot tell from "not
// given". It reports ok when the text is such a number.
func nodeTextFinding(t string) (rules.Finding, bool) {
	n, err := strconv.Atoi(t)
	fd := rules.Finding{Code: "P5", Field: rules.FieldNodeCount, Severity: rules.SeverityError,
		Fix: fmt.Sprintf("Type a whole number from 1 to %d, such as 3, or clear the field for the default of %d.", rules.MaxPoolNodes, rules.DefaultNodeCount)}
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		fd.Message = fmt.Sprintf("The node count %s is far more than AKS allows: at most %s in a node pool.", clipText(t), rules.Count(rules.MaxPoolNodes, "node"))
	case err != nil:
		fd.Message = fmt.Sprintf("The node count %q is not a whole number.", clipText(t))
	case n == 0:
		fd.Message = "The node count is 0; a cluster needs at least 1 node."
	default:
		return rules.Finding{}, true
	}
	return fd, false
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return s
}

// mergeFindings puts the form's own findings before the rules', leaving out
// a form finding the rules also make on the same field with the same code,
// so one mistake is said once.
func mergeFindings(local, ruled rules.Findings) rules.Findings {
	out := rules.Findings{}
	for _, l := range local {
		dup := false
		for _, r := range ruled {
			dup = dup || (r.Code == l.Code && r.Field == l.Field && r.Severity == l.Severity && l.Field != rules.FieldTags)
		}
		if !dup {
			out = append(out, l)
		}
	}
	return append(out, ruled...)
}

// link is the share link's query: every non-secret field as typed, so a
// value the form cannot use (a node count of "abc", a tag line without "=")
// goes into the link too and shows there as a finding, never dropped.
func (f *Form) link(req rules.Request) url.Values {
	q := rules.EncodeLink(req.Redacted())
	if t := strings.TrimSpace(f.nodeText); t != "" && req.Mode == rules.ModeCreate {
		if _, ok := nodeTextFinding(t); !ok {
			q.Set("nodes", t)
		}
	}
	if strings.TrimSpace(f.tagsText) != "" {
		q.Del("tag")
		for _, line := range strings.Split(f.tagsText, "\n") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			if k, v, ok := strings.Cut(line, "="); ok {
				line = strings.ReplaceAll(strings.TrimSpace(k), "=", "%3D") + "=" + strings.TrimSpace(v)
			}
			q.Add("tag", line)
		}
	}
	return q
}

// duplicateTags lists the tag names given on more than one line.
func duplicateTags(text string) []string {
	seen := map[string]int{}
	var dups []string
	for _, line := range strings.Split(text, "\n") {
		k, _, ok := strings.Cut(strings.TrimSpace(line), "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			continue
		}
		if seen[k]++; seen[k] == 2 {
			dups = append(dups, strconv.Quote(k))
		}
	}
	return dups
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
	var out rules.Findings
	for _, x := range f.findings.For(field) {
		switch {
		case x.Code == "P1" && x.Severity == rules.SeverityInfo:
			// The purpose picker itself says "Production (the default)".
		case f.showAll || f.touched[field]:
			out = append(out, x)
		case x.Severity == rules.SeverityWarning:
			out = append(out, x) // a warning shows at once; errors and notes once the field is used
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
		}).ElseIf(f.loading, func() app.UI {
			return app.P().ID("page-loading").Class("muted loading").Attr("role", "status").Text("Loading your workspaces…")
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
			f.textarea(rules.FieldTags, "Tags", f.tagsText, "team=vision", "One tag a line, as name=value, such as team=vision and costCenter=1234.", func(v string) { f.tagsText = v }),
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
	var errList rules.Findings
	for _, x := range f.findings {
		if x.Severity == rules.SeverityError && (f.showAll || f.touched[x.Field]) {
			errList = append(errList, x)
		}
	}
	errList = inPageOrder(errList)
	errs := len(errList)
	status := ""
	switch {
	case f.factsLoading:
		status = "Checking with Azure…"
	case f.factsErr != "":
		status = "Azure's facts are not available (" + f.factsErr + "); the checks use built-in defaults."
	}
	return app.Div().ID("summary").Class("summary").Attr("aria-live", "polite").Body(
		app.If(errs > 0, func() app.UI {
			return app.Div().Body(
				app.P().ID("error-count").Class("error").Attr("tabindex", "-1").Text(rules.Count(errs, "problem")+" to fix before review:"),
				app.Ul().ID("error-links").Class("error-links").Body(app.Range(errList).Slice(func(i int) app.UI {
					x := errList[i]
					target := controlID(x.Field)
					// A button, not an anchor: go-app turns a click on "#id" into a navigation.
					return app.Li().Body(app.Button().Type("button").Class("link error-link").DataSet("target", target).
						Text(fieldLabel(x.Field) + ": " + x.Message).
						OnClick(func(ctx app.Context, e app.Event) { focusControl(ctx.JSSrc().Get("dataset").Get("target").String()) }))
				})),
			)
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

func (f *Form) selectField(field, label, value, hint string, opts []option, put func(string)) app.UI {
	return f.field(field, label, hint, func(id, desc string, invalid bool) app.UI {
		known := false
		for _, o := range opts {
			known = known || o.value == value
		}
		if !known && value != "" {
			opts = append([]option{{value, value + " (not a known choice)"}}, opts...)
		}
		return selectUI(value, opts).ID(id).Name(field).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
			OnChange(f.set(field, put))
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
	value := string(f.req.Purpose)
	if f.req.Purpose == rules.PurposeFastProd {
		value = "" // the default is FastProd: one choice, not two
	}
	return f.selectField(rules.FieldPurpose, "Cluster purpose", value, "Production needs at least 12 vCPUs and 3 nodes; dev/test at least 2 vCPUs.",
		purposeOptions, func(v string) { f.req.Purpose = rules.Purpose(v) })
}

func (f *Form) renderCreateFields() app.UI {
	r := f.req
	loc := r.Location
	if loc == "" {
		loc = f.facts.WorkspaceLocation
	}
	sizes := f.vmSizes()
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
							label := sizeLabel(s)
							if m, ok := f.prices.Monthly(s.Name, 1); ok {
								label += ", " + money(m, f.prices.Currency) + " a month"
							}
							return app.Option().Value(s.Name).Text(label)
						}),
					),
				)
			}),
			f.field(rules.FieldNodeCount, "Node count", "", func(id, desc string, invalid bool) app.UI {
				return app.Input().Type("text").Attr("inputmode", "numeric").ID(id).Name(rules.FieldNodeCount).Value(f.nodeText).
					Placeholder("%d", rules.DefaultNodeCount).Aria("invalid", strconv.FormatBool(invalid)).Aria("describedby", desc).
					AutoComplete(false).OnInput(f.set(rules.FieldNodeCount, func(v string) { f.nodeText = v }))
			}),
			f.sizeTable(sizes, loc),
			f.meter(),
			f.cost(),
			f.versionsTable(),
		),
		openIf(app.Details().ID("network"), !n.IsZero()).Body(
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

// vmSizes are the location's VM sizes from Azure, or the built-in catalogue.
func (f *Form) vmSizes() []rules.VMSize {
	if f.facts.VMSizes != nil {
		return f.facts.VMSizes
	}
	return rules.Catalog
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
		if !ok {
			return app.Div().ID("vcpu-meter").Class("meter empty")
		}
		if t := strings.TrimSpace(f.nodeText); r.NodeCount < 1 || r.NodeCount > rules.MaxPoolNodes || (t != "" && !nodeTextOK(t)) {
			// Never a count from a node count the rules refuse.
			return app.Div().ID("vcpu-meter").Class("meter short").DataSet("state", "invalid").Body(
				app.Span().Text(fmt.Sprintf("No vCPU count until the node count is a whole number from 1 to %d.", rules.MaxPoolNodes)),
			)
		}
		have = r.NodeCount * size.VCPUs
		text = fmt.Sprintf("%d of %d vCPUs: %s × %s of %s", have, need, rules.Count(r.NodeCount, "node"), rules.Count(size.VCPUs, "core"), size.Name)
		if have < need {
			text += fmt.Sprintf(" — %s would pass", rules.Count(rules.MinNodes(r.Purpose, size), "node"))
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
			checkedIf(app.Input().Type("radio").ID(id).Name("tls.mode").Value(string(value)), tlsMode == value).
				OnChange(f.set(rules.FieldTLSMode, func(v string) { f.req.TLS.Mode = rules.TLSMode(v) })),
			app.Text(" "+label),
		)
	}
	return app.FieldSet().Body(
		app.Legend().Text("Scoring endpoint"),
		f.selectField(rules.FieldLBType, "Load balancer", lbValue(r.LoadBalancer.Type), "", lbOptions,
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
				f.textarea(rules.FieldTLSCert, "Certificate (PEM)", r.TLS.CertPEM, "-----BEGIN CERTIFICATE-----", "Paste it, or choose its file below. Kept in this page only: never in a link, an export or a log.", func(v string) { f.req.TLS.CertPEM = v }),
				f.fileInput(rules.FieldTLSCert, "Or choose the certificate file", func(v string) { f.req.TLS.CertPEM = v }),
				f.textarea(rules.FieldTLSKey, "Private key (PEM)", r.TLS.KeyPEM, "-----BEGIN PRIVATE KEY-----", "Paste it, or choose its file below. Sent to Azure only when you submit.", func(v string) { f.req.TLS.KeyPEM = v }),
				f.fileInput(rules.FieldTLSKey, "Or choose the key file", func(v string) { f.req.TLS.KeyPEM = v }),
				f.text(rules.FieldTLSCNAME, "CNAME", r.TLS.CNAME, "scoring.contoso.com", "A name the certificate names.", func(v string) { f.req.TLS.CNAME = strings.TrimSpace(v) }),
			)
		}),
		app.If(tlsMode == rules.TLSMicrosoft, func() app.UI {
			return app.Div().Body(
				f.text(rules.FieldTLSLeaf, "Leaf domain label", r.TLS.LeafDomainLabel, "myservice", "", func(v string) { f.req.TLS.LeafDomainLabel = strings.TrimSpace(v) }),
				f.field(rules.FieldTLSOverwrite, "Overwrite an existing domain with this label", "", func(id, desc string, invalid bool) app.UI {
					return checkedIf(app.Input().Type("checkbox").ID(id), r.TLS.OverwriteExistingDomain).Aria("describedby", desc).
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
	if !app.IsClient {
		return
	}
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
	if errs := inPageOrder(f.findings.Errors()); len(errs) > 0 {
		// Focus the first error as the page shows them, top to bottom.
		target := controlID(errs[0].Field)
		if !f.rendered(errs[0].Field) {
			target = "error-count"
		}
		ctx.Defer(func(ctx app.Context) { focusControl(target) })
		return
	}
	f.reviewing = true
	f.setTitle(ctx)
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
