/* SPDX-License-Identifier: GPL-2.0-or-later */
/* summary.c - the readable end-of-run report. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/summary.h"
#include "policies/registry.h"
#include "sim/xalloc.h"

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static const char *human_bytes(double b, char *buf, size_t len)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
	return buf;
}

double summary_mean_slab_bytes(const struct sim_stats *st)
{
	struct sim_series_iter it;
	struct sim_mem_sample row;
	double sum = 0;
	size_t n = 0;

	/* the total's rows come first */
	sim_series_iter_init(&it, st);
	while (sim_series_iter_next(&it, &row) && row.cache == -1) {
		sum += (double)row.g[SIM_GAUGE_slab_bytes];
		n++;
	}
	sim_series_iter_fini(&it);
	return n ? sum / (double)n : 0.0;
}

bool summary_is_consistent(const struct sim_stats *st)
{
	const struct sim_gauge *tot = sim_stats_gauge((struct sim_stats *)st, st->ncaches);

	return (uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs &&
	       (uint64_t)tot[SIM_GAUGE_live_bytes].cur == st->outstanding_bytes &&
	       (uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used &&
	       st->locks_held_at_end == 0;
}

static void summary_header(FILE *f, const struct sim_workload *w, const struct sim_run_config *cfg,
			   const struct sim_stats *st)
{
	const struct sim_machine_config *m = &cfg->mach;

	fprintf(f, "run      %s%s%s%s on %s\n", cfg->policy, cfg->preset[0] ? " (preset " : "",
		cfg->preset, cfg->preset[0] ? ")" : "", w->source);
	fprintf(f, "params  ");
	for (unsigned i = 0; i < cfg->nparams; i++) {
		const struct sim_policy_ops *ops = policy_find(cfg->policy);
		const char *const *choices = ops && i < ops->nparams ? ops->params[i].choices : NULL;

		if (cfg->param_auto[i])
			fprintf(f, " %s=auto", cfg->param_name[i]);
		else if (choices)
			fprintf(f, " %s=%s", cfg->param_name[i], choices[cfg->param_value[i]]);
		else
			fprintf(f, " %s=%ld", cfg->param_name[i], cfg->param_value[i]);
	}
	fprintf(f, "%s\n", cfg->nparams ? "" : " (none)");
	fprintf(f, "machine  %u cpus in %u node%s, %.2f GHz, %u KiB %u-way private cache per cpu, seed %" PRIu64 "\n",
		m->ncpus, m->nnodes, m->nnodes > 1 ? "s" : "", m->ghz, m->cache_kb, m->cache_ways, m->seed);
	fprintf(f, "timing   %s%s, simulated %.3f s\n", m->timing == SIM_TIMING_CLOSED ? "closed loop" : "trace timestamps",
		m->timing == SIM_TIMING_CLOSED ? "" : (m->time_scale != 1.0 ? " (scaled)" : ""),
		(double)st->end_t_ns / 1e9);
	if (m->warmup_events)
		fprintf(f, "warm-up  the first %" PRIu64 " events replayed, not recorded\n", m->warmup_events);
	else if (m->warmup_ns)
		fprintf(f, "warm-up  the first %.6f s replayed, not recorded\n", (double)m->warmup_ns / 1e9);
	fprintf(f, "replayed %" PRIu64 " of %" PRIu64 " events; skipped %" PRIu64 " frees of never-allocated objects, "
		"%" PRIu64 " kfree(NULL), %" PRIu64 " page events\n\n",
		st->events_replayed, sim_workload_events(w), st->skipped_unmatched, st->skipped_null, st->skipped_page);
}

/*
 * The counters that say an operation was served by a policy's per-cpu
 * layer, as the kernel names them.  The pair a run shows is the one with
 * the most allocations counted on the trace's own caches (a front-end's
 * own misses show up under the slab layer's fast path too).
 */
static const struct {
	enum sim_counter alloc, free;
} fast_pairs[] = {
	{ SIM_CNT_alloc_fastpath, SIM_CNT_free_fastpath },	/* SLUB */
	{ SIM_CNT_allochit, SIM_CNT_freehit },			/* SLAB */
	{ SIM_CNT_alloc_pcs, SIM_CNT_free_pcs },		/* sheaves */
	{ SIM_CNT_magazine_alloc_hit, SIM_CNT_magazine_free_hit },	/* Bonwick */
	{ SIM_CNT_alloc_cpu_cache, SIM_CNT_free_cpu_cache },	/* per-cpu array */
	{ SIM_CNT_llcache_alloc_hit, SIM_CNT_llcache_free_cached },	/* llcache */
	{ SIM_CNT_objpool_pop, SIM_CNT_objpool_push },		/* objpool */
};

static uint64_t trace_caches_counter(const struct sim_stats *st, enum sim_counter c)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < st->ntrace_caches; k++)
		n += st->counter_cache[(size_t)k * SIM_CNT_COUNT + c];
	return n;
}

