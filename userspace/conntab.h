/* conntab.h - connections by (netns, cookie), each with its caller's data, for hist and timewait. */
#ifndef TCPTRAIL_CONNTAB_H
#define TCPTRAIL_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct tt_conntab;

/* Each connection gets @size zeroed bytes of the caller's. NULL: out of memory. */
struct tt_conntab *tt_conntab_new(size_t size);
void tt_conntab_free(struct tt_conntab *t);
/*
 * The caller's data of a connection, or NULL. Pointers stay valid until the
 * next tt_conntab_add() or tt_conntab_del().
 */
void *tt_conntab_find(const struct tt_conntab *t, uint32_t netns, uint64_t cookie);
/* A new connection (not already in it); NULL when out of memory. */
void *tt_conntab_add(struct tt_conntab *t, uint32_t netns, uint64_t cookie);
/* Forget the connection whose data @data is. */
void tt_conntab_del(struct tt_conntab *t, void *data);
size_t tt_conntab_count(const struct tt_conntab *t);

/*
 * Does @ev belong to a connection? A listener's own changes do not (its
 * child starts with LISTEN -> SYN_RECV), nor lost records or cookieless ones.
 */
static inline int tt_conn_event(const struct tcptrail_event *ev)
{
	if (ev->kind == TCPTRAIL_EV_LOST || !ev->cookie)
		return 0;
	return !(ev->kind == TCPTRAIL_EV_STATE &&
		 (ev->new_state == TCPTRAIL_LISTEN || ev->old_state == TCPTRAIL_LISTEN) &&
		 ev->new_state != TCPTRAIL_SYN_RECV);
}

/* The timewait sock's kinds: they never start a connection of their own. */
static inline int tt_is_tw_kind(unsigned int kind)
{
	return kind == TCPTRAIL_EV_TW_ENTER || kind == TCPTRAIL_EV_TW_SUBSTATE ||
	       kind == TCPTRAIL_EV_TW_EXIT;
}

#endif
