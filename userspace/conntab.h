/* SPDX-License-Identifier: GPL-2.0 */
/* conntab.h - connections by (netns, cookie), each with its caller's data, for hist and timewait. */
#ifndef TCPTRAIL_CONNTAB_H
#define TCPTRAIL_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct tr_conntab;

/* Each connection gets @size zeroed bytes of the caller's. NULL: out of memory. */
struct tr_conntab *tr_conntab_new(size_t size);
void tr_conntab_free(struct tr_conntab *t);
/*
 * The caller's data of a connection, or NULL. Pointers stay valid until the
 * next tr_conntab_add() or tr_conntab_del().
 */
void *tr_conntab_find(const struct tr_conntab *t, uint32_t netns, uint64_t cookie);
/* A new connection (not already in it); NULL when out of memory. */
void *tr_conntab_add(struct tr_conntab *t, uint32_t netns, uint64_t cookie);
/* Forget the connection whose data @data is. */
void tr_conntab_del(struct tr_conntab *t, void *data);
size_t tr_conntab_count(const struct tr_conntab *t);

/*
 * Does @ev belong to a connection? A listener's own changes do not (its
 * child starts with LISTEN -> SYN_RECV), nor lost records or cookieless ones.
 */
static inline int tr_conn_event(const struct tcptrail_event *ev)
{
	if (ev->kind == TCPTRAIL_EV_LOST || !ev->cookie)
		return 0;
	return !(ev->kind == TCPTRAIL_EV_STATE &&
		 (ev->new_state == TCPTRAIL_LISTEN || ev->old_state == TCPTRAIL_LISTEN) &&
		 ev->new_state != TCPTRAIL_SYN_RECV);
}

/* The timewait sock's kinds: they never start a connection of their own. */
static inline int tr_is_tw_kind(unsigned int kind)
{
	return kind == TCPTRAIL_EV_TW_ENTER || kind == TCPTRAIL_EV_TW_SUBSTATE ||
	       kind == TCPTRAIL_EV_TW_EXIT;
}

#endif
