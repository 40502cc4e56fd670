/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace_report.c - "slabsim trace stats" as text: the sections of
 * trace_report.h as aligned tables for a terminal, long series and
 * histograms condensed (the CSV and JSON formats carry every value).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/trace_report.h"
#include "sim/xalloc.h"

#define REPORT_MATRIX_MAX_CPUS 16	/* wider matrices only in CSV and JSON */
#define REPORT_LIVE_ROWS 20		/* steps of the live series shown as text */
#define REPORT_BAR 30			/* columns of the widest bar */

const char *const trace_report_section_name[TRACE_REPORT_NSECTIONS] = {
#define TRACE_REPORT_NAME(n, d) #n,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_NAME)
#undef TRACE_REPORT_NAME
};

const char *const trace_report_section_meaning[TRACE_REPORT_NSECTIONS] = {
#define TRACE_REPORT_MEANING(n, d) d,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_MEANING)
#undef TRACE_REPORT_MEANING
};

/* ---- shared helpers ----------------------------------------------------------- */

struct trace_num trace_fmt_count(uint64_t v)
{
	struct trace_num n;
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			n.s[o++] = ',';
		n.s[o++] = digits[i];
	}
	n.s[o] = '\0';
	return n;
}

struct trace_num trace_fmt_mb(uint64_t bytes)
{
	struct trace_num n;

	snprintf(n.s, sizeof(n.s), "%.1f MB", (double)bytes / 1e6);
	return n;
}

struct trace_num trace_fmt_time(double ns)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	struct trace_num n;
	int u = 0;

	while (u < 3 && ns >= 999.5) {
		ns /= 1000.0;
		u++;
	}
	snprintf(n.s, sizeof(n.s), "%.3g %s", ns, unit[u]);
	return n;
}

int trace_report_sections_parse(const char *list, unsigned *mask, char *bad, size_t badlen)
{
	const char *p = list;

	*mask = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int found = -1;

		for (int i = 0; i < TRACE_REPORT_NSECTIONS; i++)
			if (strlen(trace_report_section_name[i]) == len && !memcmp(p, trace_report_section_name[i], len))
				found = i;
		if (found < 0) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			return -EINVAL;
		}
		*mask |= 1u << found;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

size_t trace_report_rows(const struct trace_report *r, bool sites, uint32_t *order, size_t *used)
{
	const struct trace_stats *s = r->s;

	*used = trace_stats_rows_sort(sites ? s->site : s->cache, sites ? s->nsites : s->ncaches,
				      sites ? &r->w->sites : &r->w->caches, &r->o->sort, order);
	return r->o->top < *used ? r->o->top : *used;
}

const char *trace_report_row_name(const struct trace_report *r, bool sites, uint32_t id)
{
	if (!id)
		return sites ? "(none)" : "(unknown)";
	return strtab_get(sites ? &r->w->sites : &r->w->caches, id);
}

const char *trace_report_generator(const struct trace_report *r)
{
	if (!strcmp(r->w->format, "gen"))
		return r->w->source;
	if (!strcmp(r->w->format, "native") && !strcmp(r->info->origin_format, "gen"))
		return r->info->origin;
	return NULL;
}

static double report_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Longer text than a trace_num. */
struct report_text {
	char s[224];
};

/* "2.6% (4,523/173,795)" */
static struct report_text report_pairs(uint64_t part, uint64_t whole)
{
	struct report_text n;

	if (!whole)
		snprintf(n.s, sizeof(n.s), "-");
	else
		snprintf(n.s, sizeof(n.s), "%.1f%% (%s/%s)", report_pct(part, whole), trace_fmt_count(part).s,
			 trace_fmt_count(whole).s);
	return n;
}

/* A non-negative real rounded to a whole number, with thousands separators. */
static struct trace_num report_round(double v)
{
	return trace_fmt_count(v > 0 ? (uint64_t)llround(v) : 0);
}

static void report_bar(FILE *f, double v, double max)
{
	int n = max > 0 ? (int)lround(REPORT_BAR * v / max) : 0;

	fputc(' ', f);
	for (int i = 0; i < n; i++)
		fputc('#', f);
}

static double report_seconds(const struct trace_stats *s)
{
	return (double)s->duration_ns / 1e9;
}

/* ---- summary, types, cpus ---------------------------------------------------- */

