// amlaks: when go-app's loader fails to load the page's WebAssembly, it
// writes the browser's error ("TypeError: Failed to fetch") and stops
// spinning. This file (the CSP allows scripts from this origin only, never
// inline) turns that into a plain message with a Retry button.
//
// It also asks the proxy, while the wasm is still on its way, for what the
// page asks first (its config and, on the form, the workspaces), so the
// page's first calls find their answers waiting (app/api.go, prefetched).
(function () {
  "use strict";
  var early = {};
  function ask(path) {
    early[path] = fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) {
        return resp.text().then(function (body) {
          return { status: resp.status, body: body };
        });
      });
    early[path].catch(function () {}); // the page reports it when it takes the answer
  }
  ask("/api/config");
  if (window.location.pathname === "/") {
    ask("/api/workspaces");
  }
  // The pre-rendered page is the first paint, but typing into it would be
  // lost when the wasm takes over (go-app replaces it with its own render,
  // which is not inert): until then it is shown, not used.
  var first = document.body && document.body.firstElementChild;
  if (first && first.id !== "app-wasm-loader") {
    first.inert = true;
  }
  window.amlaksPrefetched = function (path) {
    var p = early[path];
    delete early[path];
    return p;
  };
})();

(function () {
  "use strict";
  var loader = document.getElementById("app-wasm-loader");
  var icon = document.getElementById("app-wasm-loader-icon");
  var label = document.getElementById("app-wasm-loader-label");
  if (!loader || !icon || !label) {
    return;
  }

  function failed() {
    return document.body.contains(loader) && !/\bgoapp-spin\b/.test(icon.className);
  }

  function explain() {
    if (!failed() || document.getElementById("wasm-load-failed")) {
      return;
    }
    var box = document.createElement("div");
    box.id = "wasm-load-failed";
    box.className = "load-failed";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "load-failed-title";
    title.textContent = "amlaks could not finish loading.";
    var what = document.createElement("p");
    what.textContent = "Part of the page did not arrive: the connection may have dropped, or the server may be restarting. Nothing was sent to Azure.";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.id = "wasm-retry";
    retry.className = "primary";
    retry.textContent = "Retry";
    retry.addEventListener("click", function () {
      window.location.reload();
    });
    box.appendChild(title);
    box.appendChild(what);
    box.appendChild(retry);
    label.hidden = true;
    icon.hidden = true;
    loader.appendChild(box);
    retry.focus();
  }

  new MutationObserver(explain).observe(icon, { attributes: true, attributeFilter: ["class"] });
  explain();
})();
