// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - per network namespace state and /proc/net/tcptrail/.
 *
 * Every netns has its own ring, filter and counters, so a reader sees what
 * happened in its own namespace (as with /proc/net/tcp), and "netns all" in
 * the initial namespace copies every namespace's events there too.
 *
 *   events   text lines (format in record.c), root/CAP_NET_ADMIN
 *   raw      binary records (tcptrail_abi.h), root/CAP_NET_ADMIN
 *   control  commands (grammar in control.c), root/CAP_NET_ADMIN
 *   stats    counters, world-readable
 *
 * Sequence numbers let whoever reads them inject into live connections, so
 * every read and write checks CAP_NET_ADMIN against the opener's credentials.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/netns/generic.h>

#include "tcptrail.h"

static unsigned int tt_net_id __read_mostly;

struct tt_net_ptr {
	struct tt_net __rcu *tn;
};

/* Callers hold rcu_read_lock() or run with preemption off (probes). */
struct tt_net *tt_net_get(const struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);

	return rcu_dereference_check(p->tn, rcu_read_lock_any_held());
}

static void tt_count(struct tt_net *tn, const struct tcptrail_event *ev)
{
	/* this_cpu_inc: a softirq may interrupt a task's probe on this CPU. */
	this_cpu_inc(tn->stats->kind[ev->kind]);
	if (ev->kind == TCPTRAIL_EV_STATE && ev->new_state < TCPTRAIL_STATE_MAX)
		this_cpu_inc(tn->stats->state[ev->new_state]);
}

static void tt_emit_one(struct tt_net *tn, struct tcptrail_event *ev)
{
	const struct tt_filter *f;
	bool pass;

	if (READ_ONCE(tn->paused)) {
		this_cpu_inc(tn->stats->stat[TT_STAT_PAUSED]);
		return;
	}
	f = rcu_dereference_check(tn->filter, rcu_read_lock_any_held());
	pass = !f || tt_filter_match(f, ev);
	if (!pass) {
		this_cpu_inc(tn->stats->stat[TT_STAT_FILTERED]);
		return;
	}
	tt_count(tn, ev);
	tt_ring_write(&tn->ring, ev);
}

/*
 * Record @ev in @net's own ring, and in the initial one when it asked for
 * every namespace's events. A namespace being dismantled has no state of its
 * own any more; its last events still reach the initial namespace.
 */
void tt_emit(const struct net *net, struct tcptrail_event *ev)
{
	struct tt_net *tn = tt_net_get(net), *init;

	if (tn && !READ_ONCE(tn->dying))
		tt_emit_one(tn, ev);
	if (net_eq(net, &init_net))
		return;
	init = tt_net_get(&init_net);
	if (init && READ_ONCE(init->all_netns) && !READ_ONCE(init->dying))
		tt_emit_one(init, ev);
}

/* An open events or raw file. */
struct tt_reader {
	struct tt_net *tn;
	bool raw;
	bool header_done;
	size_t out_len, out_off;	/* text not yet copied to the user */
	char out[512];
	struct tt_cursor *cursor;
};

static bool tt_allowed(struct file *file, struct tt_net *tn)
{
	return file_ns_capable(file, tn->net->user_ns, CAP_NET_ADMIN);
}

static int tt_reader_open(struct inode *inode, struct file *file, bool raw)
{
	struct tt_net *tn = pde_data(inode);
	struct tt_reader *rd;

	if (!tt_allowed(file, tn))
		return -EPERM;
	rd = kzalloc(sizeof(*rd), GFP_KERNEL);
	if (!rd)
		return -ENOMEM;
	rd->cursor = tt_cursor_alloc(&tn->ring);
	if (!rd->cursor) {
		kfree(rd);
		return -ENOMEM;
	}
	rd->tn = tn;
	rd->raw = raw;
	atomic_inc(&tn->readers);
	file->private_data = rd;
	return 0;
}

static int tt_events_open(struct inode *inode, struct file *file)
{
	return tt_reader_open(inode, file, false);
}

static int tt_raw_open(struct inode *inode, struct file *file)
{
	return tt_reader_open(inode, file, true);
}

static int tt_reader_release(struct inode *inode, struct file *file)
{
	struct tt_reader *rd = file->private_data;

	atomic_dec(&rd->tn->readers);
	kfree(rd->cursor);
	kfree(rd);
	return 0;
}

/* Wait for the next record; 0 at teardown, -EAGAIN/-ERESTARTSYS as usual. */
static int tt_reader_wait(struct file *file, struct tt_reader *rd,
			  struct tcptrail_event *ev)
{
	struct tt_net *tn = rd->tn;
	int err;

