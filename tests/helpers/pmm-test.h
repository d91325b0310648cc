/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test helpers (pmm-mmap, pmm-ioctl) share: how they report a
 * failure (the errno's name on stdout, for bats to assert, and a message
 * on stderr), how they read numbers, and how they wait to be let go.
 */
#ifndef PMM_TEST_H
#define PMM_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Print @err's name ("EACCES") for the test and explain it; returns 1. */
static inline int pmm_fail(const char *what, int err)
{
	printf("%s\n", strerrorname_np(err) ? strerrorname_np(err) : "E?");
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(err));
	return 1;
}

/* A number in C syntax (decimal, 0x hex, 0 octal); exit 2 if it is not. */
static inline unsigned long long pmm_number(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "%s: bad number '%s'\n",
			program_invocation_short_name, s);
		exit(2);
	}
	return v;
}

/* Say "ready", then hold everything until stdin closes. */
static inline void pmm_wait_stdin(void)
{
	char b;

	printf("ready\n");
	fflush(stdout);
	while (read(0, &b, 1) > 0)
		;
}

#endif
