//go:build js && wasm

package main

// serve is the server's; the browser never gets here.
func serve() {}