	for (;;) {
		if (READ_ONCE(tn->dying))
			return 0;
		if (tt_ring_read(&tn->ring, rd->cursor, ev))
			return 1;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(tn->ring.wq,
					       READ_ONCE(tn->dying) ||
					       tt_ring_pending(&tn->ring,
							       rd->cursor));
		if (err)
			return err;
	}
}

static ssize_t tt_raw_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct tt_reader *rd = file->private_data;
	size_t done = 0;
	int err;

	if (!tt_allowed(file, rd->tn))
		return -EPERM;
	if (len < sizeof(struct tcptrail_event))
		return -EINVAL;
	if (!rd->header_done) {
		struct tcptrail_header h = {
			.magic = TCPTRAIL_MAGIC,
			.major = TCPTRAIL_ABI_MAJOR,
			.minor = TCPTRAIL_ABI_MINOR,
			.record_size = sizeof(struct tcptrail_event),
			.nr_cpus = nr_cpu_ids,
		};

		if (copy_to_user(buf, &h, sizeof(h)))
			return -EFAULT;
		rd->header_done = true;
		return sizeof(h);
	}
	while (len - done >= sizeof(struct tcptrail_event)) {
		struct tcptrail_event out;

		if (done) {
			if (!tt_ring_read(&rd->tn->ring, rd->cursor, &out))
				break;
		} else {
			err = tt_reader_wait(file, rd, &out);
			if (err <= 0)
				return err;
		}
		if (copy_to_user(buf + done, &out, sizeof(out)))
			return done ?: -EFAULT;
		done += sizeof(out);
	}
	return done;
}

static ssize_t tt_events_read(struct file *file, char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct tt_reader *rd = file->private_data;
	size_t done = 0;
	int err;

	if (!tt_allowed(file, rd->tn))
		return -EPERM;
	if (!rd->header_done) {
		rd->out_len = tt_format_header(rd->out, sizeof(rd->out));
		rd->out_off = 0;
		rd->header_done = true;
	}
	while (done < len) {
		struct tcptrail_event ev;
		size_t n;

		if (rd->out_off < rd->out_len) {
			n = min(len - done, rd->out_len - rd->out_off);
			if (copy_to_user(buf + done, rd->out + rd->out_off, n))
				return done ?: -EFAULT;
			rd->out_off += n;
			done += n;
			continue;
		}
		if (done) {
			if (!tt_ring_read(&rd->tn->ring, rd->cursor, &ev))
				break;
		} else {
			err = tt_reader_wait(file, rd, &ev);
			if (err <= 0)
				return err;
		}
		rd->out_len = tt_format_event(rd->out, sizeof(rd->out), &ev);
		rd->out_off = 0;
	}
	return done;
}

static __poll_t tt_reader_poll(struct file *file, poll_table *wait)
{
	struct tt_reader *rd = file->private_data;
	struct tt_net *tn = rd->tn;

	poll_wait(file, &tn->ring.wq, wait);
	if (READ_ONCE(tn->dying))
		return EPOLLHUP;
	if ((!rd->raw && rd->out_off < rd->out_len) ||
	    tt_ring_pending(&tn->ring, rd->cursor))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* SEEK_END: only what comes next; SEEK_SET 0: oldest held. */
static loff_t tt_reader_llseek(struct file *file, loff_t off, int whence)
{
	struct tt_reader *rd = file->private_data;

	if (off || (whence != SEEK_SET && whence != SEEK_END))
		return -EINVAL;
	tt_cursor_rewind(&rd->tn->ring, rd->cursor, whence == SEEK_END);
	rd->out_len = 0;
	rd->out_off = 0;
	return 0;
}

static const struct proc_ops tt_events_ops = {
	.proc_open = tt_events_open,
	.proc_read = tt_events_read,
	.proc_poll = tt_reader_poll,
	.proc_lseek = tt_reader_llseek,
	.proc_release = tt_reader_release,
};

static const struct proc_ops tt_raw_ops = {
	.proc_open = tt_raw_open,
	.proc_read = tt_raw_read,
	.proc_poll = tt_reader_poll,
	.proc_lseek = tt_reader_llseek,
	.proc_release = tt_reader_release,
};

static int tt_control_show(struct seq_file *m, void *v)
{
	struct tt_net *tn = m->private;
	const struct tt_filter *f;
	char *buf;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&tn->ctl_lock);
	f = rcu_dereference_protected(tn->filter,
				      lockdep_is_held(&tn->ctl_lock));
	/* No filter at all is NULL, not an empty one. */
	if (f) {
		tt_filter_show(buf, PAGE_SIZE, f);
		seq_puts(m, buf);
	}
	seq_printf(m, "%s\n", tn->paused ? "pause" : "resume");
	if (net_eq(tn->net, &init_net))
		seq_printf(m, "netns %s\n", tn->all_netns ? "all" : "own");
	mutex_unlock(&tn->ctl_lock);
	kfree(buf);
	return 0;
}

