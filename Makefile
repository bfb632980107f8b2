# Parley: the two commands are `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA_DIR ?= parley-data
API_LISTEN ?= 127.0.0.1:8080
CHAT_LISTEN ?= 127.0.0.1:8081

# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses objects.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
# Node >= 20 (Debian 12's nodejs is 18): when the system's is older, an npm-packaged Node 20 is
# installed under .tools/ and put first on PATH for every recipe and test.
NODE_DIR := $(CURDIR)/.tools/node/node_modules/node-linux-$(subst x86_64,x64,$(subst aarch64,arm64,$(shell uname -m)))/bin
export PATH := $(NODE_DIR):$(PATH)

APT_PACKAGES := build-essential cmake ninja-build ccache pkg-config curl \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libssl-dev libsqlite3-dev libspdlog-dev libcli11-dev libgtest-dev zlib1g-dev \
  ca-certificates awscli wrk postgresql libpq-dev \
  libhiredis-dev liburing-dev redis-server nginx-light openssl
# Only `make test` (and `make deb`) install these: the browser the console's end-to-end test
# drives (headless, through playwright-core), and the Debian packaging and systemd tools the
# package test uses. `make run` never needs them.
TEST_APT_PACKAGES := chromium dpkg-dev systemd

.PHONY: all deps apt-deps test-apt-deps node-deps npm-deps console-deps console configure build build-server run cluster test unit asan e2e clean format help deb

all: build

help:
	@echo "make run    install missing packages, build, start parleyd on $(API_LISTEN) / $(CHAT_LISTEN)"
	@echo "make test   install missing packages, build, run every test suite"
	@echo "make cluster  PostgreSQL, Redis, three parleyd nodes and nginx on this machine (docs/cluster.md)"
	@echo "make build  build build/parleyd, build/console (the web console), build/parley-load and the unit tests"
	@echo "make build-server  build only build/parleyd (what make run uses)"
	@echo "make deb   build the Debian package (parleyd, systemd unit, /etc/parley/parley.toml)"
	@echo "make format clang-format every C++ file"

deps: apt-deps node-deps npm-deps console-deps

# Installs only what dpkg does not already report as installed.
apt-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if ! command -v node >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test-apt-deps:
	@$(MAKE) --no-print-directory apt-deps APT_PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"

node-deps: apt-deps
	@major=$$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0); \
	if [ "$$major" -lt 20 ]; then \
	  echo "node $$(node --version 2>/dev/null) is older than 20: installing Node 20 from npm into .tools/node"; \
	  npm install --no-save --no-audit --no-fund --loglevel=error --prefix .tools/node \
	    node-linux-$(subst x86_64,x64,$(subst aarch64,arm64,$(shell uname -m)))@20 && \
	  node --version; \
	fi

npm-deps: node-deps node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Parley Console (console/, TypeScript + Vite): its own npm dependencies, and its build output
# in $(BUILD_DIR)/console, beside parleyd, which serves it at /console/ (--console-dir).
CONSOLE_SOURCES := $(shell find console/src -type f 2>/dev/null) console/index.html \
  console/vite.config.ts console/tsconfig.json console/package.json

console-deps: node-deps console/node_modules/.package-lock.json

console/node_modules/.package-lock.json: console/package.json console/package-lock.json | node-deps
	cd console && npm ci --no-audit --no-fund --loglevel=error

console: $(BUILD_DIR)/console/index.html

$(BUILD_DIR)/console/index.html: console/node_modules/.package-lock.json $(CONSOLE_SOURCES) | node-deps
	cd console && PARLEY_CONSOLE_OUT=$(abspath $(BUILD_DIR))/console npm run --silent build

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: $(BUILD_DIR)/build.ninja

build: apt-deps configure console
	cmake --build $(BUILD_DIR) -j $(JOBS)

# What `make run` needs and nothing more (no tests, no load tool).
build-server: apt-deps configure console
	cmake --build $(BUILD_DIR) -j $(JOBS) --target parleyd

run: apt-deps build-server
	@scripts/run-server.sh $(BUILD_DIR)/parleyd --data-dir $(DATA_DIR) --api-listen $(API_LISTEN) --chat-listen $(CHAT_LISTEN)

cluster: deps build
	@scripts/run-cluster.sh $(BUILD_DIR)

test: test-apt-deps deps build
	@scripts/run-tests.sh $(BUILD_DIR) $(ASAN_DIR)

# Debian package (issue 11): build/parleyd_<version>_<arch>.deb, see docs/operations.md.
deb: test-apt-deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target parleyd
	cd $(BUILD_DIR) && cpack -G DEB

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
