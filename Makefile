# SPDX-License-Identifier: GPL-2.0
# PMM top level.  `make check` runs every test, `make run` the demo; both
# install their own dependencies first (Debian packages, as root).

KVER ?= $(shell tests/vm/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
# checkpatch.pl and kernel-doc come from Debian's linux-source-6.1 tarball.
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSCRIPTS := build/linux-source/scripts

export KVER KDIR

# The module's C sources (kbuild leaves *.mod.c beside them).
PMM_KSRCS = $(filter-out %.mod.c,$(wildcard kernel/*.c))

# Where programs go: build/bin for this machine, build/arm64/bin for the
# arm64 guest (make arm64-bins cross-builds them with BIN and CC set).
BIN ?= build/bin
TEST_BINS := $(BIN)/pmm-mmap $(BIN)/pmm-ioctl $(BIN)/pmm-heap $(BIN)/pmm-fuzz \
	$(BIN)/pmm-bench $(BIN)/dmabuf-heap
TOOLS := $(BIN)/pmm-lock $(BIN)/pmm-setup
EXAMPLES := $(BIN)/pmm-client $(BIN)/capture-to-pmm
PMM_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# make install: DESTDIR and PREFIX as usual (scripts/install lists the rest).
PREFIX ?= /usr/local
export DESTDIR PREFIX
CFLAGS ?= -O2 -g -Wall -Wextra -Werror
# User programs see the uapi header as installed: <linux/pmm.h>.
CPPFLAGS += -Ikernel/include/uapi -I/usr/include/libdrm

.PHONY: all deps kernel test-modules test-bins tools examples check check-host \
	check-vm check-debug lint run shell install install-dkms clean debug-kernel \
	debug-modules bench-kernel bench-modules bench fuzz arm64-bins arm64-modules

all: kernel test-modules test-bins tools examples

deps:
	@scripts/install-deps

# make install builds for a target or a build host, not a test machine:
# it installs no packages (what it needs is in the README) and builds the
# module for the running kernel unless KDIR says otherwise.
ifneq ($(filter install install-dkms,$(MAKECMDGOALS)),)
DEPS :=
ifeq ($(origin KDIR),file)
KDIR := /lib/modules/$(shell uname -r)/build
endif
else
DEPS := deps
endif

kernel: $(DEPS)
	$(MAKE) -C kernel KDIR=$(KDIR) modules

test-modules: kernel
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/splat modules
	@# kbuild reruns modpost only when its own Module.symvers is gone, not
	@# for a changed KBUILD_EXTRA_SYMBOLS: a stale
	@# module would carry the old symbol CRCs and fail to load.
	if [ kernel/Module.symvers -nt tests/kmod/pmm_test_api.ko ]; then \
		rm -f tests/kmod/Module.symvers tests/kmod/pmm_test_api.ko; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/kernel/Module.symvers modules

test-bins: $(TEST_BINS)

tools: $(TOOLS)

examples: $(EXAMPLES)

# Every program but pmm-setup is C with only libc (the uapi header and
# the test helpers' pmm-test.h), one file but for pmm-bench; where each
# lives, and what it links beyond libc:
src_pmm-mmap := tests/helpers/pmm-mmap.c
src_pmm-ioctl := tests/helpers/pmm-ioctl.c
src_pmm-heap := tests/helpers/pmm-heap.c
src_pmm-fuzz := tests/fuzz/pmm-fuzz.c
src_pmm-bench := tests/bench/pmm-bench.c tests/bench/place.c
hdr_pmm-bench := tests/bench/place.h
src_pmm-lock := tools/pmm-lock/pmm-lock.c
src_pmm-client := examples/client.c
src_capture-to-pmm := examples/capture-to-pmm.c
ldlibs_pmm-fuzz := -pthread
ldlibs_pmm-mmap := -pthread

.SECONDEXPANSION:
$(filter-out $(BIN)/pmm-setup $(BIN)/dmabuf-heap,$(TEST_BINS) $(TOOLS) $(EXAMPLES)): $(BIN)/%: \
		$$(src_$$*) $$(hdr_$$*) kernel/include/uapi/linux/pmm.h \
		tests/helpers/pmm-test.h tests/helpers/pmm-vgem.h \
		| $(DEPS)
	mkdir -p $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(src_$*) $(ldlibs_$*)

# pmm-setup carries the schema compiled in: one source for tool and tests.
build/gen/pmm-schema.h: configfs-schema/pmm.schema
	mkdir -p build/gen
	{ echo 'static const char pmm_schema_text[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/\t"&\\n"/' $<; echo ';'; } > $@.tmp
	mv $@.tmp $@

# pmm-setup: the CLI, the model, board files, configfs and the schema.
PMM_SETUP_SRCS := $(wildcard tools/pmm-setup/*.c)
PMM_SETUP_CFLAGS ?= $$(pkg-config --cflags libconfig json-c)
PMM_SETUP_LIBS ?= $$(pkg-config --libs libconfig json-c)
$(BIN)/pmm-setup: $(PMM_SETUP_SRCS) $(wildcard tools/pmm-setup/*.h) \
		build/gen/pmm-schema.h kernel/include/uapi/linux/pmm.h | $(DEPS)
	mkdir -p $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ibuild/gen $(PMM_SETUP_CFLAGS) \
		-o $@ $(PMM_SETUP_SRCS) $(PMM_SETUP_LIBS)

# The arm64 guest's programs and modules: cross-built, the libraries
# pmm-setup links taken from the arm64 root (tests/vm/arm64-root).
arm64-bins: $(DEPS) build/gen/pmm-schema.h
	r=$$(tests/vm/arm64-root) && $(MAKE) BIN=build/arm64/bin \
		CC=aarch64-linux-gnu-gcc \
		PMM_SETUP_CFLAGS="-I$$r/usr/include" \
		PMM_SETUP_LIBS="-L$$r/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,$$r/usr/lib/aarch64-linux-gnu -lconfig -ljson-c" \
		test-bins tools examples

arm64-modules: $(DEPS)
	tests/vm/build-modules arm64

# Guest kernels built from linux-source-6.1 (tests/vm/kconfig/), once per
# machine, into a cache outside the clone: debug (KASAN, lockdep, kmemleak)
# and bench (no sanitizers, a 256 MiB CMA area); PMM's modules for them in
# build/k-FLAVOUR.
debug-kernel bench-kernel: deps
	tests/vm/build-kernel $(@:-kernel=) > /dev/null

debug-modules: debug-kernel
	tests/vm/build-modules debug

bench-modules: bench-kernel
	tests/vm/build-modules bench

# A longer fuzz run on the debug kernel: make fuzz DURATION=600 [SEED=n]
# [FAULTS=1] (1 % of the workers' slab and page allocations fail; user
# memory (highmem) and single pages, among them page tables, are spared:
# 6.1's remap_pfn_range() error path warns in untrack_pfn() when a page
# table cannot be had halfway).
DURATION ?= 600
WORKERS ?= 4
FAULT_PERCENT ?= 1
fuzz_faults = for d in failslab fail_page_alloc; do \
	f=/sys/kernel/debug/$$d; echo Y > $$f/task-filter; echo N > $$f/ignore-gfp-wait; \
	echo 0 > $$f/verbose; echo 1 > $$f/interval; echo -1 > $$f/times; \
	echo $(FAULT_PERCENT) > $$f/probability; done; \
	echo Y > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem; \
	echo 1 > /sys/kernel/debug/fail_page_alloc/min-order;
fuzz: all debug-modules
	tests/vm/run --flavour debug --mem 4G --timeout $$(( $(DURATION) + 600 )) \
		--append 'memmap=64M$$0x30000000' \
		--load 'pools=video:64M@0x30000000,fb:16M' \
		--cmd '$(if $(FAULTS),$(fuzz_faults)) modprobe loop; truncate -s 1M /tmp/pmm-fuzz.disk && \
			$(CURDIR)/build/bin/pmm-fuzz -w $(WORKERS) -d $(DURATION) $(if $(SEED),-s $(SEED)) \
			--loop $$(losetup -f --show /tmp/pmm-fuzz.disk) $(if $(FAULTS),--faults) && rmmod pmm'

# The benchmarks (README, "Benchmarks") on the bench kernel: PMM with a
# 256 MiB carveout and a 512 MiB contig pool, beside the kernel's 256 MiB
# CMA area, then on the arm64 guest (tests/bench/run).  The tables and
# JSON lines go to build/bench/.
# BENCH_ARGS are passed to pmm-bench (e.g. BENCH_ARGS='--only frag -s 3').
bench: all bench-modules arm64-modules arm64-bins
	tests/bench/run $(BENCH_ARGS)

# What the build takes from the tarball, in one pass over it: the scripts,
# the kernel's DMA-BUF heap selftest and the uapi headers it includes.
build/linux-source/.extracted: | deps
	mkdir -p build/linux-source
	tar -xJf $(KSRC_TAR) -C build/linux-source --strip-components=1 \
		--wildcards 'linux-source-*/scripts' 'linux-source-*/include/uapi' \
		'linux-source-*/tools/testing/selftests/dmabuf-heaps'
	touch $@

$(KSCRIPTS)/checkpatch.pl: build/linux-source/.extracted
	touch $@

# The kernel's own DMA-BUF heap selftest, unmodified, built as its Makefile
# builds it (static, KHDR_INCLUDES after the C library's headers).  Only
# <drm/drm.h> is missing from Debian's (it ships it in libdrm-dev's own
# directory): installed from the same tree as headers_install would.
KSELFTEST := build/linux-source/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c
KHDR := build/khdr
$(KSELFTEST): build/linux-source/.extracted
	touch $@

HOSTCC ?= gcc
$(KHDR)/drm/drm.h: build/linux-source/.extracted
	$(HOSTCC) -o $(KSCRIPTS)/unifdef $(KSCRIPTS)/unifdef.c
	mkdir -p $(KHDR)/drm
	cd build/linux-source && for f in include/uapi/drm/*.h; do \
		scripts/headers_install.sh $$f ../khdr/drm/$${f##*/} || exit; done

$(BIN)/dmabuf-heap: $(KSELFTEST) $(KHDR)/drm/drm.h
	mkdir -p $(BIN)
	$(CC) -static -O3 -Wl,-no-as-needed -Wall -idirafter $(KHDR) -o $@ $<

lint: kernel $(KSCRIPTS)/checkpatch.pl
	$(KSCRIPTS)/checkpatch.pl --strict --no-tree --terse --show-types \
		-f $(PMM_KSRCS) kernel/*.h
	$(KSCRIPTS)/kernel-doc -none -Werror $(PMM_KSRCS) kernel/*.h
	$(MAKE) -C kernel KDIR=$(KDIR) check
	tests/vm/cross-check arm64
	tests/vm/cross-check armmp-lpae

# Host suites, Debian's kernel, the sanitizer lane on the debug kernel
# (built the first time, ~7 minutes here) and the arm64 guest's
# device-tree and cache suites.
check: all debug-modules arm64-modules arm64-bins $(KSCRIPTS)/checkpatch.pl
	tests/run-all

# Every kernel suite on the debug kernel too.
check-debug: all debug-modules $(KSCRIPTS)/checkpatch.pl
	tests/run-all host vm debug

check-host: all $(KSCRIPTS)/checkpatch.pl
	tests/run-all host

check-vm: all
	tests/run-all vm

# The board demo: examples/board.cfg's carveout is 32M at 0x30000000.
run: all
	tests/vm/run --mem 2G --append 'memmap=32M$$0x30000000' \
		--cmd 'bash $(CURDIR)/examples/demo.sh'

install: kernel tools
	scripts/install

# The module's sources for DKMS (/usr/src/pmm-VERSION), then `dkms add`.
install-dkms:
	install -d $(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/kernel/include/linux \
		$(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/kernel/include/uapi/linux
	install -m 0644 dkms.conf $(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/
	cd kernel && install -m 0644 Kbuild Makefile pmm_*.c pmm.h pmm_compat.h \
		$(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/kernel/
	install -m 0644 kernel/include/linux/pmm.h \
		$(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/kernel/include/linux/
	install -m 0644 kernel/include/uapi/linux/pmm.h \
		$(DESTDIR)/usr/src/pmm-$(PMM_VERSION)/kernel/include/uapi/linux/
	if [ -z "$(DESTDIR)" ]; then dkms add pmm/$(PMM_VERSION); fi

shell: all
	tests/vm/run --shell

clean:
	-$(MAKE) -C kernel KDIR=$(KDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/splat clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod clean
	rm -rf build
