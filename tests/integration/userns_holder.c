// SPDX-License-Identifier: GPL-2.0
/*
 * userns_holder.c - run a command as an unprivileged user inside a user and
 * network namespace of that user's own (what `unshare -Urn` does), from the
 * dev VM, whose processes run chrooted into the host's root: the kernel
 * refuses a user namespace to a chrooted process (EPERM), so this goes to
 * PID 1's root (the initramfs, the mount namespace's root) for the unshare,
 * as the user, then maps the user to root and comes back to where it was.
 *
 * usage: userns_holder UID GID CMD [ARG]...   (started as root)
 * Built static in the guest by the integration tests (gcc -static).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The initramfs root is mode 0700: open by a directory fd taken as root. */
static void write_at(int dir, const char *path, const char *text)
{
	int fd = openat(dir, path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	int here, proc;
	char map[64];
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: userns_holder UID GID CMD [ARG]...\n");
		return 2;
	}
	uid = (uid_t)atol(argv[1]);
	gid = (gid_t)atol(argv[2]);
	here = open("/", O_PATH | O_DIRECTORY);
	if (here < 0 || chroot("/proc/1/root") || chdir("/"))
		die("chroot /proc/1/root");
	proc = open("/proc", O_PATH | O_DIRECTORY);
	if (proc < 0)
		die("/proc of the initramfs");
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		die("drop to UID/GID");
	/* setuid made us undumpable: /proc/self would stay root's */
	if (prctl(PR_SET_DUMPABLE, 1))
		die("PR_SET_DUMPABLE");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		die("unshare user+net as the unprivileged user");
	write_at(proc, "self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %lu 1", (unsigned long)uid);
	write_at(proc, "self/uid_map", map);
	snprintf(map, sizeof(map), "0 %lu 1", (unsigned long)gid);
	write_at(proc, "self/gid_map", map);
	if (fchdir(here) || chroot(".") || chdir("/"))
		die("chroot back");
	close(here);
	close(proc);
	execvp(argv[3], argv + 3);
	die(argv[3]);
}
