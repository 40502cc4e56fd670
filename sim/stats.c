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
	free(s->samples);
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

static void stats_sample_push(struct sim_stats *s, uint64_t t_ns, int32_t cache, const struct sim_gauge *row)
{
	struct sim_mem_sample *m;

	xgrow((void **)&s->samples, &s->samples_cap, s->nsamples + 1, sizeof(*s->samples));
	m = &s->samples[s->nsamples++];
	memset(m, 0, sizeof(*m));	/* no stray padding bytes: samples compare with memcmp */
	m->t_ns = t_ns;
	m->cache = cache;
	for (int g = 0; g < SIM_GAUGE_COUNT; g++)
		m->g[g] = row[g].cur;
}

void sim_stats_sample(struct sim_stats *s, uint64_t t_ns)
{
	for (unsigned c = 0; c < s->ncaches; c++) {
		const struct sim_gauge *row = sim_stats_gauge(s, c);

		if (row[SIM_GAUGE_slab_bytes].peak || row[SIM_GAUGE_large_bytes].peak)
			stats_sample_push(s, t_ns, (int32_t)c, row);
	}
	stats_sample_push(s, t_ns, -1, sim_stats_gauge(s, s->ncaches));
	s->ninstants++;
}

void sim_stats_sample_thin(struct sim_stats *s)
{
	size_t instant = 0, kept = 0;

	for (size_t i = 0; i < s->nsamples; i++) {
		if (!(instant % 2))
			s->samples[kept++] = s->samples[i];
		if (s->samples[i].cache == -1)
			instant++;
	}
	s->nsamples = kept;
	s->ninstants = (s->ninstants + 1) / 2;
	s->samples_thinned++;
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
	s->nsamples = 0;
	s->ninstants = 0;
	s->samples_thinned = 0;
	s->stall_cycles = 0;
	s->timer_runs = 0;
}
