// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - per-CPU overwrite rings holding tcptrail's events.
 *
 * Writers are the probes: tracepoint and kprobe handlers, in process,
 * softirq or hardirq context, never sleeping. Each CPU has its own ring of
 * @size fixed-size slots and writes only its own ring, with local interrupts
 * off so that a softirq cannot interleave with the task it interrupted. No
 * lock is shared between CPUs and nothing is allocated.
 *
 * Each CPU counts the records it has ever written (head, a u64 that never
 * wraps); record n lives in slot n % size. A slot carries the position last
 * written into it, set to U64_MAX while it is being rewritten, so a reader
 * copies a slot and then checks the position is still the one it wanted, as
 * a seqcount reader does. A writer never waits for readers.
 *
 * Readers are open files (any number). Each has its own cursor: the next
 * position it wants on every CPU. A read merges the CPUs by timestamp. When
 * the ring is full the writer overwrites the oldest record; a reader whose
 * cursor fell more than @size behind jumps to the oldest record still there
 * and is told in-band exactly how many it missed (head - size - cursor, per
 * CPU), so nothing is lost silently. "clear" raises a floor under which
 * records are discarded; readers below it are told they missed those too.
 *
 * Wake-ups are batched: a writer queues a per-CPU irq_work only when someone
 * sleeps on the wait queue, and a pending irq_work is not queued again. The
 * wait queue is an object of its own (waitq.c): pollers may outlive the ring.
 *
 * Memory comes from @gfp: GFP_KERNEL_ACCOUNT when a reader's open allocates a
 * namespace's ring, so that it is charged to the reader's memory cgroup.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/log2.h>

#include "tcptrail.h"

static void tt_ring_wake(struct irq_work *work)
{
	struct tt_ring_cpu *rc = container_of(work, struct tt_ring_cpu, wake);

	wake_up_interruptible_all(&rc->ring->wq->wq);
}

int tt_ring_init(struct tt_ring *r, unsigned int size, gfp_t gfp)
{
	int cpu;

	if (!is_power_of_2(size))
		return -EINVAL;
	r->size = size;
	r->wq = tt_waitq_alloc(gfp);
	if (!r->wq)
		return -ENOMEM;
	r->cpu = alloc_percpu_gfp(struct tt_ring_cpu, gfp);
	if (!r->cpu) {
		tt_ring_free(r);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);
		unsigned int i;

		rc->ring = r;
		init_irq_work(&rc->wake, tt_ring_wake);
		/*
		 * Not kvmalloc: it would round 4096 slots up to a 1 MiB
		 * block. __vmalloc because vzalloc_node takes no gfp flags.
		 */
		rc->slots = __vmalloc(array_size(size, sizeof(*rc->slots)),
				      gfp | __GFP_ZERO);
		if (!rc->slots) {
			tt_ring_free(r);
			return -ENOMEM;
		}
		for (i = 0; i < size; i++)
			rc->slots[i].seq = U64_MAX;
	}
	return 0;
}

/* Writers are gone (unpublished and a grace period passed). */
void tt_ring_free(struct tt_ring *r)
{
	int cpu;

	if (r->cpu) {
		for_each_possible_cpu(cpu) {
			struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);

			irq_work_sync(&rc->wake);
			vfree(rc->slots);
		}
		free_percpu(r->cpu);
		r->cpu = NULL;
	}
	tt_waitq_release(r->wq);
	r->wq = NULL;
}

void tt_ring_write(struct tt_ring *r, const struct tcptrail_event *ev)
{
	struct tt_ring_cpu *rc;
	struct tt_slot *slot;
	unsigned long flags;
	u64 pos;

	local_irq_save(flags);
	rc = this_cpu_ptr(r->cpu);
	pos = rc->head;
	slot = &rc->slots[pos & (r->size - 1)];

	WRITE_ONCE(slot->seq, U64_MAX);
	/* Mark the slot busy before its payload changes... */
	smp_wmb();
	slot->ev = *ev;
	slot->ev.seq = pos;
	slot->ev.cpu = smp_processor_id();
	/* ...and publish the payload before the position that validates it. */
	smp_wmb();
	WRITE_ONCE(slot->seq, pos);
	/* Readers that see the new head see the slot written. */
	smp_store_release(&rc->head, pos + 1);
	local_irq_restore(flags);

	if (wq_has_sleeper(&r->wq->wq))
		irq_work_queue(&rc->wake);
}

struct tt_cursor *tt_cursor_alloc(struct tt_ring *r)
{
	struct tt_cursor *c;

	c = kzalloc(struct_size(c, pos, nr_cpu_ids), GFP_KERNEL_ACCOUNT);
	if (c)
		tt_cursor_rewind(r, c, false);
	return c;
}

static u64 tt_oldest(struct tt_ring *r, struct tt_ring_cpu *rc, u64 head)
{
	u64 oldest = head > r->size ? head - r->size : 0;

	return max(oldest, READ_ONCE(rc->floor));
}