static void text_summary(FILE *f, const struct trace_report *r)
{
	const struct sim_workload *w = r->w;
	const struct trace_stats *s = r->s;
	const struct trace_load_info *info = r->info;
	const char *gen = trace_report_generator(r);

	fprintf(f, "trace      %s\n", w->source);
	if (!strcmp(w->format, "native") && gen)
		fprintf(f, "format     native (version %u), written by 'slabsim trace gen'\n", info->native_version);
	else if (!strcmp(w->format, "native"))
		fprintf(f, "format     native (version %u), imported from %s (%s)\n", info->native_version,
			info->origin[0] ? info->origin : "?", info->origin_format[0] ? info->origin_format : "?");
	else if (!strcmp(w->format, "gen"))
		fprintf(f, "format     generated in memory\n");
	else
		fprintf(f, "format     %s, %s, %s of text, %s lines\n", w->format,
			trace_input_compression_name(info->compression), trace_fmt_mb(info->text_bytes).s,
			trace_fmt_count(info->lines).s);
	if (gen)
		fprintf(f, "generator  %s\n", gen);
	else
		fprintf(f, "kernel     %s\n", w->kernel[0] ? w->kernel : "(not recorded in the trace)");
	fprintf(f, "duration   %.6f s from the first to the last event\n", report_seconds(s));
	fprintf(f, "CPUs       %u\n", w->ncpus);
	fprintf(f, "events     %s\n", trace_fmt_count(s->events).s);
	fprintf(f, "objects    %s allocated, %s still live at the end\n", trace_fmt_count(w->nobjs).s,
		trace_fmt_count(s->live_end).s);
	fprintf(f, "digest     %016" PRIx64 "\n", w->digest);
}

static void text_types(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "Events per type\n");
	for (int t = 0; t < TRACE_ST_NTYPES; t++)
		fprintf(f, "  %-18s %12s  %5.1f%%\n", trace_stats_type_name((enum trace_stats_type)t),
			trace_fmt_count(s->by_type[t]).s, report_pct(s->by_type[t], s->events));
}

static void text_cpus(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;
	double secs = report_seconds(s);

	fprintf(f, "Events per CPU (allocs/s over the trace's duration; softirq, hardirq: allocations in that context)\n");
	fprintf(f, "  %5s %12s %12s %12s %12s %12s %12s %10s %10s\n", "cpu", "events", "allocs", "frees",
		"page allocs", "page frees", "allocs/s", "softirq", "hardirq");
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct trace_stats_cpu *p = &s->cpu[c];

		fprintf(f, "  %5u %12s %12s %12s %12s %12s %12s %10s %10s\n", c, trace_fmt_count(p->events).s,
			trace_fmt_count(p->allocs).s, trace_fmt_count(p->frees).s,
			trace_fmt_count(p->page_allocs).s, trace_fmt_count(p->page_frees).s,
			trace_fmt_count(secs > 0 ? (uint64_t)llround((double)p->allocs / secs) : 0).s,
			trace_fmt_count(p->allocs_ctx[SIM_CTX_SOFTIRQ]).s,
			trace_fmt_count(p->allocs_ctx[SIM_CTX_HARDIRQ] + p->allocs_ctx[SIM_CTX_NMI]).s);
	}
}

/* ---- caches and sites ---------------------------------------------------------- */

static void text_sort_keys(FILE *f, const struct trace_report *r)
{
	for (unsigned i = 0; i < r->o->sort.n; i++)
		fprintf(f, "%s%s", i ? "," : "", trace_stats_sort_key_name(r->o->sort.key[i]));
}

static void text_row(FILE *f, const struct trace_report *r, bool sites, uint32_t id, int width)
{
	const struct trace_stats_row *c = sites ? &r->s->site[id] : &r->s->cache[id];
	char size[16] = "";

	if (!sites)
		snprintf(size, sizeof(size), "%6u ", c->object_size);
	fprintf(f, "  %-*s %s%10s %10s %14s %14s %8.1f %8.1f %5.1f%% %8s  %s%s\n", width,
		trace_report_row_name(r, sites, id), size, trace_fmt_count(c->allocs).s,
		trace_fmt_count(c->frees).s, trace_fmt_count(c->bytes_req).s, trace_fmt_count(c->bytes_alloc).s,
		trace_stats_row_mean_req(c), trace_stats_row_mean_alloc(c), 100.0 * trace_stats_row_frag(c),
		trace_fmt_count(c->live_end).s, report_pairs(c->freed.cross_cpu, c->freed.pairs).s,
		(c->flags & SIM_CACHEF_GUESSED) ? "  (named from its call site)" : "");
}

