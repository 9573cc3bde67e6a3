// SPDX-License-Identifier: GPL-2.0
/* pidcache.c - `tcptrail run`: is a pid the command or one of its descendants? Verdicts cached per pid. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pidcache.h"
#include "xalloc.h"

void tr_pidcache_init(struct tr_pidcache *pc, pid_t root, pid_t self, const char *proc)
{
	memset(pc, 0, sizeof(*pc));
	pc->root = root;
	pc->self = self;
	pc->proc = proc;
	pc->size = 256;
	pc->slot = tr_xrealloc(NULL, pc->size * sizeof(*pc->slot));
	memset(pc->slot, 0, pc->size * sizeof(*pc->slot));
}

void tr_pidcache_free(struct tr_pidcache *pc)
{
	free(pc->slot);
	pc->slot = NULL;
}

static int *pc_lookup(struct tr_pidcache *pc, pid_t pid, int insert)
{
	size_t i = ((size_t)pid * 2654435761u) & (pc->size - 1);

	while (pc->slot[i].pid) {
		if (pc->slot[i].pid == pid)
			return &pc->slot[i].ours;
		i = (i + 1) & (pc->size - 1);
	}
	if (!insert)
		return NULL;
	pc->slot[i].pid = pid;
	pc->used++;
	return &pc->slot[i].ours;
}

static void pc_set(struct tr_pidcache *pc, pid_t pid, int ours)
{
	if (pc->used * 2 >= pc->size) {
		size_t old = pc->size;
		__typeof__(pc->slot) s = pc->slot;

		pc->size *= 2;
		pc->used = 0;
		pc->slot = tr_xrealloc(NULL, pc->size * sizeof(*pc->slot));
		memset(pc->slot, 0, pc->size * sizeof(*pc->slot));
		for (size_t i = 0; i < old; i++)
			if (s[i].pid)
				*pc_lookup(pc, s[i].pid, 1) = s[i].ours;
		free(s);
	}
	*pc_lookup(pc, pid, 1) = ours;
}

/* ppid from /proc/PID/stat; the comm in parentheses may hold anything, so parse after the last ')'. */
static int read_ppid(const char *proc, pid_t pid, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, pp;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &pp) != 1)
		return -1;
	*ppid = pp;
	return 0;
}

int tr_pidcache_ours(struct tr_pidcache *pc, uint32_t pid32)
{
	pid_t chain[64], p = (pid_t)pid32;
	int n = 0, verdict = -1;

	while (n < (int)(sizeof(chain) / sizeof(chain[0]))) {
		int *cached;
		pid_t pp;

		/* Orphans of the command are reparented to us (we are its subreaper). */
		if (p == pc->root || p == pc->self) {
			verdict = 1;
			break;
		}
		if (p <= 1) {
			verdict = 0;
			break;
		}
		cached = pc_lookup(pc, p, 0);
		if (cached) {
			verdict = *cached;
			break;
		}
		chain[n++] = p;
		if (read_ppid(pc->proc, p, &pp))
			break;	/* gone: can't tell, and don't remember a guess */
		p = pp;
	}
	if (verdict < 0)
		return 0;
	for (int i = 0; i < n; i++)
		pc_set(pc, chain[i], verdict);
	return verdict;
}
