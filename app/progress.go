package app

import (
	"fmt"
	"net/url"
	"strings"
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
	state    *rules.OperationState
	err      string
	fetched  time.Time
	stop     bool
	notified bool
}

// OnNav reads the operation from the URL and starts polling.
func (p *Progress) OnNav(ctx app.Context) {
	u := ctx.Page().URL()
	p.embed = embedded(u)
	parts := strings.Split(strings.TrimPrefix(u.Path, "/progress/"), "/")
	if len(parts) == 4 {
		for i := range parts {
			parts[i], _ = url.PathUnescape(parts[i])
		}
		p.ref = rules.WorkspaceRef{Subscription: parts[0], ResourceGroup: parts[1], Name: parts[2]}
		p.name = parts[3]
	}
	p.stop = false
	ctx.Async(func() {
		cfg, _ := loadConfig()
		ctx.Dispatch(func(ctx app.Context) { p.cfg = cfg })
	})
	p.poll(ctx)
}

// OnDismount stops polling.
func (p *Progress) OnDismount() { p.stop = true }

func (p *Progress) poll(ctx app.Context) {
	if p.stop || !app.IsClient {
		return
	}
	path := "/api/operations/" + url.PathEscape(p.ref.Subscription) + "/" + url.PathEscape(p.ref.ResourceGroup) + "/" + url.PathEscape(p.ref.Name) + "/" + url.PathEscape(p.name)
	ctx.Async(func() {
		var st rules.OperationState
		err := call("GET", path, nil, &st)
		ctx.Dispatch(func(ctx app.Context) {
			p.fetched = time.Now()
			if err != nil {
				p.err = message(err)
			} else {
				p.err, p.state = "", &st
			}
			app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
			if p.state != nil && p.state.Done {
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
		app.Section().ID("progress").Class("progress").Body(
			app.H1().Text("Compute "+p.name),
			app.P().Class("muted").Text("Workspace "+p.ref.Name+" in "+p.ref.ResourceGroup),
			app.If(p.err != "", func() app.UI {
				return app.Div().ID("progress-error").Class("alert error").Attr("role", "alert").Text(p.err)
			}),
			app.If(st != nil, func() app.UI {
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
				return app.Div().Body(
					app.P().ID("state").Class(cls).Attr("role", "status").Aria("live", "polite").DataSet("state", st.State).Text(st.State),
					app.If(!st.Done, func() app.UI {
						return app.Div().Body(
							app.Progress().Attr("max", st.ExpectedSec).Attr("value", min(elapsed, st.ExpectedSec)).Aria("label", "elapsed time"),
							app.P().ID("elapsed").Text(fmt.Sprintf("%s: %s elapsed, usually about %d minutes.", what, clock(elapsed), st.ExpectedSec/60)),
						)
					}).Else(func() app.UI {
						return app.P().ID("elapsed").Text(fmt.Sprintf("Took %s.", clock(elapsed)))
					}),
					app.If(len(st.Errors) > 0, func() app.UI {
						return app.Ul().ID("operation-errors").Class("findings").Body(app.Range(st.Errors).Slice(func(i int) app.UI {
							return app.Li().Class("finding error").Text(st.Errors[i])
						}))
					}),
					app.If(st.Done, func() app.UI {
						return app.P().Body(app.A().ID("to-inventory").Href(keepEmbed("/inventory?"+url.Values{"sub": {p.ref.Subscription}, "rg": {p.ref.ResourceGroup}, "ws": {p.ref.Name}}.Encode(), p.embed)).Text("See the workspace's clusters"))
					}),
				)
			}),
		),
	)
}

func clock(sec int) string { return fmt.Sprintf("%d:%02d", sec/60, sec%60) }
