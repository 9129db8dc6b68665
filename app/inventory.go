package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	polling bool              // a poll of the list is on its way or waiting
	pending map[string]string // computes an operation of this page is changing: "detach" or "scale"
	// pendingSeen: Azure has reported the change under way (so a final
	// state after it means done, not "not started yet").
	pendingSeen  map[string]bool
	pendingPolls map[string]int
	self         app.Context // the component's own context: a button's dies with the button
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
	v.loading = true
	v.setTitle(ctx)
	if !app.IsClient {
		return // no fetch before the wasm runs
	}
	ctx.Async(func() {
		cfg, _ := loadConfig()
		var wss rules.WorkspaceList
		err := call("GET", rules.PathWorkspaces, nil, &wss)
		ctx.Dispatch(func(ctx app.Context) {
			v.cfg, v.workspaces = cfg, wss.Workspaces
			watchHeight(cfg, v.embed)
			if err != nil {
				v.err = message(err)
			}
			if v.ref.Name == "" && len(v.workspaces) > 0 {
				v.ref = v.workspaces[0].WorkspaceRef
			}
			v.setTitle(ctx)
			v.load(ctx)
		})
	})
}

func (v *Inventory) setTitle(ctx app.Context) {
	what := "AKS clusters"
	// A link's workspace reaches the title only when it has a workspace's
	// shape: a crafted link never writes its text into the tab.
	if v.ref.Name != "" && len(rules.CheckWorkspace(v.ref)) == 0 {
		what += " of " + v.ref.Name
	}
	ctx.Page().SetTitle("%s", pageTitle(what))
}

func (v *Inventory) load(ctx app.Context) {
	if !app.IsClient {
		return
	}
	if v.ref.Name == "" {
		v.loading = false
		app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		return
	}
	v.loading = len(v.computes) == 0
	ref := v.ref
	ctx.Async(func() {
		var body rules.ComputeList
		err := call("GET", rules.ComputesPath(ref), nil, &body)
		ctx.Dispatch(func(ctx app.Context) {
			v.loading = false
			if ref != v.ref {
				return // another workspace was picked meanwhile
			}
			if err != nil {
				v.err = message(err)
				return
			}
			v.err, v.computes = "", body.Computes
			v.follow(ctx)
			ctx.Defer(func(app.Context) { syncSelects() })
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
		})
	})
}

// follow polls the list while an operation is under way on any row — one
// this page started (a detach, a scale) or one Azure reports — until every
// row is in a final state or gone, so the table shows what Azure did
// without a reload.
func (v *Inventory) follow(ctx app.Context) {
	present := map[string]bool{}
	busy := false
	for _, c := range v.computes {
		present[c.Name] = true
		if !finalState(c.State) {
			busy = true
		}
	}
	for _, c := range v.computes {
		if v.pending[c.Name] != "" && !finalState(c.State) {
			v.pendingSeen[c.Name] = true
		}
	}
	for name, op := range v.pending {
		v.pendingPolls[name]++
		switch {
		case !present[name]:
			delete(v.pending, name) // gone: the detach is done
			if op == "detach" {
				v.notice = name + " is detached; its AKS cluster is kept."
			}
		case finalState(stateOf(v.computes, name)) && (v.pendingSeen[name] || v.pendingPolls[name] > 5):
			// Azure started and finished the change (or finished it before
			// the first look).
			delete(v.pending, name)
			if op == "scale" {
				v.notice = name + " now has " + rules.Count(nodesOf(v.computes, name), "node") + "."
			}
		}
	}
	if (!busy && len(v.pending) == 0) || v.polling {
		return
	}
	v.polling = true
	ctx.After(time.Second, func(ctx app.Context) {
		v.polling = false
		v.load(v.self)
	})
}

func nodesOf(cs []rules.Compute, name string) int {
	for _, c := range cs {
		if c.Name == name {
			return c.Nodes
		}
	}
	return 0
}

func stateOf(cs []rules.Compute, name string) string {
	for _, c := range cs {
		if c.Name == name {
			return c.State
		}
	}
	return ""
}

// finalState reports whether Azure is done with a compute.
func finalState(s string) bool {
	switch strings.ToLower(s) {
	case "succeeded", "failed", "canceled", "":
		return true
	}
	return false
}

