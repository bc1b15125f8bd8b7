# The README's first commands are `go run ./cmd/soak demo` (in memory, then on PostgreSQL and
# Redis) and `make test`.
# .ci/run calls `make test` with SOAK_REQUIRE_SERVICES=1 and SOAK_LONG=1.

GO ?= go

.PHONY: test services vet
test: services vet
	$(GO) test -race -count=1 -timeout 30m ./...

services:
	./.ci/services
	./.ci/chromium

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
