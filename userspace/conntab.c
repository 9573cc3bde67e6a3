// SPDX-License-Identifier: GPL-2.0
/* conntab.c - connections by (netns, cookie), each with its caller's data, for hist and timewait. */
#include <stdlib.h>
#include <string.h>

#include "conntab.h"

/*
 * Open addressing with linear probing: one allocation, entries of a fixed
 * stride (key, then the caller's bytes, 8-byte aligned). Cookie 0 marks a
 * free entry: the module never gives a connection cookie 0.
 */
struct key {
	uint64_t cookie;
	uint32_t netns;
};

#define DATA_OFF ((sizeof(struct key) + 7) & ~(size_t)7)

struct tr_conntab {
	unsigned char *e;
	size_t stride, n, cap;	/* cap: a power of two */
};

static struct key *key_at(const struct tr_conntab *t, size_t i)
{
	return (struct key *)(t->e + i * t->stride);
}

static size_t home(const struct tr_conntab *t, uint32_t netns, uint64_t cookie)
{
	uint64_t x = cookie * 0x9e3779b97f4a7c15ull ^ netns;

	return (size_t)(x ^ x >> 29) & (t->cap - 1);
}

struct tr_conntab *tr_conntab_new(size_t size)
{
	struct tr_conntab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->stride = DATA_OFF + ((size + 7) & ~(size_t)7);
	t->cap = 1024;
	t->e = calloc(t->cap, t->stride);
	if (!t->e) {
		free(t);
		return NULL;
	}
	return t;
}

void tr_conntab_free(struct tr_conntab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

size_t tr_conntab_count(const struct tr_conntab *t)
{
	return t->n;
}

void *tr_conntab_find(const struct tr_conntab *t, uint32_t netns, uint64_t cookie)
{
	for (size_t i = home(t, netns, cookie);; i = (i + 1) & (t->cap - 1)) {
		struct key *k = key_at(t, i);

		if (!k->cookie)
			return NULL;
		if (k->cookie == cookie && k->netns == netns)
			return (unsigned char *)k + DATA_OFF;
	}
}

static int grow(struct tr_conntab *t)
{
	unsigned char *old = t->e;
	size_t oldcap = t->cap;

	t->e = calloc(oldcap * 2, t->stride);
	if (!t->e) {
		t->e = old;
		return -1;
	}
	t->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++) {
		const struct key *k = (const struct key *)(old + i * t->stride);
		size_t j;

		if (!k->cookie)
			continue;
		for (j = home(t, k->netns, k->cookie); key_at(t, j)->cookie; j = (j + 1) & (t->cap - 1))
			;
		memcpy(key_at(t, j), k, t->stride);
	}
	free(old);
	return 0;
}

void *tr_conntab_add(struct tr_conntab *t, uint32_t netns, uint64_t cookie)
{
	struct key *k;
	size_t i;

	if ((t->n + 1) * 2 > t->cap && grow(t))
		return NULL;
	for (i = home(t, netns, cookie); key_at(t, i)->cookie; i = (i + 1) & (t->cap - 1))
		;
	k = key_at(t, i);
	k->cookie = cookie;
	k->netns = netns;
	t->n++;
	return (unsigned char *)k + DATA_OFF;
}

/* Linear probing's deletion: move later members of the run back into the hole. */
void tr_conntab_del(struct tr_conntab *t, void *data)
{
	size_t mask = t->cap - 1;
	size_t hole = (size_t)((unsigned char *)data - DATA_OFF - t->e) / t->stride, i = hole;

	for (;;) {
		const struct key *k;
		size_t want;

		i = (i + 1) & mask;
		k = key_at(t, i);
		if (!k->cookie)
			break;
		want = home(t, k->netns, k->cookie);
		/* Stays if its home lies cyclically in (hole, i]. */
		if (hole <= i ? (hole < want && want <= i) : (hole < want || want <= i))
			continue;
		memcpy(key_at(t, hole), k, t->stride);
		hole = i;
	}
	memset(key_at(t, hole), 0, t->stride);
	t->n--;
}
