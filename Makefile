# Makefile - build the module and the reader; run the tests and the demo.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell bash scripts/kdir 6.1 2>/dev/null))

.PHONY: all module userspace clean style check stress demo deps compare install \
	bench

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

install: all
	$(MAKE) -C userspace install
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean
	$(MAKE) -C userspace clean
