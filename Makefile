# Lambda builds for `sam build` (template.yaml: BuildMethod makefile, CodeUri .).
# SAM runs `make build-<LogicalId>` with ARTIFACTS_DIR set; each target writes
# the function's bootstrap there: static (CGO off), linux/arm64, without the
# net/rpc shim (lambda.norpc), stripped.
# Outside SAM: make build-ProbeFunction ARTIFACTS_DIR=/tmp/probe
# A smaller binary without the DNS providers you do not use:
#   make build-ProbeFunction LAMBDA_TAGS=lambda.norpc,no_route53,no_rfc2136
# (see dnsfailover/dns/README.md for what each provider costs).

GO          ?= go
LAMBDA_TAGS ?= lambda.norpc
GOFLAGS_LAMBDA = -tags $(LAMBDA_TAGS) -trimpath -ldflags="-s -w"
LAMBDA_ENV  = CGO_ENABLED=0 GOOS=linux GOARCH=arm64

.PHONY: build-ProbeFunction build-FailoverFunction

build-ProbeFunction:
	$(LAMBDA_ENV) $(GO) build $(GOFLAGS_LAMBDA) -o $(ARTIFACTS_DIR)/bootstrap ./functions/probe

build-FailoverFunction:
	$(LAMBDA_ENV) $(GO) build $(GOFLAGS_LAMBDA) -o $(ARTIFACTS_DIR)/bootstrap ./functions/failover