/* Start at the oldest record still held, or at the newest (SEEK_END). */
void tt_cursor_rewind(struct tt_ring *r, struct tt_cursor *c, bool to_end)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);
		/* Pairs with the release in tt_ring_write(). */
		u64 head = smp_load_acquire(&rc->head);

		c->pos[cpu] = to_end ? head : tt_oldest(r, rc, head);
	}
	memset(c->lost, 0, sizeof(c->lost));
	c->held = false;
}

/*
 * Give back a record tt_ring_read() returned (the user's buffer faulted):
 * the next read returns it again, so nothing is lost and nothing counted
 * twice.
 */
void tt_cursor_unread(struct tt_cursor *c, const struct tcptrail_event *ev)
{
	if (ev->kind == TCPTRAIL_EV_LOST) {
		c->lost[ev->cause] += ev->count;
		return;
	}
	c->held_ev = *ev;
	c->held = true;
}

/*
 * Bring the cursor of one CPU up to the oldest record still held, counting
 * what it skips, then copy the record there. Returns false when that CPU
 * has nothing more for this reader.
 */
static bool tt_peek(struct tt_ring *r, struct tt_cursor *c, int cpu,
		    struct tcptrail_event *ev)
{
	struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);

	for (;;) {
		/* Pairs with the release in tt_ring_write(). */
		u64 head = smp_load_acquire(&rc->head);
		u64 floor = READ_ONCE(rc->floor);
		u64 oldest = tt_oldest(r, rc, head);
		u64 pos = c->pos[cpu];
		struct tt_slot *slot;

		if (pos < oldest) {
			u64 cleared = pos < floor ? min(floor, oldest) - pos : 0;

			c->lost[TCPTRAIL_CAUSE_CLEARED] += cleared;
			c->lost[TCPTRAIL_CAUSE_OVERWRITTEN] += oldest - pos - cleared;
			pos = oldest;
			c->pos[cpu] = pos;
		}
		if (pos >= head)
			return false;

		slot = &rc->slots[pos & (r->size - 1)];
		if (READ_ONCE(slot->seq) == pos) {
			/* Pairs with the writer's barriers: position first... */
			smp_rmb();
			*ev = slot->ev;
			/* ...then the payload, then the position again. */
			smp_rmb();
			if (READ_ONCE(slot->seq) == pos)
				return true;
		}
		/* Overwritten under us: the writer lapped this reader. */
		c->lost[TCPTRAIL_CAUSE_OVERWRITTEN]++;
		c->pos[cpu] = pos + 1;
	}
}

/*
 * Next record for this reader: a LOST record first if it missed any, else
 * the oldest pending event of all CPUs. Returns 1 with @ev filled, 0 when
 * there is nothing.
 */
int tt_ring_read(struct tt_ring *r, struct tt_cursor *c,
		 struct tcptrail_event *ev)
{
	int cpu, best = -1;
	unsigned int cause;

	if (c->held) {
		*ev = c->held_ev;
		c->held = false;
		return 1;
	}
	for_each_possible_cpu(cpu) {
		if (!tt_peek(r, c, cpu, &c->scratch))
			continue;
		if (best < 0 || c->scratch.ts_ns < ev->ts_ns) {
			*ev = c->scratch;
			best = cpu;
		}
	}
	for (cause = 0; cause < TCPTRAIL_CAUSE_MAX; cause++) {
		if (!c->lost[cause])
			continue;
		memset(ev, 0, sizeof(*ev));
		ev->kind = TCPTRAIL_EV_LOST;
		ev->cause = cause;
		ev->count = c->lost[cause];
		c->lost[cause] = 0;
		return 1;
	}
	if (best < 0)
		return 0;
	c->pos[best]++;
	return 1;
}

bool tt_ring_pending(struct tt_ring *r, struct tt_cursor *c)
{
	int cpu, cause;

	if (c->held)
		return true;
	for (cause = 0; cause < TCPTRAIL_CAUSE_MAX; cause++)
		if (c->lost[cause])
			return true;
	for_each_possible_cpu(cpu) {
		struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);

		/* Pairs with the release in tt_ring_write(). */
		if (c->pos[cpu] < smp_load_acquire(&rc->head))
			return true;
	}
	return false;
}

/* Discard everything held now; readers learn how much they missed. */
void tt_ring_clear(struct tt_ring *r)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct tt_ring_cpu *rc = per_cpu_ptr(r->cpu, cpu);

		/* Pairs with the release in tt_ring_write(). */
		WRITE_ONCE(rc->floor, smp_load_acquire(&rc->head));
	}
}

/* Records that are no longer in the ring because it wrapped. */
u64 tt_ring_overwritten(struct tt_ring *r)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		/* Pairs with the release in tt_ring_write(). */
		u64 head = smp_load_acquire(&per_cpu_ptr(r->cpu, cpu)->head);

		if (head > r->size)
			sum += head - r->size;
	}
	return sum;
}