/* Index into fast_pairs of the run's per-cpu layer, -1 when none counted. */
static int summary_fast_pair(const struct sim_stats *st)
{
	uint64_t best = 0;
	int pick = -1;

	for (size_t i = 0; i < SIM_ARRAY_SIZE(fast_pairs); i++) {
		uint64_t n = trace_caches_counter(st, fast_pairs[i].alloc);

		if (n > best) {
			best = n;
			pick = (int)i;
		}
	}
	return pick;
}

static void summary_ops(FILE *f, const struct sim_stats *st)
{
	uint64_t allocs = sim_stats_counter_total(st, SIM_CNT_alloc);
	uint64_t frees = sim_stats_counter_total(st, SIM_CNT_free);
	int fp = summary_fast_pair(st);

	fprintf(f, "%-22s %14s %14s\n", "operations", "alloc", "free");
	fprintf(f, "  %-20s %14" PRIu64 " %14" PRIu64 "\n", "count", allocs, frees);
	if (fp >= 0) {
		fprintf(f, "  %-20s %13.1f%% %13.1f%%   (%s, %s)\n", "fast path",
			100 * ratio((double)trace_caches_counter(st, fast_pairs[fp].alloc), (double)allocs),
			100 * ratio((double)trace_caches_counter(st, fast_pairs[fp].free), (double)frees),
			sim_counter_name[fast_pairs[fp].alloc], sim_counter_name[fast_pairs[fp].free]);
	} else {
		fprintf(f, "  %-20s %14s %14s\n", "fast path", "n/a", "n/a");
	}
	fprintf(f, "  %-20s %14.1f %14.1f\n", "mean cycles", sim_stats_latency_mean(st, SIM_LAT_ALLOC),
		sim_stats_latency_mean(st, SIM_LAT_FREE));
	fprintf(f, "  %-20s %14.0f %14.0f\n", "p50 cycles", sim_stats_latency_quantile(st, SIM_LAT_ALLOC, 0.5),
		sim_stats_latency_quantile(st, SIM_LAT_FREE, 0.5));
	fprintf(f, "  %-20s %14.0f %14.0f\n", "p99 cycles", sim_stats_latency_quantile(st, SIM_LAT_ALLOC, 0.99),
		sim_stats_latency_quantile(st, SIM_LAT_FREE, 0.99));
	fprintf(f, "  %-20s %14" PRIu64 " %14" PRIu64 "\n\n", "max cycles", st->lat_max[SIM_LAT_ALLOC], st->lat_max[SIM_LAT_FREE]);
}

static bool summary_locks(FILE *f, const struct sim_stats *st, double ops)
{
	uint64_t contended = 0;

	fprintf(f, "%-12s %12s %9s %11s %9s %13s %13s %9s\n", "locks", "acquired", "per op", "contended",
		"share", "wait cycles", "hold cycles", "try fail");
	for (unsigned c = 0; c < SIM_LOCK_CLASS_COUNT; c++) {
		struct sim_lock_stat l;

		sim_stats_lock_total(st, c, &l);
		if (!l.acquired && !l.try_fail)
			continue;
		contended += l.contended;
		fprintf(f, "  %-10s %12" PRIu64 " %9.4f %11" PRIu64 " %8.2f%% %13" PRIu64 " %13" PRIu64 " %9" PRIu64 "\n",
			sim_lock_class_name[c], l.acquired, ratio(l.acquired, ops), l.contended,
			100 * ratio(l.contended, l.acquired), l.wait_cycles, l.hold_cycles, l.try_fail);
	}
	fprintf(f, "\n");
	return contended > 0;
}

