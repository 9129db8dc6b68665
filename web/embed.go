// Package web holds the page's static files, embedded in the server binary
// so that it serves the page from any directory: the style sheet, the icon,
// the loader script and, once `make wasm` has written it, app.wasm with its
// compressed copies.
//
// A clean checkout has no app.wasm; app.wasm.README is committed so the
// pattern app.wasm* always matches and the module builds and vets before the
// first `make wasm`. A binary built that way says so when it starts.
package web

import (
	"embed"
	"io/fs"
)

//go:embed amlaks.css icon.svg loader.js app.wasm*
var files embed.FS

// served are the files of this directory the page serves; anything else
// embedded (the README) is not.
var served = map[string]bool{
	"amlaks.css": true, "icon.svg": true, "loader.js": true,
	"app.wasm": true, "app.wasm.gz": true, "app.wasm.br": true,
}

// FS returns the embedded files the page serves.
func FS() fs.FS { return only{files} }

// only is an fs.FS that opens the served files only.
type only struct{ fsys fs.FS }

func (o only) Open(name string) (fs.File, error) {
	if !served[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.fsys.Open(name)
}
