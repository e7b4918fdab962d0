SHELL := /bin/bash
# pamtoken — build, test, run.
#
#   make test    build everything once (zero warnings in our code), then run every test
#   make build   debug build
#   make release release build

SWIFT ?= swift
BUILD_LOG := .build/build-warnings.log

.PHONY: check-deps build release test lint format e2e conversation-e2e fleet-e2e fuzz deps run install uninstall deb clean

# Installation layout (GNU conventions). DESTDIR stages into a tree, for packages and tests.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
DOCDIR ?= $(PREFIX)/share/doc/pamtoken
SYSCONFDIR ?= /etc
UNITDIR ?= $(LIBDIR)/systemd/system
# Which build to install: release (default) or debug (CI installs the build it already has).
CONFIG ?= release
SKIP_BUILD ?=

# The C headers the build needs, checked first so that a missing package is one line naming it
# rather than a compiler error about security/pam_appl.h.
check-deps:
	@for pair in security/pam_appl.h:libpam0g-dev sqlite3.h:libsqlite3-dev; do \
		header=$${pair%%:*}; package=$${pair#*:}; \
		if [ ! -e "/usr/include/$$header" ]; then \
			echo "pamtoken: $$package is not installed (no /usr/include/$$header): sudo apt-get install $$package, or sudo make deps" >&2; exit 1; \
		fi; \
	done

build: check-deps
	$(SWIFT) build

# Release binaries with the Swift runtime linked in, so they run without the toolchain installed.
release: check-deps
	$(SWIFT) build -c release --static-swift-stdlib

# The test command of the README and of CI: one build of every target (tests and helper executables
# included), a check that our own code compiled without a warning, then the tests from that build —
# with a throwaway PostgreSQL cluster when PostgreSQL is installed, so that the store suite runs
# against both backends (scripts/with-postgres).
test: check-deps
	@mkdir -p .build
	$(SWIFT) build --build-tests 2>&1 | tee $(BUILD_LOG); test $${PIPESTATUS[0]:-0} -eq 0
	scripts/check-warnings $(BUILD_LOG)
	scripts/with-postgres $(SWIFT) test --skip-build

# Formatting is checked, not hoped for: swift-format (shipped with the toolchain) with .swift-format,
# Hummingbird's settings at 150 columns. `make format` rewrites the tree the same way.
FORMAT_PATHS := Sources Tests Examples Benchmarks Fuzz Plugins Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format --in-place --recursive $(FORMAT_PATHS)

# End-to-end, from the debug build `make test` made: install it into a staging tree and use it with
# real users, pam_unix and socket activation (needs root: it creates users), then the nginx and Caddy
# recipes of docs/protect-a-service.md, as printed, with real nginx and Caddy in front of a service,
# then browser sign-in with real Chromium (Selenium), Apache mod_auth_openidc and an authlib client
# (docs/browser-sign-in.md's configs, as printed), then PAM conversations (conversation-e2e below),
# then schemathesis, then the Debian package
# (a release build: lintian, install, serve, purge) against the OpenAPI document (bounded to a few minutes). CI runs it after `make test`.
e2e:
	Tests/e2e/install-e2e.sh
	Tests/e2e/recipes-e2e.sh
	Tests/e2e/browser-e2e.sh
	Tests/e2e/conversation-e2e.sh
	scripts/with-postgres Tests/e2e/fleet-e2e.sh
	Tests/e2e/schemathesis.sh
	Tests/e2e/deb-e2e.sh

# PAM conversations end to end (root; chromium + chromium-driver, libpam-oath + oathtool): a TOTP code
# asked by pam_oath and an expired password changed through pam_unix, at the login page in real
# Chromium, on `pamtoken login`'s terminal (pexpect) and at POST /conversation. Like browser-e2e.sh it
# runs the build it finds and never builds: .build/debug by default, `CONFIG=release` or
# `BIN=path/to/pamtokend` (and `CLI=path/to/pamtoken`) to choose; BROWSER_E2E_VENV=DIR keeps its
# Python packages (selenium, requests, joserfc, pexpect) between runs.
conversation-e2e:
	Tests/e2e/conversation-e2e.sh

# Fleet mode's first slice (root; postgresql): two daemons with keys of their own on one PostgreSQL
# database, from a throwaway cluster (scripts/with-postgres) — a session moves between them, 100 rounds
# of 32 concurrent refreshes split across both give one winner each, and PostgreSQL stopped gives 503s
# that spend nothing, then recovery without a restart.
fleet-e2e:
	scripts/with-postgres Tests/e2e/fleet-e2e.sh

# libFuzzer targets (Fuzz/), built with -sanitize=fuzzer,address in .build-fuzz, each run for
# FUZZ_SECONDS from the committed seed corpus. CI runs it after e2e.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz $(FUZZ_SECONDS)

# System packages the build and tests need (Debian/Ubuntu; run as root).
deps:
	apt-get update
	apt-get install -y libpam0g-dev libpam-wrapper libsqlite3-dev

# Runs the daemon on the embedded default: SQLite and keys in ./.state, loopback TCP port 8719 and a
# Unix socket in ./.run. PAM uses the "pamtoken" service, i.e. /etc/pam.d/pamtoken if installed and
# otherwise /etc/pam.d/other (common-auth + common-account on Debian). Without root, pam_unix can
# only check the password of the user running the daemon.
run: build
	@echo "pamtoken: the CLI reaches this daemon with:  export PAMTOKEN_SOCKET=$(CURDIR)/.run/pamtoken.sock"
	@echo "          (or pamtoken --socket $(CURDIR)/.run/pamtoken.sock …, or --url http://127.0.0.1:8719)"
	$(SWIFT) run pamtokend --state-dir $(CURDIR)/.state --listen tcp:127.0.0.1:8719 --listen unix:$(CURDIR)/.run/pamtoken.sock

# Installs the binaries, systemd units, sysusers/tmpfiles entries, the PAM service and the example
# configuration. Existing configuration (/etc/pamtoken/pamtoken.toml, /etc/pam.d/pamtoken) is never
# overwritten: the new version is installed next to it as *.new.
install:
	@if [ -z "$(SKIP_BUILD)" ]; then $(SWIFT) build -c $(CONFIG) $(if $(filter release,$(CONFIG)),--static-swift-stdlib); fi
	@bin=$$($(SWIFT) build -c $(CONFIG) --show-bin-path); \
	set -e; \
	install -d -m 0755 "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(LIBDIR)/sysusers.d" \
		"$(DESTDIR)$(LIBDIR)/tmpfiles.d" "$(DESTDIR)$(DOCDIR)" "$(DESTDIR)$(SYSCONFDIR)/pam.d"; \
	install -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/pamtoken"; \
	install -m 0755 "$$bin/pamtokend" "$$bin/pamtoken" "$$bin/pamtoken-pamcheck" "$(DESTDIR)$(BINDIR)/"; \
	sed 's|/usr/local/bin/pamtokend|$(BINDIR)/pamtokend|; s|/usr/local/share/doc/pamtoken|$(DOCDIR)|' \
		systemd/pamtokend.service > "$(DESTDIR)$(UNITDIR)/pamtokend.service"; \
	sed 's|/usr/local/share/doc/pamtoken|$(DOCDIR)|' systemd/pamtokend.socket > "$(DESTDIR)$(UNITDIR)/pamtokend.socket"; \
	chmod 0644 "$(DESTDIR)$(UNITDIR)/pamtokend.service" "$(DESTDIR)$(UNITDIR)/pamtokend.socket"; \
	install -m 0644 systemd/pamtoken.sysusers "$(DESTDIR)$(LIBDIR)/sysusers.d/pamtoken.conf"; \
	install -m 0644 systemd/pamtoken.tmpfiles "$(DESTDIR)$(LIBDIR)/tmpfiles.d/pamtoken.conf"; \
	for pair in "etc/pam.d/pamtoken:$(SYSCONFDIR)/pam.d/pamtoken" "etc/pamtoken/pamtoken.toml:$(SYSCONFDIR)/pamtoken/pamtoken.toml"; do \
		src=$${pair%%:*}; dst="$(DESTDIR)$${pair#*:}"; \
		if [ -e "$$dst" ]; then install -m 0644 "$$src" "$$dst.new"; echo "kept $$dst (new version: $$dst.new)"; \
		else install -m 0644 "$$src" "$$dst"; fi; \
	done; \
	install -m 0644 README.md "$(DESTDIR)$(DOCDIR)/"; \
	if [ -d docs ]; then cp -R docs/. "$(DESTDIR)$(DOCDIR)/"; fi
	@echo
	@echo "Installed pamtoken into $(DESTDIR)$(PREFIX). Next steps (as root):"
	@echo "  systemd-sysusers && systemd-tmpfiles --create pamtoken.conf"
	@echo "  systemctl daemon-reload && systemctl enable --now pamtokend.socket"
	@echo "  pamtoken login && pamtoken token"

# A Debian package (dpkg-deb from the `make install` tree under /usr, with man pages, completions,
# conffiles and maintainer scripts): .build/deb/pamtoken_<version>_<arch>.deb. Release build.
deb: check-deps
	scripts/make-deb

# Removes what install put there, except configuration and state (/etc/pamtoken, /var/lib/pamtoken).
uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/pamtokend" "$(DESTDIR)$(BINDIR)/pamtoken" "$(DESTDIR)$(BINDIR)/pamtoken-pamcheck"
	rm -f "$(DESTDIR)$(UNITDIR)/pamtokend.service" "$(DESTDIR)$(UNITDIR)/pamtokend.socket"
	rm -f "$(DESTDIR)$(LIBDIR)/sysusers.d/pamtoken.conf" "$(DESTDIR)$(LIBDIR)/tmpfiles.d/pamtoken.conf"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@echo "Left in place: $(DESTDIR)$(SYSCONFDIR)/pamtoken, $(DESTDIR)$(SYSCONFDIR)/pam.d/pamtoken and /var/lib/pamtoken (state)."

clean:
	rm -rf .build
