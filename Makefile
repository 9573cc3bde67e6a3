# SPDX-License-Identifier: GPL-2.0
# Makefile - build the module and the reader; run the tests and the demo; install (make install, DKMS, .debs).

# The kernel to install for: the running one unless told (KVER=6.1.0-57-amd64).
KVER ?= $(shell uname -r)
# The dev build falls back to Debian's 6.1 headers (the dev VM's kernel) when
# the running kernel has none; install never does (it checks KVER's tree).
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	$(shell bash scripts/kdir 6.1 2>/dev/null))
PREFIX ?= /usr/local
DESTDIR ?=
# One version for the module, the reader and the packages: dkms.conf's.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# The module's sources as DKMS and tcptrail-dkms ship them (no KUnit suites).
MOD_SRCS := $(filter-out %_test.c %.mod.c,$(wildcard module/*.c)) $(wildcard module/*.h)

.PHONY: all module userspace clean style check stress demo deps compare install \
	uninstall bench dkms dkms-src dkms-remove deb

all: module userspace

# M= is module/ alone: kbuild never reaches build/, where other kernels'
# copies of the sources are built (scripts/build-module).
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

userspace:
	$(MAKE) -C userspace

deps:
	bash scripts/setup

style:
	bash scripts/style

check:
	bash scripts/check

# The stress campaign (long: hours under TCG), e.g.
#   make stress STRESS_ARGS="--kernel 6.1 --test reload"
stress:
	bash scripts/stress $(STRESS_ARGS)

demo:
	bash scripts/demo

# TIME_WAIT and FIN_WAIT2 under several sysctl settings, in the 6.1 dev VM:
#   make compare COMPARE_ARGS="-n 20 --set tcp_fin_timeout=60,5"
compare:
	$(MAKE) -C userspace
	bash scripts/build-module 6.1
	bash scripts/vm --kernel 6.1 --timeout 900 -- bash scripts/compare-timewait $(COMPARE_ARGS)

# What tracing costs, in one boot per kernel (6.1 and 6.12; results in
# build/bench/KERNEL/):  make bench BENCH_ARGS="--kernel 6.12 --smoke"
bench:
	bash scripts/bench $(BENCH_ARGS)

# install-kdir: KVER's build tree, or stop. A module built against other
# headers would install into that kernel's tree, not the one that runs.
define need_kver_tree
	@test -d /lib/modules/$(KVER)/build || { \
		echo "make: no build tree for kernel $(KVER) (/lib/modules/$(KVER)/build):" \
			"install its headers (Debian/Ubuntu: apt-get install linux-headers-$(KVER))," \
			"or name an installed kernel with KVER=RELEASE" >&2; exit 1; }
endef

# The reader (PREFIX), the module into /lib/modules/KVER/updates (under
# DESTDIR for a staged install). Debian's headers have no System.map, so
# kbuild skips depmod: run it here (not in a staged tree, which is not a
# whole module tree). The module is signed only if the kernel's build tree
# has its signing key (Debian's has not: use DKMS under Secure Boot).
INSTALL_MOD_DIR ?= updates
install:
	$(need_kver_tree)
	$(MAKE) -C userspace install
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(CURDIR)/module modules
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(CURDIR)/module INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

# What install put there, whatever compression modules_install chose.
uninstall:
	$(MAKE) -C userspace uninstall
	rm -f $(addprefix $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/tcptrail.ko,'' .xz .zst .gz)
	$(if $(DESTDIR),,if [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi)

# The tree DKMS builds from: dkms.conf and the module's sources.
DKMS_SRC ?= $(DESTDIR)/usr/src/tcptrail-$(VERSION)
dkms-src:
	install -d $(DKMS_SRC)/module
	install -m 0644 dkms.conf $(DKMS_SRC)/dkms.conf
	install -m 0644 module/Kbuild $(MOD_SRCS) $(DKMS_SRC)/module/

# Register with DKMS, build and install for KVER (the running kernel); DKMS
# rebuilds it on kernel upgrades. A second run replaces the first.
dkms:
	$(need_kver_tree)
	-dkms remove tcptrail/$(VERSION) --all >/dev/null 2>&1
	rm -rf /usr/src/tcptrail-$(VERSION)
	$(MAKE) dkms-src DESTDIR=
	dkms add tcptrail/$(VERSION)
	dkms build tcptrail/$(VERSION) -k $(KVER)
	dkms install tcptrail/$(VERSION) -k $(KVER)

dkms-remove:
	-dkms remove tcptrail/$(VERSION) --all
	rm -rf /usr/src/tcptrail-$(VERSION)

# tcptrail and tcptrail-dkms .debs in build/deb/ (scripts/deb).
deb:
	bash scripts/deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean
	$(MAKE) -C userspace clean
