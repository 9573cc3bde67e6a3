// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - per-connection state (ISNs, owner, last transition) keyed by
 * socket cookie, in a table allocated once at load.
 *
 * Buckets of TT_BUCKET_SLOTS slots, each bucket with its own raw spinlock
 * taken with interrupts off: probes on different connections rarely meet,
 * and nothing here allocates. A full bucket is a full table for that cookie:
 * the caller still records the event, marked, and counts it.
 *
 * The table is kept in step by probes on the kernel's own release paths
 * (state CLOSE, the request and timewait socks' destructors). What they
 * could still miss (a probe skipped by the kernel) is bounded: request and
 * timewait slots carry an expiry derived from their timers, and a periodic
 * sweep frees them after it, counting them in stats (table_reclaimed).
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "tcptrail.h"

int tt_table_init(struct tt_table *t, unsigned int conns)
{
	unsigned int i;

	t->nbuckets = roundup_pow_of_two(DIV_ROUND_UP(conns, TT_BUCKET_SLOTS));
	t->buckets = vzalloc(array_size(t->nbuckets, sizeof(*t->buckets)));
	if (!t->buckets)
		return -ENOMEM;
	for (i = 0; i < t->nbuckets; i++)
		raw_spin_lock_init(&t->buckets[i].lock);
	atomic_set(&t->used, 0);
	atomic64_set(&t->reclaimed, 0);
	return 0;
}

void tt_table_free(struct tt_table *t)
{
	vfree(t->buckets);
	t->buckets = NULL;
}

static struct tt_bucket *tt_bucket(struct tt_table *t, u64 cookie)
{
	return &t->buckets[hash_64(cookie, ilog2(t->nbuckets))];
}

/*
 * Find @cookie's slot, or claim a free one when @create. On success the
 * bucket is locked: release it with tt_conn_unlock(). NULL with *@full set
 * means the bucket had no free slot.
 */
struct tt_conn *tt_conn_lock(struct tt_table *t, u64 cookie, bool create,
			     bool *full, unsigned long *flags)
{
	struct tt_bucket *b = tt_bucket(t, cookie);
	struct tt_conn *free = NULL;
	int i;

	*full = false;
	if (!cookie)
		return NULL;
	raw_spin_lock_irqsave(&b->lock, *flags);
	for (i = 0; i < TT_BUCKET_SLOTS; i++) {
		struct tt_conn *c = &b->slot[i];

		if (c->cookie == cookie)
			return c;
		if (!c->cookie && !free)
			free = c;
	}
	if (create && free) {
		memset(free, 0, sizeof(*free));
		free->cookie = cookie;
		atomic_inc(&t->used);
		return free;
	}
	*full = create;
	raw_spin_unlock_irqrestore(&b->lock, *flags);
	return NULL;
}

/* The bucket a slot lives in, from its address: the cookie may be gone. */
static struct tt_bucket *tt_slot_bucket(struct tt_table *t, struct tt_conn *c)
{
	return &t->buckets[((char *)c - (char *)t->buckets) /
			   sizeof(struct tt_bucket)];
}

void tt_conn_unlock(struct tt_table *t, struct tt_conn *c, unsigned long flags)
{
	raw_spin_unlock_irqrestore(&tt_slot_bucket(t, c)->lock, flags);
}

/* Free a locked slot and unlock its bucket. */
void tt_conn_release(struct tt_table *t, struct tt_conn *c,
		     unsigned long flags)
{
	c->cookie = 0;
	atomic_dec(&t->used);
	tt_conn_unlock(t, c, flags);
}

/*
 * Free the slots whose age bound has passed: a request or timewait sock
 * whose end we did not see (a probe that missed, or a path the kernel took
 * without passing one). Process context; returns how many it freed.
 */
unsigned int tt_table_sweep(struct tt_table *t, u64 now)
{
	unsigned int i, j, freed = 0;

	for (i = 0; i < t->nbuckets; i++) {
		struct tt_bucket *b = &t->buckets[i];
		unsigned long flags;

		raw_spin_lock_irqsave(&b->lock, flags);
		for (j = 0; j < TT_BUCKET_SLOTS; j++) {
			struct tt_conn *c = &b->slot[j];

			if (c->cookie && c->expires && now > c->expires) {
				c->cookie = 0;
				atomic_dec(&t->used);
				freed++;
			}
		}
		raw_spin_unlock_irqrestore(&b->lock, flags);
		if (!(i & 63))
			cond_resched();
	}
	atomic64_add(freed, &t->reclaimed);
	return freed;
}
