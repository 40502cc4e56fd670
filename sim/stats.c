/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.c - storage and helpers for what a run measures.  Latencies go into
 * a GSL histogram with log-spaced bins (ratio 1.02 from 1 to 2^32 cycles),
 * so quantiles are exact to within 2%.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"
#include "sim/xalloc.h"

const char *const sim_origin_name[SIM_ORIGIN_COUNT] = { "allocator", "workload" };

#define LAT_RATIO 1.02
#define LAT_MAX 4294967296.0

static gsl_histogram *stats_lat_hist_create(void)
{
	size_t n = (size_t)ceil(log(LAT_MAX) / log(LAT_RATIO));
	double *range = xmalloc((n + 2) * sizeof(*range));
	gsl_histogram *h = gsl_histogram_alloc(n + 1);

	if (!h)
		abort();
	range[0] = 0.0;
	for (size_t i = 1; i <= n + 1; i++)
		range[i] = pow(LAT_RATIO, (double)(i - 1));
	gsl_histogram_set_ranges(h, range, n + 2);
	free(range);
	return h;
}

struct sim_stats *sim_stats_create(unsigned ncpus, unsigned ncaches)
{
	struct sim_stats *s = xcalloc(1, sizeof(*s));

	s->ncpus = ncpus;
	s->ncaches = ncaches;
	s->ntrace_caches = ncaches;
	s->counter_cpu = xcalloc((size_t)ncpus * SIM_CNT_COUNT, sizeof(uint64_t));
	s->counter_cache = xcalloc((size_t)ncaches * SIM_CNT_COUNT, sizeof(uint64_t));
	s->lock_cpu = xcalloc((size_t)ncpus * SIM_LOCK_CLASS_COUNT, sizeof(*s->lock_cpu));
	s->lock_cache = xcalloc((size_t)ncaches * SIM_LOCK_CLASS_COUNT, sizeof(*s->lock_cache));
	s->touch_cpu = xcalloc((size_t)ncpus * SIM_ORIGIN_COUNT, sizeof(*s->touch_cpu));
	s->touch_cache = xcalloc((size_t)ncaches * SIM_ORIGIN_COUNT, sizeof(*s->touch_cache));
	s->gauge = xcalloc((size_t)(ncaches + 1) * SIM_GAUGE_COUNT, sizeof(*s->gauge));
	s->op_cycles_cache = xcalloc((size_t)ncaches * SIM_LAT_COUNT, sizeof(uint64_t));
	s->op_count_cache = xcalloc((size_t)ncaches * SIM_LAT_COUNT, sizeof(uint64_t));
	for (int k = 0; k < SIM_LAT_COUNT; k++)
		s->lat[k] = stats_lat_hist_create();
	s->series_last = xcalloc((size_t)(ncaches + 1) * SIM_GAUGE_COUNT, sizeof(*s->series_last));
	s->series_run = xmalloc((size_t)(ncaches + 1) * sizeof(*s->series_run));
	for (unsigned c = 0; c <= ncaches; c++)
		s->series_run[c] = SIM_SERIES_NONE;
	s->lat_bin = xmalloc(SIM_LAT_FAST_MAX * sizeof(*s->lat_bin));
	for (size_t x = 0; x < SIM_LAT_FAST_MAX; x++) {
		size_t bin = 0;

		gsl_histogram_find(s->lat[0], (double)x, &bin);
		s->lat_bin[x] = (uint16_t)bin;
	}
	return s;
}

void sim_stats_destroy(struct sim_stats *s)
{
	if (!s)
		return;
	free(s->counter_cpu);
	free(s->counter_cache);
	free(s->lock_cpu);
	free(s->lock_cache);
	free(s->touch_cpu);
	free(s->touch_cache);
	free(s->gauge);
	free(s->op_cycles_cache);
	free(s->op_count_cache);
	for (int k = 0; k < SIM_LAT_COUNT; k++)
		gsl_histogram_free(s->lat[k]);
	free(s->lat_bin);
	for (unsigned i = 0; s->extra_name && i + s->ntrace_caches < s->ncaches; i++)
		free(s->extra_name[i]);
	free(s->extra_name);
	free(s->extra_size);
	free(s->instant_t);
	free(s->runs);
	free(s->series_last);
	free(s->series_run);
	free(s);
}

