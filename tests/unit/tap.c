// SPDX-License-Identifier: GPL-2.0
/* tap.c - the unit tests' tiny harness: "ok N - name" lines, golden files, running the binary. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int tap_passed, tap_failed;
static int tap_n;

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		tap_passed++;
	else
		tap_failed++;
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);

		n += r;
		if (!r)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int tap_golden(const char *name, const char *buf, size_t len)
{
	char path[4096], actual[4096];
	size_t glen, line = 1;
	char *g;

	snprintf(path, sizeof(path), "%s/%s", TR_GOLDEN, name);
	if (getenv("TT_UPDATE_GOLDEN")) {
		write_file(path, buf, len);
		return tap_ok(1, "golden %s (rewritten: check it by hand)", name);
	}
	g = read_file(path, &glen);
	if (g && glen == len && !memcmp(g, buf, len)) {
		free(g);
		return tap_ok(1, "golden %s", name);
	}
	snprintf(actual, sizeof(actual), "/tmp/tcptrail-actual-%s", name);
	write_file(actual, buf, len);
	tap_ok(0, "golden %s", name);
	if (!g) {
		tap_diag("missing %s; actual output in %s", path, actual);
		return 0;
	}
	for (size_t i = 0; i < len && i < glen && buf[i] == g[i]; i++)
		if (buf[i] == '\n')
			line++;
	tap_diag("differs from line %zu; diff -u %s %s", line, path, actual);
	free(g);
	return 0;
}

static char tmp_root[64];

const char *tmpdir_make(void)
{
	if (!tmp_root[0]) {
		strcpy(tmp_root, "/tmp/tcptrail-test-XXXXXX");
		if (!mkdtemp(tmp_root)) {
			perror("mkdtemp");
			exit(1);
		}
		chmod(tmp_root, 0755);	/* a test runs tcptrail as nobody */
	}
	return tmp_root;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tmpdir_cleanup(void)
{
	if (tmp_root[0])
		nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int run_bin(const char *bin, const char *const *prefix, const char *const *args,
		   const char *const *env, struct run_result *r)
{
	char outp[4200], errp[4200];
	const char *dir = tmpdir_make();
	static int seq;
	int status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(outp, sizeof(outp), "%s/run%d.out", dir, ++seq);
	snprintf(errp, sizeof(errp), "%s/run%d.err", dir, seq);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *argv[64];
		int n = 0;

		dup2(o, 1);
		dup2(e, 2);
		setenv("TZ", "UTC", 1);
		unsetenv("TCPTRAIL_TIME_OFFSET_NS");
		unsetenv("TCPTRAIL_PROC_DIR");
		for (; env && *env; env++) {
			char kv[4096], *eq;

			snprintf(kv, sizeof(kv), "%s", *env);
			eq = strchr(kv, '=');
			*eq = '\0';
			setenv(kv, eq + 1, 1);
		}
		for (; prefix && *prefix; prefix++)
			argv[n++] = *prefix;
		argv[n++] = bin;
		for (; *args && n < 63; args++)
			argv[n++] = *args;
		argv[n] = NULL;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = read_file(outp, &r->outlen);
	r->err = read_file(errp, &r->errlen);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
	return 0;
}

int run_wrapped(const char *const *prefix, const char *const *args, const char *const *env,
		struct run_result *r)
{
	return run_bin(TR_BIN, prefix, args, env, r);
}

int run_program(const char *bin, const char *const *args, const char *const *env,
		struct run_result *r)
{
	return run_bin(bin, NULL, args, env, r);
}

int run_tcptrail(const char *const *args, const char *const *env, struct run_result *r)
{
	return run_wrapped(NULL, args, env, r);
}

void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}
