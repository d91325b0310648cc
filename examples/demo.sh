#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The PMM demo, run inside the test guest by `make run` (booted with
# memmap=16M$0x30000000): reserve two pools, declare a decoder output
# buffer the way a board script would, use it, and take it down again.
set -eu
project=${PMM_PROJECT:?}
cfs=/sys/kernel/config/pmm

step() { printf '\n== %s\n' "$*"; }

step "insmod pmm.ko pools=video:16M@0x30000000,fb:8M"
insmod "$project/kernel/pmm.ko" pools=video:16M@0x30000000,fb:8M
grep -E '\] pmm: ' <(dmesg)

step "pools"
for p in "$cfs"/pools/*; do
	printf '%-8s backend=%-8s size=%-9s used=%-8s base=%s\n' "${p##*/}" \
		"$(cat "$p/backend")" "$(cat "$p/size")" "$(cat "$p/used")" "$(cat "$p/base")"
done

step "declare buffers/decoder-out: 1920x1080 NV12, 2 MiB aligned, group video"
mkdir "$cfs/buffers/decoder-out"
cd "$cfs/buffers/decoder-out"
echo 3110400 > size
echo 2M > align
echo video > memtype
echo writecombine > cache
echo 44 > gid
echo 0660 > mode
echo 1 > enable
for a in size align memtype cache mode state phys_addr; do
	printf '  %-10s %s\n' "$a" "$(cat "$a")"
done

step "configfs tree"
find "$cfs" | sort | sed "s#^$cfs#  pmm#"

step "/dev/pmm"
ls -l /dev/pmm
grep PMM_ /sys/class/pmm/decoder-out/uevent | sed 's/^/  /'

step "a client writes a frame header and reads it back"
printf 'frame 0001' | dd of=/dev/pmm/decoder-out conv=notrunc status=none
printf '  %s\n' "$(dd if=/dev/pmm/decoder-out bs=10 count=1 status=none)"

step "rmdir while enabled is refused"
cd /
rmdir "$cfs/buffers/decoder-out" 2>&1 | sed 's/^/  /' || true

step "disable, remove, unload"
echo 0 > "$cfs/buffers/decoder-out/enable"
rmdir "$cfs/buffers/decoder-out"
cat "$cfs/pools/video/used" | sed 's/^/  video used: /'
rmmod pmm
grep -E '\] pmm: ' <(dmesg) | tail -n 3
echo
echo "== done"