void sim_stats_latency(struct sim_stats *s, unsigned cache, enum sim_lat_kind k, sim_cycles_t cycles)
{
	if (cycles < SIM_LAT_FAST_MAX)
		s->lat[k]->bin[s->lat_bin[cycles]] += 1.0;
	else
		gsl_histogram_increment(s->lat[k], cycles >= LAT_MAX ? LAT_MAX - 1 : (double)cycles);
	s->lat_sum[k] += cycles;
	s->lat_n[k]++;
	if (cycles > s->lat_max[k])
		s->lat_max[k] = cycles;
	s->op_cycles_cache[(size_t)cache * SIM_LAT_COUNT + k] += cycles;
	s->op_count_cache[(size_t)cache * SIM_LAT_COUNT + k]++;
}

/*
 * Row slot (cache id, or ncaches for the total) at instant i: a new run
 * unless the gauges are those of the slot's latest run.
 */
static void stats_series_put(struct sim_stats *s, unsigned slot, uint32_t i, const struct sim_gauge *row)
{
	int64_t *last = &s->series_last[(size_t)slot * SIM_GAUGE_COUNT];
	bool same = s->series_run[slot] != SIM_SERIES_NONE;
	struct sim_mem_run *r;

	for (int g = 0; g < SIM_GAUGE_COUNT; g++)
		same = same && last[g] == row[g].cur;
	if (same)
		return;
	xgrow((void **)&s->runs, &s->runs_cap, s->nruns + 1, sizeof(*s->runs));
	r = &s->runs[s->nruns];
	r->cache = slot == s->ncaches ? -1 : (int32_t)slot;
	r->first = i;
	for (int g = 0; g < SIM_GAUGE_COUNT; g++)
		r->g[g] = last[g] = row[g].cur;
	s->series_run[slot] = (uint32_t)s->nruns++;
}

void sim_stats_sample(struct sim_stats *s, uint64_t t_ns)
{
	uint32_t i = (uint32_t)s->ninstants;

	sim_assert(s->ninstants < UINT32_MAX && s->nruns < UINT32_MAX - s->ncaches - 1);
	xgrow((void **)&s->instant_t, &s->instants_cap, s->ninstants + 1, sizeof(*s->instant_t));
	s->instant_t[s->ninstants++] = t_ns;
	for (unsigned c = 0; c <= s->ncaches; c++) {
		const struct sim_gauge *row = sim_stats_gauge(s, c);

		if (c == s->ncaches || row[SIM_GAUGE_slab_bytes].peak || row[SIM_GAUGE_large_bytes].peak)
			stats_series_put(s, c, i, row);
	}
}

static unsigned stats_run_slot(const struct sim_stats *s, const struct sim_mem_run *r)
{
	return r->cache < 0 ? s->ncaches : (unsigned)r->cache;
}

/*
 * Keeps the instants 0, 2, 4, ...: a run over the instants first..end
 * keeps those of them that are even, and begins at the first of those,
 * (first + 1) / 2 after renumbering; a run with none (one odd instant) is
 * dropped, and the one before it of its cache, if any, then reaches up to
 * the next.
 */
void sim_stats_sample_thin(struct sim_stats *s)
{
	uint64_t *next_first = xmalloc((size_t)(s->ncaches + 1) * sizeof(*next_first));
	size_t kept = 0;

	for (size_t i = 0; i < s->ninstants; i += 2)
		s->instant_t[i / 2] = s->instant_t[i];
	for (unsigned c = 0; c <= s->ncaches; c++) {
		next_first[c] = s->ninstants;
		s->series_run[c] = SIM_SERIES_NONE;
	}
	/* backwards: each run ends where its cache's next one begins */
	for (size_t k = s->nruns; k-- > 0; ) {
		struct sim_mem_run *r = &s->runs[k];
		unsigned slot = stats_run_slot(s, r);
		uint64_t end = next_first[slot] - 1;

		next_first[slot] = r->first;
		r->first = (r->first + 1) / 2 <= end / 2 ? (r->first + 1) / 2 : SIM_SERIES_NONE;
	}
	for (size_t k = 0; k < s->nruns; k++) {
		if (s->runs[k].first == SIM_SERIES_NONE)
			continue;
		s->series_run[stats_run_slot(s, &s->runs[k])] = (uint32_t)kept;
		s->runs[kept++] = s->runs[k];
	}
	s->nruns = kept;
	for (unsigned c = 0; c <= s->ncaches; c++)
		if (s->series_run[c] != SIM_SERIES_NONE)
			memcpy(&s->series_last[(size_t)c * SIM_GAUGE_COUNT], s->runs[s->series_run[c]].g,
			       sizeof(s->runs->g));
	free(next_first);
	s->ninstants = (s->ninstants + 1) / 2;
	s->samples_thinned++;
}

