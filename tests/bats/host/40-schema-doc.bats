#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Documentation/ABI/testing/configfs-pmm is checked against
# configfs-schema/pmm.schema: every attribute the schema lists is
# documented in the table of its directory, and the tables document
# nothing the schema lacks.

load ../helpers/common

SCHEMA=$PMM_PROJECT/configfs-schema/pmm.schema
ABI=$PMM_PROJECT/Documentation/ABI/testing/configfs-pmm

# pmm_schema_attrs DIR - attribute names under DIR/* in the schema.
pmm_schema_attrs() {
	awk -v d="$1/*/" 'index($1, d) == 1 { print substr($1, length(d) + 1) }' "$SCHEMA" | sort
}

# pmm_abi_attrs WHAT - the attribute names in the tables of the ABI entry
# whose What: line ends in WHAT (rows are two tabs, a name, a tab).
pmm_abi_attrs() {
	awk -v w="$1" '
		/^What:/ { inside = ($2 ~ w "$") ; next }
		inside && /^\t\t[a-z_]+\t/ { sub(/^\t\t/, ""); sub(/\t.*/, ""); print }
	' "$ABI" | sort -u
}

@test "ABI doc: buffer attributes are exactly the schema's" {
	run pmm_schema_attrs buffers
	local want=$output
	[ -n "$want" ]
	run pmm_abi_attrs 'buffers/<buffer>'
	assert_output "$want"
}

@test "ABI doc: pool attributes are exactly the schema's" {
	run pmm_schema_attrs pools
	local want=$output
	[ -n "$want" ]
	run pmm_abi_attrs 'pools/<pool>'
	assert_output "$want"
}
