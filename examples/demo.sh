#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The PMM demo, run inside the test guest by `make run`: load the module
# and show what it gives user space.
set -eu
project=${PMM_PROJECT:?}
cfs=/sys/kernel/config/pmm

echo "== insmod pmm.ko"
insmod "$project/kernel/pmm.ko"
grep '^pmm ' /proc/modules

echo "== configfs tree ($cfs)"
find "$cfs" | sort

echo "== device class"
ls -la /sys/class/pmm

echo "== /dev/pmm"
ls -la /dev/pmm 2>/dev/null || echo "(no buffers enabled yet)"

echo "== kernel log"
dmesg | grep -E '\] pmm: ' || true

rmmod pmm
echo "== done"