/* Each one's runs cover every instant from its first run's on: a row for each. */
size_t sim_stats_series_rows(const struct sim_stats *s)
{
	bool *seen = xcalloc((size_t)s->ncaches + 1, sizeof(*seen));
	size_t n = 0;

	for (size_t k = 0; k < s->nruns; k++) {
		unsigned slot = stats_run_slot(s, &s->runs[k]);

		if (!seen[slot])
			n += s->ninstants - s->runs[k].first;
		seen[slot] = true;
	}
	free(seen);
	return n;
}

void sim_series_iter_init(struct sim_series_iter *it, const struct sim_stats *s)
{
	size_t nbins = (size_t)s->ncaches + 1, *start = xcalloc(nbins + 1, sizeof(*start));

	it->s = s;
	it->order = xmalloc((s->nruns ? s->nruns : 1) * sizeof(*it->order));
	/* a counting sort by cache + 1: the total (-1) first */
	for (size_t k = 0; k < s->nruns; k++)
		start[(size_t)(s->runs[k].cache + 1) + 1]++;
	for (size_t b = 1; b <= nbins; b++)
		start[b] += start[b - 1];
	for (size_t k = 0; k < s->nruns; k++)
		it->order[start[(size_t)(s->runs[k].cache + 1)]++] = k;
	free(start);
	it->k = it->next = 0;
	it->i = 1;
	it->end = 0;		/* i > end: the next call starts run order[next] */
}

bool sim_series_iter_next(struct sim_series_iter *it, struct sim_mem_sample *row)
{
	const struct sim_stats *s = it->s;
	const struct sim_mem_run *r;

	if (it->i > it->end) {
		const struct sim_mem_run *next;

		if (it->next >= s->nruns)
			return false;
		it->k = it->next++;
		r = &s->runs[it->order[it->k]];
		next = it->next < s->nruns ? &s->runs[it->order[it->next]] : NULL;
		it->i = r->first;
		it->end = (next && next->cache == r->cache ? next->first : s->ninstants) - 1;
	}
	r = &s->runs[it->order[it->k]];
	memset(row, 0, sizeof(*row));
	row->t_ns = s->instant_t[it->i++];
	row->cache = r->cache;
	memcpy(row->g, r->g, sizeof(row->g));
	return true;
}

void sim_series_iter_fini(struct sim_series_iter *it)
{
	free(it->order);
	it->order = NULL;
}

struct sim_mem_sample *sim_stats_series_expand(const struct sim_stats *s, size_t *n)
{
	size_t nslots = (size_t)s->ncaches + 1, rows = 0;
	struct sim_mem_sample *out = xcalloc(sim_stats_series_rows(s) + 1, sizeof(*out));
	uint32_t *cur = xmalloc(nslots * sizeof(*cur));

	for (size_t c = 0; c < nslots; c++)
		cur[c] = SIM_SERIES_NONE;
	for (size_t i = 0, k = 0; i < s->ninstants; i++) {
		/* the runs beginning at i replace their caches' */
		for (; k < s->nruns && s->runs[k].first == i; k++)
			cur[stats_run_slot(s, &s->runs[k])] = (uint32_t)k;
		for (size_t c = 0; c < nslots; c++) {
			const struct sim_mem_run *r = cur[c] == SIM_SERIES_NONE ? NULL : &s->runs[cur[c]];

			if (!r)
				continue;
			out[rows].t_ns = s->instant_t[i];
			out[rows].cache = r->cache;
			memcpy(out[rows].g, r->g, sizeof(r->g));
			rows++;
		}
	}
	free(cur);
	*n = rows;
	return out;
}

uint64_t sim_stats_counter_total(const struct sim_stats *s, enum sim_counter c)
{
	uint64_t n = 0;

	for (unsigned cpu = 0; cpu < s->ncpus; cpu++)
		n += s->counter_cpu[(size_t)cpu * SIM_CNT_COUNT + c];
	return n;
}

