# Tandem's build. `make run` and `make test` are all a newcomer needs.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS := ./...

.PHONY: run build test chaos check fmt vet staticcheck bench clean

## run: run the hub on http://localhost:8080 with the embedded default (SQLite, in-memory broker, dev outbox)
run:
	TANDEM_LOG_FORMAT=$${TANDEM_LOG_FORMAT:-console} $(GO) run ./cmd/tandem serve

## build: build the server binary into bin/
build:
	$(GO) build -o bin/tandem ./cmd/tandem

## test: run every test, with the race detector, against the real PostgreSQL (skipped loudly if unreachable unless REQUIRE_SERVICES=1)
test:
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
	rm -rf bin tandem-data
