// amlaks: when go-app's loader fails to load the page's WebAssembly, it
// writes the browser's error ("TypeError: Failed to fetch") and stops
// spinning. This file (the CSP allows scripts from this origin only, never
// inline) turns that into a plain message with a Retry button.
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
