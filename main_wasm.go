//go:build js && wasm

package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "github.com/amlaks/amlaks/app"
)

// main runs the UI in the browser; RunWhenOnBrowser never returns there.
func main() {
	ui.Register()
	app.RunWhenOnBrowser()
}
