#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# enable, the commit point: node creation, owner and mode, uevent, zeroing,
# enable-time validation, ENOSPC and hole reuse, alignment and boundary, and
# every EBUSY that keeps memory from being freed under its users.

load ../helpers/common

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

teardown() {
	pmm_unhold
	exec 7<&- || true
	pmm_buf_rm_all
}

@test "enable: allocates, creates /dev/pmm/NAME and accounts the pool" {
	pmm_buf_new dec size=1M memtype=fb
	assert_not_exists /dev/pmm/dec
	pmm_write "$PMM_BUFS/dec/enable" 1
	assert_character_exists /dev/pmm/dec
	assert_equal "$(pmm_attr dec state)" enabled
	assert_equal "$(pmm_attr dec enable)" 1
	assert_regex "$(pmm_attr dec phys_addr)" '^0x[0-9a-f]+$'
	assert_equal "$(cat "$PMM_POOLS/fb/used")" 1048576
	assert_equal "$(cat "$PMM_POOLS/fb/buffers")" 1
	assert_equal "$(stat -c %s%F /dev/pmm/dec)" "0character special file"
	# No power management: no power/ directory in sysfs for each buffer.
	assert_exists /sys/class/pmm/dec/dev
	assert_not_exists /sys/class/pmm/dec/power
	# The node's size is the buffer's: dd and lseek see 1 MiB.
	run dd if=/dev/pmm/dec of=/dev/null bs=64K
	assert_output --partial "1048576 bytes"
}

@test "enable: writing the current state again succeeds and changes nothing" {
	pmm_buf_new a size=8K enable=1
	local phys
	phys=$(pmm_attr a phys_addr)
	pmm_write "$PMM_BUFS/a/enable" 1
	assert_equal "$(pmm_attr a phys_addr)" "$phys"
	pmm_write "$PMM_BUFS/a/enable" 0
	pmm_write "$PMM_BUFS/a/enable" 0
	assert_equal "$(pmm_attr a state)" disabled
	# The pin of the first enable is gone: rmdir works.
	rmdir "$PMM_BUFS/a"
}

@test "enable: node owner, group and mode as requested" {
	pmm_buf_new own size=4K uid=1000 gid=44 mode=0640 enable=1
	assert_equal "$(stat -c '%u %g %a' /dev/pmm/own)" "1000 44 640"
	pmm_buf_new def size=4K enable=1
	assert_equal "$(stat -c '%u %g %a' /dev/pmm/def)" "0 0 600"
}

@test "enable: uevent carries name, size, memtype, cache, owner and mode" {
	pmm_buf_new ev size=12K memtype=hi cache=uncached uid=7 gid=44 mode=0640 enable=1
	run cat /sys/class/pmm/ev/uevent
	assert_line DEVNAME=pmm/ev
	assert_line PMM_NAME=ev
	assert_line PMM_SIZE=12288
	assert_line PMM_MEMTYPE=hi
	assert_line PMM_CACHE=uncached
	assert_line PMM_UID=7
	assert_line PMM_GID=44
	assert_line PMM_MODE=0640
}

@test "disable: removes the node and gives the memory back" {
	pmm_buf_new d size=2M memtype=video enable=1
	pmm_write "$PMM_BUFS/d/enable" 0
	assert_not_exists /dev/pmm/d
	assert_not_exists /sys/class/pmm/d
	assert_equal "$(pmm_attr d phys_addr)" none
	pmm_assert_pools_empty
}