static void text_rows(FILE *f, const struct trace_report *r, bool sites)
{
	size_t n = sites ? r->s->nsites : r->s->ncaches, used;
	uint32_t *order = xmalloc((n + 1) * sizeof(*order));
	size_t shown = trace_report_rows(r, sites, order, &used);
	const char *what = sites ? "Call sites" : "Caches";
	int width = sites ? 40 : 24;

	if (shown < used)
		fprintf(f, "%s: the first %zu of %zu by ", what, shown, used);
	else
		fprintf(f, "%s: all %zu, by ", what, used);
	text_sort_keys(f, r);
	fprintf(f, " (--sort; --top N, --all)%s\n",
		sites ? "; frees: executed at the site; live, ping-pong: of the objects it allocated" : "");
	fprintf(f, "  %-*s %s%10s %10s %14s %14s %8s %8s %6s %8s  %s\n", width, sites ? "call site" : "cache",
		sites ? "" : "  size ", "allocs", "frees", "bytes_req", "bytes_alloc", "req/obj", "alloc/obj",
		"frag", "live", "ping-pong: frees on another CPU");
	for (size_t i = 0; i < shown; i++)
		text_row(f, r, sites, order[i], width);
	free(order);
}

/* ---- cross-CPU, matrix, nodes ----------------------------------------------------- */

static void text_cross(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "Frees on another CPU than the allocation (of matched alloc/free pairs)\n");
	for (int k = 0; k < TRACE_SK_NKINDS; k++)
		fprintf(f, "  %-12s %s\n", trace_stats_kind_name((enum trace_stats_kind)k),
			report_pairs(s->kind[k].cross_cpu, s->kind[k].pairs).s);
	fprintf(f, "  %-12s %s\n", "all slab", report_pairs(s->slab.cross_cpu, s->slab.pairs).s);
	fprintf(f, "  pages: %s frees of a pfn not allocated in the trace, %s allocated and not freed\n",
		trace_fmt_count(s->page_free_unseen).s, trace_fmt_count(s->pages_live_end).s);
}

/* The matrix of n x n cells, cell(a, f) pairs from row a to column f; label names rows and columns. */
static void text_matrix_cells(FILE *f, const struct trace_stats *s, unsigned n, const char *label,
			      uint64_t (*cell)(const struct trace_stats *, unsigned, unsigned))
{
	fprintf(f, "  %10s", label);
	for (unsigned c = 0; c < n; c++)
		fprintf(f, " %10u", c);
	fprintf(f, "  %s\n", "freed elsewhere");
	for (unsigned a = 0; a < n; a++) {
		uint64_t row = 0;

		fprintf(f, "  %10u", a);
		for (unsigned c = 0; c < n; c++) {
			row += cell(s, a, c);
			fprintf(f, " %10s", trace_fmt_count(cell(s, a, c)).s);
		}
		fprintf(f, "  %s\n", report_pairs(row - cell(s, a, a), row).s);
	}
}

static uint64_t text_cpu_cell(const struct trace_stats *s, unsigned a, unsigned f)
{
	return trace_stats_matrix_get(s, a, f);
}

static uint64_t text_node_cell(const struct trace_stats *s, unsigned a, unsigned f)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < s->ncpus; i++)
		for (unsigned k = 0; k < s->ncpus; k++)
			if (trace_stats_node_of(s, i) == a && trace_stats_node_of(s, k) == f)
				n += trace_stats_matrix_get(s, i, k);
	return n;
}

static void text_matrix(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	if (s->ncpus <= REPORT_MATRIX_MAX_CPUS) {
		fprintf(f, "Matched slab pairs by allocating CPU (rows) and freeing CPU (columns)\n");
		text_matrix_cells(f, s, s->ncpus, "alloc\\free", text_cpu_cell);
	} else if (s->nnodes > 1 && s->nnodes <= REPORT_MATRIX_MAX_CPUS) {
		fprintf(f, "Matched slab pairs by node of the allocating CPU (rows) and of the freeing CPU (columns)\n"
			   "  (%u CPUs: --format csv or json has the CPU matrix)\n", s->ncpus);
		text_matrix_cells(f, s, s->nnodes, "node", text_node_cell);
	} else {
		fprintf(f, "Matched slab pairs by allocating CPU and freeing CPU\n"
			   "  (%u CPUs: --format csv or json has the matrix; --nodes M shows it by node)\n", s->ncpus);
	}
}

