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

var lastHeight int

// postHeightOf tells the host the page's height when it changed.
func postHeightOf(cfg config) {
	if !app.IsClient || hostOrigin(cfg) == "" {
		return
	}
	h := app.Window().Get("document").Get("documentElement").Get("scrollHeight").Int()
	if h == lastHeight {
		return
	}
	lastHeight = h
	notifyHost(cfg, "height", map[string]any{"height": h})
}

func (f *Form) postHeight() {
	if f.embed {
		postHeightOf(f.cfg)
	}
}
