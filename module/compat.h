/* SPDX-License-Identifier: GPL-2.0 */
/* compat.h - what differs between the kernels tcptrail builds for (6.1, 6.12). */
#ifndef _TCPTRAIL_COMPAT_H
#define _TCPTRAIL_COMPAT_H

#include <linux/version.h>
#include <net/net_namespace.h>

/* tcp_tw_reuse_delay (ms) arrived in 6.14; -1 tells the reader it is absent. */
static inline int tt_tw_reuse_delay(const struct net *net)
{
#if KERNEL_VERSION(6, 14, 0) <= LINUX_VERSION_CODE
	return READ_ONCE(net->ipv4.sysctl_tcp_tw_reuse_delay);
#else
	return -1;
#endif
}

/* tcp:tcp_send_reset gained a reason in 6.10. */
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
#include <net/rstreason.h>
#define TT_SEND_RESET_PROTO	void *data, const struct sock *sk, \
				const struct sk_buff *skb, \
				const enum sk_rst_reason reason
#define TT_SEND_RESET_REASON	tt_rst_reason(reason)
#define TT_HAVE_RST_REASON
/* The close, linger, memory, keepalive and disconnect reasons: 6.12 has them. */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define TT_HAVE_RST_REASON_ABORT
#endif
#else
#define TT_SEND_RESET_PROTO	void *data, const struct sock *sk, \
				const struct sk_buff *skb
#define TT_SEND_RESET_REASON	TT_RST_NONE
#endif

/*
 * A tracepoint probe must take exactly what the kernel's tracepoint passes
 * (tracepoint_probe_register() takes a void *): checked at build time
 * against the prototype of register_trace_NAME() in <trace/events/...>.
 */
#define TT_TP_PROBE_CHECK(name, probe)					\
	static_assert(__same_type(register_trace_##name,		\
				  int (typeof(probe) *, void *)),	\
		      #probe " does not match tracepoint " #name)

#endif /* _TCPTRAIL_COMPAT_H */