static void summary_touches(FILE *f, const struct sim_stats *st, double ops)
{
	fprintf(f, "%-12s %10s %9s %9s %11s %12s %12s %13s %9s\n", "cache lines", "touches", "per op",
		"hit rate", "mem misses", "transfers", "per op", "cross-node", "inval");
	for (unsigned o = 0; o < SIM_ORIGIN_COUNT; o++) {
		struct sim_touch_stat t;
		uint64_t touches, xfer;

		sim_stats_touch_total(st, o, &t);
		touches = t.reads + t.writes + t.atomics;
		xfer = t.xfer_local + t.xfer_remote;
		fprintf(f, "  %-10s %10" PRIu64 " %9.2f %8.1f%% %11" PRIu64 " %12" PRIu64 " %12.4f %13" PRIu64 " %9" PRIu64 "\n",
			sim_origin_name[o], touches, ratio(touches, ops), 100 * ratio(t.hits, touches),
			t.mem_local + t.mem_remote, xfer, ratio(xfer, ops), t.xfer_remote + t.mem_remote,
			t.invalidations);
	}
	fprintf(f, "\n");
}

static void summary_memory(FILE *f, const struct sim_stats *st)
{
	const struct sim_gauge *tot = sim_stats_gauge((struct sim_stats *)st, st->ncaches);
	char a[32], b[32], c[32];

	fprintf(f, "%-22s %14s %14s %14s\n", "memory held", "peak", "mean", "final");
	fprintf(f, "  %-20s %14s %14s %14s\n", "slab pages", human_bytes((double)tot[SIM_GAUGE_slab_bytes].peak, a, 32),
		human_bytes(summary_mean_slab_bytes(st), b, 32), human_bytes((double)tot[SIM_GAUGE_slab_bytes].cur, c, 32));
	fprintf(f, "  %-20s %14" PRId64 " %14s %14" PRId64 "\n", "slabs", tot[SIM_GAUGE_slabs].peak, "",
		tot[SIM_GAUGE_slabs].cur);
	fprintf(f, "  %-20s %14s %14s %14s\n", "metadata", human_bytes((double)tot[SIM_GAUGE_meta_bytes].peak, a, 32), "",
		human_bytes((double)tot[SIM_GAUGE_meta_bytes].cur, c, 32));
	fprintf(f, "  %-20s %14s %14s %14s\n", "live object bytes", human_bytes((double)tot[SIM_GAUGE_live_bytes].peak, a, 32), "",
		human_bytes((double)tot[SIM_GAUGE_live_bytes].cur, c, 32));
	fprintf(f, "  %-20s %14" PRId64 " %14s %14" PRId64 "\n", "cached free objects", tot[SIM_GAUGE_cached_objs].peak, "",
		tot[SIM_GAUGE_cached_objs].cur);
	fprintf(f, "  %-20s %14s %14s %14s\n\n", "large kmalloc pages", human_bytes((double)tot[SIM_GAUGE_large_bytes].peak, a, 32), "",
		human_bytes((double)tot[SIM_GAUGE_large_bytes].cur, c, 32));
}

static uint64_t cpu_lock(const struct sim_stats *st, unsigned cpu, unsigned cls)
{
	return st->lock_cpu[(size_t)cpu * SIM_LOCK_CLASS_COUNT + cls].acquired;
}

static void summary_per_cpu(FILE *f, const struct sim_stats *st)
{
	fprintf(f, "%-6s %10s %10s %9s %9s %10s %10s %10s %12s\n", "cpu", "allocs", "frees", "a-fast",
		"f-fast", "list_lock", "slab_lock", "zone_lock", "xfer/op");
	for (unsigned c = 0; c < st->ncpus; c++) {
		const uint64_t *k = &st->counter_cpu[(size_t)c * SIM_CNT_COUNT];
		const struct sim_touch_stat *t = &st->touch_cpu[(size_t)c * SIM_ORIGIN_COUNT];
		double ops = (double)(k[SIM_CNT_alloc] + k[SIM_CNT_free]);

		if (!ops)
			continue;
		fprintf(f, "  %-4u %10" PRIu64 " %10" PRIu64 " %8.1f%% %8.1f%% %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %12.4f\n",
			c, k[SIM_CNT_alloc], k[SIM_CNT_free], 100 * ratio(k[SIM_CNT_alloc_fastpath], k[SIM_CNT_alloc]),
			100 * ratio(k[SIM_CNT_free_fastpath], k[SIM_CNT_free]), cpu_lock(st, c, SIM_LOCK_list_lock),
			cpu_lock(st, c, SIM_LOCK_slab_lock), cpu_lock(st, c, SIM_LOCK_zone_lock),
			ratio(t->xfer_local + t->xfer_remote, ops));
	}
	fprintf(f, "\n");
}

