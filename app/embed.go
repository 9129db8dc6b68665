package app

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// hostOrigin returns the origin of the page that embeds this one, when it is
// one of the portal origins the proxy allows; "" otherwise.
func hostOrigin(cfg config) string {
	if !app.IsClient {
		return ""
	}
	w := app.Window()
	if w.Get("parent").Equal(w.JSValue()) {
		return ""
	}
	origin := ""
	if ao := w.Get("location").Get("ancestorOrigins"); ao.Truthy() && ao.Get("length").Int() > 0 {
		origin = ao.Index(0).String()
	} else if ref := w.Get("document").Get("referrer").String(); ref != "" {
		if u, err := url.Parse(ref); err == nil {
			origin = u.Scheme + "://" + u.Host
		}
	}
	for _, allowed := range cfg.FrameAncestors {
		if origin == allowed {
			return origin
		}
	}
	return ""
}

// notifyHost tells the embedding portal what happened, with postMessage to
// its exact origin, never "*".
func notifyHost(cfg config, event string, data map[string]any) {
	origin := hostOrigin(cfg)
	if origin == "" {
		return
	}
	msg := map[string]any{"source": "amlaks", "event": event}
	for k, v := range data {
		msg[k] = v
	}
	app.Window().Get("parent").Call("postMessage", msg, origin)
}

var (
	lastHeight   int
	heightCfg    config
	heightWatch  app.Func
	heightHooked bool
)

// pageHeight is the height of the page's content. documentElement's box
// follows the content both ways; scrollHeight never drops below the
// iframe's own height, so a page measured with it never shrinks.
func pageHeight() int {
	doc := app.Window().Get("document")
	h := doc.Get("documentElement").Call("getBoundingClientRect").Get("height").Float()
	if b := doc.Get("body"); b.Truthy() {
		h = max(h, b.Call("getBoundingClientRect").Get("height").Float())
	}
	return int(h + 0.999)
}

// postHeightOf tells the host the page's height when it changed.
func postHeightOf(cfg config) {
	if !app.IsClient || hostOrigin(cfg) == "" {
		return
	}
	h := pageHeight()
	if h == lastHeight {
		return
	}
	lastHeight = h
	notifyHost(cfg, "height", map[string]any{"height": h})
}

// watchHeight posts the page's height to an embedding host now and every
// time the content changes size (a section opened, a list grown or
// shrunk, the step changed), on every page. It is idempotent.
func watchHeight(cfg config, embed bool) {
	if !app.IsClient || !embed {
		return
	}
	heightCfg = cfg
	if !heightHooked {
		ro := app.Window().Get("ResizeObserver")
		if ro.Truthy() {
			heightWatch = app.FuncOf(func(app.Value, []app.Value) any {
				postHeightOf(heightCfg)
				return nil
			})
			obs := ro.New(heightWatch)
			obs.Call("observe", app.Window().Get("document").Get("documentElement"))
			heightHooked = true
		}
	}
	postHeightOf(cfg)
}

func (f *Form) postHeight() {
	if f.embed {
		postHeightOf(f.cfg)
	}
}
