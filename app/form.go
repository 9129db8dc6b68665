package app

import (
	"net/url"
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

	loading  bool // the workspaces are on their way (and always, before the wasm runs)
	req      rules.Request
	nodeText string
	tagsText string
	// nodeSelText and rangesText are the Kubernetes compute's node
	// selector and API server ranges as typed.
	nodeSelText string
	rangesText  string
	// gpuOn says the create adds a GPU node pool; gpuCountText is its node
	// count as typed.
	gpuOn        bool
	gpuCountText string
	linkFinds    rules.Findings

	facts        rules.Facts
	prices       rules.PriceList
	pricesLoc    string
	sizeFilter   string
	sizesOpen    bool // the VM size table is open: its rows are rendered only then
	listsOn      bool // the location or VM size box has had the focus: their suggestions are rendered from then on
	fileErr      map[string]string
	factsKey     string
	factsLoading bool
	factsErr     string
	factsWait    int  // the debounce generation: a fetch waits for the typing to stop
	settleNow    bool // the change came from a settled field (a pick, a blur, the load)

	findings rules.Findings
	touched  map[string]bool
	showAll  bool

	reviewing  bool
	exportTab  string
	exports    rules.ExportsBody // the proxy's exports of the request under review
	exportsErr string
	exportsGen int  // the review's generation: an answer for an older one is dropped
	preparing  bool // the review waits for the proxy's exports
	submitting bool
	submitErr  *rules.Error
	copied     string
	shareURL   string
	self       app.Context // the component's own context: a control's dies with the control
	initURL    string      // the URL OnInit read, so the first OnNav does not read it again

	// clustersAsked and locationsAsked say the attach picker's clusters
	// and the location suggestions have been asked for (wantClusters).
	clustersAsked, locationsAsked bool
	lastLink                      string // the query the address bar was last given
}

// OnInit reads the request from the page's URL before the wasm's first
// render, so that render is already the form the URL asks for: without it
// go-app mounts an empty form, then OnNav fills it in and the whole form is
// rendered and diffed a second time before the page can take a keystroke
// (issue 13). The server has no window: it reads the URL in OnNav.
func (f *Form) OnInit() {
	if !app.IsClient {
		return
	}
	u := app.Window().URL()
	f.readURL(u)
	f.loading = true
	f.findings = f.computeFindings(f.request())
	f.initURL = u.String()
}

// OnNav reads the request from the URL: a share link opens prefilled and
// already validated, with bad values shown as findings.
func (f *Form) OnNav(ctx app.Context) {
	f.self = ctx
	u := ctx.Page().URL()
	if f.initURL == "" || f.initURL != u.String() {
		f.readURL(u)
	}
	f.initURL = ""
	f.loading = true
	f.setTitle(ctx)
	f.revalidate(ctx)
	if !app.IsClient {
		return // no fetch before the wasm runs: the page shows it is loading
	}
	// The form can validate what is typed from its first render on: the
	// rules run here, in the browser. Ready says so, once this state is on
	// the screen; the load below fills in the workspaces and Azure's facts
	// in place, never rebuilding the form (pageStatus), so a keystroke
	// typed from here on lands. data-loaded says the load is done.
	ctx.Defer(func(app.Context) {
		app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
	})
	f.load(ctx)
	if f.req.Mode == rules.ModeAttach {
		f.wantClusters(ctx)
	}
}

