// SPDX-License-Identifier: GPL-2.0
/* table_test.c - KUnit: the per-connection table. */
#include <kunit/test.h>
#include <linux/hash.h>
#include <linux/log2.h>

#include "tcptrail.h"

static void table_insert_lookup_free(struct kunit *test)
{
	struct tt_table t;
	struct tt_conn *c;
	unsigned long flags;
	bool full;

	KUNIT_ASSERT_EQ(test, tt_table_init(&t, 64), 0);
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&t, 42, false, &full, &flags));
	KUNIT_EXPECT_FALSE(test, full);

	c = tt_conn_lock(&t, 42, true, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->cookie, 42ULL);
	KUNIT_EXPECT_EQ(test, c->flags, 0);
	c->isn = 1234;
	tt_conn_unlock(&t, c, flags);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 1);

	c = tt_conn_lock(&t, 42, false, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, c->isn, 1234U);
	tt_conn_release(&t, c, flags);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 0);
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&t, 42, false, &full, &flags));
	tt_table_free(&t);
}

static void table_rejects_cookie_zero(struct kunit *test)
{
	struct tt_table t;
	unsigned long flags;
	bool full;

	KUNIT_ASSERT_EQ(test, tt_table_init(&t, 64), 0);
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&t, 0, true, &full, &flags));
	KUNIT_EXPECT_FALSE(test, full);
	tt_table_free(&t);
}

static void table_full_bucket_reports_full(struct kunit *test)
{
	struct tt_table t;
	unsigned long flags;
	struct tt_conn *c;
	u64 cookie, same[TT_BUCKET_SLOTS + 1];
	unsigned int want, n = 0;
	bool full;

	KUNIT_ASSERT_EQ(test, tt_table_init(&t, 64), 0);
	want = hash_64(1, ilog2(t.nbuckets));
	for (cookie = 1; n < ARRAY_SIZE(same); cookie++)
		if (hash_64(cookie, ilog2(t.nbuckets)) == want)
			same[n++] = cookie;
	for (n = 0; n < TT_BUCKET_SLOTS; n++) {
		c = tt_conn_lock(&t, same[n], true, &full, &flags);
		KUNIT_ASSERT_NOT_NULL(test, c);
		tt_conn_unlock(&t, c, flags);
	}
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&t, same[n], true, &full, &flags));
	KUNIT_EXPECT_TRUE(test, full);

	/* Freeing one makes room again. */
	c = tt_conn_lock(&t, same[0], false, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tt_conn_release(&t, c, flags);
	c = tt_conn_lock(&t, same[n], true, &full, &flags);
	KUNIT_EXPECT_NOT_NULL(test, c);
	if (c)
		tt_conn_unlock(&t, c, flags);
	tt_table_free(&t);
}

static void table_sweep_frees_only_expired_slots(struct kunit *test)
{
	struct tt_table t;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	KUNIT_ASSERT_EQ(test, tt_table_init(&t, 64), 0);
	/* 1: no bound (a full socket); 2: expires at 100; 3: at 300. */
	c = tt_conn_lock(&t, 1, true, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tt_conn_unlock(&t, c, flags);
	c = tt_conn_lock(&t, 2, true, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->expires = 100;
	tt_conn_unlock(&t, c, flags);
	c = tt_conn_lock(&t, 3, true, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->expires = 300;
	tt_conn_unlock(&t, c, flags);

	KUNIT_EXPECT_EQ(test, tt_table_sweep(&t, 100), 0U);
	KUNIT_EXPECT_EQ(test, tt_table_sweep(&t, 200), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 2);
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&t, 2, false, &full, &flags));
	KUNIT_EXPECT_EQ(test, tt_table_sweep(&t, U64_MAX), 1U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t.reclaimed), 2LL);
	c = tt_conn_lock(&t, 1, false, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tt_conn_release(&t, c, flags);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.used), 0);
	tt_table_free(&t);
}

static struct kunit_case tt_table_cases[] = {
	KUNIT_CASE(table_sweep_frees_only_expired_slots),
	KUNIT_CASE(table_insert_lookup_free),
	KUNIT_CASE(table_rejects_cookie_zero),
	KUNIT_CASE(table_full_bucket_reports_full),
	{}
};

static struct kunit_suite tt_table_suite = {
	.name = "tcptrail_table",
	.test_cases = tt_table_cases,
};

kunit_test_suite(tt_table_suite);
