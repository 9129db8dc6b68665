# amlaks: `make run` serves the product; `make test` runs every test.
GO       ?= go
BIN      := amlaks
WASM     := web/app.wasm
TOOLS    := $(CURDIR)/bin
WBT      := $(TOOLS)/wasmbrowsertest
CHROMIUM ?= /usr/bin/chromium
NPMDIR   := $(CURDIR)/.cache/npm
AXE      := $(NPMDIR)/node_modules/axe-core/axe.min.js
AZURITE  := $(NPMDIR)/node_modules/.bin/azurite-blob
# One npm install for every npm package: a second `npm install --no-save` into the
# same folder would drop the first one's packages as extraneous.
NPMPKGS  := axe-core@4.14.1 azurite@3.37.0
NPMSTAMP := $(NPMDIR)/.installed-$(subst @,-,$(subst $() ,_,$(NPMPKGS)))
export GOFLAGS := -buildvcs=false

.PHONY: run test wasm build e2e bench lint clean deps unit wasmtest fuzz size vuln floor azurite image

## run: build the wasm and the binary, serve http://127.0.0.1:8080 (emulator when no Azure credential)
run: build
	./$(BIN) serve

## build: the server binary and web/app.wasm (raw, gzip and, with brotli installed, br)
build: wasm $(BIN)

$(BIN): FORCE
	$(GO) build -trimpath -o $(BIN) .

## wasm: the page. Tag nox509: certificates are parsed by the proxy only (rules/tls_nox509.go); tag
## noexports: the review's exports are written by the proxy only (POST /api/exports, rules/export.go)
WASMTAGS := nox509,noexports
## WASMGC: amlaks's own packages are compiled without inlining in the page: Go's WebAssembly code repeats an
## inlined body at every call, with its resume points, so -l makes amlaks's code in app.wasm a sixth smaller
## (about 50 KB of brotli) for a Validate that is as fast (BenchmarkValidate, within 3 %). go-app and the
## standard library keep their inlining. The floor page is built with the same flags (a no-op there: it holds
## neither package).
WASMGC   := -gcflags=github.com/amlaks/amlaks/app=-l -gcflags=github.com/amlaks/amlaks/rules=-l
wasm:
	GOOS=js GOARCH=wasm $(GO) build -tags $(WASMTAGS) -trimpath $(WASMGC) -ldflags="-s -w" -o $(WASM) .
	gzip -9 -k -f $(WASM)
	@if command -v brotli >/dev/null 2>&1; then brotli -f -q 11 -o $(WASM).br $(WASM); else rm -f $(WASM).br; fi
	@printf 'app.wasm: %s bytes raw, %s gzip, %s brotli\n' $$(stat -c %s $(WASM)) $$(stat -c %s $(WASM).gz) $$( [ -f $(WASM).br ] && stat -c %s $(WASM).br || echo n/a)

## deps: what the tests need on a new machine: Chromium, brotli and npm from Debian, wasmbrowsertest from the
## module proxy, axe-core (accessibility checks in the browser tests) and Azurite (the Azure Storage emulator
## the shared-lock tests run against) from npm into .cache/npm, never global
deps: $(WBT) $(NPMSTAMP)
	@if ! command -v $(CHROMIUM) >/dev/null 2>&1 || ! command -v brotli >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium brotli >/dev/null; fi
	@$(CHROMIUM) --version

$(AXE) $(AZURITE): $(NPMSTAMP)

$(NPMSTAMP):
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null)
	npm install --prefix $(NPMDIR) --no-save --no-audit --no-fund --loglevel=error $(NPMPKGS)
	@touch $@

## azurite: Azurite into .cache/npm (the unit tests start it themselves, on a free port, in memory)
azurite: $(NPMSTAMP)

$(WBT):
	GOBIN=$(TOOLS) $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0

## test: vet, unit tests with -race (the shared lock against Azurite), the rules compiled to wasm in headless
## Chromium, the container image built and inspected, then the browser tests
test: deps lint unit wasmtest image e2e

unit: $(NPMSTAMP)
	AMLAKS_AZURITE=$(AZURITE) $(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)

## wasmtest: the rules package's tests, compiled to WebAssembly, run in headless Chromium
wasmtest: $(WBT)
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WBT)" ./rules/
	GOOS=js GOARCH=wasm $(GO) test -count=1 -tags $(WASMTAGS) -exec="$(WBT)" -run 'TestCertificatesCheckedOnTheServer|TestExportsLeftToTheProxy' ./rules/

## e2e: the real binary, the emulator and real headless Chromium
## The multi-replica tests (one `amlaks emulator`, Azurite, several `amlaks serve`) run first and verbose, so
## that their race figures are in the log.
E2EENV := AMLAKS_BIN=$(CURDIR)/$(BIN) AMLAKS_WEB=$(CURDIR)/web AMLAKS_AXE=$(AXE) AMLAKS_AZURITE=$(AZURITE)
e2e: build $(NPMSTAMP)
	$(E2EENV) $(GO) test -count=1 -timeout 5m -v -run '^TestReplicas' ./e2e/
	$(E2EENV) $(GO) test -count=1 -timeout 20m -skip '^TestReplicas' ./e2e/

