SHELL := /bin/bash
# pamtoken — build, test, run.
#
#   make test    build everything once (zero warnings in our code), then run every test
#   make build   debug build
#   make release release build

SWIFT ?= swift
BUILD_LOG := .build/build-warnings.log

.PHONY: build release test deps run clean

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

# Runs the daemon on the embedded default: SQLite and keys in ./.state, loopback TCP port 8719 and a
# Unix socket in ./.run. PAM uses the "pamtoken" service, i.e. /etc/pam.d/pamtoken if installed and
# otherwise /etc/pam.d/other (common-auth + common-account on Debian). Without root, pam_unix can
# only check the password of the user running the daemon.
run: build
	$(SWIFT) run pamtokend --state-dir $(CURDIR)/.state --listen tcp:127.0.0.1:8719 --listen unix:$(CURDIR)/.run/pamtoken.sock

clean:
	rm -rf .build
