package app

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// Inventory lists a workspace's AKS computes (O2), with detach (O3) and a
// node-count change (S1).
type Inventory struct {
	app.Compo

	embed      bool
	cfg        config
	workspaces []rules.Workspace
	ref        rules.WorkspaceRef
	computes   []rules.Compute
	loading    bool
	err        string

	confirm string // the compute whose detach awaits confirmation
	scaling string // the compute whose node count is being edited
	nodes   string
	finds   rules.Findings
	busy    bool
	notice  string
	self    app.Context // the component's own context: a button's dies with the button
}

// OnMount keeps the component's context for work that outlives a click.
func (v *Inventory) OnMount(ctx app.Context) { v.self = ctx }

// OnNav reads the workspace from the URL and loads its computes.
func (v *Inventory) OnNav(ctx app.Context) {
	v.self = ctx
	u := ctx.Page().URL()
	q := u.Query()
	v.embed = embedded(u)
	v.ref = rules.WorkspaceRef{Subscription: q.Get("sub"), ResourceGroup: q.Get("rg"), Name: q.Get("ws")}
	ctx.Async(func() {
		cfg, _ := loadConfig()
		var wss struct {
			Workspaces []rules.Workspace `json:"workspaces"`
		}
		err := call("GET", "/api/workspaces", nil, &wss)
		ctx.Dispatch(func(ctx app.Context) {
			v.cfg, v.workspaces = cfg, wss.Workspaces
			if err != nil {
				v.err = message(err)
			}
			if v.ref.Name == "" && len(v.workspaces) > 0 {
				v.ref = v.workspaces[0].WorkspaceRef
			}
			v.load(ctx)
		})
	})
}

func (v *Inventory) load(ctx app.Context) {
	if v.ref.Name == "" || !app.IsClient {
		app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		return
	}
	v.loading = true
	ref := v.ref
	ctx.Async(func() {
		var body struct {
			Computes []rules.Compute `json:"computes"`
		}
		err := call("GET", workspacePath(ref)+"/computes", nil, &body)
		ctx.Dispatch(func(ctx app.Context) {
			v.loading = false
			if err != nil {
				v.err = message(err)
				return
			}
			v.err, v.computes = "", body.Computes
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		})
	})
}

// Render draws the workspace picker and the table.
func (v *Inventory) Render() app.UI {
	return layout(v.embed, v.cfg.Backend, "inventory", v.ref,
		app.Section().ID("inventory").Body(
			app.H1().Text("AKS clusters of a workspace"),
			app.Div().Class("field").Body(
				app.Label().For("inventory-workspace").Text("Workspace"),
				app.Select().ID("inventory-workspace").OnChange(func(ctx app.Context, e app.Event) {
					id := ctx.JSSrc().Get("value").String()
					for _, w := range v.workspaces {
						if w.ID() == id {
							v.ref = w.WorkspaceRef
						}
					}
					v.computes, v.confirm, v.scaling, v.notice = nil, "", "", ""
					app.Window().Get("history").Call("replaceState", nil, "", "?"+url.Values{"sub": {v.ref.Subscription}, "rg": {v.ref.ResourceGroup}, "ws": {v.ref.Name}}.Encode())
					v.load(v.self)
				}).Body(app.Range(v.workspaces).Slice(func(i int) app.UI {
					w := v.workspaces[i]
					return app.Option().Value(w.ID()).Selected(w.WorkspaceRef == v.ref).Text(w.Name + " (" + w.ResourceGroup + ", " + w.Location + ")")
				})),
			),
			app.If(v.err != "", func() app.UI {
				return app.Div().ID("inventory-error").Class("alert error").Attr("role", "alert").Text(v.err)
			}),
			app.If(v.notice != "", func() app.UI {
				return app.Div().ID("inventory-notice").Class("alert ok").Attr("role", "status").Text(v.notice)
			}),
			app.If(v.loading, func() app.UI { return app.P().Class("muted").Text("Loading…") }),
			app.If(!v.loading && len(v.computes) == 0 && v.err == "", func() app.UI {
				return app.P().ID("inventory-empty").Text("This workspace has no AKS compute yet.")
			}),
			app.If(len(v.computes) > 0, v.table),
		),
	)
}