static void text_node_map(FILE *f, const struct trace_stats *s)
{
	unsigned first = 0;

	fprintf(f, "  nodes      %u (--nodes M: the trace's CPUs in M consecutive blocks):", s->nnodes);
	for (unsigned c = 1; c <= s->ncpus; c++) {
		if (c < s->ncpus && trace_stats_node_of(s, c) == trace_stats_node_of(s, first))
			continue;
		fprintf(f, "%s node %u: cpu%s %u", first ? "," : "", trace_stats_node_of(s, first),
			c - 1 > first ? "s" : "", first);
		if (c - 1 > first)
			fprintf(f, "-%u", c - 1);
		first = c;
	}
	fputc('\n', f);
}

static void text_nodes(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "Cross-node allocations: node= names another node than the allocating CPU's\n"
		   "(perf kmem prints these as \"Cross CPU allocations\"; frees on another CPU are ping-pong)\n");
	text_node_map(f, s);
	fprintf(f, "  allocations naming a node    %s of %s\n", trace_fmt_count(s->node_requests).s,
		trace_fmt_count(s->allocs).s);
	fprintf(f, "  cross-node allocations       %s\n", report_pairs(s->cross_node_allocs, s->allocs).s);
	fprintf(f, "  frees on another node        %s of matched slab pairs\n",
		report_pairs(s->slab.cross_node, s->slab.pairs).s);
}

/* ---- lifetimes ----------------------------------------------------------------------- */

static void text_life_decades(FILE *f, const gsl_histogram *h)
{
	size_t nb = gsl_histogram_bins(h), ndec = (nb - 1) / TRACE_STATS_BINS_PER_DECADE;
	double total = gsl_histogram_sum(h), count[32] = { 0 }, max = 0;
	int lo = -1, hi = -1;

	count[0] = gsl_histogram_get(h, 0);
	for (size_t b = 1; b < nb; b++)
		count[1 + (b - 1) / TRACE_STATS_BINS_PER_DECADE] += gsl_histogram_get(h, b);
	for (int d = 0; d <= (int)ndec && d < 32; d++) {
		if (count[d] > 0) {
			lo = lo < 0 ? d : lo;
			hi = d;
		}
		max = count[d] > max ? count[d] : max;
	}
	for (int d = lo; d >= 0 && d <= hi; d++) {
		char label[224];

		if (d == 0)
			snprintf(label, sizeof(label), "0 ns (same timestamp)");
		else
			snprintf(label, sizeof(label), "%s - %s", trace_fmt_time(pow(10.0, d - 1)).s,
				 trace_fmt_time(pow(10.0, d)).s);
		fprintf(f, "    %-22s %12s %6.1f%%", label, trace_fmt_count((uint64_t)count[d]).s,
			100.0 * count[d] / total);
		report_bar(f, count[d], max);
		fputc('\n', f);
	}
}

static void text_lifetime(FILE *f, const struct trace_report *r)
{
	const struct trace_stats_lifetime *l = &r->s->life;

	fprintf(f, "Object lifetimes: %s freed objects (%s still live at the end are not counted)\n",
		trace_fmt_count(l->n).s, trace_fmt_count(l->censored).s);
	if (!l->n)
		return;
	fprintf(f, "  %-8s %12s %12s %12s %12s %12s\n", "", "p50", "p90", "p99", "mean", "max");
	fprintf(f, "  %-8s %12s %12s %12s %12s %12s\n", "time", trace_fmt_time(l->p_ns[0]).s,
		trace_fmt_time(l->p_ns[1]).s, trace_fmt_time(l->p_ns[2]).s, trace_fmt_time(l->mean_ns).s,
		trace_fmt_time((double)l->max_ns).s);
	fprintf(f, "  %-8s %12s %12s %12s %12s %12s   (slab events from ALLOC to FREE)\n", "events",
		report_round(l->p_events[0]).s, report_round(l->p_events[1]).s, report_round(l->p_events[2]).s,
		report_round(l->mean_events).s, trace_fmt_count(l->max_events).s);
	fprintf(f, "  by decade of time (--format csv or json: %u bins per decade)\n", TRACE_STATS_BINS_PER_DECADE);
	text_life_decades(f, l->ns);
}

/* ---- live series, anomalies ------------------------------------------------------------ */