// stateLabel says a compute's state in words. The page's only removal is a
// detach (the cluster is kept), so Azure's "Deleting" is a detach here.
func stateLabel(s string) string {
	switch strings.ToLower(s) {
	case "deleting":
		return "Detaching…"
	case "updating", "scaling":
		return "Updating…"
	case "creating":
		return "Creating…"
	}
	return s
}

// Render draws the workspace picker and the table.
func (v *Inventory) Render() app.UI {
	return layout(v.embed, v.cfg.Backend, "inventory", v.ref,
		app.Elem("section").ID("inventory").Body(
			app.Elem("h1").Text("AKS clusters of a workspace"),
			app.Elem("p").Class("muted").Text("Kubernetes computes (Azure ML v2) and legacy AKS computes (v1). A v1 compute can be migrated to a Kubernetes compute on the same cluster."),
			app.Elem("div").Class("field").Body(
				app.Label().For("inventory-workspace").Text("Workspace"),
				selectUI(v.ref.ID(), v.workspaceOptions()).ID("inventory-workspace").OnChange(func(ctx app.Context, e app.Event) {
					id := ctx.JSSrc().Get("value").String()
					for _, w := range v.workspaces {
						if w.ID() == id {
							v.ref = w.WorkspaceRef
						}
					}
					v.computes, v.confirm, v.scaling, v.notice = nil, "", "", ""
					app.Window().Get("history").Call("replaceState", nil, "", "?"+url.Values{"sub": {v.ref.Subscription}, "rg": {v.ref.ResourceGroup}, "ws": {v.ref.Name}}.Encode())
					v.load(v.self)
				}),
			),
			slot(v.err != "", func() app.UI {
				return app.Elem("div").ID("inventory-error").Class("alert error").Attr("role", "alert").Text(v.err)
			}),
			slot(v.notice != "", func() app.UI {
				return app.Elem("div").ID("inventory-notice").Class("alert ok").Attr("role", "status").Text(v.notice)
			}),
			slot(v.loading, func() app.UI {
				return app.Elem("p").ID("inventory-loading").Class("muted loading").Attr("role", "status").Text("Loading the workspace's clusters…")
			}),
			slot(!v.loading && len(v.computes) == 0 && v.err == "", func() app.UI {
				return app.Elem("p").ID("inventory-empty").Text("This workspace has no AKS compute yet.")
			}),
			app.If(len(v.computes) > 0, v.table),
		),
	)
}

func (v *Inventory) table() app.UI {
	return app.Elem("div").Class("table-wrap").Body(app.Elem("table").ID("computes").Class("computes").Body(
		app.Elem("thead").Body(app.Elem("tr").Body(
			app.Elem("th").Text("Name"), app.Elem("th").Text("Kind"), app.Elem("th").Text("State"), app.Elem("th").Text("Azure ML extension"), app.Elem("th").Text("Purpose"), app.Elem("th").Text("Nodes"),
			app.Elem("th").Text("VM size"), app.Elem("th").Text("vCPUs"), app.Elem("th").Text("Kubernetes"), app.Elem("th").Text("Actions"),
		)),
		app.Elem("tbody").Body(app.Range(v.computes).Slice(func(i int) app.UI {
			c := v.computes[i]
			kind := "created"
			if c.Attached {
				kind = "attached"
			}
			stateCls := "state state-label"
			switch {
			case !finalState(c.State) || v.pending[c.Name] != "":
				stateCls += " running"
			case strings.EqualFold(c.State, "Failed"):
				stateCls += " failed"
			}
			return app.Elem("tr").DataSet("compute", c.Name).DataSet("state", c.State).Body(
				app.Elem("td").DataSet("label", "Name").Body(app.Elem("strong").Text(c.Name), app.Elem("small").Class("muted").Text(" "+kind)),
				app.Elem("td").Class("kind").DataSet("label", "Kind").Text(kindColumn(c)),
				app.Elem("td").Class(stateCls).DataSet("label", "State").Text(v.rowState(c)),
				app.Elem("td").Class("extension").DataSet("label", "Azure ML extension").Text(extensionColumn(c)),
				app.Elem("td").DataSet("label", "Purpose").Text(purposeLabel(c.Purpose)),
				app.Elem("td").Class("nodes").DataSet("label", "Nodes").Text(strconv.Itoa(c.Nodes)),
				app.Elem("td").DataSet("label", "VM size").Text(c.VMSize),
				app.Elem("td").DataSet("label", "vCPUs").Text(strconv.Itoa(c.VCPUs)),
				app.Elem("td").DataSet("label", "Kubernetes").Text(c.Version),
				app.Elem("td").Class("row-actions").Body(v.actions(c)),
			)
		})),
	))
}