static int tt_control_open(struct inode *inode, struct file *file)
{
	struct tt_net *tn = pde_data(inode);
	int err = single_open(file, tt_control_show, tn);

	if (!err && !tt_allowed(file, tn)) {
		single_release(inode, file);
		return -EPERM;
	}
	return err;
}

static ssize_t tt_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct tt_net *tn = ((struct seq_file *)file->private_data)->private;
	struct tt_filter *old, *new = NULL;
	struct tt_control *ctl;
	char *buf;
	int err;

	if (!tt_allowed(file, tn))
		return -EPERM;
	if (len >= PAGE_SIZE)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ctl = kzalloc(sizeof(*ctl), GFP_KERNEL);
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!ctl || !new) {
		err = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&tn->ctl_lock);
	old = rcu_dereference_protected(tn->filter,
					lockdep_is_held(&tn->ctl_lock));
	err = tt_control_parse(buf, old ?: new, ctl);
	if (!err && ctl->netns_all >= 0 && !net_eq(tn->net, &init_net))
		err = -EPERM;
	if (err)
		goto out_unlock;

	if (tt_filter_empty(&ctl->filter)) {
		rcu_assign_pointer(tn->filter, NULL);
	} else {
		*new = ctl->filter;
		rcu_assign_pointer(tn->filter, new);
		new = NULL;
	}
	if (ctl->pause)
		WRITE_ONCE(tn->paused, true);
	if (ctl->resume)
		WRITE_ONCE(tn->paused, false);
	if (ctl->netns_all >= 0)
		WRITE_ONCE(tn->all_netns, ctl->netns_all);
	if (ctl->clear)
		tt_ring_clear(&tn->ring);
	mutex_unlock(&tn->ctl_lock);
	/* Probes read the filter with preemption off. */
	synchronize_rcu();
	kfree(old);
	err = len;
	goto out_free;

out_unlock:
	mutex_unlock(&tn->ctl_lock);
out_free:
	kfree(new);
	kfree(ctl);
	kfree(buf);
	return err;
}

static const struct proc_ops tt_control_ops = {
	.proc_open = tt_control_open,
	.proc_read = seq_read,
	.proc_write = tt_control_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static int tt_stats_show(struct seq_file *m, void *v)
{
	struct tt_net *tn = m->private;
	struct tt_hook_status hs[32];
	struct tt_stats sum = {};
	int cpu, i, n;

	for_each_possible_cpu(cpu) {
		struct tt_stats *st = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < TCPTRAIL_EV_MAX; i++)
			sum.kind[i] += st->kind[i];
		for (i = 0; i < TCPTRAIL_STATE_MAX; i++)
			sum.state[i] += st->state[i];
		for (i = 0; i < TT_STAT_MAX; i++)
			sum.stat[i] += st->stat[i];
	}
	seq_printf(m, "abi %u.%u\n", TCPTRAIL_ABI_MAJOR, TCPTRAIL_ABI_MINOR);
	seq_printf(m, "hook_mode %s\n", tt_hook_mode_name());
	n = tt_hooks_status(hs, ARRAY_SIZE(hs));
	n += tt_lifecycle_status(hs + n, ARRAY_SIZE(hs) - n);
	for (i = 0; i < n; i++)
		seq_printf(m, "hook.%s %s\n", hs[i].name,
			   !hs[i].wanted ? "unused" :
			   hs[i].attached ? "attached" : "failed");
	/*
	 * A kprobe that fires while another kprobe's handler runs on the same
	 * CPU (an interrupt in between) is skipped by the kernel: its events
	 * are missing, and this says how many.
	 */
	for (i = 0; i < n; i++)
		if (hs[i].attached && hs[i].kprobe)
			seq_printf(m, "missed.%s %lu\n", hs[i].name,
				   hs[i].missed);
	seq_printf(m, "ring_size %u\n", tn->ring.size);
	seq_printf(m, "cpus %u\n", nr_cpu_ids);
	seq_printf(m, "readers %d\n", atomic_read(&tn->readers));
	seq_printf(m, "paused %d\n", READ_ONCE(tn->paused));
	for (i = 1; i < TCPTRAIL_EV_MAX; i++)
		if (i != TCPTRAIL_EV_LOST)
			seq_printf(m, "events.%s %llu\n", tt_kind_name(i),
				   sum.kind[i]);
	for (i = 1; i < TCPTRAIL_STATE_MAX; i++)
		seq_printf(m, "state.%s %llu\n", tt_state_name(i), sum.state[i]);
	seq_printf(m, "overwritten %llu\n", tt_ring_overwritten(&tn->ring));
	seq_printf(m, "filtered %llu\n", sum.stat[TT_STAT_FILTERED]);
	seq_printf(m, "dropped_paused %llu\n", sum.stat[TT_STAT_PAUSED]);
	seq_printf(m, "no_tuple %llu\n", sum.stat[TT_STAT_NO_TUPLE]);
	seq_printf(m, "table_size %u\n",
		   tt_conns.nbuckets * TT_BUCKET_SLOTS);
	seq_printf(m, "table_used %d\n", atomic_read(&tt_conns.used));
	seq_printf(m, "table_full %llu\n", sum.stat[TT_STAT_TABLE_FULL]);
	seq_printf(m, "table_reclaimed %lld\n",
		   atomic64_read(&tt_conns.reclaimed));
	return 0;
}

