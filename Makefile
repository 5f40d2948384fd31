# Tandem's build. `make run` and `make test` are all a newcomer needs.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS := ./...

.PHONY: run build web test fuzz fuzz-short chaos check fmt vet staticcheck bench bench-load screenshots clean

# The fuzz targets, one package:FuzzName a line. Go fuzzes one target per
# `go test` call, so each is run on its own: for FUZZTIME_SHORT by `make
# test` (fuzz-short), for FUZZTIME by `make fuzz`. An input that fails is
# written to the package's testdata/fuzz/FuzzName/, to commit once fixed.
FUZZ_TARGETS := \
	./room:FuzzApply \
	./room:FuzzValidateCustomer \
	./room:FuzzCanonical \
	./room:FuzzParseAmount \
	./hub:FuzzReplyTo \
	./hub/app:FuzzE164 \
	./hub/api:FuzzRequestBody \
	./hub/api:FuzzQueryInt \
	./hub/api:FuzzRoomCursor \
	./hub/api:FuzzCutUserAgent \
	./hub/sender/twilio:FuzzParseCallback \
	./hub/seal/cms:FuzzVerify
FUZZTIME ?= 60s
FUZZTIME_SHORT ?= 1s
# Each new input that widens coverage is minimised first, for at most
# this long: Go's default (60s) would eat a short run.
FUZZMINIMIZETIME ?= 5s

# RACE builds tests with the race detector. -race turns on checkptr too,
# which checks every unsafe.Pointer conversion at run time: in
# modernc.org/sqlite and its libc, Go transpiled from C that converts
# pointers at every step, that was a quarter of hub/api's CPU. They are
# built without it; Tandem's own code keeps both checks.
RACE := -race -gcflags='modernc.org/...=-d=checkptr=0'

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

## test: run every test against the real PostgreSQL (skipped loudly if unreachable unless REQUIRE_SERVICES=1), with the race detector but for the browser tests, and fuzz-short
# The browser tests (cmd/tandem's TestBrowser…) check the pages and run
# without the race detector, after the others: the server code they drive
# runs under it in hub/api's tests, which reach every route, and the race
# detector would only slow the hub they watch (four minutes instead of
# one and a half on two cores). The brief fuzzing pass runs beside them,
# its output shown once they end: the browser tests mostly wait on
# Chromium and leave a core to spare.
test: web
	$(GO) test $(RACE) -count=1 -skip '^TestBrowser' $(PKGS)
	@log=$$(mktemp); $(MAKE) --no-print-directory fuzz-short > $$log 2>&1 & fuzz=$$!; \
	$(GO) test -count=1 -run '^TestBrowser' ./cmd/tandem; ui=$$?; \
	wait $$fuzz; fz=$$?; cat $$log; rm -f $$log; [ $$ui -eq 0 ] && [ $$fz -eq 0 ]

# run-fuzz fuzzes each of FUZZ_TARGETS for $(1), one after another
# (.ci/fuzz also tells Go's fuzztime deadline race from a finding).
define run-fuzz
	@GO="$(GO)" .ci/fuzz $(1) $(FUZZMINIMIZETIME) $(FUZZ_TARGETS)
endef

## fuzz-short: a brief fuzzing pass, FUZZTIME_SHORT (1s) per fuzz target (their seeds run with every go test)
fuzz-short:
	$(call run-fuzz,$(FUZZTIME_SHORT))

## fuzz: fuzz every target for FUZZTIME (60s) each: make fuzz FUZZTIME=10m
fuzz:
	$(call run-fuzz,$(FUZZTIME))

## chaos: the long failure tests: instances killed one after another, Redis restarted, PostgreSQL cut, several times each under more load; a subscription resuming across cuts of ten times more events
chaos:
	TANDEM_CHAOS=long $(GO) test $(RACE) -count=1 -timeout 30m -v -run 'MidStream' ./cmd/tandem
	TANDEM_CHAOS=long $(GO) test $(RACE) -count=1 -timeout 30m -v -run 'ResumeAfterDroppedConnections' ./hub/api

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

## bench-load: hubbench's scenarios (SQLite; two instances on PostgreSQL + Redis; 10 000 idle sockets; resume of 1 000 events) from empty databases, as one table with its commands; BASE=<git ref> measures that revision too, in the same run; SCENARIOS=sqlite,pg,idle,resume, DURATION=15s and more: see .ci/bench-load
bench-load:
	GO="$(GO)" .ci/bench-load

clean:
	rm -rf bin tandem-data web/node_modules web/dist/*.js web/dist/*.mjs web/dist/*.map web/dist/*.html

## screenshots: regenerate docs/screenshots (the console and the customer's room at desktop and phone sizes) in headless Chromium
screenshots: web
	TANDEM_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^Test(Screenshots|AuditTrailScreenshot|BrowserDocumentTypes|BrowserBrand|BrowserPeople|BrowserAddressBook)$$' ./cmd/tandem
