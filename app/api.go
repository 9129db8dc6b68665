// Package app is the amlaks page: go-app components rendered on the server
// and run in the browser as WebAssembly. It imports rules and go-app, never
// the proxy; it talks to the proxy with the browser's fetch, decoding the
// same JSON types. Import it as ui where it meets go-app's app package.
package app

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// config is what the proxy says about itself (GET /api/config).
type config = rules.ServerInfo

// call sends one request to the proxy with the browser's fetch and decodes
// the JSON answer into out. It blocks: call it from ctx.Async. An error
// answer comes back as a *rules.Error.
func call(method, path string, in, out any) error {
	if app.IsServer {
		return errors.New("no fetch on the server")
	}
	opts := map[string]any{
		"method":      method,
		"credentials": "same-origin",
		"headers":     map[string]any{"Accept": "application/json"},
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		opts["body"] = string(b)
		opts["headers"] = map[string]any{"Accept": "application/json", "Content-Type": "application/json"}
	}
	type result struct {
		status int
		body   string
		err    string
	}
	done := make(chan result, 1)
	var onText, onResp, onErr app.Func
	status := 0
	onText = app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{status: status, body: args[0].String()}
		return nil
	})
	onResp = app.FuncOf(func(this app.Value, args []app.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	onErr = app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{err: "The amlaks proxy could not be reached. Check your connection and try again."}
		return nil
	})
	var onEarly app.Func
	if early := prefetched(method, path, in); early.Truthy() {
		onEarly = app.FuncOf(func(this app.Value, args []app.Value) any {
			done <- result{status: args[0].Get("status").Int(), body: args[0].Get("body").String()}
			return nil
		})
		early.Call("then", onEarly, onErr)
	} else {
		app.Window().Call("fetch", path, opts).Call("then", onResp, onErr)
	}
	r := <-done
	onText.Release()
	onResp.Release()
	onErr.Release()
	if onEarly != nil {
		onEarly.Release()
	}
	if r.err != "" {
		return rules.Errorf(rules.ErrUnavailable, "", r.err)
	}
	if r.status >= 400 {
		var e rules.ErrorBody
		if json.Unmarshal([]byte(r.body), &e) != nil || e.Error.Error == nil || e.Error.Message == "" {
			return rules.Errorf(rules.ErrUnavailable, "", "The proxy answered with an error the page cannot read.")
		}
		err := e.Error.Error
		if e.Error.RequestID != "" {
			err.Message += " (request " + e.Error.RequestID + ")"
		}
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(r.body), out); err != nil {
		return rules.Errorf(rules.ErrUnavailable, "", "The proxy's answer could not be read.")
	}
	return nil
}

// prefetched is the answer web/loader.js asked for before the wasm
// arrived (a promise of {status, body}), taken once; or undefined.
func prefetched(method, path string, in any) app.Value {
	take := app.Window().Get("amlaksPrefetched")
	if method != "GET" || in != nil || !take.Truthy() {
		return app.Undefined()
	}
	return app.Window().Call("amlaksPrefetched", path)
}

// message returns the words to show for an error from call.
func message(err error) string {
	if e := apiError(err); e != nil {
		return e.Message
	}
	return err.Error()
}

// apiError is the proxy's refusal that call returned, or nil. call never
// wraps it, so a type assertion does what errors.As would, without the
// reflection errors.As links into app.wasm.
func apiError(err error) *rules.Error {
	e, _ := err.(*rules.Error)
	return e
}

// fieldID is the DOM id of a request field's input.
func fieldID(field string) string { return "f-" + strings.ReplaceAll(field, ".", "-") }
