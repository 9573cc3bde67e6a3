// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - /proc/net/tcptrail/ of each network namespace.
 *
 * Every netns has its own ring, filter and counters (net.c), so a reader sees
 * what happened in its own namespace (as with /proc/net/tcp), and "netns all"
 * in the initial namespace copies every namespace's events there too. The
 * first open of events, raw or control allocates the namespace's ring.
 *
 *   events   text lines (format in record.c), root/CAP_NET_ADMIN
 *   raw      binary records (tcptrail_abi.h), root/CAP_NET_ADMIN
 *   control  commands (grammar in control.c), root/CAP_NET_ADMIN
 *   stats    counters, world-readable
 *
 * Sequence numbers let whoever reads them inject into live connections, so
 * every read and write checks CAP_NET_ADMIN against the opener's credentials.
 * stats shows the host-wide table and probe misses, and this ring's count of
 * events marked table_full (a sign of host-wide pressure), only in the
 * initial namespace or to CAP_NET_ADMIN over the initial user namespace.
 *
 * One open file is one reader with one cursor. read() and lseek() of a file
 * are serialised by f_pos_lock, but pread(), preadv() and io_uring are not:
 * a mutex per reader does it, so records are neither duplicated nor skipped.
 *
 * At namespace exit (or unload), .pre_exit marks the state dying and wakes
 * readers, which return at once; .exit, after a grace period, removes the
 * files: proc_remove() waits only for calls already inside them, and calls
 * our release for every file still open. Tasks still queued in poll() or
 * select() are waitq.c's business; nothing here waits for them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "tcptrail.h"

/* An open events or raw file. */
struct tt_reader {
	struct mutex lock;		/* one read or lseek at a time */
	struct tt_net *tn;
	struct tt_rec *rec;
	bool raw;
	bool header_done;
	size_t out_len, out_off;	/* text not yet copied to the user */
	char out[640];			/* the longest line fits (KUnit checks) */
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
	struct tt_rec *rec;

	if (!tt_allowed(file, tn))
		return -EPERM;
	rec = tt_net_rec(tn);
	if (!rec)
		return -ENOMEM;
	rd = kzalloc(sizeof(*rd), GFP_KERNEL_ACCOUNT);
	if (!rd)
		return -ENOMEM;
	rd->cursor = tt_cursor_alloc(&rec->ring);
	if (!rd->cursor) {
		kfree(rd);
		return -ENOMEM;
	}
	mutex_init(&rd->lock);
	rd->tn = tn;
	rd->rec = rec;
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
	mutex_destroy(&rd->lock);
	kfree(rd->cursor);
	kfree(rd);
	return 0;
}

/* Wait for the next record; 0 at teardown, -EAGAIN/-ERESTARTSYS as usual. */
static int tt_reader_wait(struct file *file, struct tt_reader *rd,
			  struct tcptrail_event *ev)
{
	struct tt_ring *ring = &rd->rec->ring;
	struct tt_net *tn = rd->tn;
	int err;

	for (;;) {
		if (READ_ONCE(tn->dying))
			return 0;
		if (tt_ring_read(ring, rd->cursor, ev))
			return 1;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ring->wq->wq,
					       READ_ONCE(tn->dying) ||
					       tt_ring_pending(ring,
							       rd->cursor));
		if (err)
			return err;
	}
}

static ssize_t tt_raw_read_locked(struct file *file, struct tt_reader *rd,
				  char __user *buf, size_t len)
{
	size_t done = 0;
	int err;

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
			cond_resched();
			if (!tt_ring_read(&rd->rec->ring, rd->cursor, &out))
				break;
		} else {
			err = tt_reader_wait(file, rd, &out);
			if (err <= 0)
				return err;
		}
		if (copy_to_user(buf + done, &out, sizeof(out))) {
			/* Not delivered: the next read returns it. */
			tt_cursor_unread(rd->cursor, &out);
			return done ?: -EFAULT;
		}
		done += sizeof(out);
	}
	return done;
}

