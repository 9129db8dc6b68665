//go:build !(js && wasm)

package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "github.com/amlaks/amlaks/app"
)

// errNoWasm says that the files served have no app.wasm.
var errNoWasm = errors.New("no app.wasm")

// newPage returns the handler of the page over the files in webFS (the
// embedded web package, or --web DIR): go-app's server-side rendering and
// static files, with app.wasm served pre-compressed (brotli or gzip) when the
// browser accepts it. go-app's progress bar counts the decompressed bytes
// against WasmContentLength, the raw size, so it stays right. Without
// app.wasm the page is still served, and the error is errNoWasm.
func newPage(webFS fs.FS, backend string) (http.Handler, error) {
	var missing error
	st, err := fs.Stat(webFS, "app.wasm")
	var size int64
	if err != nil {
		missing = errNoWasm
	} else {
		size = st.Size()
	}
	ui.SetServerBackend(backend) // the pre-rendered page carries the demo banner
	h := &app.Handler{
		Name:            "amlaks",
		ShortName:       "amlaks",
		Title:           "amlaks: AKS inference clusters for Azure ML",
		Description:     "Create or attach an Azure Kubernetes Service inference cluster for an Azure Machine Learning workspace.",
		Lang:            "en",
		LoadingLabel:    "Loading amlaks {progress}%",
		Icon:            app.Icon{Default: "/web/icon.svg", Large: "/web/icon.svg", SVG: "/web/icon.svg", Maskable: "/web/icon.svg"},
		Styles:          []string{"/web/amlaks.css"},
		Scripts:         []string{"/web/loader.js defer"}, // a failed wasm load says so plainly and offers Retry
		BackgroundColor: "#ffffff",
		ThemeColor:      "#0f5ea8",
		Resources:       webResources{http.StripPrefix("/web", noListing(http.FileServerFS(webFS)))},
		// Env is public JavaScript: only the backend name goes there.
		Env:               map[string]string{"AMLAKS_BACKEND": backend},
		Version:           fileVersion(webFS, "app.wasm"),
		WasmContentLength: strconv.FormatInt(size, 10),
	}
	return guardPage(h.Version, precompressed(webFS, h)), missing
}

// fileVersion is a short hash of a file, for go-app's Handler.Version: the
// same build gives the same version, so restarts do not look like releases.
func fileVersion(fsys fs.FS, name string) string {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "dev"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// webResources serves /web/ from a directory of any name, resolving paths
// to themselves (go-app's LocalDir assumes the directory is ./web).
type webResources struct{ http.Handler }

// Resolve implements app.ResourceResolver.
func (webResources) Resolve(location string) string { return location }

// noListing refuses directory listings.
func noListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// precompressed serves /web/app.wasm from app.wasm.br or app.wasm.gz when they
// exist and the browser accepts that encoding.
func precompressed(webFS fs.FS, next http.Handler) http.Handler {
	type variant struct{ encoding, path string }
	var variants []variant
	for _, v := range []variant{{"br", "app.wasm.br"}, {"gzip", "app.wasm.gz"}} {
		if _, err := fs.Stat(webFS, v.path); err == nil {
			variants = append(variants, v)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/web/app.wasm" || r.URL.Path == "/app.wasm" {
			accept := r.Header.Get("Accept-Encoding")
			w.Header().Add("Vary", "Accept-Encoding")
			for _, v := range variants {
				if acceptsEncoding(accept, v.encoding) {
					w.Header().Set("Content-Encoding", v.encoding)
					w.Header().Set("Content-Type", "application/wasm")
					w.Header().Set("Cache-Control", "no-cache")
					http.ServeFileFS(w, r, webFS, v.path)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// acceptsEncoding reports whether an Accept-Encoding header accepts enc by
// name (RFC 9110, 12.5.3): listed with no q-value, or with one above zero.
// q=0, q=0.0, q=0.00 and q=0.000 refuse it; a q-value that does not parse
// does not accept it either.
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		if q, ok := qValue(params); ok && q > 0 {
			return true
		}
	}
	return false
}

// qValue reads the weight of one Accept-Encoding member's parameters: 1
// when there is none; ok is false when it is not a valid qvalue
// ("0" to "1" with at most three decimals).
func qValue(params string) (q float64, ok bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		intPart, frac, _ := strings.Cut(v, ".")
		if (intPart != "0" && intPart != "1") || len(frac) > 3 || strings.Trim(frac, "0123456789") != "" {
			return 0, false
		}
		q, err := strconv.ParseFloat(v, 64)
		if err != nil || q > 1 {
			return 0, false
		}
		return q, true
	}
	return 1, true
}
