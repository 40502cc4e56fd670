/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate.c - the real allocator against the model (see validate.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/validate.h"
#include "policies/registry.h"
#include "policies/slub.h"
#include "sim/replay.h"
#include "sim/stats.h"
#include "sim/xalloc.h"
#include "traces/initstate.h"

#define NO_GROUP UINT32_MAX
#define SUMMARY_MIN_ALLOCS 100		/* caches with fewer allocations are left out of the per-cache score */
#define SUMMARY_TOLERANCE 0.25		/* "agrees": within 25% */

const char *const validation_fig_name[VALIDATION_NFIG] = {
	"allocs", "slabs_used", "slabs_new", "slabs_freed", "slabs_start", "slabs_peak", "slabs_shared", "switches",
};

uint64_t validation_fig(const struct slabuse_fig *f, unsigned i)
{
	const uint64_t v[VALIDATION_NFIG] = {
		f->allocs, f->slabs_used, f->slabs_new, f->slabs_freed, f->slabs_start, f->slabs_peak,
		f->slabs_shared, f->switches,
	};

	return i < VALIDATION_NFIG ? v[i] : 0;
}

static void validation_fig_add(struct slabuse_fig *t, const struct slabuse_fig *f)
{
	t->allocs += f->allocs;
	t->slabs_used += f->slabs_used;
	t->slabs_new += f->slabs_new;
	t->slabs_freed += f->slabs_freed;
	t->slabs_start += f->slabs_start;
	t->slabs_peak += f->slabs_peak;
	t->slabs_shared += f->slabs_shared;
	t->switches += f->switches;
}

/* --- the replay ------------------------------------------------------------ */

struct validation_hook {
	struct slabuse u;
	const uint32_t *group_of;
	const unsigned *order;		/* [cache]: slab order in the replay */
};

static void validation_on_alloc(void *arg, const struct sim_event *e, unsigned cpu, sim_addr_t obj, bool recorded)
{
	struct validation_hook *h = arg;

	/* the warm-start prefix is the warm-up, which ends before any trace event starts */
	if (!recorded || h->group_of[e->cache] == NO_GROUP)
		return;
	slabuse_alloc(&h->u, h->group_of[e->cache], cpu, obj >> (SIM_PAGE_SHIFT + h->order[e->cache]));
}

/* A slab's pages went back: its identity may come back as another slab. */
static void validation_on_page_free(void *arg, sim_addr_t addr, unsigned order)
{
	struct validation_hook *h = arg;

	slabuse_forget(&h->u, addr >> (SIM_PAGE_SHIFT + order));
}

static unsigned validation_log2(uint32_t pages)
{
	unsigned order = 0;

	while ((1u << order) < pages)
		order++;
	return order;
}

/* Each cache's slab order: the snapshot's, else what slub's "auto" picks. */
static unsigned *validation_orders(struct sim_workload *w, const struct slabinfo_snap *before,
				   const struct slabinfo_snap *after)
{
	size_t n = strtab_count(&w->caches);
	unsigned *order = xmalloc((n + 1) * sizeof(*order));

	free(w->cache_order);
	w->cache_order = xmalloc(n + 1);
	for (size_t c = 0; c < n; c++) {
		const char *name = strtab_get(&w->caches, (uint32_t)c);
		const struct slabinfo_cache *s = slabinfo_find(before, name);
		uint32_t size = w->cache_size[c] > 8 ? w->cache_size[c] : 8;

		if (!s && after)
			s = slabinfo_find(after, name);
		w->cache_order[c] = s ? (uint8_t)validation_log2(s->pagesperslab) : SIM_ORDER_UNKNOWN;
		order[c] = s ? w->cache_order[c] : slub_default_order(size, w->ncpus ? w->ncpus : 1);
		while (((uint64_t)SIM_PAGE_BYTES << order[c]) < size)
			order[c]++;
	}
	return order;
}

static void validation_config(const struct sim_workload *w, uint64_t seed, uint64_t warmup,
			      const struct sim_param_values *pv, struct sim_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	sim_machine_config_defaults(&cfg->mach);
	cfg->mach.ncpus = w->ncpus ? w->ncpus : 1;
	cfg->mach.seed = seed;
	cfg->mach.warmup_events = warmup;
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", slub_policy.name);
	cfg->nparams = slub_policy.nparams;
	for (unsigned i = 0; i < slub_policy.nparams; i++) {
		snprintf(cfg->param_name[i], sizeof(cfg->param_name[i]), "%s", slub_policy.params[i].name);
		cfg->param_value[i] = pv->v[i];
		cfg->param_auto[i] = pv->is_auto[i];
	}
}

/* The slab events and gauges of slub, summed per group. */
static void validation_sim_slabs(struct validation *v, struct sim_stats *st, size_t ncaches)
{
	for (size_t c = 0; c < ncaches && c < st->ntrace_caches; c++) {
		uint32_t g = v->real.group_of[c];
		const uint64_t *cnt;
		const struct sim_gauge *ga;
		struct slabuse_fig *f;

		if (g == NO_GROUP)
			continue;
		f = &v->sim[g];
		cnt = sim_stats_counter_cache(st, (unsigned)c);
		ga = &sim_stats_gauge(st, (unsigned)c)[SIM_GAUGE_slabs];
		f->slabs_new += cnt[SIM_CNT_alloc_slab];
		f->slabs_freed += cnt[SIM_CNT_free_slab];
		f->slabs_start += (uint64_t)(ga->cur - (int64_t)cnt[SIM_CNT_alloc_slab] + (int64_t)cnt[SIM_CNT_free_slab]);
		f->slabs_peak += (uint64_t)ga->peak;
	}
}

static int validation_replay(struct validation *v, struct sim_source *src, uint64_t warmup, const unsigned *order,
			     char *err, size_t errlen)
{
	const struct sim_workload *w = src->w;
	struct validation_hook h = { .group_of = v->real.group_of, .order = order };
	struct sim_replay_opts ro = { .on_alloc = validation_on_alloc, .on_page_free = validation_on_page_free,
				      .on_alloc_arg = &h };
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_stats *st = NULL;
	char perr[256];
	int rc;

	policy_params_default(&slub_policy, &pv);
	if (policy_params_apply(&slub_policy, &pv, "mode=classic", perr, sizeof(perr))) {
		snprintf(err, errlen, "slub: %s", perr);
		return -EINVAL;
	}
	validation_config(w, v->seed, warmup, &pv, &cfg);
	v->cpus = cfg.mach.ncpus;
	snprintf(v->policy, sizeof(v->policy), "slub mode=classic cpu_partial=auto min_partial=auto "
		 "order=snapshot cpus=%u", v->cpus);
	slabuse_init(&h.u, (unsigned)v->real.ngroups, v->cpus);
	rc = sim_replay_source(src, &cfg, &slub_policy, &pv, &ro, &st, err, errlen);
	if (!rc) {
		size_t ng = v->real.ngroups;

		for (size_t g = 0; g < ng; g++) {
			v->sim[g].allocs = h.u.fig[g].allocs;
			v->sim[g].slabs_used = h.u.fig[g].slabs_used;
			v->sim[g].slabs_shared = h.u.fig[g].slabs_shared;
			v->sim[g].switches = h.u.fig[g].switches;
		}
		validation_sim_slabs(v, st, strtab_count(&w->caches));
		memset(&v->sim_total, 0, sizeof(v->sim_total));
		for (size_t g = 0; g < ng; g++)
			validation_fig_add(&v->sim_total, &v->sim[g]);
		v->sim_total.slabs_peak = (uint64_t)sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slabs].peak;
		memcpy(v->sim_cpu_switches, h.u.cpu_switches,
		       SIM_MIN(v->cpus, v->real.ncpus) * sizeof(*v->sim_cpu_switches));
	}
	sim_stats_destroy(st);
	slabuse_fini(&h.u);
	return rc;
}

