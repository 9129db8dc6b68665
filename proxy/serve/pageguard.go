//go:build !(js && wasm)

package serve

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// go-app's server handler is not safe by itself, so guardPage stands between
// it and every request:
//
//   - go-app answers its "proxy resources" (/robots.txt, /sitemap.xml,
//     /ads.txt, also under /{version}/) by fetching http://{request Host}/web/…
//     and caching the first answer for everyone. amlaks answers those paths
//     itself and never lets go-app see them, so no request makes amlaks fetch
//     a URL.
//   - go-app writes pre-rendered attribute values with Go string quoting, not
//     HTML escaping. No request-derived value reaches the pre-render: the
//     page is pre-rendered from its path alone, with every path segment
//     reduced to characters that mean nothing to HTML, and without the query.
//     The browser reads the real URL once the WebAssembly runs.

// goAppFiles are the files go-app serves itself, from memory or /web/.
var goAppFiles = map[string]bool{
	"/app.js": true, "/goapp.js": true, "/wasm_exec.js": true, "/app-worker.js": true,
	"/manifest.webmanifest": true, "/manifest.json": true, "/app.css": true,
	"/app.wasm": true, "/goapp.wasm": true,
}

// ownResources are the paths go-app would fetch from the request's Host;
// amlaks answers them from here. Nothing else may ever reach go-app's proxy.
var ownResources = map[string]string{
	"/robots.txt":  "User-agent: *\nDisallow: /\n",
	"/sitemap.xml": "",
	"/ads.txt":     "",
}

// safeSegment is what a pre-rendered path segment may hold: the characters of
// subscription IDs, resource group, workspace and compute names.
var safeSegment = regexp.MustCompile(`^[A-Za-z0-9._()-]{1,90}$`)

// guardPage wraps go-app's handler; version is its Handler.Version.
func guardPage(version string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if version != "" && strings.HasPrefix(path, "/"+version+"/") {
			path = strings.TrimPrefix(path, "/"+version) // go-app strips it too
		}
		if body, ok := ownResources[path]; ok {
			serveOwnResource(w, r, body)
			return
		}
		if strings.HasPrefix(path, "/web/") || goAppFiles[path] {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
			return
		}
		// A page: pre-rendered from a path of inert segments and no query
		// but the mode, when it is one of the two constants the page knows
		// (so the pre-rendered title says create or attach).
		r2 := r.Clone(r.Context())
		r2.URL = &url.URL{Path: prerenderPath(path)}
		if m := r.URL.Query().Get("mode"); m == "attach" || m == "create" {
			r2.URL.RawQuery = "mode=" + m
		}
		r2.RequestURI = r2.URL.RequestURI()
		next.ServeHTTP(w, r2)
	})
}

// prerenderPath keeps a page path's shape (so the route still matches) with
// every segment that holds anything but safe characters replaced by "-".
func prerenderPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "" && !safeSegment.MatchString(s) {
			segs[i] = "-"
		}
	}
	out := strings.Join(segs, "/")
	if !strings.HasPrefix(out, "/") {
		out = "/" + out
	}
	return out
}

func serveOwnResource(w http.ResponseWriter, r *http.Request, body string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	if body == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write([]byte(body))
}