static void text_live_row(FILE *f, const struct trace_stats *s, size_t i)
{
	const struct trace_stats_sample *p = &s->series[i];

	fprintf(f, "  %10.3f %12s %14s %10s %10s", (double)p->t_ns / 1e9, trace_fmt_count(p->live_objs).s,
		trace_fmt_count(p->live_bytes).s, trace_fmt_count(p->allocs).s, trace_fmt_count(p->frees).s);
	report_bar(f, (double)p->live_bytes, (double)s->peak_live_bytes);
	fputc('\n', f);
}

static void text_live(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;
	size_t n = s->nsamples, step = (n + REPORT_LIVE_ROWS - 1) / REPORT_LIVE_ROWS, last = SIZE_MAX;

	fprintf(f, "Live objects over time: %zu step%s of %s; peak %s objects, %s bytes at %.3f s\n", n,
		n == 1 ? "" : "s", trace_fmt_time((double)s->interval_ns).s, trace_fmt_count(s->peak_live_objs).s,
		trace_fmt_count(s->peak_live_bytes).s, (double)s->peak_live_bytes_t_ns / 1e9);
	if (!n)
		return;
	if (step > 1)
		fprintf(f, "  (every %zu%s step and the last; --format csv or json has them all)\n", step,
			step == 2 ? "nd" : step == 3 ? "rd" : "th");
	fprintf(f, "  %10s %12s %14s %10s %10s\n", "t (s)", "objects", "bytes", "allocs", "frees");
	for (size_t i = step - 1; i < n; i += step) {
		text_live_row(f, s, i);
		last = i;
	}
	if (last != n - 1)
		text_live_row(f, s, n - 1);
}

static void text_anomalies(FILE *f, const struct trace_report *r)
{
	fprintf(f, "Anomalies (counted, never fatal)\n");
	for (int i = 0; i < SIM_AN_COUNT; i++)
		fprintf(f, "  %-16s %12s  %s\n", sim_anomaly_name[i], trace_fmt_count(r->s->anomaly[i]).s,
			sim_anomaly_meaning[i]);
	if (r->w->first_skip[0])
		fprintf(f, "  first skipped line: %s\n", r->w->first_skip);
}

static void text_preslab(FILE *f, const struct trace_report *r)
{
	const struct trace_preslab *p = &r->s->pre;

	fprintf(f, "Slabs from before the trace\n");
	if (!p->known) {
		fprintf(f, "  unknown: needs real pointers (no_hash_pointers, trace-cmd, perf) and mm_page_alloc events\n");
		return;
	}
	fprintf(f, "  direct map at 0x%016" PRIx64 " (inferred: %s allocations fall in pages the trace allocates)\n",
		p->page_offset, trace_fmt_count(p->votes_for).s);
	fprintf(f, "  %s of %s slab allocations (%.1f%%) are in pages the trace never allocated before them:\n"
		   "  slabs that existed when the capture began; %s are in slabs the trace made\n",
		trace_fmt_count(p->in_old_slabs).s, trace_fmt_count(p->objects).s,
		p->objects ? 100.0 * (double)p->in_old_slabs / (double)p->objects : 0.0,
		trace_fmt_count(p->in_new_slabs).s);
}

/* ---- dispatch ------------------------------------------------------------------------- */

static void text_caches(FILE *f, const struct trace_report *r)
{
	text_rows(f, r, false);
}

static void text_sites(FILE *f, const struct trace_report *r)
{
	text_rows(f, r, true);
}

static void (*const text_sections[TRACE_REPORT_NSECTIONS])(FILE *, const struct trace_report *) = {
#define TRACE_REPORT_TEXT_FN(n, d) text_##n,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_TEXT_FN)
#undef TRACE_REPORT_TEXT_FN
};

/* Sections separated by an empty line. */
static void trace_report_text(FILE *f, const struct trace_report *r)
{
	bool first = true;

	for (int i = 0; i < TRACE_REPORT_NSECTIONS; i++) {
		if (!trace_report_wants(r, (enum trace_report_section)i))
			continue;
		if (!first)
			fputc('\n', f);
		text_sections[i](f, r);
		first = false;
	}
}

void trace_report_print(FILE *f, const struct trace_report *r)
{
	switch (r->o->format) {
	case TRACE_REPORT_CSV:
		trace_report_csv(f, r);
		break;
	case TRACE_REPORT_JSON:
		trace_report_json(f, r);
		break;
	default:
		trace_report_text(f, r);
		break;
	}
}
