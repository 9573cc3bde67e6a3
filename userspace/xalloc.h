/* SPDX-License-Identifier: GPL-2.0 */
/* xalloc.h - allocation for the reader: out of memory ends the program with a message. */
#ifndef TCPTRAIL_XALLOC_H
#define TCPTRAIL_XALLOC_H

#include <stdio.h>
#include <stdlib.h>

static inline void *tr_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "tcptrail: out of memory\n");
		exit(1);
	}
	return q;
}

/* Room for element n of an array that holds *cap: doubled when full (16 first). */
static inline void *tr_xgrow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	return tr_xrealloc(p, *cap * size);
}

#endif