// readURL sets the form from a page URL.
func (f *Form) readURL(u *url.URL) {
	f.embed = embedded(u)
	f.lastLink = "" // the address bar holds u now
	query := u.Query()
	if app.IsServer {
		// Pre-rendered for crawlers and slow phones: the mode only. The
		// link's values are read by the page itself, once it runs.
		query = url.Values{}
		if m := u.Query().Get("mode"); m == string(rules.ModeAttach) {
			query.Set("mode", m)
		}
		if k := u.Query().Get("kind"); k == string(rules.KindAKS) || k == string(rules.KindKubernetes) {
			query.Set("kind", k)
		}
	}
	req, finds := rules.DecodeLink(query, "embed")
	if req.Mode == "" {
		req.Mode = rules.ModeCreate
	}
	if req.Kind == "" && newRequest(query) {
		// A new request is a Kubernetes compute, as Azure ML recommends; a
		// link without a kind was made before v2 and keeps its legacy kind.
		req.Kind = rules.KindKubernetes
	}
	f.req, f.linkFinds = req, finds
	f.nodeText = ""
	if req.NodeCountGiven() {
		f.nodeText = strconv.Itoa(req.NodeCount)
	} else if v := query.Get("nodes"); v != "" {
		f.nodeText = v
	}
	f.tagsText = tagsToText(req.Tags)
	f.nodeSelText = rules.NodeSelectorText(req.Kubernetes.NodeSelector, "\n")
	if f.nodeSelText != "" {
		f.nodeSelText += "\n"
	}
	if v := query.Get("nodeSelector"); v != "" && len(req.Kubernetes.NodeSelector) == 0 {
		f.nodeSelText = v // keep what the link says, so the page shows what is wrong with it
	}
	f.rangesText = strings.Join(req.Kubernetes.AuthorizedIPRanges, "\n")
	f.gpuOn, f.gpuCountText = !req.Kubernetes.GPUPool.IsZero(), query.Get("gpuNodes")
	if n := req.Kubernetes.GPUPool.Count; n > 0 {
		f.gpuCountText = strconv.Itoa(n)
	}
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
}

// load asks the proxy for the config and the workspaces, then settles the
// form with them.
func (f *Form) load(ctx app.Context) {
	// The config and the workspaces are asked for at once; the loader
	// script (web/loader.js) has usually asked already, before the wasm
	// arrived, and call takes its answers.
	ctx.Async(func() {
		var (
			cfg  config
			err  error
			werr error
			wss  rules.WorkspaceList
			done = make(chan struct{})
		)
		go func() { cfg, err = loadConfig(); close(done) }()
		werr = call("GET", rules.PathWorkspaces, nil, &wss)
		<-done
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
			f.settle(ctx)
			ctx.Defer(func(app.Context) {
				app.Window().Get("document").Get("body").Call("setAttribute", "data-loaded", "1")
			})
		})
	})
}

// factsDebounce is how long the facts wait after the last keystroke in a
// field they depend on (location, attach target): typing "westus2" asks
// Azure once, not seven times.
const factsDebounce = 300 * time.Millisecond

// settle revalidates after a change that is done (a pick, a field left, the
// page's load): facts that depend on it are fetched at once.
func (f *Form) settle(ctx app.Context) {
	f.settleNow = true
	f.revalidate(ctx)
	f.settleNow = false
}

