# Packaging (issue #17, docs/package.md): make install (PREFIX, DESTDIR), make deb (out/vigil_<version>_<arch>.deb),
# both from the release binary linked with --static-swift-stdlib, so no Swift toolchain is needed where it runs.
PREFIX ?= /usr
DESTDIR ?=
VIGIL_STATIC_BIN := $(CURDIR)/.build-deb/release/vigil
HOST_TESTS += test-host-package
.PHONY: build-static install deb test-host-package test-deb

## The release binary with the Swift runtime linked in (its own scratch path: a cold build takes minutes).
build-static:
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-deb --product vigil

## Installs the binary, the systemd unit, /etc/default/vigil, man pages, completion and docs under DESTDIR/PREFIX.
install: build-static
	VIGIL_PKG_BIN=$(VIGIL_STATIC_BIN) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) scripts/package/install.sh

## The Debian package, with dpkg-deb; Depends from dpkg-shlibdeps (which refuses a library no package provides).
deb: build-static
	VIGIL_PKG_BIN=$(VIGIL_STATIC_BIN) scripts/package/deb.sh

## Host tier: the package's layout, control data, unit, man pages, completion, install/remove/purge in a private
## dpkg root — built from the debug binary (the release build is too slow for every CI run; make test-deb).
test-host-package:
	@scripts/require-root.sh "package host suite"
	VIGIL_BIN=$(VIGIL_BIN) scripts/package/host-tests.sh

## The same suite on the release package make deb builds.
test-deb: deb
	@scripts/require-root.sh "package host suite"
	DEB=$$(ls -t out/vigil_*.deb | head -1) scripts/package/host-tests.sh
