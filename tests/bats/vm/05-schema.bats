#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The live configfs tree matches configfs-schema/pmm.schema.

load ../helpers/common

setup_file() {
	pmm_requires_vm
	pmm_load
}

teardown_file() {
	pmm_unload_if_loaded
}

@test "every fixed path of the schema exists with its mode" {
	local path kind mode n=0
	while read -r path kind mode; do
		case "$path" in ''|'#'*|*'*'*) continue ;; esac
		case "$kind" in
		dir) assert_dir_exists "$PMM_CFS/$path" ;;
		*) assert_file_exists "$PMM_CFS/$path" ;;
		esac
		assert_equal "$(stat -c %a "$PMM_CFS/$path")" "${mode#0}"
		n=$((n + 1))
	done < "$PMM_PROJECT/configfs-schema/pmm.schema"
	[ "$n" -gt 0 ]
}

@test "the live tree has nothing the schema does not describe" {
	local entry rel
	for entry in "$PMM_CFS"/*; do
		rel=${entry#"$PMM_CFS/"}
		run grep -Eq "^$rel[[:space:]]" "$PMM_PROJECT/configfs-schema/pmm.schema"
		assert_success
	done
}
