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

#endif