struct cache_rank {
	unsigned id;
	uint64_t ops;
};

static int cache_rank_cmp(const void *a, const void *b)
{
	const struct cache_rank *x = a, *y = b;

	if (x->ops != y->ops)
		return x->ops < y->ops ? 1 : -1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

static void summary_caches(FILE *f, const struct sim_workload *w, const struct sim_stats *st, unsigned top)
{
	struct cache_rank *r = xcalloc(st->ncaches ? st->ncaches : 1, sizeof(*r));
	unsigned n = 0;
	char a[32];

	for (unsigned c = 0; c < st->ncaches; c++) {
		const uint64_t *k = &st->counter_cache[(size_t)c * SIM_CNT_COUNT];

		if (k[SIM_CNT_alloc] + k[SIM_CNT_free]) {
			r[n].id = c;
			r[n++].ops = k[SIM_CNT_alloc] + k[SIM_CNT_free];
		}
	}
	qsort(r, n, sizeof(*r), cache_rank_cmp);
	fprintf(f, "%-24s %6s %9s %9s %8s %8s %10s %10s %9s %11s %9s\n", "caches (by ops)", "size", "allocs",
		"frees", "a-fast", "f-fast", "list_lock", "slab_lock", "xfer/op", "peak slabs", "cyc/op");
	for (unsigned i = 0; i < n && i < top; i++) {
		unsigned c = r[i].id;
		const uint64_t *k = &st->counter_cache[(size_t)c * SIM_CNT_COUNT];
		const struct sim_touch_stat *t = &st->touch_cache[(size_t)c * SIM_ORIGIN_COUNT];
		const struct sim_gauge *g = sim_stats_gauge((struct sim_stats *)st, c);
		double ops = (double)r[i].ops;
		uint64_t cyc = st->op_cycles_cache[(size_t)c * SIM_LAT_COUNT] + st->op_cycles_cache[(size_t)c * SIM_LAT_COUNT + 1];

		const char *name = sim_stats_extra_name(st, c);
		uint32_t size = name ? st->extra_size[c - st->ntrace_caches] : w->cache_size[c];

		if (!name)
			name = strtab_get(&w->caches, c);
		fprintf(f, "  %-22.22s %6u %9" PRIu64 " %9" PRIu64 " %7.1f%% %7.1f%% %10" PRIu64 " %10" PRIu64 " %9.4f %11s %9.1f\n",
			name, size, k[SIM_CNT_alloc], k[SIM_CNT_free],
			100 * ratio(k[SIM_CNT_alloc_fastpath], k[SIM_CNT_alloc]),
			100 * ratio(k[SIM_CNT_free_fastpath], k[SIM_CNT_free]),
			st->lock_cache[(size_t)c * SIM_LOCK_CLASS_COUNT + SIM_LOCK_list_lock].acquired,
			st->lock_cache[(size_t)c * SIM_LOCK_CLASS_COUNT + SIM_LOCK_slab_lock].acquired,
			ratio(t->xfer_local + t->xfer_remote, ops),
			human_bytes((double)g[SIM_GAUGE_slab_bytes].peak, a, sizeof(a)), ratio((double)cyc, ops));
	}
	if (n > top)
		fprintf(f, "  ... %u more caches (--top N)\n", n - top);
	fprintf(f, "\n");
	free(r);
}

static void summary_consistency(FILE *f, const struct sim_stats *st)
{
	const struct sim_gauge *tot = sim_stats_gauge((struct sim_stats *)st, st->ncaches);

	fprintf(f, "consistency: live objects %" PRId64 " = outstanding allocations %" PRIu64 "; "
		"live bytes %" PRId64 " = %" PRIu64 "; slab + large pages %" PRId64 " B = pages in use %" PRIu64 " B; "
		"locks held at end %" PRIu64 ": %s\n",
		tot[SIM_GAUGE_live_objs].cur, st->outstanding_allocs, tot[SIM_GAUGE_live_bytes].cur,
		st->outstanding_bytes, tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur,
		st->page_bytes_used, st->locks_held_at_end, summary_is_consistent(st) ? "ok" : "NOT BALANCED");
}

void summary_print(FILE *f, const struct sim_workload *w, const struct sim_run_config *cfg,
		   const struct sim_stats *st, const struct summary_opts *o)
{
	double ops = (double)(sim_stats_counter_total(st, SIM_CNT_alloc) + sim_stats_counter_total(st, SIM_CNT_free));
	bool contended;

	summary_header(f, w, cfg, st);
	summary_ops(f, st);
	contended = summary_locks(f, st, ops);
	summary_touches(f, st, ops);
	summary_memory(f, st);
	if (o->per_cpu)
		summary_per_cpu(f, st);
	if (o->top)
		summary_caches(f, w, st, o->top);
	summary_consistency(f, st);
	if (!contended)
		fprintf(f, "note: no lock was contended. At the trace's own speed a small machine rarely is;\n"
			   "      --timing closed replays each cpu back to back and shows contention.\n");
}

/* --- the comparison table -------------------------------------------- */

static double cmp_ops(const struct sim_stats *st)
{
	return (double)(sim_stats_counter_total(st, SIM_CNT_alloc) + sim_stats_counter_total(st, SIM_CNT_free));
}

static void cmp_row(FILE *f, const char *label, int decimals, const double *v, unsigned n)
{
	fprintf(f, "  %-34s", label);
	for (unsigned k = 0; k < n; k++) {
		char cell[32];

		if (isnan(v[k]))
			snprintf(cell, sizeof(cell), "-");
		else
			snprintf(cell, sizeof(cell), "%.*f", decimals, v[k]);
		fprintf(f, " %14s", cell);
	}
	fprintf(f, "\n");
}

static void cmp_rows_locks(FILE *f, const struct sim_stats *const *st, unsigned n, double *v)
{
	for (unsigned c = 0; c < SIM_LOCK_CLASS_COUNT; c++) {
		char label[64];
		bool any = false;

		for (unsigned k = 0; k < n; k++) {
			struct sim_lock_stat l;

			sim_stats_lock_total(st[k], c, &l);
			any |= l.acquired || l.try_fail;
		}
		if (!any)
			continue;
		for (unsigned k = 0; k < n; k++) {
			struct sim_lock_stat l;

			sim_stats_lock_total(st[k], c, &l);
			v[k] = ratio((double)l.acquired, cmp_ops(st[k]));
		}
		snprintf(label, sizeof(label), "%s acquisitions / op", sim_lock_class_name[c]);
		cmp_row(f, label, 4, v, n);
		for (unsigned k = 0; k < n; k++) {
			struct sim_lock_stat l;

			sim_stats_lock_total(st[k], c, &l);
			v[k] = l.acquired ? 100 * ratio((double)l.contended, (double)l.acquired) : NAN;
		}
		snprintf(label, sizeof(label), "%s contended %%", sim_lock_class_name[c]);
		cmp_row(f, label, 2, v, n);
	}
}

static void cmp_rows_touch(FILE *f, const struct sim_stats *const *st, unsigned n, double *v)
{
	for (unsigned o = 0; o < SIM_ORIGIN_COUNT; o++) {
		char label[64];

		for (unsigned k = 0; k < n; k++) {
			struct sim_touch_stat t;

			sim_stats_touch_total(st[k], o, &t);
			v[k] = ratio((double)(t.reads + t.writes + t.atomics), cmp_ops(st[k]));
		}
		snprintf(label, sizeof(label), "%s line touches / op", sim_origin_name[o]);
		cmp_row(f, label, 2, v, n);
		for (unsigned k = 0; k < n; k++) {
			struct sim_touch_stat t;

			sim_stats_touch_total(st[k], o, &t);
			v[k] = ratio((double)(t.xfer_local + t.xfer_remote), cmp_ops(st[k]));
		}
		snprintf(label, sizeof(label), "%s line transfers / op", sim_origin_name[o]);
		cmp_row(f, label, 4, v, n);
	}
}

static void cmp_rows_memory(FILE *f, const struct sim_stats *const *st, unsigned n, double *v)
{
	for (unsigned k = 0; k < n; k++)
		v[k] = (double)sim_stats_gauge((struct sim_stats *)st[k], st[k]->ncaches)[SIM_GAUGE_slab_bytes].peak / 1024.0;
	cmp_row(f, "peak slab memory (KiB)", 0, v, n);
	for (unsigned k = 0; k < n; k++)
		v[k] = summary_mean_slab_bytes(st[k]) / 1024.0;
	cmp_row(f, "mean slab memory (KiB)", 0, v, n);
	for (unsigned k = 0; k < n; k++)
		v[k] = (double)sim_stats_gauge((struct sim_stats *)st[k], st[k]->ncaches)[SIM_GAUGE_meta_bytes].peak / 1024.0;
	cmp_row(f, "peak metadata (KiB)", 1, v, n);
	for (unsigned k = 0; k < n; k++)
		v[k] = (double)sim_stats_gauge((struct sim_stats *)st[k], st[k]->ncaches)[SIM_GAUGE_cached_objs].peak;
	cmp_row(f, "peak objects parked in caches", 0, v, n);
	for (unsigned k = 0; k < n; k++)
		v[k] = (double)sim_stats_gauge((struct sim_stats *)st[k], st[k]->ncaches)[SIM_GAUGE_cached_objs].cur;
	cmp_row(f, "objects parked at the end", 0, v, n);
}

static void cmp_rows_latency(FILE *f, const struct sim_stats *const *st, unsigned n, double *v)
{
	static const struct {
		const char *label;
		enum sim_lat_kind k;
		double q;
	} rows[] = {
		{ "alloc mean cycles", SIM_LAT_ALLOC, -1 }, { "alloc p50 cycles", SIM_LAT_ALLOC, 0.5 },
		{ "alloc p99 cycles", SIM_LAT_ALLOC, 0.99 }, { "free mean cycles", SIM_LAT_FREE, -1 },
		{ "free p50 cycles", SIM_LAT_FREE, 0.5 }, { "free p99 cycles", SIM_LAT_FREE, 0.99 },
	};

	for (size_t i = 0; i < SIM_ARRAY_SIZE(rows); i++) {
		for (unsigned k = 0; k < n; k++)
			v[k] = rows[i].q < 0 ? sim_stats_latency_mean(st[k], rows[i].k)
					     : sim_stats_latency_quantile(st[k], rows[i].k, rows[i].q);
		cmp_row(f, rows[i].label, rows[i].q < 0 ? 1 : 0, v, n);
	}
}

void summary_compare(FILE *f, const struct sim_workload *w, const struct sim_run_config *cfg,
		     const struct sim_stats *const *st, unsigned n)
{
	double *v = xcalloc(n, sizeof(*v));
	const struct sim_machine_config *m = &cfg[0].mach;

	fprintf(f, "trace    %s\nmachine  %u cpus in %u node%s, %.2f GHz, timing %s\n\n", w->source, m->ncpus,
		m->nnodes, m->nnodes > 1 ? "s" : "", m->ghz, m->timing == SIM_TIMING_CLOSED ? "closed" : "trace");
	fprintf(f, "  %-34s", "");
	for (unsigned k = 0; k < n; k++)
		fprintf(f, " %14.14s", cfg[k].preset[0] ? cfg[k].preset : cfg[k].policy);
	fprintf(f, "\n");
	for (unsigned k = 0; k < n; k++)
		v[k] = cmp_ops(st[k]);
	cmp_row(f, "operations (alloc + free)", 0, v, n);
	for (unsigned k = 0; k < n; k++) {
		int fp = summary_fast_pair(st[k]);

		v[k] = fp < 0 ? NAN : 100 * ratio((double)trace_caches_counter(st[k], fast_pairs[fp].alloc),
						  (double)sim_stats_counter_total(st[k], SIM_CNT_alloc));
	}
	cmp_row(f, "alloc fast path % (per-cpu hit)", 1, v, n);
	for (unsigned k = 0; k < n; k++) {
		int fp = summary_fast_pair(st[k]);

		v[k] = fp < 0 ? NAN : 100 * ratio((double)trace_caches_counter(st[k], fast_pairs[fp].free),
						  (double)sim_stats_counter_total(st[k], SIM_CNT_free));
	}
	cmp_row(f, "free fast path % (per-cpu hit)", 1, v, n);
	cmp_rows_locks(f, st, n, v);
	cmp_rows_touch(f, st, n, v);
	cmp_rows_memory(f, st, n, v);
	cmp_rows_latency(f, st, n, v);
	for (unsigned k = 0; k < n; k++)
		v[k] = summary_is_consistent(st[k]) ? 1 : 0;
	cmp_row(f, "books balance (1 = yes)", 0, v, n);
	free(v);
}