/* --- the summary ----------------------------------------------------------- */

/* "0.97", or "0/0", or "5/0" where there is no ratio. */
static const char *validation_ratio(char *buf, size_t len, uint64_t sim, uint64_t real)
{
	if (real)
		snprintf(buf, len, "%.2f", (double)sim / (double)real);
	else
		snprintf(buf, len, "%" PRIu64 "/0", sim);
	return buf;
}

static bool validation_close(uint64_t sim, uint64_t real)
{
	double d = (double)sim - (double)real;

	return (d < 0 ? -d : d) <= SUMMARY_TOLERANCE * (double)(real ? real : 1);
}

static void validation_summarise(struct validation *v)
{
	const struct slabuse_fig *r = &v->real.total, *s = &v->sim_total;
	unsigned n = 0, used = 0, sw = 0, nw = 0, nhidden = 0;
	uint64_t sw_real = 0, sw_sim = 0;
	char q[6][32];
	size_t len;

	/* the switches of the caches whose every allocation the trace saw */
	for (size_t g = 0; g < v->real.ngroups; g++) {
		if (v->real.g[g].untraced_allocs) {
			nhidden++;
			continue;
		}
		sw_real += v->real.g[g].fig.switches;
		sw_sim += v->sim[g].switches;
	}
	for (size_t g = 0; g < v->real.ngroups; g++) {
		if (v->real.g[g].fig.allocs < SUMMARY_MIN_ALLOCS)
			continue;
		n++;
		used += validation_close(v->sim[g].slabs_used, v->real.g[g].fig.slabs_used);
		sw += validation_close(v->sim[g].switches, v->real.g[g].fig.switches);
		nw += validation_close(v->sim[g].slabs_new, v->real.g[g].fig.slabs_new);
	}
	snprintf(v->summary, sizeof(v->summary),
		 "sim/real in total: slabs used %s, new %s, freed %s, peak %s, shared %s, switches %s; "
		 "within %.0f%% in %u caches with >= %u allocations: slabs used %u, new %u, switches %u",
		 validation_ratio(q[0], sizeof(q[0]), s->slabs_used, r->slabs_used),
		 validation_ratio(q[1], sizeof(q[1]), s->slabs_new, r->slabs_new),
		 validation_ratio(q[2], sizeof(q[2]), s->slabs_freed, r->slabs_freed),
		 validation_ratio(q[3], sizeof(q[3]), s->slabs_peak, r->slabs_peak),
		 validation_ratio(q[4], sizeof(q[4]), s->slabs_shared, r->slabs_shared),
		 validation_ratio(q[5], sizeof(q[5]), s->switches, r->switches),
		 SUMMARY_TOLERANCE * 100, n, SUMMARY_MIN_ALLOCS, used, nw, sw);
	len = strlen(v->summary);
	if (nhidden)
		snprintf(v->summary + len, sizeof(v->summary) - len,
			 "; switches without the %u caches with untraced allocations %s", nhidden,
			 validation_ratio(q[0], sizeof(q[0]), sw_sim, sw_real));
}

