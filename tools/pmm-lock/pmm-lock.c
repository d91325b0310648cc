// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-lock: hold a PMM buffer's transaction lock while a command runs,
 * in the manner of flock(1).
 *
 *   pmm-lock [--shared] [--nonblock] NAME|PATH -- COMMAND [ARG...]
 *
 * NAME is looked up as /dev/pmm/NAME.  The lock belongs to pmm-lock's own
 * open file, which the command does not inherit; it is released when the
 * command ends or pmm-lock dies.  An exclusive lock (the default) means
 * "about to write" and needs write access to the node, so the node is
 * opened for writing; a shared lock needs only read access.  Exit status: the command's; 1 if the
 * lock cannot be taken (EAGAIN with --nonblock); 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pmm.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-lock [options] NAME|PATH -- COMMAND [ARG...]\n"
		"Run COMMAND while holding the transaction lock of PMM buffer NAME.\n"
		"  -s, --shared     take a shared lock (default: exclusive)\n"
		"  -n, --nonblock   fail at once (exit 1) if the lock is held\n"
		"  -h, --help       this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shared", no_argument, NULL, 's' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pmm_lock lock = { 0 };
	char path[256];
	const char *name;
	int c, fd, status;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+snh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			lock.flags |= PMM_LOCK_SHARED;
			break;
		case 'n':
			lock.flags |= PMM_LOCK_NONBLOCK;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (argc - optind < 1) {
		usage(stderr);
		return 2;
	}
	name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/dev/pmm/%s", name);

	fd = open(path, (lock.flags & PMM_LOCK_SHARED ? O_RDONLY : O_WRONLY) |
			O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pmm-lock: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (ioctl(fd, PMM_IOC_LOCK, &lock) < 0) {
		fprintf(stderr, "pmm-lock: %s: %s\n", path, strerror(errno));
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pmm-lock: fork: %s\n", strerror(errno));
		return 1;
	}
	if (!pid) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "pmm-lock: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "pmm-lock: waitpid: %s\n", strerror(errno));
			return 1;
		}
	}
	/* Closing the file releases the lock. */
	close(fd);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
