# slm: the two commands a new machine needs are `make demo` and `make test`.
# Every target installs what it uses (Go modules, the ONNX Runtime library,
# the Python virtual environment), so a fresh clone works without hand steps.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
VENV := .venv
PY := $(VENV)/bin/python
ORT_DIR := build/ort
ORT_LIB := $(abspath $(ORT_DIR)/linux-amd64/libonnxruntime.so.1)
export SLM_ORT_LIB := $(ORT_LIB)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# slm and slm-edge report the commit they were built from (`slm version`, `slm-edge version`).
EDGE_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: train-clinc150
.PHONY: train-smoke
.PHONY: all setup setup-go setup-ort setup-python setup-moto setup-bench setup-tools setup-actionlint check-infra build build-arm64 testmodels demo test test-go test-python lint lint-go lint-python bench fuzz clean

all: build

## setup: everything the build and the tests need (idempotent).
setup: setup-go setup-ort setup-python

setup-go:
	$(GO) mod download

setup-ort:
	scripts/setup-ort.sh $(ORT_DIR)

## setup-bench: wrk, the load generator of `make bench` (Debian's package).
setup-bench:
	scripts/edge/setup-bench.sh

setup-python:
	scripts/setup-python.sh

## setup-moto: the moto server the AWS tests talk to, pinned, in a cached venv (~/.cache/slm/moto-venv;
## about 2 minutes once, then nothing).
setup-moto:
	scripts/aws/moto.sh install

## setup-tools: tflint, tflint-ruleset-aws and trivy, built from the Go module proxy into ~/.cache/slm/tools
## (cached: a tool whose version stamp matches is not rebuilt).
setup-tools:
	scripts/infra/build-tools.sh

## setup-actionlint: actionlint (GitHub Actions workflow checker) built from the Go module proxy into
## ~/.cache/slm/tools (about 3 minutes once, then nothing); the tests check `slm init`'s workflows with it.
setup-actionlint:
	scripts/infra/build-tools.sh actionlint

## check-infra: tflint and trivy over the example's generated Terraform, for each environment (offline).
check-infra: setup-go setup-tools
	scripts/infra/check-infra.sh

## build: the compiler (bin/slm) and the edge runtime (bin/slm-edge).
build: setup-go setup-ort
	$(GO) build -trimpath -ldflags "-X main.version=$(EDGE_VERSION)" -o bin/slm ./cmd/slm
	$(GO) build -trimpath -ldflags "-X main.version=$(EDGE_VERSION)" -o bin/slm-edge ./cmd/slm-edge
	install -m 0644 $(ORT_LIB) bin/libonnxruntime.so.1

## build-arm64: slm-edge for linux/arm64 devices (cgo, cross C compiler), with its ONNX Runtime beside it.
build-arm64: setup-go setup-ort
	scripts/edge/setup-cross.sh aarch64-linux-gnu-gcc
	CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc $(GO) build -trimpath -ldflags "-X main.version=$(EDGE_VERSION)" -o bin/linux-arm64/slm-edge ./cmd/slm-edge
	install -m 0644 $(ORT_DIR)/linux-arm64/libonnxruntime.so.1 bin/linux-arm64/libonnxruntime.so.1

## testmodels: real BERT-architecture model bundles for the edge runtime's tests and benchmarks.
testmodels: build/testmodels/.stamp
build/testmodels/.stamp: scripts/edge/make_test_bundles.py stdlib/python/slm_train/export.py stdlib/python/slm_train/profile.py testdata/clinc150/intent10.jsonl runtime/testdata/minilm/tokenizer.json runtime/testdata/clinc150/test.json | setup-python
	$(PY) scripts/edge/make_test_bundles.py build/testmodels
	touch $@

## demo: the main job on the bundled example.
demo: build
	bin/slm plan examples/intent --var-file examples/intent/envs/dev.slmvars.hcl --out build/demo --offline

## train-smoke: `slm run` on examples/clinc150 with envs/smoke.slmvars.hcl (a 10-intent CLINC150 slice, one
## LoRA epoch): prepare, train, evaluate, gate, register; then slm-edge classify, runtime logits = PyTorch's
## (1e-3), a second run whose raised bar fails the gate from the cache (exit 1, nothing registered), and the
## README's `plan --model build/smoke/model` (the example ships int8 to amd64 and arm64). Leaves build/smoke/.
train-smoke: build build-arm64 setup-python
	scripts/smoke/train-smoke.sh

## test: lint, then every test (Go, Python, the end-to-end smoke).
test: setup lint test-go test-python train-smoke

# The Go tests run against one moto server (127.0.0.1, a free port), started before and stopped by PID
# after, also when a test fails; internal/awstest reads its address from SLM_MOTO_ENDPOINT.
test-go: setup-go setup-ort setup-moto testmodels build-arm64 setup-actionlint
	scripts/aws/moto.sh run $(GO) test -race -count=1 ./...

test-python: setup-python
	$(PY) -m pytest -q stdlib/python

lint: lint-go lint-python

lint-go: setup-go
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [[ -n "$$out" ]]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

lint-python: setup-python
	$(VENV)/bin/ruff check stdlib/python scripts
	$(VENV)/bin/ruff format --check stdlib/python scripts
	cd stdlib/python && ../../$(VENV)/bin/mypy slm_train

## train-clinc150: examples/clinc150 (full CLINC150, envs/full.slmvars.hcl) through `slm run` on CPU:
## prepare, LoRA training, the fp32 bundle evaluated by the pipeline's evaluate step, the gate, the
## registration; then the int8 bundle evaluated alike. Leaves the run directory in $(CLINC150_OUT).
CLINC150_JSON ?= ../shared/datasets/clinc150/data_full.json
CLINC150_OUT ?= build/clinc150-run
train-clinc150: setup-python build
	CLINC150_JSON=$(CLINC150_JSON) CLINC150_OUT=$(CLINC150_OUT) scripts/datasets/train-clinc150.sh

## bench: compile-time and runtime benchmarks (figures go in closing notes).
## (deploy/planner: plan of the example offline; deploy/awsdeploy: plan and apply against moto;
## runtime/bench: slm-edge against the raw onnxruntime_go ceiling and a Python service, under wrk,
## which prints its tables as it goes: about 12 minutes of the run.)
bench: setup-go setup-ort setup-python setup-moto setup-bench testmodels
	scripts/aws/moto.sh run $(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	scripts/smoke/prepare-rss.sh

## fuzz: the loader/compiler/backend fuzz target; FUZZTIME=10m for a long run.
FUZZTIME ?= 60s
fuzz: setup-go
	$(GO) test ./compiler/ -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./stdlib/prepare/ -run '^$$' -fuzz FuzzScanObject -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./stdlib/prepare/ -run '^$$' -fuzz FuzzClean -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./stdlib/evaluate/ -run '^$$' -fuzz FuzzSafeName -fuzztime $(FUZZTIME) -fuzzminimizetime 5s

clean:
	rm -rf bin build
