// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - per network namespace state: its lifetime, and the ring a
 * namespace records into, allocated only when someone opens its files.
 *
 * A namespace costs a small struct tt_net (filter, settings) and its /proc
 * entries. The ring and the per-CPU counters (ring_size x 176 bytes x
 * possible CPUs) come at the first open of events, raw or control, from the
 * opener, charged to its memory cgroup; before that the namespace's events
 * are not recorded (except in the initial one's ring, with "netns all"). The
 * initial namespace gets its ring at load: it is the flight recorder.
 *
 * Probes find the state through an RCU pointer. It is published only fully
 * initialised, and the ring inside it the same way, so a probe sees NULL or
 * something it can use. At exit the pointer is cleared in .pre_exit, and the
 * grace period cleanup_net() runs once for the whole batch before .exit
 * frees anything: no synchronize_rcu() of our own per namespace.
 *
 * Creating a namespace never fails because of tcptrail: without memory for
 * our state, that namespace just has no tcptrail files (and a log line).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "tcptrail.h"

static unsigned int tt_net_id __read_mostly;

struct tt_net_ptr {
	struct tt_net __rcu *tn;	/* for probes; NULL from .pre_exit */
	struct tt_net *owned;		/* from .init to .exit */
};

/* Probes: preemption off, or rcu_read_lock(). */
struct tt_net *tt_net_get(const struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);

	return rcu_dereference_check(p->tn, rcu_read_lock_any_held());
}

/* /proc files and pernet methods: valid from .init to .exit, or NULL. */
struct tt_net *tt_net_of(const struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);

	return p->owned;
}

/*
 * The ring, or NULL while nobody opened the files. Once set it stays until
 * .exit, which comes after the probes' grace period and after proc_remove().
 */
struct tt_rec *tt_rec_get(struct tt_net *tn)
{
	return rcu_dereference_check(tn->rec, 1);
}

/* A ring's counters, summed over the CPUs; racing writers make it a hint. */
void tt_rec_stats(struct tt_rec *rec, struct tt_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct tt_stats *st = per_cpu_ptr(rec->stats, cpu);

		for (i = 0; i < TCPTRAIL_EV_MAX; i++)
			sum->kind[i] += st->kind[i];
		for (i = 0; i < TCPTRAIL_STATE_MAX; i++)
			sum->state[i] += st->state[i];
		for (i = 0; i < TT_STAT_MAX; i++)
			sum->stat[i] += st->stat[i];
	}
}

static void tt_rec_free(struct tt_rec *rec)
{
	tt_ring_free(&rec->ring);
	free_percpu(rec->stats);
	kfree(rec);
}

static struct tt_rec *tt_rec_alloc(gfp_t gfp)
{
	struct tt_rec *rec = kzalloc(sizeof(*rec), gfp);

	if (!rec)
		return NULL;
	rec->stats = alloc_percpu_gfp(struct tt_stats, gfp);
	if (!rec->stats || tt_ring_init(&rec->ring, tt_ring_size, gfp)) {
		tt_rec_free(rec);
		return NULL;
	}
	return rec;
}

/*
 * The namespace's ring, allocated now if this is the first open (sleeps).
 * Two first openers race for ctl_lock; the second finds the first's ring.
 */
struct tt_rec *tt_net_rec(struct tt_net *tn)
{
	struct tt_rec *rec;

	mutex_lock(&tn->ctl_lock);
	rec = rcu_dereference_protected(tn->rec,
					lockdep_is_held(&tn->ctl_lock));
	if (!rec) {
		rec = tt_rec_alloc(GFP_KERNEL_ACCOUNT);
		/* Initialised before published: probes see NULL or all of it. */
		if (rec)
			rcu_assign_pointer(tn->rec, rec);
	}
	mutex_unlock(&tn->ctl_lock);
	return rec;
}

struct tt_net *tt_net_alloc(struct net *net, gfp_t gfp)
{
	struct tt_net *tn = kzalloc(sizeof(*tn), gfp);

	if (!tn)
		return NULL;
	tn->net = net;
	mutex_init(&tn->ctl_lock);
	return tn;
}

/* No probe, reader or file can reach @tn any more. */
void tt_net_free(struct tt_net *tn)
{
	struct tt_rec *rec = rcu_dereference_protected(tn->rec, 1);

	if (rec)
		tt_rec_free(rec);
	kfree(rcu_dereference_protected(tn->filter, 1));
	mutex_destroy(&tn->ctl_lock);
	kfree(tn);
}

static __net_init int tt_net_init(struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);
	struct tt_net *tn;
	struct tt_rec *rec;

	if (!net_eq(net, &init_net)) {
		tn = tt_net_alloc(net, GFP_KERNEL_ACCOUNT);
		if (!tn) {
			pr_warn_ratelimited("no memory: a new network namespace has no tcptrail\n");
			return 0;
		}
	} else {
		/* The flight recorder: ready at load, not charged to insmod. */
		tn = tt_net_alloc(net, GFP_KERNEL);
		if (!tn)
			return -ENOMEM;
		rec = tt_rec_alloc(GFP_KERNEL);
		if (!rec) {
			kfree(tn);
			return -ENOMEM;
		}
		RCU_INIT_POINTER(tn->rec, rec);
	}
	p->owned = tn;
	rcu_assign_pointer(p->tn, tn);
	return 0;
}

/* Probes stop finding it; cleanup_net() then waits one grace period. */
static __net_exit void tt_net_pre_exit(struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);

	RCU_INIT_POINTER(p->tn, NULL);
}

static __net_exit void tt_net_exit(struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);

	if (p->owned)
		tt_net_free(p->owned);
	p->owned = NULL;
}

static struct pernet_operations tt_net_ops = {
	.init = tt_net_init,
	.pre_exit = tt_net_pre_exit,
	.exit = tt_net_exit,
	.id = &tt_net_id,
	.size = sizeof(struct tt_net_ptr),
};

int tt_netns_register(void)
{
	return register_pernet_subsys(&tt_net_ops);
}

void tt_netns_unregister(void)
{
	unregister_pernet_subsys(&tt_net_ops);
}
