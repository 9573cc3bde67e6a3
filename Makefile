# Makefile - build the module and the reader; run the tests and the demo.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell bash scripts/kdir 6.1 2>/dev/null))

.PHONY: all module userspace clean style check demo deps compare install

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

demo:
	bash scripts/demo

install: all
	$(MAKE) -C userspace install
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	$(MAKE) -C userspace clean
