#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The live configfs tree matches configfs-schema/pmm.schema, both ways:
# every schema path exists with its kind, mode and default, and every live
# path is in the schema.

load ../helpers/common

SCHEMA=$PMM_PROJECT/configfs-schema/pmm.schema

setup_file() {
	pmm_suite_setup pools=video:4M
	mkdir "$PMM_BUFS/s"
}

teardown_file() {
	pmm_suite_teardown
}

# pmm_live PATH - the schema path's instance: '*' is buffer s or pool video.
pmm_live() {
	local p=$1
	case "$p" in
	buffers/\**) p=buffers/s${p#buffers/\*} ;;
	pools/\**) p=pools/video${p#pools/\*} ;;
	esac
	echo "$PMM_CFS/$p"
}

@test "schema: every path exists with its kind, mode and default" {
	local path kind mode type def f n=0
	while read -r path kind mode type def; do
		case "$path" in ''|'#'*) continue ;; esac
		f=$(pmm_live "$path")
		case "$kind" in
		dir|group) assert_dir_exists "$f" ;;
		attr|commit|ro) assert_file_exists "$f" ;;
		*) fail "schema: unknown kind '$kind' for $path" ;;
		esac
		assert_equal "$path $(stat -c %a "$f")" "$path ${mode#0}"
		if [ "${path%%/*}" = buffers ] && [ "$kind" != group ] && [ "$def" != - ]; then
			[ "$def" = "(first-pool)" ] && def=video
			assert_equal "$path $(cat "$f")" "$path $def"
		fi
		n=$((n + 1))
	done < "$SCHEMA"
	(( n > 20 ))
}

@test "schema: the live tree has nothing the schema does not describe" {
	local f rel pattern
	while read -r f; do
		rel=${f#"$PMM_CFS/"}
		pattern=$(sed -E 's#^buffers/s(/|$)#buffers/*\1#; s#^pools/video(/|$)#pools/*\1#' <<< "$rel")
		run awk -v p="$pattern" '$1 == p { found = 1 } END { exit !found }' "$SCHEMA"
		assert_success "$rel is not in the schema"
	done < <(find "$PMM_CFS" -mindepth 1)
}

@test "schema: writable attributes are exactly the schema's attr and commit entries" {
	local want have
	want=$(awk '$1 ~ /^buffers\/\*\// && ($2 == "attr" || $2 == "commit") { sub("buffers/\\*/", "", $1); print $1 }' "$SCHEMA" | sort)
	have=$(find "$PMM_BUFS/s" -mindepth 1 -perm -u+w -printf '%f\n' | sort)
	assert_equal "$have" "$want"
}
