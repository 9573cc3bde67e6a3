/* SPDX-License-Identifier: GPL-2.0 */
/* tap.h - the unit tests' tiny harness: "ok N - name" lines, golden files, running the binary. */
#ifndef TR_TAP_H
#define TR_TAP_H

#include <stddef.h>

extern int tap_passed, tap_failed;

/* Report one case; @cond true means it passed. Returns @cond. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Compare @len bytes with golden/@name; TT_UPDATE_GOLDEN=1 rewrites it instead. */
int tap_golden(const char *name, const char *buf, size_t len);

/* Run tcptrail with @args (no argv[0]; NULL-terminated), TZ=UTC and extra "K=V" @env. */
struct run_result {
	int status;		/* exit code, or 128+signal */
	char *out, *err;	/* NUL-terminated, malloc'd */
	size_t outlen, errlen;
};
int run_tcptrail(const char *const *args, const char *const *env, struct run_result *r);
/* The same, as "@prefix... tcptrail @args..." (e.g. setpriv to drop root). */
int run_wrapped(const char *const *prefix, const char *const *args, const char *const *env,
		struct run_result *r);
/* Another program of the tests (the fuzzer), the same way. */
int run_program(const char *bin, const char *const *args, const char *const *env,
		struct run_result *r);
void run_free(struct run_result *r);

/* A fresh directory under /tmp, removed by tmpdir_cleanup(). */
const char *tmpdir_make(void);
void tmpdir_cleanup(void);
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const void *buf, size_t len);

/* Suites. */
void test_record(void);
void test_options(void);
void test_format(void);
void test_conn(void);
void test_follow(void);
void test_ladder(void);
void test_e2e(void);
void test_conventions(void);
void test_hist(void);
void test_plot(void);
void test_timewait(void);

#endif