static ssize_t tt_raw_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct tt_reader *rd = file->private_data;
	ssize_t ret;

	if (!tt_allowed(file, rd->tn))
		return -EPERM;
	if (len < sizeof(struct tcptrail_event))
		return -EINVAL;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	ret = tt_raw_read_locked(file, rd, buf, len);
	if (ret > 0)
		*ppos += ret;
	mutex_unlock(&rd->lock);
	return ret;
}

static ssize_t tt_events_read_locked(struct file *file, struct tt_reader *rd,
				     char __user *buf, size_t len)
{
	size_t done = 0;
	int err;

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
			/* On a fault the line stays, for the next read. */
			if (copy_to_user(buf + done, rd->out + rd->out_off, n))
				return done ?: -EFAULT;
			rd->out_off += n;
			done += n;
			continue;
		}
		if (done) {
			cond_resched();
			if (!tt_ring_read(&rd->rec->ring, rd->cursor, &ev))
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

static ssize_t tt_events_read(struct file *file, char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct tt_reader *rd = file->private_data;
	ssize_t ret;

	if (!tt_allowed(file, rd->tn))
		return -EPERM;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	ret = tt_events_read_locked(file, rd, buf, len);
	if (ret > 0)
		*ppos += ret;
	mutex_unlock(&rd->lock);
	return ret;
}

static __poll_t tt_reader_poll(struct file *file, poll_table *wait)
{
	struct tt_reader *rd = file->private_data;
	struct tt_ring *ring = &rd->rec->ring;

	poll_wait(file, &ring->wq->wq, wait);
	if (READ_ONCE(rd->tn->dying))
		return EPOLLHUP;
	/* Unlocked: a racing read makes this a hint, as poll always is. */
	if ((!rd->raw && READ_ONCE(rd->out_off) < READ_ONCE(rd->out_len)) ||
	    tt_ring_pending(ring, rd->cursor))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * The position is the bytes read so far. SEEK_CUR 0 tells it and changes
 * nothing (a half-read line stays); SEEK_SET 0 goes back to the oldest event
 * held, SEEK_END 0 to what comes next, both at position 0.
 */
static loff_t tt_reader_llseek(struct file *file, loff_t off, int whence)
{
	struct tt_reader *rd = file->private_data;
	loff_t ret = 0;

	if (off || (whence != SEEK_SET && whence != SEEK_END &&
		    whence != SEEK_CUR))
		return -EINVAL;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	if (whence == SEEK_CUR) {
		ret = file->f_pos;
	} else {
		tt_cursor_rewind(&rd->rec->ring, rd->cursor,
				 whence == SEEK_END);
		rd->out_len = 0;
		rd->out_off = 0;
		file->f_pos = 0;
	}
	mutex_unlock(&rd->lock);
	return ret;
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

	if (err)
		return err;
	if (!tt_allowed(file, tn)) {
		single_release(inode, file);
		return -EPERM;
	}
	/* Whoever sets up recording here pays for the ring. */
	if (!tt_net_rec(tn)) {
		single_release(inode, file);
		return -ENOMEM;
	}
	return 0;
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
	if (ctl->clear && tt_rec_get(tn))
		tt_ring_clear(&tt_rec_get(tn)->ring);
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
	struct tt_rec *rec = tt_rec_get(tn);
	struct tt_hook_status hs[32];
	struct tt_stats sum = {};
	bool host;
	int i, n;

	/* The table and the probes are shared by every namespace. */
	host = net_eq(tn->net, &init_net) ||
	       file_ns_capable(m->file, &init_user_ns, CAP_NET_ADMIN);
	if (rec)
		tt_rec_stats(rec, &sum);
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
	for (i = 0; host && i < n; i++)
		if (hs[i].attached && hs[i].kprobe)
			seq_printf(m, "missed.%s %lu\n", hs[i].name,
				   hs[i].missed);
	seq_printf(m, "ring_size %u\n", tt_ring_size);
	/* 0 until someone opens events, raw or control here. */
	seq_printf(m, "recording %d\n", !!rec);
	seq_printf(m, "cpus %u\n", nr_cpu_ids);
	seq_printf(m, "readers %d\n", atomic_read(&tn->readers));
	seq_printf(m, "paused %d\n", READ_ONCE(tn->paused));
	for (i = 1; i < TCPTRAIL_EV_MAX; i++)
		if (i != TCPTRAIL_EV_LOST)
			seq_printf(m, "events.%s %llu\n", tt_kind_name(i),
				   sum.kind[i]);
	for (i = 1; i < TCPTRAIL_STATE_MAX; i++)
		seq_printf(m, "state.%s %llu\n", tt_state_name(i), sum.state[i]);
	seq_printf(m, "overwritten %llu\n",
		   rec ? tt_ring_overwritten(&rec->ring) : 0);
	seq_printf(m, "filtered %llu\n", sum.stat[TT_STAT_FILTERED]);
	seq_printf(m, "dropped_paused %llu\n", sum.stat[TT_STAT_PAUSED]);
	seq_printf(m, "no_tuple %llu\n", sum.stat[TT_STAT_NO_TUPLE]);
	if (!host)
		return 0;
	seq_printf(m, "table_size %u\n",
		   tt_conns.nbuckets * TT_BUCKET_SLOTS);
	seq_printf(m, "table_used %d\n", atomic_read(&tt_conns.used));
	seq_printf(m, "table_full %llu\n", sum.stat[TT_STAT_TABLE_FULL]);
	seq_printf(m, "table_reclaimed %lld\n",
		   atomic64_read(&tt_conns.reclaimed));
	return 0;
}

/* After net.c's .init: without state (no memory), no files either. */
static __net_init int tt_proc_init(struct net *net)
{
	struct tt_net *tn = tt_net_of(net);
	struct proc_dir_entry *dir;

	if (!tn)
		return 0;
	dir = proc_mkdir("tcptrail", net->proc_net);
	if (!dir)
		goto fail;
	if (!proc_create_data("events", 0400, dir, &tt_events_ops, tn) ||
	    !proc_create_data("raw", 0400, dir, &tt_raw_ops, tn) ||
	    !proc_create_data("control", 0600, dir, &tt_control_ops, tn) ||
	    !proc_create_single_data("stats", 0444, dir, tt_stats_show, tn)) {
		proc_remove(dir);
		goto fail;
	}
	tn->dir = dir;
	return 0;

fail:
	/* Never fail the namespace's creation for us. */
	pr_warn_ratelimited("no memory: a network namespace has no /proc/net/tcptrail\n");
	return 0;
}

/* Readers end now, whatever they wait for; nothing here sleeps. */
static __net_exit void tt_proc_pre_exit(struct net *net)
{
	struct tt_net *tn = tt_net_of(net);
	struct tt_rec *rec;

	if (!tn)
		return;
	WRITE_ONCE(tn->dying, true);
	rec = tt_rec_get(tn);
	if (rec)
		wake_up_interruptible_all(&rec->ring.wq->wq);
}

/*
 * Waits only for calls already inside our files (woken above) and releases
 * every open file; pollers may stay on the queue, see waitq.c.
 */
static __net_exit void tt_proc_exit(struct net *net)
{
	struct tt_net *tn = tt_net_of(net);

	if (!tn || !tn->dir)
		return;
	proc_remove(tn->dir);
	tn->dir = NULL;
}

static struct pernet_operations tt_proc_ops = {
	.init = tt_proc_init,
	.pre_exit = tt_proc_pre_exit,
	.exit = tt_proc_exit,
};

/* After tt_netns_register(): exits run in reverse, files before state. */
int tt_proc_register(void)
{
	return register_pernet_subsys(&tt_proc_ops);
}

void tt_proc_unregister(void)
{
	unregister_pernet_subsys(&tt_proc_ops);
}
