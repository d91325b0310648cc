#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make install (DESTDIR/PREFIX), the systemd unit as installed (checked by
# systemd-analyze verify), and DKMS building pmm.ko from make install-dkms's
# pmm_tree against the installed Debian headers.

load ../helpers/common

KVER=$("$PMM_PROJECT/tests/vm/kver")
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PMM_PROJECT/dkms.conf")

# pmm_install_to DESTDIR PREFIX - make install for the guest's kernel (this
# machine's own kernel may have no headers: the test machine is not the target).
pmm_install_to() {
	make -s -C "$PMM_PROJECT" install DESTDIR="$1" PREFIX="$2" \
		KDIR="/lib/modules/$KVER/build"
}

@test "make install installs no packages and builds for the running kernel unless KDIR says" {
	# make -n still runs the recursive makes, which fail here without
	# headers for this machine's kernel: what matters is what they were told.
	# Under make check the parent make exports its KDIR: not the user's.
	run env -u KDIR -u KVER -u MAKEFLAGS -u MAKELEVEL make -n -C "$PMM_PROJECT" install
	refute_output --partial install-deps
	assert_output --partial "KDIR=/lib/modules/$(uname -r)/build modules"
	run env -u KDIR -u KVER -u MAKEFLAGS -u MAKELEVEL make -n -C "$PMM_PROJECT" install \
		KDIR=/tmp/elsewhere
	assert_output --partial "KDIR=/tmp/elsewhere modules"
	# The test targets still install what they need.
	run make -n -C "$PMM_PROJECT" all
	assert_output --partial install-deps
}

@test "make install DESTDIR=... PREFIX=/usr: every piece in its place, no depmod" {
	local d=$BATS_TEST_TMPDIR/root
	run pmm_install_to "$d" /usr
	assert_success
	assert_line "install: pmm.ko for $KVER, pmm-setup in /usr/sbin, unit in /etc/systemd/system"
	assert_file_exists "$d/lib/modules/$KVER/extra/pmm.ko"
	assert_file_executable "$d/usr/sbin/pmm-setup"
	assert_file_executable "$d/usr/bin/pmm-lock"
	assert_file_exists "$d/usr/share/man/man8/pmm-setup.8"
	assert_file_exists "$d/usr/include/linux/pmm.h"
	assert_file_exists "$d/usr/share/pmm/pmm.schema"
	assert_file_exists "$d/etc/udev/rules.d/70-pmm.rules"
	assert_file_exists "$d/etc/systemd/system/pmm.service"
	assert_file_exists "$d/etc/modprobe.d/pmm.conf"
	local f
	for f in board.cfg client.c capture-to-pmm.c declare-buffers.sh; do
		assert_file_exists "$d/usr/share/doc/pmm/examples/$f"
	done
	assert_file_executable "$d/usr/share/doc/pmm/examples/S30pmm"
	# A staged install leaves depmod to the package's postinst.
	assert_file_not_exists "$d/lib/modules/$KVER/modules.dep"
	run modinfo -F vermagic "$d/lib/modules/$KVER/extra/pmm.ko"
	assert_output --regexp "^$KVER "
	# The installed header is the uapi header, usable from user space.
	run gcc -fsyntax-only -I"$d/usr/include" -x c - <<< '#include <linux/pmm.h>'
	assert_success
}

@test "make install PREFIX=/usr/local: unit and init script name its pmm-setup; pmm.conf is kept" {
	local d=$BATS_TEST_TMPDIR/root
	mkdir -p "$d/etc/modprobe.d"
	echo "options pmm pools=mine:8M" > "$d/etc/modprobe.d/pmm.conf"
	run pmm_install_to "$d" /usr/local
	assert_success
	assert_file_executable "$d/usr/local/sbin/pmm-setup"
	run grep -E '^Exec' "$d/etc/systemd/system/pmm.service"
	assert_line 'ExecStart=/usr/local/sbin/pmm-setup load ${PMM_BOARD}'
	assert_line 'ExecStop=/usr/local/sbin/pmm-setup clear'
	refute_output --partial /usr/sbin/pmm-setup
	assert_equal "$(cat "$d/etc/modprobe.d/pmm.conf")" "options pmm pools=mine:8M"
	run grep '^PMM_BOARD=' "$d/usr/local/share/doc/pmm/examples/S30pmm"
	assert_output 'PMM_BOARD=${PMM_BOARD:-/etc/pmm/board.cfg}'
	SYSCONFDIR=/opt/etc run pmm_install_to "$BATS_TEST_TMPDIR/other" /usr/local
	assert_success
	run grep -h '/pmm/board.cfg' "$BATS_TEST_TMPDIR/other/opt/etc/systemd/system/pmm.service"
	assert_line 'ConditionPathExists=/opt/etc/pmm/board.cfg'
	run grep '^PMM_BOARD=' "$BATS_TEST_TMPDIR/other/usr/local/share/doc/pmm/examples/S30pmm"
	assert_output 'PMM_BOARD=${PMM_BOARD:-/opt/etc/pmm/board.cfg}'
}

@test "pmm.service: systemd-analyze verify accepts the installed unit" {
	local d=$BATS_TEST_TMPDIR/root
	run pmm_install_to "$d" /usr
	assert_success
	# verify wants the commands to exist: point the unit at the staged
	# pmm-setup (the rest are this system's), and man at the staged page.
	sed "s#/usr/sbin/pmm-setup#$d/usr/sbin/pmm-setup#g" \
		"$d/etc/systemd/system/pmm.service" > "$BATS_TEST_TMPDIR/pmm.service"
	run env MANPATH="$d/usr/share/man" systemd-analyze verify "$BATS_TEST_TMPDIR/pmm.service"
	assert_success
	assert_output ""
	# ... and it does catch mistakes (a misspelt key, a missing command).
	mkdir "$BATS_TEST_TMPDIR/bad"
	sed -e 's/^RemainAfterExit=/RemainAfterExt=/' \
	    -e 's#^ExecStop=.*pmm-setup clear#ExecStop=/bin/no-such-pmm-setup clear#' \
		"$BATS_TEST_TMPDIR/pmm.service" > "$BATS_TEST_TMPDIR/bad/pmm.service"
	run env MANPATH="$d/usr/share/man" systemd-analyze verify "$BATS_TEST_TMPDIR/bad/pmm.service"
	assert_failure
	assert_output --partial "Unknown key 'RemainAfterExt'"
	assert_output --partial "no-such-pmm-setup"
}

@test "dkms: builds pmm.ko for the installed Debian kernel from make install-dkms's tree" {
	local d=$BATS_TEST_TMPDIR/dkms-root tree=$BATS_TEST_TMPDIR/dkms
	run make -s -C "$PMM_PROJECT" install-dkms DESTDIR="$d"
	assert_success
	assert_file_exists "$d/usr/src/pmm-$VERSION/dkms.conf"
	assert_file_not_exists "$d/usr/src/pmm-$VERSION/kernel/pmm.mod.c"
	mkdir -p "$tree"
	run dkms build --sourcetree "$d/usr/src" --dkmstree "$tree" \
		-m pmm -v "$VERSION" -k "$KVER"
	assert_success
	local ko=$tree/pmm/$VERSION/$KVER/x86_64/module/pmm.ko
	assert_file_exists "$ko"
	run modinfo -F vermagic "$ko"
	assert_output --regexp "^$KVER "
	run modinfo -F parm "$ko"
	assert_output --partial "pools:"
}
