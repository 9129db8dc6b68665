//go:build !(js && wasm)

// Command amlaks is a self-service page, with a small proxy behind it, that
// creates or attaches an AKS inference cluster for an Azure Machine Learning
// workspace, then follows, lists, scales and detaches it.
//
// The same main package is built twice: for the browser (GOOS=js GOARCH=wasm,
// main_wasm.go), where it runs the UI, and for the server (this file), where
// it runs the command line of package proxy/serve (serve, emulator,
// validate, versions). The server registers the UI's routes too, to
// pre-render the page.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	ui "github.com/amlaks/amlaks/app"
	"github.com/amlaks/amlaks/proxy/serve"
)

func main() {
	ui.Register()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := serve.Command(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
