# SPDX-License-Identifier: GPL-2.0
# PMM top level.  `make check` runs every test, `make run` the demo; both
# install their own dependencies first (Debian packages, as root).

KVER ?= $(shell tests/vm/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
# checkpatch.pl and kernel-doc come from Debian's linux-source-6.1 tarball.
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSCRIPTS := build/linux-source/scripts

export KVER KDIR

TEST_BINS := build/bin/pmm-mmap build/bin/pmm-ioctl
TOOLS := build/bin/pmm-lock build/bin/pmm-setup
CFLAGS ?= -O2 -g -Wall -Wextra -Werror
# User programs see the uapi header as installed: <linux/pmm.h>.
CPPFLAGS += -Ikernel/include/uapi -I/usr/include/libdrm

.PHONY: all deps kernel test-modules test-bins tools check check-host check-vm lint run shell clean

all: kernel test-modules test-bins tools

deps:
	@scripts/install-deps

kernel: deps
	$(MAKE) -C kernel KDIR=$(KDIR) modules

test-modules: kernel
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/splat modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/kernel/Module.symvers modules

test-bins: $(TEST_BINS)

tools: $(TOOLS)

build/bin/%: tests/helpers/%.c kernel/include/uapi/linux/pmm.h | deps
	mkdir -p build/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

build/bin/pmm-lock: tools/pmm-lock/pmm-lock.c kernel/include/uapi/linux/pmm.h | deps
	mkdir -p build/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

# pmm-setup carries the schema compiled in: one source for tool and tests.
build/gen/pmm-schema.h: configfs-schema/pmm.schema
	mkdir -p build/gen
	{ echo 'static const char pmm_schema_text[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/\t"&\\n"/' $<; echo ';'; } > $@.tmp
	mv $@.tmp $@

build/bin/pmm-setup: tools/pmm-setup/pmm-setup.c build/gen/pmm-schema.h | deps
	mkdir -p build/bin
	$(CC) $(CFLAGS) -Ibuild/gen $$(pkg-config --cflags libconfig) -o $@ $< \
		$$(pkg-config --libs libconfig)

$(KSCRIPTS)/checkpatch.pl: | deps
	mkdir -p build/linux-source
	tar -xJf $(KSRC_TAR) -C build/linux-source --strip-components=1 \
		--wildcards 'linux-source-*/scripts'
	touch $@

lint: kernel $(KSCRIPTS)/checkpatch.pl
	$(KSCRIPTS)/checkpatch.pl --strict --no-tree --terse --show-types \
		-f kernel/*.c kernel/*.h
	$(MAKE) -C kernel KDIR=$(KDIR) check

check: all $(KSCRIPTS)/checkpatch.pl
	tests/run-all

check-host: all $(KSCRIPTS)/checkpatch.pl
	tests/run-all host

check-vm: all
	tests/run-all vm

run: all
	tests/vm/run --mem 2G --append 'memmap=16M$$0x30000000' \
		--cmd 'bash $(CURDIR)/examples/demo.sh'

shell: all
	tests/vm/run --shell

clean:
	-$(MAKE) -C kernel KDIR=$(KDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/splat clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod clean
	rm -rf build
