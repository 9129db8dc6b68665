package app

import (
	"fmt"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// Progress is the page of one create or attach
// (/progress/{subscription}/{resourceGroup}/{workspace}/{name}). It reads the
// state from the proxy, which reads it from Azure, so a reload or the same
// URL elsewhere shows the same operation.
type Progress struct {
	app.Compo

	embed    bool
	cfg      config
	ref      rules.WorkspaceRef
	name     string
	opPath   string // the API path of the operation's state
	state    *rules.OperationState
	err      string
	fetched  time.Time
	stop     bool
	notified bool
	self     app.Context // the component's own context: a button's dies with the button

	cleaning bool // a cleanup is on its way
	cleaned  bool // Azure accepted the cleanup
	removed  bool // the failed compute is gone
	missing  bool // Azure knows no such compute: polling stopped
	retrying bool // a retry of a failed v2 step is on its way
	kick     int  // polls to make even when the state says done: a retry or cleanup has just started
}

// handedOver is the answer to the write the page sent last (review.go,
// migrate.go), handed to the progress page it navigates to.
var handedOver rules.Accepted

// follow navigates to the progress page of an accepted write and hands it
// the answer, so that page follows the operation the proxy named.
func follow(ctx app.Context, a rules.Accepted, embed bool) {
	handedOver = a
	ctx.Navigate(keepEmbed(a.Page, embed))
}

// progressTarget is the compute a progress page shows and the API path of
// its operation. On the page of the Accepted handed over, that is the
// Accepted's Operation; on any other (a pasted or reloaded link), one built
// from the page's path by rules, which parses the path in either case.
func progressTarget(escapedPath string, handed rules.Accepted) (ref rules.WorkspaceRef, name, operation string) {
	ref, name, _ = rules.ParseProgressPage(escapedPath)
	if handed.Operation != "" && handed.Page == escapedPath {
		return ref, name, handed.Operation
	}
	return ref, name, rules.OperationPath(ref, name)
}

// OnNav reads the operation from the URL (or the write's answer) and starts polling.
func (p *Progress) OnNav(ctx app.Context) {
	p.self = ctx
	u := ctx.Page().URL()
	p.embed = embedded(u)
	p.ref, p.name, p.opPath = progressTarget(u.EscapedPath(), handedOver)
	p.stop, p.missing = false, false
	// The path's compute name reaches the title only when it has a name's
	// shape: a crafted link never writes its text into the tab.
	title := "Compute"
	if len(rules.CheckNameShape(p.name)) == 0 {
		title += " " + p.name
	}
	ctx.Page().SetTitle("%s", pageTitle(title))
	if !app.IsClient {
		return // no fetch before the wasm runs
	}
	ctx.Async(func() {
		cfg, _ := loadConfig()
		ctx.Dispatch(func(ctx app.Context) { p.cfg = cfg; watchHeight(cfg, p.embed) })
	})
	p.poll(ctx)
}

// OnDismount stops polling.
func (p *Progress) OnDismount() { p.stop = true }

func (p *Progress) poll(ctx app.Context) {
	if p.stop || !app.IsClient {
		return
	}
	path := p.opPath
	ctx.Async(func() {
		var st rules.OperationState
		err := call("GET", path, nil, &st)
		ctx.Dispatch(func(ctx app.Context) {
			p.fetched = time.Now()
			e := apiError(err)
			switch {
			case p.cleaned && e != nil && e.Code == rules.ErrNotFound:
				p.removed, p.err = true, ""
				return
			case e != nil && e.Code == rules.ErrNotFound && p.state == nil:
				// No such operation: say so once, and stop asking.
				p.missing, p.err = true, ""
				app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
				return
			case err != nil:
				p.err = message(err)
			default:
				p.err, p.state = "", &st
			}
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
			if p.kick > 0 {
				p.kick--
				if p.state != nil && p.state.Done {
					ctx.After(time.Second, p.poll)
					return
				}
			}
			if p.state != nil && p.state.Done && (!p.cleaned || stepped(p.state)) {
				if !p.notified {
					p.notified = true
					event := "failed"
					if p.state.Succeeded {
						event = "succeeded"
					}
					notifyHost(p.cfg, event, map[string]any{"name": p.name, "workspace": p.ref.Name, "state": p.state.State})
				}
				return
			}
			ctx.After(2*time.Second, p.poll)
		})
		ctx.After(time.Second, p.tick)
	})
}

// tick re-renders the elapsed time between polls.
func (p *Progress) tick(ctx app.Context) {}

// Render shows the state, the elapsed time against the usual duration, and
// Azure's errors in plain words.
func (p *Progress) Render() app.UI {
	st := p.state
	return layout(p.embed, p.cfg.Backend, "", p.ref,
		app.Elem("section").ID("progress").Class("progress").Body(
			app.Elem("h1").Text("Compute "+p.name),
			app.Elem("p").Class("muted").Text("Workspace "+p.ref.Name+" in "+p.ref.ResourceGroup),
			slot(p.err != "", func() app.UI {
				return app.Elem("div").ID("progress-error").Class("alert error").Attr("role", "alert").Text(p.err)
			}),
			slot(p.missing, func() app.UI {
				return app.Elem("div").ID("progress-missing").Class("alert error").Attr("role", "alert").Body(
					app.Text("Azure knows no compute "+p.name+" in workspace "+p.ref.Name+": the link may be wrong, or the compute was removed. This page has stopped checking. "),
					app.Elem("a").ID("missing-inventory").Attr("href", keepEmbed(p.inventoryURL(), p.embed)).Text("See the workspace's clusters"),
				)
			}),
			slot(st == nil && !p.missing && p.err == "", func() app.UI {
				return app.Elem("p").ID("progress-loading").Class("muted loading").Attr("role", "status").Text("Asking Azure how the operation stands…")
			}),
			app.If(p.removed || p.cleaned && !stepped(st), p.renderCleanup).ElseIf(stepped(st), p.renderSteps).ElseIf(st != nil, func() app.UI {
				elapsed := st.ElapsedSec
				if !st.Done && !p.fetched.IsZero() {
					elapsed += int(time.Since(p.fetched).Seconds())
				}
				what := "Creating"
				if st.Mode == rules.ModeAttach {
					what = "Attaching"
				}
				cls := "state running"
				switch {
				case st.Succeeded:
					cls = "state ok"
				case st.Done:
					cls = "state failed"
				}
				return app.Elem("div").Body(
					app.Elem("p").ID("state").Class(cls).Attr("role", "status").Aria("live", "polite").DataSet("state", st.State).Text(st.State),
					app.If(!st.Done, func() app.UI {
						return app.Elem("div").Body(
							app.Elem("progress").Attr("max", st.ExpectedSec).Attr("value", min(elapsed, st.ExpectedSec)).Aria("label", "elapsed time"),
							app.Elem("p").ID("elapsed").Text(fmt.Sprintf("%s: %s elapsed, usually about %d minutes.", what, clock(elapsed), st.ExpectedSec/60)),
						)
					}).Else(func() app.UI {
						return app.Elem("p").ID("elapsed").Text(fmt.Sprintf("Took %s.", clock(elapsed)))
					}),
					app.If(len(st.Errors) > 0, func() app.UI {
						return app.Ul().ID("operation-errors").Class("findings").Body(app.Range(st.Errors).Slice(func(i int) app.UI {
							return app.Li().Class("finding error").Text(st.Errors[i])
						}))
					}),
					app.If(st.Done && !st.Succeeded, p.renderCleanup),
					app.If(st.Succeeded, p.renderNext),
					app.If(st.Done, func() app.UI {
						return app.Elem("p").Body(app.Elem("a").ID("to-inventory").Attr("href", keepEmbed(p.inventoryURL(), p.embed)).Text("See the workspace's clusters"))
					}),
				)
			}),
		),
	)
}

// renderCleanup offers to remove what a failed operation left, so nothing
// half-done stays in Azure and the name can be used again.
func (p *Progress) renderCleanup() app.UI {
	if p.removed {
		again := keepEmbed("/?"+url.Values{"mode": {"create"}, "sub": {p.ref.Subscription}, "rg": {p.ref.ResourceGroup}, "ws": {p.ref.Name}, "name": {p.name}}.Encode(), p.embed)
		return app.Elem("div").ID("cleanup-done").Class("alert ok").Attr("role", "status").Body(
			app.Text("Removed: nothing of "+p.name+" is left, and the name can be used again. "),
			app.Elem("a").ID("try-again").Attr("href", again).Text("Start again with this name"),
		)
	}
	what := "Remove what this failed create left: the compute and anything Azure made for it."
	if p.state != nil && p.state.Mode == rules.ModeAttach {
		what = "Detach this failed attachment: the AKS cluster itself is kept."
	}
	label := "Remove " + p.name
	if p.cleaning || p.cleaned {
		label = "Removing…"
	}
	return app.Elem("div").ID("cleanup").Class("cleanup").Body(
		app.Elem("p").Text(what),
		disabledIf(app.Elem("button").ID("cleanup-button").Attr("type", "button").Class("danger"), p.cleaning || p.cleaned).Text(label).
			OnClick(func(ctx app.Context, e app.Event) { p.cleanup() }),
	)
}

func (p *Progress) cleanup() {
	ctx := p.self
	p.cleaning = true
	path := rules.CleanupPath(p.ref, p.name)
	ctx.Async(func() {
		err := call("POST", path, struct{}{}, nil) // the proxy wants a JSON body on every change
		ctx.Dispatch(func(ctx app.Context) {
			p.cleaning = false
			if err != nil {
				p.err = message(err)
				return
			}
			p.cleaned = true
			p.poll(ctx)
		})
	})
}

func clock(sec int) string { return fmt.Sprintf("%d:%02d", sec/60, sec%60) }

func (p *Progress) inventoryURL() string {
	return "/inventory?" + url.Values{"sub": {p.ref.Subscription}, "rg": {p.ref.ResourceGroup}, "ws": {p.ref.Name}}.Encode()
}

// StudioURL is the compute's page in Azure ML studio.
func StudioURL(ws rules.WorkspaceRef, name string) string {
	return "https://ml.azure.com/compute/" + url.PathEscape(name) + "/details?" + url.Values{"wsid": {ws.ID()}}.Encode()
}

// PortalURL is an Azure resource's page in the Azure portal.
func PortalURL(resourceID string) string {
	return "https://portal.azure.com/#@/resource" + resourceID + "/overview"
}

// renderNext says where the new compute is and what to do with it.
func (p *Progress) renderNext() app.UI {
	clusterID := ""
	if p.state != nil && p.state.Compute != nil {
		clusterID = p.state.Compute.ClusterID
	}
	deploy := "Deploy a model to it: in Azure ML, create an online endpoint or a web service (v1) with " + p.name + " as its compute target."
	if stepped(p.state) {
		clusterID = orWords(p.state.Cluster, clusterID)
		deploy = "Deploy a model to it: create a Kubernetes online endpoint (az ml online-endpoint create, or the Python SDK v2) with compute " + p.name + "."
	}
	return app.Elem("div").ID("next-steps").Body(
		app.Elem("h2").Text("What to do next"),
		app.Ul().Class("next-steps").Body(
			app.Li().Body(
				app.Elem("a").ID("studio-link").Attr("href", StudioURL(p.ref, p.name)).Attr("target", "_blank").Attr("rel", "noopener noreferrer").Text("Open "+p.name+" in Azure ML studio"),
				app.Text(": its state, its endpoints and who can use it."),
			),
			app.If(clusterID != "", func() app.UI {
				return app.Li().Body(
					app.Elem("a").ID("portal-link").Attr("href", PortalURL(clusterID)).Attr("target", "_blank").Attr("rel", "noopener noreferrer").Text("Open the AKS cluster in the Azure portal"),
					app.Text(": its node pools, networking and monitoring."),
				)
			}),
			app.Li().Text(deploy),
			app.Li().Text("Change its node count, or detach it, from the workspace's clusters below."),
		),
	)
}