/* The simulated side: a pass of the trace, warm-started with at least the free objects the capture shows. */
static int validation_sim(struct validation *v, struct sim_passes *p, struct sim_workload *w, const char *slabinfo,
			  const unsigned *order, char *err, size_t errlen)
{
	struct trace_initstate_source *is;
	struct sim_source *src = p->open(p, err, errlen);
	int rc;

	if (!src)
		return -EIO;
	is = trace_initstate_source_open(src, w, slabinfo, v->seed, v->real.free_at_start, err, errlen);
	if (!is) {
		p->close(p);
		return -EINVAL;
	}
	rc = validation_replay(v, trace_initstate_source_get(is), trace_initstate_source_result(is)->prefix_events,
			       order, err, errlen);
	trace_initstate_source_close(is);
	p->close(p);
	return rc;
}

int validation_compute_passes(struct sim_passes *p, struct sim_workload *w, const char *slabinfo, uint64_t seed,
			      struct validation *v, char *err, size_t errlen)
{
	struct slabinfo_file sf;
	unsigned *order = NULL;
	int rc;

	memset(v, 0, sizeof(*v));
	v->seed = seed;
	rc = slabinfo_read_file(slabinfo, &sf, err, errlen);
	if (rc)
		return rc;
	rc = realslab_compute_passes(p, &sf.snap[0], sf.nsnap > 1 ? &sf.snap[sf.nsnap - 1] : NULL, &v->real, err,
				     errlen);
	if (!rc) {
		v->sim = xcalloc(v->real.ngroups + 1, sizeof(*v->sim));
		v->sim_cpu_switches = xcalloc(v->real.ncpus, sizeof(*v->sim_cpu_switches));
		order = validation_orders(w, &sf.snap[0], sf.nsnap > 1 ? &sf.snap[sf.nsnap - 1] : NULL);
		rc = validation_sim(v, p, w, slabinfo, order, err, errlen);
	}
	if (!rc)
		validation_summarise(v);
	free(order);
	slabinfo_file_fini(&sf);
	return rc;
}

int validation_compute(struct sim_workload *w, const char *slabinfo, uint64_t seed, struct validation *v,
		       char *err, size_t errlen)
{
	struct sim_passes_mem pm;

	sim_passes_mem_init(&pm, w);
	return validation_compute_passes(&pm.p, w, slabinfo, seed, v, err, errlen);
}

void validation_fini(struct validation *v)
{
	realslab_fini(&v->real);
	free(v->sim);
	free(v->sim_cpu_switches);
	memset(v, 0, sizeof(*v));
}
