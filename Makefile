# inpctl — make demo (a whole academic year on the built-in defaults) and make test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/inpctl/inpctl/internal/cli.version=$(VERSION)
BIN     := bin/inpctl
FUZZTIME ?= 30s

.PHONY: all build demo test test-pg test-update test-office bench lint cover fuzz soak clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/inpctl

demo: build
	./scripts/demo.sh

# test: lint, the Go tests, then make demo as a test of its own (README's
# first command must keep working; its output goes to demo.log, shown on failure).
test: build lint
	$(GO) test -count=1 ./...
	@./scripts/demo.sh > demo.log 2>&1 || { tail -40 demo.log; echo "make demo failed (demo.log)"; exit 1; }
	@grep -q '✓ db check: the books are consistent' demo.log || { tail -20 demo.log; echo "make demo: db check of the demo's year is not clean (demo.log)"; exit 1; }
	@echo "ok  	make demo (demo.log)"

# test-pg: the tests that take a database, on PostgreSQL (issue 22): store,
# billing with its simulation, mail, and every CLI script (testdata/script,
# each on a database of its own; [postgres] marks what only SQLite has);
# then make demo's year on it with a clean db check. INPCTL_TEST_PG names a
# server whose user may create databases; .ci/run starts a throwaway one:
#   eval "$$(scripts/pg.sh start /tmp/inpctl-pg)"; make test-pg
# Each test gets a database of its own, dropped after it. The simulation
# runs 100 sequences here (each on a new database); make soak runs more.
test-pg: build
	@test -n "$$INPCTL_TEST_PG" || { echo 'test-pg: set INPCTL_TEST_PG, e.g. eval "$$(scripts/pg.sh start /tmp/inpctl-pg)"'; exit 1; }
	INPCTL_SIM_N=$${INPCTL_SIM_N:-100} $(GO) test -count=1 ./internal/store/... ./internal/billing/ ./internal/mail/
	$(GO) test -count=1 -run 'TestScripts' ./internal/cli/
	@./scripts/demo-pg.sh > demo-pg.log 2>&1 || { tail -40 demo-pg.log; echo "make demo on PostgreSQL failed (demo-pg.log)"; exit 1; }
	@grep -q '✓ db check: the books are consistent' demo-pg.log || { tail -20 demo-pg.log; echo "make demo on PostgreSQL: db check is not clean (demo-pg.log)"; exit 1; }
	@echo "ok  	make demo on PostgreSQL (demo-pg.log)"

# test-office: the excel-fr CSV read back by LibreOffice Calc in a French
# locale (issue 20); installs libreoffice-calc-nogui when soffice is missing
# (Debian/Ubuntu, as root), and fails rather than skips without it.
test-office:
	@command -v soffice >/dev/null 2>&1 || { { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-calc-nogui; } || \
		{ echo "test-office: install LibreOffice Calc (apt-get install libreoffice-calc-nogui) and run it again"; exit 1; }; }
	INPCTL_TEST_OFFICE=1 $(GO) test -count=1 -run 'TestOffice' -v ./internal/cli/

test-update:
	$(GO) test ./... -args -update

bench: build
	./scripts/bench.sh

# lint: gofmt, go vet, staticcheck and deadcode at pinned versions (go run
# fetches them; scripts/deadcode.allow lists what is unreachable on purpose).
lint:
	@GO=$(GO) ./scripts/lint.sh

cover:
	$(GO) test -coverprofile=cover.out ./... && $(GO) tool cover -func=cover.out | tail -1

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

soak:
	INPCTL_SOAK=1 $(GO) test -count=1 -run 'TestCrash|TestFaults' -timeout 60m ./internal/cli/
	INPCTL_SOAK=1 $(GO) test -count=1 -run 'TestSimulation' -timeout 120m ./internal/billing/

clean:
	rm -rf bin demo demo.log bench-out cover.out
