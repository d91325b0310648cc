// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the spelling of names, sizes and cache modes, shared by the module
 * parameters and configfs.  Depends on nothing else in PMM.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "pmm.h"

static const char * const pmm_cache_names[] = {
	[PMM_CACHE_CACHED] = "cached",
	[PMM_CACHE_WRITECOMBINE] = "writecombine",
	[PMM_CACHE_UNCACHED] = "uncached",
};

/**
 * pmm_cache_name() - The configfs spelling of a cache mode.
 * @cache: the mode
 *
 * Return: "cached", "writecombine" or "uncached".
 */
const char *pmm_cache_name(u32 cache)
{
	return pmm_cache_names[cache];
}

/**
 * pmm_name_valid() - Whether a pool or buffer name is acceptable.
 * @name: NUL-terminated name
 *
 * Names become directory and device node names, and appear in udev rules
 * and shell scripts, so they are kept to a portable character set.
 *
 * Return: true for 1 to PMM_NAME_MAX characters of [A-Za-z0-9._-] other
 * than "." and "..".
 */
bool pmm_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > PMM_NAME_MAX || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

/**
 * pmm_parse_size() - Parse a byte count with an optional K/M/G/T suffix.
 * @s: the text, optionally ending in one newline
 * @out: the value
 *
 * Like memparse(), but strict: no trailing junk, no sign, and overflow is
 * an error rather than a silently wrapped value.  The number may be in
 * any base kstrtoull() accepts with base 0.
 *
 * Return: 0, or -EINVAL if @s is not such a size.
 */
int pmm_parse_size(const char *s, u64 *out)
{
	char num[32];
	size_t len = strlen(s);
	unsigned int shift = 0;
	u64 v;

	if (len && s[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';

	switch (num[len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	}
	if (shift)
		num[--len] = '\0';
	if (!len || !isdigit(num[0]) || kstrtoull(num, 0, &v))
		return -EINVAL;
	if (check_shl_overflow(v, shift, out))
		return -EINVAL;
	return 0;
}
