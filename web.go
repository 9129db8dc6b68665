//go:build !(js && wasm)

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "github.com/amlaks/amlaks/app"
)

// newPage returns the handler of the page: go-app's server-side rendering and
// static files, with app.wasm served pre-compressed (brotli or gzip) when the
// browser accepts it. go-app's progress bar counts the decompressed bytes
// against WasmContentLength, the raw size, so it stays right.
func newPage(webDir, backend string) (http.Handler, error) {
	wasm := filepath.Join(webDir, "app.wasm")
	st, err := os.Stat(wasm)
	if err != nil {
		return nil, err
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
		Resources:       webResources{http.StripPrefix("/web", noListing(http.FileServer(http.Dir(webDir))))},
		// Env is public JavaScript: only the backend name goes there.
		Env:               map[string]string{"AMLAKS_BACKEND": backend},
		Version:           fileVersion(wasm),
		WasmContentLength: strconv.FormatInt(st.Size(), 10),
	}
	return guardPage(h.Version, precompressed(webDir, h)), nil
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
func precompressed(webDir string, next http.Handler) http.Handler {
	type variant struct{ encoding, path string }
	var variants []variant
	for _, v := range []variant{{"br", "app.wasm.br"}, {"gzip", "app.wasm.gz"}} {
		p := filepath.Join(webDir, v.path)
		if _, err := os.Stat(p); err == nil {
			variants = append(variants, variant{v.encoding, p})
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
					http.ServeFile(w, r, v.path)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), enc) && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}
