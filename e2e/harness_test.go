//go:build !(js && wasm)

// Package e2e runs the real amlaks binary, against its built-in Azure
// emulator, and drives the page with real headless Chromium. Outside CI a
// missing browser skips the suite; under CI=true it fails.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var (
	binPath string
	webDir  string
)

func TestMain(m *testing.M) {
	root, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	binPath, webDir = os.Getenv("AMLAKS_BIN"), os.Getenv("AMLAKS_WEB")
	if webDir == "" {
		webDir = filepath.Join(root, "web")
	}
	if binPath == "" {
		dir, err := os.MkdirTemp("", "amlaks-e2e")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "amlaks")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building amlaks:", err)
			os.Exit(1)
		}
	}
	if _, err := os.Stat(filepath.Join(webDir, "app.wasm")); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: web/app.wasm is missing: run `make wasm` (or `make e2e`) first")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// server is one running amlaks binary.
type server struct {
	URL  string
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
}

// startServer runs `amlaks serve` on a free loopback port against the
// emulator with short operation times, and waits until it answers.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	return startServerAt(t, freeAddr(t), args...)
}

// freeAddr is a free loopback host:port.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServerAt is startServer on a given address, for a test that must
// name it in the server's own settings (its public address, say).
func startServerAt(t testing.TB, addr string, args ...string) *server {
	t.Helper()
	all := append([]string{"serve", "--addr", addr, "--web", webDir, "--azure", "emulator",
		"--emulator-create", "3s", "--emulator-attach", "2s", "--emulator-update", "1s", "--emulator-extension", "2s",
		// One browser opens many pages from one address; the proxy's tests hold the limit.
		"--read-limit", "0"}, args...)
	cmd := exec.Command(binPath, all...)
	s := &server{URL: "http://" + addr, cmd: cmd}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		pw.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", s.log())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/api/config")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("amlaks did not start:\n%s", s.log())
	return nil
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// api sends a JSON request to the server and decodes the answer into out
// (when not nil); it returns the status.
func (s *server) api(t *testing.T, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// chromiumPath finds the browser, or skips (fails under CI=true).
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium at /usr/bin/chromium: `make deps` installs it")
	}
	t.Skip("no Chromium: install it with `make deps` to run the browser tests")
	return ""
}

// browser is one headless Chromium tab. It fails the test on any console
// error or uncaught exception, and saves a screenshot when the test fails.
type browser struct {
	ctx     context.Context
	mu      sync.Mutex
	errors  []string
	allowed []string
}

// allow ignores console errors holding text: for a test that provokes one.
func (b *browser) allow(text string) {
	b.mu.Lock()
	b.allowed = append(b.allowed, text)
	b.mu.Unlock()
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// Every document, the portal's iframe too, counts its fetches in flight
	// and notes when its DOM last changed, for settledJS.
	if err := chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: quietJS})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatalf("watching the page: %v", err)
	}
	go func() {
		for msg, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError || msg.Type == chromedp.ConsoleException {
				b.mu.Lock()
				e := string(msg.Type) + ": " + msg.Text
				if msg.URL != "" {
					e += " (" + msg.URL + ")"
				}
				b.errors = append(b.errors, e)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.screenshot(t) // every browser test leaves its last screen in e2e/screenshots
		b.mu.Lock()
		errs := append([]string(nil), b.errors...)
		allowed := append([]string(nil), b.allowed...)
		b.mu.Unlock()
	next:
		for _, e := range errs {
			for _, a := range allowed {
				if strings.Contains(e, a) {
					continue next
				}
			}
			t.Errorf("browser console: %s", e)
		}
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return b
}

// screenshot saves the page to e2e/screenshots/<test>.png.
func (b *browser) screenshot(t *testing.T) string {
	t.Helper()
	img, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return ""
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "screenshots")
	_ = os.MkdirAll(dir, 0o755)
	name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".png")
	if err := os.WriteFile(name, img, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return ""
	}
	t.Logf("screenshot: %s", name)
	return name
}

// open navigates and waits until the wasm has replaced go-app's loader, the
// page has marked itself ready (it validates what is typed) and its load is
// done (the form's workspaces are in: its loading line is gone).
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.do(t, chromedp.Navigate(url),
		chromedp.WaitNotPresent(chromedp.CSS("#app-wasm-loader")),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)),
	)
	b.waitFor(t, settledJS)
}

// quietJS counts a document's fetches in flight and notes when its layout
// last changed.
const quietJS = `(() => {
  let inflight = 0;
  window.__changed = performance.now();
  const touch = () => { window.__changed = performance.now(); };
  const orig = window.fetch;
  window.fetch = function (...args) {
    inflight++;
    touch();
    return orig.apply(this, args).finally(() => { inflight--; touch(); });
  };
  window.__inflight = () => inflight;
  // Elements added or removed, or the page's size changed: what moves a
  // click's target. A clock's text ticking in place does not.
  new MutationObserver(touch).observe(document, { subtree: true, childList: true });
  const sized = () => new ResizeObserver(touch).observe(document.documentElement);
  if (document.documentElement) sized(); else document.addEventListener("DOMContentLoaded", sized);
})()`

// settledJS is true once the page has stopped moving: it is ready, asks the
// proxy nothing (facts, prices, lists), and no element has come, gone or
// grown for longer than the facts' debounce. Answers move what is below them (a cost
// line, a table of sizes), so a click aimed before they land can hit
// another element: act on a page that has settled, as a person does.
const settledJS = `document.body && document.body.dataset.ready === "1" && !document.getElementById("page-loading") &&
	window.__inflight && window.__inflight() === 0 && performance.now() - window.__changed > 400`

func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval runs JavaScript and returns its value.
func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func (b *browser) waitFor(t *testing.T, js string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
		t.Fatalf("waiting for %s: %v", js, err)
	}
}

// typeInto replaces an input's text the way a person does: the box takes
// the focus, its text is selected, and the keys typed replace it (an empty
// text is a Backspace). The page sees every change as an input event, so
// what the box shows and what the page holds never differ; setting the
// value from a script would leave them apart until the next key.
func (b *browser) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	b.do(t, chromedp.WaitVisible(chromedp.CSS(sel)))
	eval[bool](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); return document.activeElement === e })()`, sel))
	if text == "" {
		text = kb.Backspace
	}
	b.do(t, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// codes returns the finding codes shown under a field's findings list.
func codes(t *testing.T, b *browser, listID string) []string {
	return eval[[]string](t, b, fmt.Sprintf(`Array.from(document.querySelectorAll('#%s [data-code]')).map(e => e.dataset.code)`, listID))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
