SHELL := /bin/bash
# pamtoken — build, test, run.
#
#   make test    build everything once (zero warnings in our code), then run every test
#   make build   debug build
#   make release release build

SWIFT ?= swift
BUILD_LOG := .build/build-warnings.log

.PHONY: build release test deps clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# The test command of the README and of CI: one build of every target (tests and helper executables
# included), a check that our own code compiled without a warning, then the tests from that build.
test:
	@mkdir -p .build
	$(SWIFT) build --build-tests 2>&1 | tee $(BUILD_LOG); test $${PIPESTATUS[0]:-0} -eq 0
	scripts/check-warnings $(BUILD_LOG)
	$(SWIFT) test --skip-build

# System packages the build and tests need (Debian/Ubuntu; run as root).
deps:
	apt-get update
	apt-get install -y libpam0g-dev libpam-wrapper libsqlite3-dev

clean:
	rm -rf .build