## image: the container image, built without a Docker daemon (proxy/deploy/image): the static binary, the page
## embedded, on an empty base, as one tarball that is an OCI image layout and a Docker archive at once
## (`docker load -i bin/amlaks-image.tar`, or `crane push`/`skopeo copy oci-archive:` to a registry); then the
## test that inspects it (entrypoint, non-root user, no shell, labels, the binary)
IMAGE     := bin/amlaks-image.tar
IMAGEARCH ?= $(shell $(GO) env GOARCH)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
image: wasm
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGEARCH) $(GO) build -trimpath -ldflags="-s -w" -o bin/amlaks-linux-$(IMAGEARCH) .
	$(GO) run ./proxy/deploy/image --binary bin/amlaks-linux-$(IMAGEARCH) --arch $(IMAGEARCH) --out $(IMAGE) \
		--version $(VERSION) --revision $(REVISION)
	AMLAKS_IMAGE=$(CURDIR)/$(IMAGE) $(GO) test -count=1 -run '^TestRealImage$$' -v ./proxy/deploy/image/

## bench: every figure of issue 13 beside its reference from the same run: the API against a
## bare net/http server, ARM request counts, app.wasm against a go-app floor page (e2e/floor),
## and the first validated keystroke, cold, in headless Chromium against the same floor.
FLOOR     := $(TOOLS)/floor
FLOORWEB  := $(TOOLS)/floor-web
bench: build floor
	@printf '\n%-34s %12s %12s %8s\n' 'wasm, brotli -q 11 (same run)' 'amlaks' 'floor' 'ratio'
	@a=$$(stat -c %s $(WASM).br); f=$$(stat -c %s $(FLOORWEB)/app.wasm.br); \
		printf '%-34s %12s %12s %7sx   goal <= 1.15x\n' 'app.wasm' $$a $$f $$(awk "BEGIN{printf \"%.3f\", $$a/$$f}")
	@a=$$(stat -c %s $(WASM)); f=$$(stat -c %s $(FLOORWEB)/app.wasm); \
		printf '%-34s %12s %12s %7sx\n' 'app.wasm raw' $$a $$f $$(awk "BEGIN{printf \"%.3f\", $$a/$$f}")
	$(GO) test -run '^$$' -bench . -benchmem ./rules/
	$(GO) test -run '^$$' -bench 'BenchmarkAPI$$' -benchtime 3s ./proxy/
	$(GO) test -run '^$$' -bench 'BenchmarkARMRequests$$' -benchtime 1x ./proxy/
	AMLAKS_BIN=$(CURDIR)/$(BIN) AMLAKS_WEB=$(CURDIR)/web FLOOR_BIN=$(FLOOR) FLOOR_WEB=$(FLOORWEB) \
		$(GO) test -run '^$$' -bench 'BenchmarkFirstKeystroke$$' -benchtime 1x -timeout 20m ./e2e/

## floor: the smallest go-app v10 page that validates a field, built and compressed like app.wasm
floor:
	@mkdir -p $(FLOORWEB)
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASMGC) -ldflags="-s -w" -o $(FLOORWEB)/app.wasm ./e2e/floor
	brotli -f -q 11 -o $(FLOORWEB)/app.wasm.br $(FLOORWEB)/app.wasm
	$(GO) build -trimpath -o $(FLOOR) ./e2e/floor

## fuzz: every fuzz target for FUZZTIME each (they also run with their seed corpora in `make test`)
FUZZTIME ?= 20s
fuzz:
	@for t in FuzzValidate FuzzDecodeLink FuzzParseClusterID FuzzExports FuzzMatchers; do $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./rules/ || exit 1; done
	@for t in FuzzParsePrincipal FuzzIdentityHeaders FuzzParseTrustedProxies FuzzParsePolicy FuzzDecodeRequest FuzzProxyDecode FuzzAuditScrub; do $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./proxy/ || exit 1; done

## lint: gofmt, go mod tidy (go.mod and go.sum must be what tidy writes), go vet of the whole module for the
## server and for the wasm (server-only packages and tests carry //go:build !(js && wasm))
lint:
	@$(GO) mod tidy -diff >/dev/null || ($(GO) mod tidy -diff; echo 'go.mod/go.sum are not tidy: run `go mod tidy` and commit the result'; exit 1)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt wants changes'; exit 1)
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet -tags $(WASMTAGS) ./...

## size: app.wasm's size, then where its code goes: both pages built again without -s -w (the name section
## names every function) and their function bodies summed by package, app.wasm over the floor, then
## amlaks's largest functions (e2e/wasmsize)
SIZEDIR := $(TOOLS)/size
size: wasm
	@mkdir -p $(SIZEDIR)
	GOOS=js GOARCH=wasm $(GO) build -tags $(WASMTAGS) -trimpath $(WASMGC) -o $(SIZEDIR)/app.wasm .
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASMGC) -o $(SIZEDIR)/floor.wasm ./e2e/floor
	$(GO) run ./e2e/wasmsize -top 25 $(SIZEDIR)/app.wasm $(SIZEDIR)/floor.wasm
	$(GO) run ./e2e/wasmsize -by func -match amlaks -top 25 $(SIZEDIR)/app.wasm

## vuln: known vulnerabilities in the code amlaks calls (govulncheck). It needs
## https://vuln.go.dev, so it is not part of `test`: run it where that is reachable.
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.1.4
vuln:
	$(GO) run $(GOVULNCHECK) ./...

clean:
	rm -rf $(BIN) $(WASM) $(WASM).gz $(WASM).br bin e2e/screenshots

FORCE:
