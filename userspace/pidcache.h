/* SPDX-License-Identifier: GPL-2.0 */
/* pidcache.h - `tcptrail run`: is a pid the command or one of its descendants? Verdicts cached per pid. */
#ifndef TCPTRAIL_PIDCACHE_H
#define TCPTRAIL_PIDCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tr_pidcache {
	pid_t root, self;
	const char *proc;		/* "/proc" */
	struct { pid_t pid; int ours; } *slot;
	size_t size, used;
};

void tr_pidcache_init(struct tr_pidcache *pc, pid_t root, pid_t self, const char *proc);
void tr_pidcache_free(struct tr_pidcache *pc);
/* Walks the ppid chain in /proc now; a pid already gone counts as not ours (not cached). */
int tr_pidcache_ours(struct tr_pidcache *pc, uint32_t pid);

#endif