func (v *Inventory) actions(c rules.Compute) app.UI {
	switch {
	case v.confirm == c.Name:
		return app.Elem("div").Class("confirm").Attr("role", "alertdialog").Aria("labelledby", "confirm-text").Body(
			app.Elem("p").ID("confirm-text").Text(detachQuestion(c, v.ref.Name)),
			disabledIf(app.Elem("button").ID("confirm-detach").Attr("type", "button").Class("danger"), v.busy).Text("Detach "+c.Name).OnClick(func(ctx app.Context, e app.Event) { v.detach(ctx, v.compute(v.confirm)) }),
			app.Elem("button").ID("cancel-detach").Attr("type", "button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { v.confirm = "" }),
		)
	case v.scaling == c.Name:
		return app.Elem("div").Class("scale").Body(
			app.Label().For("scale-nodes").Text("Node count"),
			app.Input().Type("text").Attr("inputmode", "numeric").ID("scale-nodes").Value(typed("scale-nodes", v.nodes)).Aria("describedby", "scale-findings scale-hint").
				OnInput(func(ctx app.Context, e app.Event) {
					v.nodes = ctx.JSSrc().Get("value").String()
					v.checkScale(v.compute(v.scaling))
				}),
			findingsList("scale-findings", v.finds),
			app.Elem("small").ID("scale-hint").Class("hint").Text("The VM size of an existing cluster cannot change; create a new cluster for another size."),
			disabledIf(app.Elem("button").ID("apply-scale").Attr("type", "button").Class("primary"), v.busy || v.finds.HasErrors()).Text("Apply").OnClick(func(ctx app.Context, e app.Event) { v.scale(ctx, v.compute(v.scaling)) }),
			app.Elem("button").ID("cancel-scale").Attr("type", "button").Text("Cancel").OnClick(func(ctx app.Context, e app.Event) { v.scaling = "" }),
		)
	}
	return app.Elem("div").Body(
		disabledIf(app.Elem("button").ID("scale-"+c.Name).Attr("type", "button").Text("Change nodes"), c.State != "Succeeded" || v.pending[c.Name] != "").Aria("label", "Change nodes of "+c.Name).DataSet("compute", c.Name).OnClick(func(ctx app.Context, e app.Event) {
			// The row's compute is read from the button: go-app keeps a
			// row's first handler when the rows shift (a detached row gone).
			c := v.compute(ctx.JSSrc().Get("dataset").Get("compute").String())
			v.scaling, v.confirm, v.nodes = c.Name, "", strconv.Itoa(c.Nodes)
			v.checkScale(c)
		}),
		app.If(migratable(c), func() app.UI {
			return app.Elem("a").ID("migrate-"+c.Name).Class("button").Attr("href", keepEmbed(rules.MigratePage(v.ref, c.Name), v.embed)).
				Aria("label", "Migrate to Kubernetes compute: "+c.Name).Text("Migrate to Kubernetes compute")
		}),
		disabledIf(app.Elem("button").ID("detach-"+c.Name).Attr("type", "button").Text("Detach"), detachBlocked(c.State) || v.pending[c.Name] == "detach").Aria("label", "Detach "+c.Name).DataSet("compute", c.Name).OnClick(func(ctx app.Context, e app.Event) {
			v.confirm, v.scaling = ctx.JSSrc().Get("dataset").Get("compute").String(), ""
		}),
	)
}

func (v *Inventory) checkScale(c rules.Compute) {
	n, err := strconv.Atoi(v.nodes)
	if err != nil {
		v.finds = rules.Findings{{Code: rules.CodeNodeCount, Field: rules.FieldNodeCount, Severity: rules.SeverityError, Message: "The node count must be a whole number.", Fix: fmt.Sprintf("Type a number from 1 to %d, such as 3.", rules.MaxPoolNodes)}}
		return
	}
	v.finds = rules.CheckScale(rules.ScaleRequest{Workspace: v.ref, Name: c.Name, NodeCount: n}, c, rules.Facts{Policy: v.cfg.Policy})
}

// expect marks a compute as changed by this page: the list is polled until
// Azure has started and then finished the change.
func (v *Inventory) expect(name, op string) {
	if v.pending == nil {
		v.pending, v.pendingSeen, v.pendingPolls = map[string]string{}, map[string]bool{}, map[string]int{}
	}
	v.pending[name], v.pendingSeen[name], v.pendingPolls[name] = op, false, 0
}

// rowState is what the State column says: Azure's state, or the change
// this page asked for while Azure has not yet reported it.
func (v *Inventory) rowState(c rules.Compute) string {
	if op := v.pending[c.Name]; op != "" && finalState(c.State) && !v.pendingSeen[c.Name] {
		if op == "detach" {
			return "Detaching…"
		}
		return "Updating…"
	}
	return stateLabel(c.State)
}

func (v *Inventory) detach(_ app.Context, c rules.Compute) {
	ctx := v.self
	v.busy = true
	ctx.Async(func() {
		err := call("DELETE", rules.ComputePath(v.ref, c.Name), nil, nil)
		ctx.Dispatch(func(ctx app.Context) {
			v.busy, v.confirm = false, ""
			if err != nil {
				v.err = message(err)
				return
			}
			v.notice = c.Name + " is being detached; its AKS cluster is kept."
			v.expect(c.Name, "detach")
			v.load(ctx)
		})
	})
}

func (v *Inventory) scale(_ app.Context, c rules.Compute) {
	ctx := v.self
	n, _ := strconv.Atoi(v.nodes)
	v.busy = true
	ctx.Async(func() {
		err := call("POST", rules.ScalePath(v.ref, c.Name), rules.ScaleBody{NodeCount: n}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			v.busy = false
			if err != nil {
				v.err = message(err)
				return
			}
			v.scaling = ""
			v.notice = fmt.Sprintf("%s is changing to %s.", c.Name, rules.Count(n, "node"))
			v.expect(c.Name, "scale")
			v.load(ctx)
		})
	})
}