// revalidate recomputes the findings, keeps the URL in step, and fetches
// fresh facts when what they depend on changed.
func (f *Form) revalidate(ctx app.Context) {
	req := f.request()
	f.findings = f.computeFindings(req)
	if app.IsClient {
		q := f.link(req)
		if f.embed {
			q.Set("embed", "1")
		}
		// The address bar follows the form, but only when the link changed:
		// replaceState is a same-document navigation for the browser, some
		// milliseconds on every answer and keystroke that changed nothing in it.
		if link := "?" + q.Encode(); link != f.lastLink {
			f.lastLink = link
			app.Window().Get("history").Call("replaceState", nil, "", link)
		}
		ctx.Defer(func(app.Context) { syncSelects(); f.postHeight() })
	}
	key := factsKey(req)
	if key == f.factsKey || !app.IsClient || f.loading {
		return // the load fetches the facts once the workspaces are known
	}
	if f.self.Src() != nil {
		ctx = f.self
	}
	if !f.settleNow {
		f.factsWait++
		wait := f.factsWait
		ctx.After(factsDebounce, func(ctx app.Context) {
			if wait == f.factsWait {
				f.settle(ctx)
			}
		})
		return
	}
	f.factsWait++ // a fetch now cancels the one waiting
	f.factsKey, f.factsLoading, f.factsErr = key, true, ""
	probe := req.Redacted()
	probe.TLS = rules.TLS{}
	if !regionShaped(probe.Location) {
		probe.Location = "" // the rules say W2 here; the proxy would refuse the probe
	}
	ctx.Async(func() {
		var facts rules.Facts
		err := call("POST", rules.PathFacts, probe, &facts)
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

// computeFindings is what the form and the rules find in req.
func (f *Form) computeFindings(req rules.Request) rules.Findings {
	return mergeFindings(f.localFindings(), rules.Validate(req, f.facts))
}

// factsKey names what the facts depend on: mode, kind, workspace, location, target.
func factsKey(r rules.Request) string {
	id, _ := r.TargetID()
	if r.Mode != rules.ModeAttach {
		id = ""
	}
	loc := r.Location
	if r.Mode == rules.ModeAttach || !regionShaped(loc) {
		loc = ""
	}
	return strings.Join([]string{string(r.Mode), string(r.Kind), r.Workspace.ID(), loc, strings.ToLower(id)}, "|")
}

// request is the request as the form holds it, without the other mode's fields.
func (f *Form) request() rules.Request {
	r := f.req.WithoutNodeCount()
	if n, err := strconv.Atoi(strings.TrimSpace(f.nodeText)); err == nil {
		r = r.WithNodeCount(n) // a typed 0 stays 0, which P5 refuses; an empty box is the default
	}
	r.Tags, _ = parseTags(f.tagsText)
	if r.Kind == rules.KindKubernetes {
		r.Kubernetes.NodeSelector, _ = rules.ParseNodeSelector(f.nodeSelText)
		r.Kubernetes.AuthorizedIPRanges = rules.SplitList(f.rangesText)
		// What only a legacy AKS compute has is not shown, so not sent.
		r.TLS.LeafDomainLabel, r.TLS.OverwriteExistingDomain, r.LoadBalancer.Subnet = "", false, ""
		r.Kubernetes.GPUPool = rules.GPUPool{}
		if f.gpuOn && r.Mode != rules.ModeAttach {
			r.Kubernetes.GPUPool = f.gpuPool()
		}
		if r.Mode == rules.ModeAttach {
			r.Kubernetes.Version, r.Kubernetes.AuthorizedIPRanges = "", nil
		}
	} else {
		r.Kubernetes = rules.Kubernetes{} // only a Kubernetes compute has these settings
	}
	if r.Mode == rules.ModeAttach {
		r.Location, r.VMSize, r.Network = "", "", rules.Network{}
		r = r.WithoutNodeCount()
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
		out = append(out, rules.Finding{Code: rules.CodeTags, Field: rules.FieldTags, Severity: rules.SeverityError,
			Message: "These lines are not name=value: " + strings.Join(bad, ", ") + ".", Fix: "Write one tag a line, as name=value."})
	}
	if dups := duplicateTags(f.tagsText); len(dups) > 0 {
		out = append(out, rules.Finding{Code: rules.CodeTags, Field: rules.FieldTags, Severity: rules.SeverityError,
			Message: "These tags are given more than once: " + strings.Join(dups, ", ") + ". Azure keeps one value for each name.", Fix: "Give each tag name once."})
	}
	_ = tags
	if f.v2() {
		if _, bad := rules.ParseNodeSelector(f.nodeSelText); len(bad) > 0 {
			out = append(out, rules.Finding{Code: rules.CodeNodeSelector, Field: rules.FieldNodeSelector, Severity: rules.SeverityError,
				Message: "These lines are not key=value: " + strings.Join(bad, ", ") + ".", Fix: "Write one label a line, as key=value, such as agentpool=inference."})
		}
	}
	for _, lf := range f.linkFinds {
		if lf.Field == rules.FieldNodeCount && f.nodeText != "" {
			continue // the form shows the raw value's own finding
		}
		if lf.Field == rules.FieldNodeSelector && f.nodeSelText != "" {
			continue // the node selector box holds the link's text, and says what is wrong with it
		}
		if lf.Field == rules.FieldTags && f.tagsText != "" {
			continue // the tags box holds the link's tags, and says what is wrong with them
		}
		out = append(out, lf)
	}
	return out
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
	if t := strings.TrimSpace(f.gpuCountText); f.gpuOn && t != "" && req.Mode == rules.ModeCreate {
		if _, err := strconv.Atoi(t); err != nil {
			q.Set("gpuNodes", t) // the link keeps what was typed, and says what is wrong with it
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

// Render draws the form, or the review step.
func (f *Form) Render() app.UI {
	active := "create"
	if f.req.Mode == rules.ModeAttach {
		active = "attach"
	}
	return layout(f.embed, f.cfg.Backend, active, f.req.Workspace,
		pageStatus(f.loadErr, f.loading, "Loading your workspaces…"),
		app.If(f.reviewing, f.renderReview).Else(f.renderForm),
	)
}

func (f *Form) renderForm() app.UI {
	r := f.req
	create := r.Mode != rules.ModeAttach
	title := formTitle(r)
	return app.Elem("form").ID("request-form").Class("request").Attr("novalidate", true).
		OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); f.review(ctx) }).Body(
		app.Elem("h1").Text(title),
		f.summary(),
		f.kindPicker(),
		app.Elem("fieldset").Body(
			app.Elem("legend").Text("Workspace"),
			f.workspacePicker(),
			f.text(rules.FieldName, "Compute name", r.Name, "aks-prod", "3 to 24 letters, digits and hyphens; starts with a letter.", func(v string) { f.req.Name = v }),
			f.purposePicker(),
		),
		app.If(create, f.renderCreateFields).Else(f.renderAttachFields),
		app.If(f.v2(), f.renderKubernetesFields),
		f.renderEndpoint(),
		app.Elem("fieldset").Body(
			app.Elem("legend").Text("Description and tags"),
			f.text(rules.FieldDescription, "Description", r.Description, "optional", "", func(v string) { f.req.Description = v }),
			f.textarea(rules.FieldTags, "Tags", f.tagsText, "team=vision", "One tag a line, as name=value, such as team=vision and costCenter=1234.", func(v string) { f.tagsText = v }),
		),
		app.Elem("div").Class("actions").Body(
			app.Elem("button").ID("review").Attr("type", "submit").Class("primary").Aria("busy", strconv.FormatBool(f.preparing)).Text("Review"),
			app.Elem("button").ID("copy-link").Attr("type", "button").Text("Copy link").OnClick(f.copyLink),
			app.If(f.copied == "link", func() app.UI { return app.Elem("span").Class("copied").Attr("role", "status").Text("Link copied") }),
		),
		app.If(f.shareURL != "", func() app.UI {
			return app.Elem("div").Class("field").Body(
				app.Label().For("share-link").Text("Share link (no secrets)"),
				app.Input().Type("text").ID("share-link").ReadOnly(true).Value(f.shareURL),
			)
		}),
	)
}

// OnMount keeps the component's own context.
func (f *Form) OnMount(ctx app.Context) {
	f.self = ctx
}

// wantClusters asks the proxy, once, for the clusters of the attach picker:
// only an attach needs them, so a create page never asks (issue 13: every
// answer the page takes is a render, and every list costs ARM calls).
func (f *Form) wantClusters(ctx app.Context) {
	if !app.IsClient || f.clustersAsked {
		return
	}
	f.clustersAsked = true
	fetchList(f, ctx, rules.PathClusters, func(body *rules.ClusterList) { f.clusters = body.Clusters }, &rules.ClusterList{})
}

// wantLocations asks the proxy, once, for the subscription's regions, the
// location box's suggestions: when those are first shown.
func (f *Form) wantLocations(ctx app.Context) {
	if !app.IsClient || f.locationsAsked {
		return
	}
	f.locationsAsked = true
	fetchList(f, ctx, rules.PathLocations, func(body *rules.LocationList) { f.locations = body.Locations }, &rules.LocationList{})
}

// fetchList GETs one of the default subscription's lists and, when it
// comes, puts it in the form with put.
func fetchList[T any](f *Form, ctx app.Context, path string, put func(*T), body *T) {
	if f.self.Src() != nil {
		ctx = f.self
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
		if call("GET", path+query, nil, body) != nil {
			return
		}
		ctx.Dispatch(func(ctx app.Context) { put(body) })
	})
}

// review shows every error, or moves on to the review step.
func (f *Form) review(ctx app.Context) {
	f.showAll = true
	f.settle(ctx)
	if errs := inPageOrder(f.findings.Errors()); len(errs) > 0 {
		// Focus the first error as the page shows them, top to bottom.
		target := controlID(errs[0].Field)
		if !f.rendered(errs[0].Field) {
			target = "error-count"
		}
		ctx.Defer(func(ctx app.Context) { focusControl(target) })
		return
	}
	f.openReview(func(ctx app.Context) {
		f.reviewing = true
		f.setTitle(ctx)
		if !validExportTab(f.exportTab, f.req.Kind) {
			f.exportTab = "cli"
		}
		ctx.Defer(func(ctx app.Context) {
			if el := app.Window().GetElementByID("review-title"); el.Truthy() {
				el.Call("focus") // screen readers and keyboards land on the new step
			}
		})
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

// newRequest reports whether a query starts a new request: nothing in it
// but the page's own keys.
func newRequest(q url.Values) bool {
	for k := range q {
		if k != "mode" && k != "embed" {
			return false
		}
	}
	return true
}
