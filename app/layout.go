package app

import (
	"net/url"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// Register declares the page's routes. main calls it in both builds.
func Register() {
	app.Route("/", func() app.Composer { return &Form{} })
	app.Route("/inventory", func() app.Composer { return &Inventory{} })
	app.RouteWithRegexp("^/progress/[^/]+/[^/]+/[^/]+/[^/]+$", func() app.Composer { return &Progress{} })
	app.RouteWithRegexp("^/migrate/[^/]+/[^/]+/[^/]+/[^/]+$", func() app.Composer { return &Migrate{} })
}

var (
	cfgOnce  sync.Once
	cfgValue config
	cfgErr   error
	cfgDone  = make(chan struct{})
)

// loadConfig fetches /api/config once per page load. It blocks: call it from ctx.Async.
func loadConfig() (config, error) {
	cfgOnce.Do(func() {
		cfgErr = call("GET", rules.PathConfig, nil, &cfgValue)
		close(cfgDone)
	})
	<-cfgDone
	return cfgValue, cfgErr
}

// embedded reports whether the page runs in its compact iframe layout.
func embedded(u *url.URL) bool { return u != nil && u.Query().Get("embed") == "1" }

// keepEmbed adds embed=1 to a page URL when the page is embedded.
func keepEmbed(path string, embed bool) string {
	if !embed {
		return path
	}
	if strings.Contains(path, "?") {
		return path + "&embed=1"
	}
	return path + "?embed=1"
}

// layout is the frame of every page: the emulator banner, the navigation and
// the body. active names the current tab.
func layout(embed bool, backend, active string, ws rules.WorkspaceRef, body ...app.UI) app.UI {
	if backend == "" {
		backend = knownBackend()
	}
	class := "amlaks"
	if embed {
		class += " embed"
	}
	inv := "/inventory"
	if ws.Name != "" {
		inv += "?" + url.Values{"sub": {ws.Subscription}, "rg": {ws.ResourceGroup}, "ws": {ws.Name}}.Encode()
	}
	tab := func(id, label, href string) app.UI {
		a := app.Elem("a").ID("tab-"+id).Attr("href", keepEmbed(href, embed)).Text(label)
		if id == active {
			a = a.Aria("current", "page").Class("active")
		}
		return a
	}
	return app.Elem("div").Class(class).Body(
		slot(backend == "emulator", func() app.UI {
			return app.Elem("div").ID("emulator-banner").Class("banner").Attr("role", "status").Text(
				"Demo mode: this proxy has no Azure credential and runs against its built-in Azure emulator. Nothing is created in Azure.")
		}),
		app.Elem("header").Class("top").Body(
			app.If(!embed, func() app.UI { return app.Elem("span").Class("brand").Text("amlaks") }),
			app.Elem("nav").Aria("label", "Sections").Body(
				tab("create", "Create", "/?mode=create"),
				tab("attach", "Attach", "/?mode=attach"),
				tab("inventory", "Clusters", inv),
			),
		),
		app.Main().Body(body...),
	)
}

// serverBackend is the backend the server runs against, for the
// pre-rendered page; SetServerBackend sets it.
var serverBackend string

// SetServerBackend tells the pre-rendering server which backend it runs
// against ("azure" or "emulator"), so the page it writes already carries
// the demo banner. The browser reads the same name from go-app's Env.
func SetServerBackend(name string) { serverBackend = name }

// knownBackend is the backend before /api/config has answered.
func knownBackend() string {
	if app.IsServer {
		return serverBackend
	}
	return app.Getenv("AMLAKS_BACKEND")
}

// findingsList renders findings with an id a field can point at.
func findingsList(id string, fs rules.Findings) app.UI {
	if len(fs) == 0 {
		return app.Elem("div").ID(id).Class("findings empty")
	}
	return app.Ul().ID(id).Class("findings").Body(
		app.Range(fs).Slice(func(i int) app.UI {
			f := fs[i]
			return app.Li().Class("finding "+string(f.Severity)).DataSet("code", f.Code).Body(
				app.Elem("span").Class("code").Text(f.Code),
				app.Elem("span").Class("msg").Text(" "+f.Message),
				app.If(f.Fix != "", func() app.UI { return app.Elem("span").Class("fix").Text(" " + f.Fix) }),
			)
		}),
	)
}

// pageStatus is the page's load state, in a slot that is always there and
// keeps its height (amlaks.css), so the form below it neither is rebuilt nor
// moves when the load ends: go-app matches children by position, and a line
// that came and went would replace every element after it.
func pageStatus(loadErr string, loading bool, label string) app.UI {
	slot := app.Elem("div").ID("page-status").Class("page-status")
	switch {
	case loadErr != "":
		return slot.Body(app.Elem("div").Class("alert error").Attr("role", "alert").Text(loadErr))
	case loading:
		return slot.Body(app.Elem("p").ID("page-loading").Class("muted loading").Attr("role", "status").Text(label))
	}
	return slot
}
