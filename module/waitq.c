// SPDX-License-Identifier: GPL-2.0
/*
 * waitq.c - readers' wait queues, which may outlive their ring and the module.
 *
 * A reader in poll() or select() leaves its entry (pollwake, core code) on
 * the queue until its syscall returns, and then takes the queue's lock to
 * remove it. procfs releases our files at proc_remove(), not at the last
 * fput(), and no longer calls our ->poll afterwards; but a task in select()
 * with the fd only in its except set, a stopped one, or one whose poll() also
 * waits on a FUSE file that never answers stays in its syscall for as long
 * as it likes. Nobody may wait for it: not rmmod, not cleanup_net().
 *
 * So the wait queue head lives in a small object of its own, never in module
 * memory or in the ring. tt_waitq_release() wakes everyone twice: with
 * POLLFREE, on which epoll, aio and io_uring drop their entries (and reach
 * the head only under RCU afterwards), then with no key, so that every
 * poll()/select() task polls again; it then parks the object. A worker frees
 * parked objects once their queue is empty, after a grace period. At module
 * exit, what is still not empty is left allocated on purpose (one object per
 * stuck queue) and counted in one line of the kernel log: its last users are
 * core code, so the memory must stay, while the module text can go. The
 * lock's lockdep class is a key inside the object for the same reason.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "tcptrail.h"

struct tt_waitq_obj {
	struct tt_waitq q;		/* first: tt_waitq is what others see */
	char name[sizeof("tcptrail_readers")];	/* lockdep keeps a pointer */
	struct list_head parked;
	struct lock_class_key key;
};

static LIST_HEAD(tt_parked);
static DEFINE_MUTEX(tt_parked_lock);
static void tt_waitq_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(tt_waitq_work, tt_waitq_work_fn);

struct tt_waitq *tt_waitq_alloc(gfp_t gfp)
{
	struct tt_waitq_obj *o = kzalloc(sizeof(*o), gfp);

	if (!o)
		return NULL;
	lockdep_register_key(&o->key);
	/* Not a string in module memory: the queue may outlive the module. */
	memcpy(o->name, "tcptrail_readers", sizeof(o->name));
	__init_waitqueue_head(&o->q.wq, o->name, &o->key);
	INIT_LIST_HEAD(&o->parked);
	return &o->q;
}

static bool tt_waitq_empty(struct tt_waitq_obj *o)
{
	bool empty;

	/* Under the lock: a poller removing its entry has finished with it. */
	spin_lock_irq(&o->q.wq.lock);
	empty = list_empty(&o->q.wq.head);
	spin_unlock_irq(&o->q.wq.lock);
	return empty;
}

/* Free the parked queues that emptied; true if some are still in use. */
static bool tt_waitq_sweep(void)
{
	struct tt_waitq_obj *o, *tmp;
	LIST_HEAD(done);
	bool more;

	mutex_lock(&tt_parked_lock);
	list_for_each_entry_safe(o, tmp, &tt_parked, parked)
		if (tt_waitq_empty(o))
			list_move(&o->parked, &done);
	more = !list_empty(&tt_parked);
	mutex_unlock(&tt_parked_lock);
	if (list_empty(&done))
		return more;
	/* epoll may still reach a head it saw before POLLFREE, under RCU. */
	synchronize_rcu();
	list_for_each_entry_safe(o, tmp, &done, parked) {
		lockdep_unregister_key(&o->key);
		kfree(o);
	}
	return more;
}

static void tt_waitq_work_fn(struct work_struct *work)
{
	if (tt_waitq_sweep())
		schedule_delayed_work(&tt_waitq_work, HZ);
}

/*
 * The ring is gone and no file can reach @q any more: wake everyone still on
 * it and free it once they have all left. Never waits for them.
 */
void tt_waitq_release(struct tt_waitq *q)
{
	struct tt_waitq_obj *o;

	if (!q)
		return;
	o = container_of(q, struct tt_waitq_obj, q);
	/* epoll, aio, io_uring: drop your entry and forget this head. */
	__wake_up(&q->wq, TASK_NORMAL, 0, poll_to_key(EPOLLHUP | POLLFREE));
	/* poll() and select() whatever they wait for: run again and leave. */
	__wake_up(&q->wq, TASK_NORMAL, 0, NULL);
	mutex_lock(&tt_parked_lock);
	list_add_tail(&o->parked, &tt_parked);
	mutex_unlock(&tt_parked_lock);
	mod_delayed_work(system_wq, &tt_waitq_work, 0);
}

/* Module exit: free what emptied, leave the rest allocated and say so. */
void tt_waitq_exit(void)
{
	struct tt_waitq_obj *o, *tmp;
	unsigned int stuck = 0;

	cancel_delayed_work_sync(&tt_waitq_work);
	tt_waitq_sweep();
	mutex_lock(&tt_parked_lock);
	list_for_each_entry_safe(o, tmp, &tt_parked, parked) {
		list_del_init(&o->parked);
		stuck++;
	}
	mutex_unlock(&tt_parked_lock);
	if (stuck)
		pr_warn("%u wait queues still had poll()/select() sleepers at unload; left allocated (%zu bytes each)\n",
			stuck, sizeof(*o));
}