void tt_count_stat(const struct net *net, enum tt_stat s)
{
	struct tt_net *tn = tt_net_get(net);

	if (tn)
		this_cpu_inc(tn->stats->stat[s]);
}

static __net_init int tt_net_init(struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);
	struct tt_net *tn;
	int err = -ENOMEM;

	tn = kzalloc(sizeof(*tn), GFP_KERNEL);
	if (!tn)
		return -ENOMEM;
	tn->net = net;
	mutex_init(&tn->ctl_lock);
	tn->stats = alloc_percpu(struct tt_stats);
	if (!tn->stats)
		goto err_free_tn;
	err = tt_ring_init(&tn->ring, tt_ring_size);
	if (err)
		goto err_free_stats;

	err = -ENOMEM;
	tn->dir = proc_mkdir("tcptrail", net->proc_net);
	if (!tn->dir)
		goto err_free_ring;
	if (!proc_create_data("events", 0400, tn->dir, &tt_events_ops, tn) ||
	    !proc_create_data("raw", 0400, tn->dir, &tt_raw_ops, tn) ||
	    !proc_create_data("control", 0600, tn->dir, &tt_control_ops, tn) ||
	    !proc_create_single_data("stats", 0444, tn->dir, tt_stats_show, tn))
		goto err_remove_proc;

	rcu_assign_pointer(p->tn, tn);
	return 0;

err_remove_proc:
	proc_remove(tn->dir);
err_free_ring:
	tt_ring_free(&tn->ring);
err_free_stats:
	free_percpu(tn->stats);
err_free_tn:
	kfree(tn);
	return err;
}

/*
 * Tasks in poll(), select() or epoll still have entries on the wait queue
 * after their files are released: epoll and aio drop them at POLLFREE,
 * poll() and select() when they run again (proc no longer calls us then).
 * The queue must outlive them all.
 */
static void tt_wait_pollers_gone(struct wait_queue_head *wq)
{
	__wake_up(wq, TASK_NORMAL, 0, poll_to_key(EPOLLHUP | POLLFREE));
	/*
	 * Unlocked, but no one adds entries any more: the files are gone, so
	 * the queue only empties, and looking again later is enough.
	 */
	while (waitqueue_active(wq))
		msleep(20);
}

static __net_exit void tt_net_exit(struct net *net)
{
	struct tt_net_ptr *p = net_generic(net, tt_net_id);
	struct tt_net *tn = rcu_dereference_protected(p->tn, true);

	/* Stop probes, then readers, before anything is freed. */
	RCU_INIT_POINTER(p->tn, NULL);
	WRITE_ONCE(tn->dying, true);
	synchronize_rcu();
	wake_up_interruptible_all(&tn->ring.wq);
	/* Waits for readers to leave read() and releases their files. */
	proc_remove(tn->dir);
	tt_wait_pollers_gone(&tn->ring.wq);
	tt_ring_free(&tn->ring);
	free_percpu(tn->stats);
	kfree(rcu_dereference_protected(tn->filter, true));
	kfree(tn);
}

static struct pernet_operations tt_net_ops = {
	.init = tt_net_init,
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