void sim_stats_lock_total(const struct sim_stats *s, unsigned cls, struct sim_lock_stat *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned cpu = 0; cpu < s->ncpus; cpu++) {
		const struct sim_lock_stat *l = &s->lock_cpu[(size_t)cpu * SIM_LOCK_CLASS_COUNT + cls];

		out->acquired += l->acquired;
		out->contended += l->contended;
		out->wait_cycles += l->wait_cycles;
		out->hold_cycles += l->hold_cycles;
		out->try_fail += l->try_fail;
	}
}

void sim_stats_touch_fold(struct sim_stats *s)
{
	for (size_t i = 0; i < (size_t)s->ncpus * SIM_ORIGIN_COUNT; i++)
		sim_touch_fold(&s->touch_cpu[i]);
	for (size_t i = 0; i < (size_t)s->ncaches * SIM_ORIGIN_COUNT; i++)
		sim_touch_fold(&s->touch_cache[i]);
}

void sim_stats_touch_total(const struct sim_stats *s, unsigned origin, struct sim_touch_stat *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned cpu = 0; cpu < s->ncpus; cpu++) {
		const struct sim_touch_stat *t = &s->touch_cpu[(size_t)cpu * SIM_ORIGIN_COUNT + origin];

		out->reads += t->reads;
		out->writes += t->writes;
		out->atomics += t->atomics;
		out->hits += t->hits;
		out->upgrades += t->upgrades;
		out->mem_local += t->mem_local;
		out->mem_remote += t->mem_remote;
		out->xfer_local += t->xfer_local;
		out->xfer_remote += t->xfer_remote;
		out->invalidations += t->invalidations;
		out->cas_retries += t->cas_retries;
	}
}

double sim_stats_latency_quantile(const struct sim_stats *s, enum sim_lat_kind k, double q)
{
	const gsl_histogram *h = s->lat[k];
	double total = gsl_histogram_sum(h), acc = 0.0;

	if (total <= 0.0)
		return 0.0;
	for (size_t i = 0; i < gsl_histogram_bins(h); i++) {
		double lo, hi;

		acc += gsl_histogram_get(h, i);
		if (acc >= q * total) {
			gsl_histogram_get_range(h, i, &lo, &hi);
			return SIM_MIN(hi, (double)s->lat_max[k]);
		}
	}
	return (double)s->lat_max[k];
}

double sim_stats_latency_mean(const struct sim_stats *s, enum sim_lat_kind k)
{
	return s->lat_n[k] ? (double)s->lat_sum[k] / (double)s->lat_n[k] : 0.0;
}

void sim_stats_restart(struct sim_stats *s)
{
	size_t nc = s->ncpus, nk = s->ncaches;

	memset(s->counter_cpu, 0, nc * SIM_CNT_COUNT * sizeof(uint64_t));
	memset(s->counter_cache, 0, nk * SIM_CNT_COUNT * sizeof(uint64_t));
	memset(s->lock_cpu, 0, nc * SIM_LOCK_CLASS_COUNT * sizeof(*s->lock_cpu));
	memset(s->lock_cache, 0, nk * SIM_LOCK_CLASS_COUNT * sizeof(*s->lock_cache));
	memset(s->touch_cpu, 0, nc * SIM_ORIGIN_COUNT * sizeof(*s->touch_cpu));
	memset(s->touch_cache, 0, nk * SIM_ORIGIN_COUNT * sizeof(*s->touch_cache));
	memset(s->op_cycles_cache, 0, nk * SIM_LAT_COUNT * sizeof(uint64_t));
	memset(s->op_count_cache, 0, nk * SIM_LAT_COUNT * sizeof(uint64_t));
	for (size_t i = 0; i < (nk + 1) * SIM_GAUGE_COUNT; i++)
		s->gauge[i].peak = s->gauge[i].cur;
	for (int k = 0; k < SIM_LAT_COUNT; k++) {
		gsl_histogram_reset(s->lat[k]);
		s->lat_sum[k] = s->lat_n[k] = s->lat_max[k] = 0;
	}
	s->nruns = 0;
	s->ninstants = 0;
	for (unsigned c = 0; c <= s->ncaches; c++)
		s->series_run[c] = SIM_SERIES_NONE;
	s->samples_thinned = 0;
	s->stall_cycles = 0;
	s->timer_runs = 0;
}
