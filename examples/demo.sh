#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The PMM board demo, run inside the test guest by `make run` (booted with
# memmap=32M$0x30000000 for examples/board.cfg's carveout): udev with PMM's
# rule, the board init script loading the module and the board file, then
# what a user looks at, and a client using a buffer.
set -eu
project=${PMM_PROJECT:?}
# PMM_BIN: programs built for another machine (the arm64 test guest's).
export PATH=${PMM_BIN:-$project/build/bin}:$PATH

step() { printf '\n== %s\n' "$*"; }

step "systemd-udevd with examples/70-pmm.rules"
started_udevd=no
if ! udevadm control --ping 2> /dev/null; then
	mkdir -p /run/udev/rules.d
	cp "$project/examples/70-pmm.rules" /run/udev/rules.d/
	/lib/systemd/systemd-udevd --daemon
	started_udevd=yes
fi
udevadm control --ping && echo "udevd is running"

step "examples/S30pmm start (the board init script)"
export PMM_BOARD=${PMM_BOARD:-$project/examples/board.cfg}
# The module built for the booted kernel (the harness says which).
export PMM_MODULE=${PMM_KO:-$project/kernel/pmm.ko}
sh "$project/examples/S30pmm" start
grep -E '\] pmm: ' <(dmesg) | sed 's/^/  /'

step "pmm-setup show"
pmm-setup show

step "ls -l /dev/pmm"
ls -l /dev/pmm

step "udev links by memory type"
(cd /dev/pmm/by-memtype && find . -type l | sort | while read -r l; do
	printf '  /dev/pmm/by-memtype/%s -> %s\n' "${l#./}" "$(readlink "$l")"
done)

step "client writes a frame into dec-in and reads it back"
pmm-client dec-in 42

step "examples/S30pmm status"
sh "$project/examples/S30pmm" status | tail -n 1

step "examples/S30pmm stop"
sh "$project/examples/S30pmm" stop
[ -d /sys/module/pmm ] && echo "  pmm still loaded" || echo "  pmm unloaded, /dev/pmm gone: $([ -e /dev/pmm ] && echo no || echo yes)"

if [ "$started_udevd" = yes ]; then
	udevadm control --exit
fi
echo
echo "== done"