func (v *Inventory) table() app.UI {
	return app.Div().Class("table-wrap").Body(app.Table().ID("computes").Class("computes").Body(
		app.THead().Body(app.Tr().Body(
			app.Th().Text("Name"), app.Th().Text("State"), app.Th().Text("Purpose"), app.Th().Text("Nodes"),
			app.Th().Text("VM size"), app.Th().Text("vCPUs"), app.Th().Text("Kubernetes"), app.Th().Text(""),
		)),
		app.TBody().Body(app.Range(v.computes).Slice(func(i int) app.UI {
			c := v.computes[i]
			kind := "created"
			if c.Attached {
				kind = "attached"
			}
			return app.Tr().DataSet("compute", c.Name).Body(
				app.Td().Body(app.Text(c.Name), app.Small().Class("muted").Text(" "+kind)),
				app.Td().Class("state").Text(c.State),
				app.Td().Text(string(c.Purpose)),
				app.Td().Class("nodes").Text(strconv.Itoa(c.Nodes)),
				app.Td().Text(c.VMSize),
				app.Td().Text(strconv.Itoa(c.VCPUs)),
				app.Td().Text(c.Version),
				app.Td().Class("row-actions").Body(v.actions(c)),
			)
		})),
	))
}

func (v *Inventory) actions(c rules.Compute) app.UI {
	switch {
	case v.confirm == c.Name:
		return app.Div().Class("confirm").Attr("role", "alertdialog").Aria("labelledby", "confirm-text").Body(
			app.P().ID("confirm-text").Text(fmt.Sprintf("Detach %s from %s? The AKS cluster itself is kept; the workspace no longer uses it.", c.Name, v.ref.Name)),
			app.Button().ID("confirm-detach").Type("button").Class("danger").Disabled(v.busy).Text("Detach "+c.Name).OnClick(func(ctx app.Context, e app.Event) { v.detach(ctx, c) }),
			app.Button().ID("cancel-detach").Type("button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { v.confirm = "" }),
		)
	case v.scaling == c.Name:
		return app.Div().Class("scale").Body(
			app.Label().For("scale-nodes").Text("Node count"),
			app.Input().Type("text").Attr("inputmode", "numeric").ID("scale-nodes").Value(v.nodes).Aria("describedby", "scale-findings").
				OnInput(func(ctx app.Context, e app.Event) { v.nodes = ctx.JSSrc().Get("value").String(); v.checkScale(c) }),
			findingsList("scale-findings", v.finds),
			app.Small().Class("hint").Text("The VM size of an existing cluster cannot change; create a new cluster for another size."),
			app.Button().ID("apply-scale").Type("button").Class("primary").Disabled(v.busy || v.finds.HasErrors()).Text("Apply").OnClick(func(ctx app.Context, e app.Event) { v.scale(ctx, c) }),
			app.Button().ID("cancel-scale").Type("button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { v.scaling = "" }),
		)
	}
	return app.Div().Body(
		app.Button().ID("scale-"+c.Name).Type("button").Text("Change nodes").Disabled(c.State != "Succeeded").OnClick(func(ctx app.Context, e app.Event) {
			v.scaling, v.confirm, v.nodes = c.Name, "", strconv.Itoa(c.Nodes)
			v.checkScale(c)
		}),
		app.Button().ID("detach-"+c.Name).Type("button").Text("Detach").Disabled(c.State == "Deleting").OnClick(func(ctx app.Context, e app.Event) {
			v.confirm, v.scaling = c.Name, ""
		}),
	)
}

func (v *Inventory) checkScale(c rules.Compute) {
	n, err := strconv.Atoi(v.nodes)
	if err != nil {
		v.finds = rules.Findings{{Code: "P5", Field: rules.FieldNodeCount, Severity: rules.SeverityError, Message: "The node count must be a positive whole number.", Fix: "Type a number such as 3."}}
		return
	}
	v.finds = rules.CheckScale(rules.ScaleRequest{Workspace: v.ref, Name: c.Name, NodeCount: n}, c, rules.Facts{Policy: v.cfg.Policy})
}

func (v *Inventory) detach(_ app.Context, c rules.Compute) {
	ctx := v.self
	v.busy = true
	ctx.Async(func() {
		err := call("DELETE", workspacePath(v.ref)+"/computes/"+url.PathEscape(c.Name), nil, nil)
		ctx.Dispatch(func(ctx app.Context) {
			v.busy, v.confirm = false, ""
			if err != nil {
				v.err = message(err)
				return
			}
			v.notice = c.Name + " is being detached; the cluster is kept."
			v.load(ctx)
		})
	})
}

func (v *Inventory) scale(_ app.Context, c rules.Compute) {
	ctx := v.self
	n, _ := strconv.Atoi(v.nodes)
	v.busy = true
	ctx.Async(func() {
		err := call("POST", workspacePath(v.ref)+"/computes/"+url.PathEscape(c.Name)+"/scale", map[string]int{"nodeCount": n}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			v.busy = false
			if err != nil {
				v.err = message(err)
				return
			}
			v.scaling = ""
			v.notice = fmt.Sprintf("%s is changing to %d nodes.", c.Name, n)
			v.load(ctx)
		})
	})
}
