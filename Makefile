# Makefile - build the module and the reader; run the tests and the demo.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell bash scripts/kdir 6.1 2>/dev/null))

.PHONY: all module userspace clean style check stress demo deps compare install

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

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

install: all
	$(MAKE) -C userspace install
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

# Not kbuild's clean: with M at the top it would sweep build/, where the
# unpacked kernels' modules live.
clean:
	rm -f module/*.o module/*.ko module/*.mod module/*.mod.c module/.*.cmd \
		module/modules.order modules.order Module.symvers .*.cmd
	$(MAKE) -C userspace clean