func (v *Inventory) workspaceOptions() []option {
	var opts []option
	known := false
	for _, w := range v.workspaces {
		known = known || w.WorkspaceRef == v.ref
		opts = append(opts, option{w.ID(), w.Name + " (" + w.ResourceGroup + ", " + w.Location + ")"})
	}
	if !known && v.ref.Name != "" {
		opts = append([]option{{v.ref.ID(), v.ref.Name + " (" + v.ref.ResourceGroup + ")"}}, opts...)
	}
	if len(opts) == 0 {
		opts = []option{{"", "Loading workspaces…"}}
	}
	return opts
}

// detachBlocked reports whether Azure is creating or removing the compute.
// A scale changes the cluster, not the compute, so it does not block a detach.
func detachBlocked(state string) bool {
	switch strings.ToLower(state) {
	case "creating", "deleting":
		return true
	}
	return false
}

// compute returns the listed compute of a name.
func (v *Inventory) compute(name string) rules.Compute {
	for _, c := range v.computes {
		if c.Name == name {
			return c
		}
	}
	return rules.Compute{Name: name}
}

// kindColumn names a compute's kind: a Kubernetes compute (v2) or a legacy
// AKS compute (v1), and the namespace of a Kubernetes compute.
func kindColumn(c rules.Compute) string {
	if strings.EqualFold(c.Type, string(rules.KindKubernetes)) {
		if c.Namespace != "" {
			return "Kubernetes compute, namespace " + c.Namespace
		}
		return "Kubernetes compute"
	}
	return "AKS compute (v1, legacy)"
}

// extensionColumn is the state of the Azure ML extension on a Kubernetes
// compute's cluster; a v1 compute has none.
func extensionColumn(c rules.Compute) string {
	if !strings.EqualFold(c.Type, string(rules.KindKubernetes)) {
		return "None (v1 uses azureml-fe)"
	}
	return orWords(c.ExtensionState, "Not known")
}

// migratable reports whether a compute is a v1 AKS compute that can be
// migrated now: it is in a final, healthy state.
func migratable(c rules.Compute) bool {
	return !strings.EqualFold(c.Type, string(rules.KindKubernetes)) && strings.EqualFold(c.State, "Succeeded")
}

// detachQuestion asks before a detach, saying what stays.
func detachQuestion(c rules.Compute, workspace string) string {
	if strings.EqualFold(c.Type, string(rules.KindKubernetes)) {
		return fmt.Sprintf("Detach %s from %s? The AKS cluster and its Azure ML extension are kept (other computes may share them); the workspace no longer uses it.", c.Name, workspace)
	}
	return fmt.Sprintf("Detach %s from %s? The AKS cluster itself is kept; the workspace no longer uses it.", c.Name, workspace)
}
