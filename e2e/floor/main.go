// Command floor is the smallest go-app v10 page that validates a field as
// the person types: one input and one finding, pre-rendered by the server
// and run in the browser as WebAssembly, built and served the way amlaks
// is. `make bench` builds it in the same run as amlaks, as the reference for
// app.wasm's size and for the first validated keystroke.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// page is the floor's only page: a name field and its finding.
type page struct {
	app.Compo
	name string
}

// OnMount marks the page ready, as amlaks does once it can validate.
func (p *page) OnMount(ctx app.Context) {
	app.Window().Get("document").Get("body").Call("setAttribute", "data-ready", "1")
}

// Render shows the field and, for a name shorter than 3 characters, its
// finding (the shape of amlaks's rule N1).
func (p *page) Render() app.UI {
	var finding app.UI = app.Ul().ID("f-name-findings").Class("findings")
	if n := len(p.name); n > 0 && n < 3 {
		finding = app.Ul().ID("f-name-findings").Class("findings").Body(
			app.Li().DataSet("code", "N1").Text("The name must be 3 to 24 characters."))
	}
	return app.Main().Body(
		app.Label().For("f-name").Text("Compute name"),
		app.Input().ID("f-name").Value(p.name).OnInput(func(ctx app.Context, e app.Event) {
			p.name = ctx.JSSrc().Get("value").String()
		}),
		finding,
	)
}

func main() {
	app.Route("/", func() app.Composer { return &page{} })
	app.RunWhenOnBrowser()
	serve()
}
