# Tandem's build. `make run` and `make test` are all a newcomer needs.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS := ./...

.PHONY: run build web test chaos check fmt vet staticcheck bench screenshots clean

# The console's sources; web/dist/console.js is rebuilt when one changes.
WEB_SRC := $(wildcard web/src/*) web/build.mjs web/package.json web/package-lock.json web/tsconfig.json

## web: type-check (tsc) and bundle (esbuild) the agent console into web/dist, embedded by the next Go build; npm fetches the tools
web: web/dist/console.js

web/dist/console.js: $(WEB_SRC)
	cd web && npm ci --no-audit --no-fund --loglevel=error && node_modules/.bin/tsc -p . && node build.mjs

## run: run the hub on http://localhost:8080 with the embedded default (SQLite, in-memory broker, dev outbox)
run: web
	TANDEM_LOG_FORMAT=$${TANDEM_LOG_FORMAT:-console} $(GO) run ./cmd/tandem serve

## build: build the server binary into bin/
build: web
	$(GO) build -o bin/tandem ./cmd/tandem

## test: run every test, with the race detector, against the real PostgreSQL (skipped loudly if unreachable unless REQUIRE_SERVICES=1)
test: web
	$(GO) test -race -count=1 $(PKGS)

## chaos: the long failure tests: instances killed one after another, Redis restarted, PostgreSQL cut, several times each under more load
chaos:
	TANDEM_CHAOS=long $(GO) test -race -count=1 -timeout 30m -v -run 'MidStream' ./cmd/tandem

## check: formatting, vet, staticcheck and the race tests: what a change must pass
check: fmt vet staticcheck test

fmt:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

## bench: the append + fan-out benchmarks (figures go in docs/performance.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./hub/...

clean:
	rm -rf bin tandem-data web/node_modules web/dist/*.js web/dist/*.map web/dist/*.html

## screenshots: regenerate docs/screenshots (the console and the customer's room at desktop and phone sizes) in headless Chromium
screenshots: web
	TANDEM_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./cmd/tandem
