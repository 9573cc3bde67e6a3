// SPDX-License-Identifier: GPL-2.0
/* prom.c - Prometheus text exposition (what node_exporter's textfile collector reads) of stats and hist. */
#include <inttypes.h>
#include <string.h>

#include "prom.h"
#include "record.h"

#define PROM_TOP_SLOT 26	/* le = 2^27 us, 134.217728 s */

/* A label value: backslash, double quote and newline escaped; bytes otherwise as they are. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* [a-zA-Z0-9_] as they are, anything else as '_'. */
static void name_part(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') ? *s : '_', f);
}

static void lower_part(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' :
		      (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_', f);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int is_number(const char *s)
{
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Keys with a prefix and a label: events.KIND, state.NAME, missed.PROBE, hook.NAME. */
static const struct {
	const char *prefix, *name, *type, *label, *help;
} families[] = {
	{ "events.", "tcptrail_events_total", "counter", "kind",
	  "Events the module recorded in this network namespace, by kind." },
	{ "state.", "tcptrail_state_entered_total", "counter", "state",
	  "State changes the module recorded, by the state entered." },
	{ "missed.", "tcptrail_kprobe_missed_total", "counter", "probe",
	  "Hits the kernel skipped for a kprobe (another kprobe was running on that CPU)." },
};

/* Single keys: counters and levels. */
static const struct {
	const char *key, *name, *type, *help;
} singles[] = {
	{ "overwritten", "tcptrail_overwritten_total", "counter",
	  "Events overwritten in the ring before a reader got them." },
	{ "filtered", "tcptrail_filtered_total", "counter",
	  "Events the control file's filters left out." },
	{ "dropped_paused", "tcptrail_dropped_paused_total", "counter",
	  "Events not recorded while paused." },
	{ "no_tuple", "tcptrail_no_tuple_total", "counter",
	  "Events recorded whose 4-tuple could not be completed." },
	{ "table_full", "tcptrail_table_full_total", "counter",
	  "Events recorded without a slot in the module's table (no ISN or duration)." },
	{ "table_reclaimed", "tcptrail_table_reclaimed_total", "counter",
	  "Table slots taken back from connections that were never seen closing." },
	{ "ring_size", "tcptrail_ring_size", "gauge", "Slots in each CPU's ring." },
	{ "recording", "tcptrail_recording", "gauge",
	  "1 when this network namespace records (someone opened events, raw or control)." },
	{ "cpus", "tcptrail_cpus", "gauge", "Possible CPUs (rings)." },
	{ "readers", "tcptrail_readers", "gauge", "Open readers of events or raw." },
	{ "paused", "tcptrail_paused", "gauge", "1 while recording is paused." },
	{ "table_size", "tcptrail_table_size", "gauge", "Slots in the module's connection table." },
	{ "table_used", "tcptrail_table_used", "gauge", "Slots in use in the connection table." },
};

void tr_prom_stats(FILE *f, const char (*keys)[64], const char (*vals)[128], int n)
{
	const char *abi = "", *mode = "";
	int any_hook = 0;

	for (int i = 0; i < n; i++) {
		if (!strcmp(keys[i], "abi"))
			abi = vals[i];
		else if (!strcmp(keys[i], "hook_mode"))
			mode = vals[i];
	}
	head(f, "tcptrail_info", "gauge", "The module's ABI and how it hooks TCP (always 1).");
	fputs("tcptrail_info{abi=\"", f);
	label_value(f, abi);
	fputs("\",hook_mode=\"", f);
	label_value(f, mode);
	fputs("\"} 1\n", f);

	/* Hooks: one gauge, 1 for the status each is in. */
	for (int i = 0; i < n; i++) {
		if (strncmp(keys[i], "hook.", 5))
			continue;
		if (!any_hook++)
			head(f, "tcptrail_hook", "gauge",
			     "Each hook of the module, 1 in its status (attached, failed or unused).");
		fputs("tcptrail_hook{hook=\"", f);
		label_value(f, keys[i] + 5);
		fputs("\",status=\"", f);
		label_value(f, vals[i]);
		fputs("\"} 1\n", f);
	}
	for (size_t fam = 0; fam < sizeof(families) / sizeof(families[0]); fam++) {
		size_t plen = strlen(families[fam].prefix);
		int any = 0;

		for (int i = 0; i < n; i++) {
			if (strncmp(keys[i], families[fam].prefix, plen) || !is_number(vals[i]))
				continue;
			if (!any++)
				head(f, families[fam].name, families[fam].type, families[fam].help);
			fprintf(f, "%s{%s=\"", families[fam].name, families[fam].label);
			label_value(f, keys[i] + plen);
			fprintf(f, "\"} %s\n", vals[i]);
		}
	}
	for (int i = 0; i < n; i++) {
		size_t s;
		int known = 0;

		if (!is_number(vals[i]) || !strcmp(keys[i], "abi"))
			continue;
		for (size_t fam = 0; fam < sizeof(families) / sizeof(families[0]); fam++)
			known |= !strncmp(keys[i], families[fam].prefix, strlen(families[fam].prefix));
		if (known)
			continue;
		for (s = 0; s < sizeof(singles) / sizeof(singles[0]); s++)
			if (!strcmp(keys[i], singles[s].key))
				break;
		if (s < sizeof(singles) / sizeof(singles[0])) {
			head(f, singles[s].name, singles[s].type, singles[s].help);
			fprintf(f, "%s %s\n", singles[s].name, vals[i]);
			continue;
		}
		/* Newer than this reader: a gauge, its name from the key. */
		fputs("# HELP tcptrail_", f);
		name_part(f, keys[i]);
		fprintf(f, " The module's %s (not known to this version of tcptrail).\n", keys[i]);
		fputs("# TYPE tcptrail_", f);
		name_part(f, keys[i]);
		fputs(" gauge\ntcptrail_", f);
		name_part(f, keys[i]);
		fprintf(f, " %s\n", vals[i]);
	}
}

static const struct {
	const char *name, *help, *state;	/* state: the closing states share one metric */
} metrics[TR_M_MAX] = {
	[TR_M_CONNECT] = { "tcptrail_connect_seconds",
			   "Connect latency: a client's SYN_SENT -> ESTABLISHED.", NULL },
	[TR_M_HANDSHAKE] = { "tcptrail_handshake_seconds",
			     "A server's handshake: SYN arrival -> ESTABLISHED.", NULL },
	[TR_M_FIN_WAIT1] = { "tcptrail_closing_state_seconds", NULL, "FIN_WAIT1" },
	[TR_M_FIN_WAIT2] = { "tcptrail_closing_state_seconds", NULL, "FIN_WAIT2" },
	[TR_M_CLOSING] = { "tcptrail_closing_state_seconds", NULL, "CLOSING" },
	[TR_M_TIME_WAIT] = { "tcptrail_time_wait_seconds",
			     "Time in TIME_WAIT: the timewait sock's whole life.", NULL },
	[TR_M_CLOSE_WAIT] = { "tcptrail_closing_state_seconds", NULL, "CLOSE_WAIT" },
	[TR_M_LAST_ACK] = { "tcptrail_closing_state_seconds", NULL, "LAST_ACK" },
	[TR_M_LIFETIME] = { "tcptrail_lifetime_seconds",
			    "Connection lifetime: first event -> CLOSE (TIME_WAIT not in it).", NULL },
};

/* The group's label ("port 80" -> port="80"), with a comma after it when @more. */
static void group_labels(FILE *f, const char *key, int more)
{
	const char *sp = strchr(key, ' ');

	if (!key[0] || !sp)
		return;
	fprintf(f, "%.*s=\"", (int)(sp - key), key);
	label_value(f, sp + 1);
	fprintf(f, "\"%s", more ? "," : "");
}

/* Seconds from µs or ns, exactly: no floating point on the way. */
static void seconds(FILE *f, uint64_t v, int digits)
{
	uint64_t div = digits == 6 ? 1000000 : 1000000000;

	fprintf(f, "%" PRIu64 ".%0*" PRIu64, v / div, digits, v % div);
}

static void one_hist(FILE *f, const char *name, const char *key, const char *state,
		     const struct tr_hist *h, int top)
{
	uint64_t cum = 0;

	for (int k = 0; k <= top; k++) {
		cum += h->slot[k];
		fprintf(f, "%s_bucket{", name);
		group_labels(f, key, 1);
		if (state)
			fprintf(f, "state=\"%s\",", state);
		fputs("le=\"", f);
		seconds(f, (uint64_t)2 << k, 6);	/* slot k holds values below 2^(k+1) us */
		fprintf(f, "\"} %" PRIu64 "\n", cum);
	}
	fprintf(f, "%s_bucket{", name);
	group_labels(f, key, 1);
	if (state)
		fprintf(f, "state=\"%s\",", state);
	fprintf(f, "le=\"+Inf\"} %" PRIu64 "\n", h->n);
	for (int part = 0; part < 2; part++) {
		int labels = key[0] || state;

		fprintf(f, "%s_%s%s", name, part ? "count" : "sum", labels ? "{" : "");
		group_labels(f, key, state != NULL);
		if (state)
			fprintf(f, "state=\"%s\"", state);
		fputs(labels ? "} " : " ", f);
		if (part)
			fprintf(f, "%" PRIu64 "\n", h->n);
		else {
			seconds(f, h->sum_ns, 9);
			fputc('\n', f);
		}
	}
}

void tr_prom_hists(FILE *f, const struct tr_hists *h)
{
	size_t ng = tr_hists_ngroups(h);
	int done[TR_M_MAX] = { 0 };

	for (int m = 0; m < TR_M_MAX; m++) {
		if (done[m])
			continue;	/* a closing state: drawn with the first of them */
		/*
		 * Fixed buckets, 2 us to 134 s (TIME_WAIT's 60 s fits): every
		 * series and every run the same, as rate() and
		 * histogram_quantile() across scrapes want.
		 */
		int top = PROM_TOP_SLOT;

		head(f, metrics[m].name, "histogram", metrics[m].state ?
		     "Time in a closing state: the change that leaves it." : metrics[m].help);
		for (int m2 = m; m2 < TR_M_MAX; m2++) {
			if (strcmp(metrics[m2].name, metrics[m].name))
				continue;
			done[m2] = 1;
			for (size_t g = 0; g < ng; g++) {
				const struct tr_hist *hi = tr_hists_get(h, g, (enum tr_hist_metric)m2);

				/* A closing state never seen is left out; the others show their zero. */
				if (!hi->n && metrics[m2].state)
					continue;
				one_hist(f, metrics[m2].name, tr_hists_group_key(h, g), metrics[m2].state,
					 hi, top);
			}
		}
	}
	head(f, "tcptrail_closes_total", "counter",
	     "Connections that ended (-> CLOSE), by the cause the module gave.");
	for (size_t g = 0; g < ng; g++) {
		for (unsigned int c = 0; c <= TCPTRAIL_CAUSE_MAX; c++) {
			uint64_t v = tr_hists_closes(h, g, c);
			const char *name = c == TCPTRAIL_CAUSE_NONE ? "none" :
					   c == TCPTRAIL_CAUSE_MAX ? "newer" : tr_cause_name(c);

			if (!v)
				continue;
			fputs("tcptrail_closes_total{", f);
			group_labels(f, tr_hists_group_key(h, g), 1);
			fputs("cause=\"", f);
			lower_part(f, name ? name : "newer");
			fprintf(f, "\"} %" PRIu64 "\n", v);
		}
	}
}
