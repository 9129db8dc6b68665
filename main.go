// Command amlaks is a self-service page, with a small proxy behind it, that
// creates or attaches an AKS inference cluster for an Azure Machine Learning
// workspace, then follows, lists, scales and detaches it.
//
// The same main package is built twice: for the browser (GOOS=js GOARCH=wasm,
// web/app.wasm), where it runs the UI, and for the server, where it runs the
// proxy and the command line (serve, validate, versions).
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "github.com/amlaks/amlaks/app"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser() // never returns in the browser
	serverMain()
}