@test "disable: a node left behind for the old buffer never opens the next one" {
	# A copy of the node, as devtmpfs leaves it when it cannot remove it.
	pmm_buf_new a size=4K enable=1
	local devno
	devno=$(stat -c '%t %T' /dev/pmm/a)
	# shellcheck disable=SC2086
	mknod "$BATS_TEST_TMPDIR/stale" c $((0x${devno% *})) $((0x${devno#* }))
	pmm_buf_rm a
	pmm_buf_new b size=4K mode=0666 enable=1
	[ "$(stat -c '%t %T' /dev/pmm/b)" != "$devno" ] ||
		fail "the next buffer got the old buffer's device number $devno"
	run cat "$BATS_TEST_TMPDIR/stale"
	assert_failure
	assert_output --partial "No such device"
	pmm_buf_rm b
}

@test "non-root: cannot open a 0600 node or read phys_addr; can open a 0666 node" {
	pmm_buf_new priv size=4K enable=1
	pmm_buf_new pub size=4K mode=0666 enable=1
	run pmm_as_nobody dd if=/dev/pmm/priv of=/dev/null count=1
	assert_failure
	assert_output --partial "Permission denied"
	run pmm_as_nobody cat "$PMM_BUFS/priv/phys_addr"
	assert_failure
	assert_output --partial "Permission denied"
	run pmm_as_nobody dd if=/dev/pmm/pub of=/dev/null bs=4K count=1
	assert_success
	# uid gives access without the world bits.
	pmm_buf_new mine size=4K uid=65534 enable=1
	run pmm_as_nobody dd if=/dev/pmm/mine of=/dev/null bs=4K count=1
	assert_success
}

@test "enable refused: size not set, too big for its pool, boundary below size, align beyond pool" {
	pmm_buf_new v memtype=fb
	pmm_reject --log size EINVAL v enable 1
	pmm_write "$PMM_BUFS/v/size" 32M
	pmm_reject --log size EINVAL v enable 1
	pmm_write "$PMM_BUFS/v/size" 8M
	pmm_write "$PMM_BUFS/v/boundary" 4M
	pmm_reject --log boundary EINVAL v enable 1
	pmm_write "$PMM_BUFS/v/boundary" 0
	pmm_write "$PMM_BUFS/v/align" 32M
	pmm_reject --log align EINVAL v enable 1
	pmm_write "$PMM_BUFS/v/align" 4K
	pmm_write "$PMM_BUFS/v/enable" 1
	assert_equal "$(pmm_attr v state)" enabled
}

@test "EBUSY: every writable attribute is frozen while enabled" {
	pmm_buf_new e size=64K enable=1
	pmm_reject EBUSY e size 128K
	pmm_reject EBUSY e align 64K
	pmm_reject EBUSY e boundary 16M
	pmm_reject EBUSY e memtype fb
	pmm_reject EBUSY e cache cached
	pmm_reject EBUSY e uid 1
	pmm_reject EBUSY e gid 1
	pmm_reject EBUSY e mode 0666
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'e': mode: cannot change while enabled"
}

@test "EBUSY: rmdir of an enabled buffer" {
	pmm_buf_new r size=4K enable=1
	run rmdir "$PMM_BUFS/r"
	assert_failure
	assert_output --partial "Device or resource busy"
	assert_dir_exists "$PMM_BUFS/r"
	assert_character_exists /dev/pmm/r
	pmm_write "$PMM_BUFS/r/enable" 0
	rmdir "$PMM_BUFS/r"
}

@test "EBUSY: disable while a file is open" {
	pmm_buf_new o size=4K enable=1
	exec 7< /dev/pmm/o
	assert_equal "$(pmm_attr o opens)" 1
	pmm_reject EBUSY o enable 0
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'o': enable: still in use (1 open files, 0 mappings, 0 locks, 0 dma-bufs)"
	exec 7<&-
	assert_equal "$(pmm_attr o opens)" 0
	pmm_write "$PMM_BUFS/o/enable" 0
}

@test "EBUSY: disable while mapped, after the fd was closed" {
	pmm_buf_new m size=64K enable=1
	pmm_hold --close /dev/pmm/m
	assert_equal "$(pmm_attr m maps)" 1
	pmm_reject EBUSY m enable 0
	assert_character_exists /dev/pmm/m
	pmm_unhold
	assert_equal "$(pmm_attr m maps)" 0
	assert_equal "$(pmm_attr m opens)" 0
	pmm_write "$PMM_BUFS/m/enable" 0
	pmm_assert_pools_empty
}

@test "EBUSY: module unload while a buffer is enabled" {
	pmm_buf_new u size=4K enable=1
	run rmmod pmm
	assert_failure
	assert_output --partial "in use"
	assert_character_exists /dev/pmm/u
	grep -q '^pmm ' /proc/modules
}

# A new owner sees zeroes, for one buffer in each backend and cache mode:
# the memory is filled (through the kernel's view, then through a user
# mapping of the buffer's cache mode), the buffer disabled and enabled
# again on the same memory (first fit), with either zero policy; the new
# owner reads zeroes through both views.
pmm_zero_on_allocate() { # NAME MEMTYPE CACHE
	local phys
	pmm_buf_new "$1" size=64K memtype="$2" cache="$3" enable=1
	phys=$(pmm_attr "$1" phys_addr)
	cmp -n 65536 /dev/pmm/"$1" /dev/zero
	run "$PMM_MMAP" check /dev/pmm/"$1" 0
	assert_success
	tr '\0' '\252' < /dev/zero | dd of=/dev/pmm/"$1" bs=64K count=1 iflag=fullblock 2>/dev/null
	run cmp -n 65536 /dev/pmm/"$1" /dev/zero
	assert_failure
	pmm_write "$PMM_BUFS/$1/enable" 0
	pmm_write "$PMM_BUFS/$1/enable" 1
	assert_equal "$(pmm_attr "$1" phys_addr)" "$phys"
	run "$PMM_MMAP" check /dev/pmm/"$1" 0
	assert_success
	cmp -n 65536 /dev/pmm/"$1" /dev/zero
	run "$PMM_MMAP" fill /dev/pmm/"$1" 0x5b
	assert_success
	pmm_write "$PMM_BUFS/$1/enable" 0
	pmm_write "$PMM_BUFS/$1/enable" 1
	assert_equal "$(pmm_attr "$1" phys_addr)" "$phys"
	run "$PMM_MMAP" check /dev/pmm/"$1" 0
	assert_success
	cmp -n 65536 /dev/pmm/"$1" /dev/zero
	pmm_buf_rm "$1"
}

# pmm_zero_on_allocate_modes PREFIX POOL - pmm_zero_on_allocate for each
# cache mode POOL offers (pmm_cache_modes).
pmm_zero_on_allocate_modes() {
	local mode
	for mode in $(pmm_cache_modes "$2"); do
		pmm_zero_on_allocate "$1-$mode" "$2" "$mode"
	done
}

@test "zero on allocate: filled, disabled, re-enabled -> zeroes (contig, every cache mode)" {
	pmm_zero_on_allocate_modes z fb
}

@test "zero on allocate: filled, disabled, re-enabled -> zeroes (carveout, every cache mode it offers)" {
	pmm_zero_on_allocate_modes z video
	pmm_zero_on_allocate z-hi hi uncached
}

@test "zero: by default a pool zeroes on free where its device's DMA is coherent, else on alloc; the policy is fixed at load" {
	# x86 DMA is always coherent; on arm64 PMM's own device (no
	# device-tree node here) is not.
	local pool coherent=1 want=free
	[ "$PMM_ARCH" = x86_64 ] || { coherent=0 want=alloc; }
	assert_equal "$(cat /sys/module/pmm/parameters/zero)" auto
	for pool in video fb hi; do
		assert_equal "$(cat "$PMM_POOLS/$pool/coherent")" $coherent
		assert_equal "$(cat "$PMM_POOLS/$pool/zero")" $want
	done
	assert_equal "$(stat -c %a /sys/module/pmm/parameters/zero)" 444
	run bash -c 'echo free > /sys/module/pmm/parameters/zero'
	assert_failure
	run bash -c 'echo alloc > /sys/module/pmm/parameters/zero'
	assert_failure
	assert_equal "$(cat /sys/module/pmm/parameters/zero)" auto
}

@test "zero=alloc: every new owner still sees zeroes (both backends, every cache mode)" {
	pmm_unload
	pmm_load_test_pools zero=alloc
	assert_equal "$(cat /sys/module/pmm/parameters/zero)" alloc
	assert_equal "$(cat "$PMM_POOLS/fb/zero")" alloc
	pmm_zero_on_allocate_modes a fb
	pmm_zero_on_allocate_modes a video
	pmm_zero_on_allocate a-hi hi uncached
	pmm_unload
	pmm_load_test_pools
}

@test "zero=free: memory no buffer had since load is zeroed on first use, so what a previous load left is gone" {
	local phys mt
	# Carveouts: a contig pool need not get the same pages on every load.
	for mt in video hi; do
		# Zeroing on allocation leaves freed memory as it was in the pool ...
		pmm_unload
		pmm_load_test_pools zero=alloc
		pmm_buf_new left size=2M memtype=$mt cache=writecombine enable=1
		phys=$(pmm_attr left phys_addr)
		run "$PMM_MMAP" fill /dev/pmm/left 0x5a
		assert_success
		pmm_buf_rm left
		pmm_unload
		# ... so zeroing on free must zero memory on its first use: a
		# 1 MiB buffer is zeroed at enable, filled, zeroed on free; then
		# a 2 MiB one over it is half known zero, half first use.
		pmm_load_test_pools zero=free
		pmm_buf_new left size=1M memtype=$mt cache=writecombine enable=1
		assert_equal "$(pmm_attr left phys_addr)" "$phys"
		run "$PMM_MMAP" check /dev/pmm/left 0
		assert_success
		run "$PMM_MMAP" fill /dev/pmm/left 0x33
		assert_success
		pmm_buf_rm left
		pmm_buf_new left size=2M memtype=$mt cache=writecombine enable=1
		assert_equal "$(pmm_attr left phys_addr)" "$phys"
		run "$PMM_MMAP" check /dev/pmm/left 0
		assert_success
		pmm_buf_rm left
	done
	pmm_unload
	pmm_load_test_pools
}

@test "zero: an unknown policy is refused at load with EINVAL and a log line" {
	pmm_unload
	pmm_mark
	run pmm_load_test_pools zero=sometimes
	assert_failure
	# insmod's words for EINVAL from a parameter.
	assert_output --partial "Invalid parameters"
	run grep -c '^pmm ' /proc/modules
	assert_output 0
	run pmm_log_since_mark
	assert_line --partial "pmm: zero: 'sometimes' is not one of auto, alloc, free"
	pmm_load_test_pools
}

@test "ENOSPC: a full pool refuses with the pool, request and largest free block logged" {
	local i
	for i in 1 2 3 4; do
		pmm_buf_new "f$i" size=4M memtype=fb enable=1
	done
	assert_equal "$(cat "$PMM_POOLS/fb/free")" 0
	pmm_buf_new f5 size=4M memtype=fb
	pmm_reject --log enable ENOSPC f5 enable 1
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'f5': enable: pool 'fb' has no free range of 4194304 bytes (align 4096, boundary 0); largest free block 0 bytes"
}

@test "ENOSPC: a freed hole is reused" {
	local i hole
	for i in 1 2 3 4; do
		pmm_buf_new "h$i" size=4M memtype=fb enable=1
	done
	hole=$(pmm_attr h2 phys_addr)
	pmm_buf_rm h2
	assert_equal "$(cat "$PMM_POOLS/fb/largest_free")" 4194304
	pmm_buf_new h5 size=4M memtype=fb enable=1
	assert_equal "$(pmm_attr h5 phys_addr)" "$hole"
	# Fragmented free space: 2 x 4M free but not adjacent, 8M refused.
	pmm_buf_rm h1 h3
	assert_equal "$(cat "$PMM_POOLS/fb/free")" 8388608
	assert_equal "$(cat "$PMM_POOLS/fb/largest_free")" 4194304
	pmm_buf_new big size=8M memtype=fb
	pmm_reject --log enable ENOSPC big enable 1
}

@test "align: the physical address honours the alignment" {
	pmm_buf_new small size=4K memtype=video enable=1
	pmm_buf_new al size=4K memtype=video align=4M enable=1
	(( $(pmm_phys al) % (4 << 20) == 0 ))
	(( $(pmm_phys al) != $(pmm_phys small) ))
	pmm_buf_new al2 size=8K memtype=hi align=16M enable=1
	(( $(pmm_phys al2) % (16 << 20) == 0 ))
}

@test "boundary: a buffer never crosses a multiple of its boundary" {
	local base
	base=$(( $(cat "$PMM_POOLS/video/base") ))
	pmm_buf_new first size=8M memtype=video enable=1
	assert_equal "$(pmm_phys first)" "$base"
	# First fit would be base+8M..base+20M, which crosses base+16M.
	pmm_buf_new nb size=12M memtype=video enable=1
	assert_equal "$(pmm_phys nb)" $((base + (8 << 20)))
	pmm_buf_rm nb
	pmm_buf_new b size=12M memtype=video boundary=16M enable=1
	assert_equal "$(pmm_phys b)" $((base + (16 << 20)))
	(( $(pmm_phys b) / (16 << 20) == ($(pmm_phys b) + (12 << 20) - 1) / (16 << 20) ))
}

@test "two processes opening the same name see the same memory" {
	pmm_buf_new shared size=64K enable=1
	printf 'frame-0042' | dd of=/dev/pmm/shared conv=notrunc 2>/dev/null
	run "$PMM_MMAP" --length 4096 map /dev/pmm/shared
	assert_success
	run --separate-stderr dd if=/dev/pmm/shared bs=10 count=1
	assert_output frame-0042
	"$PMM_MMAP" fill /dev/pmm/shared 0x5a
	run "$PMM_MMAP" check /dev/pmm/shared 0x5a
	assert_success
	run --separate-stderr dd if=/dev/pmm/shared bs=4 count=1
	assert_output ZZZZ
}

@test "enable: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
