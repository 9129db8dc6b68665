//go:build !(js && wasm)

package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// serve serves the floor page on --addr from --web (app.wasm and, when
// present, app.wasm.br), app.wasm precompressed like amlaks serves it.
func serve() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	web := flag.String("web", "web", "directory holding app.wasm")
	flag.Parse()
	wasm := filepath.Join(*web, "app.wasm")
	st, err := os.Stat(wasm)
	if err != nil {
		log.Fatal(err)
	}
	h := &app.Handler{
		Name:              "floor",
		Title:             "floor",
		Resources:         floorResources{http.StripPrefix("/web", http.FileServer(http.Dir(*web)))},
		Version:           strconv.FormatInt(st.ModTime().UnixNano(), 36),
		WasmContentLength: strconv.FormatInt(st.Size(), 10),
	}
	br := filepath.Join(*web, "app.wasm.br")
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/web/app.wasm" && strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			if _, err := os.Stat(br); err == nil {
				w.Header().Set("Content-Encoding", "br")
				w.Header().Set("Content-Type", "application/wasm")
				w.Header().Set("Cache-Control", "no-cache")
				http.ServeFile(w, r, br)
				return
			}
		}
		h.ServeHTTP(w, r)
	})))
}

// floorResources serves /web/ from the --web directory.
type floorResources struct{ http.Handler }

// Resolve implements app.ResourceResolver.
func (floorResources) Resolve(location string) string { return location }
