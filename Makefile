# The README's first commands are `go run ./cmd/soak demo` (in memory, then on PostgreSQL and
# Redis) and `make test`.
# .ci/run calls `make test` with SOAK_REQUIRE_SERVICES=1 and SOAK_LONG=1.

GO ?= go

# Test packages run side by side: most of the suite's time is real-time
# soaks that sleep (about half the CPU of 2 cores is idle at -p 2), so 3
# at once keep `make test` well under 5 minutes on 2 cores. The long
# soaks (SOAK_LONG=1) are load-sensitive by design and keep 2.
ifeq ($(SOAK_LONG),1)
TEST_P ?= 2
else
TEST_P ?= 3
endif

.PHONY: test services vet
test: services vet
	$(GO) test -race -count=1 -p $(TEST_P) -timeout 30m ./...

services:
	./.ci/services
	./.ci/chromium

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
