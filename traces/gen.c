/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen.c - synthetic allocation traces (see gen.h).
 *
 * Notes:
 * - Every kind first draws objects (allocation time and cpu, lifetime,
 *   freeing cpu and context, cache) from one mt19937 stream in a fixed
 *   order, then turns them into ALLOC and FREE events sorted by (time,
 *   draw order) and runs the pairing pass over them.  Pointers are
 *   synthetic and never reused, so every FREE pairs with its ALLOC.
 * - Arrivals are Poisson processes (exponential gaps, gsl_ran_exponential);
 *   lifetimes are lognormal (gsl_ran_lognormal) or exponential; batch and
 *   process sizes are Poisson (gsl_ran_poisson); the fork/exec mix draws
 *   caches from a Zipf law through a discrete table (gsl_ran_discrete).
 * - Times are drawn in ns as doubles and rounded once, when an object is
 *   recorded: exact to the ns for traces shorter than 104 days.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/xalloc.h"
#include "traces/gen.h"
#include "traces/resolve.h"

#define GEN_PTR_BASE 0xffff888100000000ull	/* a direct-map-looking address */
#define GEN_MAX_OBJECTS 50000000.0		/* 100 M events: a few GB of memory */
#define GEN_LN_1000 6.907755278982137		/* ln(1000): lognormal in us -> ns */
#define GEN_MAX_T_NS 4e18			/* 127 years: t_ns stays far from UINT64_MAX */

/* ---- parameter tables --------------------------------------------------------- */

#define P_INT(n, d, lo, hi, u, m) { .name = n, .type = TRACE_GEN_INT, .def = d, .min = lo, .max = hi, .unit = u, .meaning = m }
#define P_REAL(n, d, lo, hi, u, m) { .name = n, .type = TRACE_GEN_REAL, .def = d, .min = lo, .max = hi, .unit = u, .meaning = m }
#define P_NAME(n, d, m) { .name = n, .type = TRACE_GEN_NAME, .def_name = d, .unit = "", .meaning = m }
#define P_CACHE(d, sz) \
	P_NAME("cache", d, "name of the cache the objects come from"), \
	P_INT("size", sz, 8, 4194304, "bytes", "object size of the cache (bytes_alloc of every ALLOC)"), \
	P_INT("req", 0, 0, 4194304, "bytes", "bytes requested (bytes_req); 0: the object size; at most size")

const struct trace_gen_param trace_gen_common_params[] = {
	P_INT("cpus", 4, 1, 1024, "", "CPUs of the trace: cpus 0 .. cpus-1"),
	P_INT("objects", 100000, 1, GEN_MAX_OBJECTS, "",
	      "objects allocated; each is freed once, so the trace has 2 x objects events"),
	P_INT("seed", 1, 1, 4294967295.0, "", "seed of the gsl_rng_mt19937 generator (32 bits)"),
};
const unsigned trace_gen_ncommon_params = SIM_ARRAY_SIZE(trace_gen_common_params);

static const char *const gen_lifetime_choices[] = { "lognormal", "exponential", NULL };

static const struct trace_gen_param gen_steady_params[] = {
	P_REAL("rate", 100000, 1e-3, 1e9, "per s", "allocations per second per CPU (Poisson arrivals)"),
	{ .name = "lifetime", .type = TRACE_GEN_CHOICE, .def = 0, .choices = gen_lifetime_choices, .unit = "",
	  .meaning = "lifetime distribution: lognormal (mu, sigma) or exponential (mean_us)" },
	P_REAL("mu", 5.0, -20, 30, "", "lognormal: mean of ln(lifetime in us); the median is e^mu us"),
	P_REAL("sigma", 1.0, 0.01, 10, "", "lognormal: standard deviation of ln(lifetime in us)"),
	P_REAL("mean_us", 50, 1e-3, 1e9, "us", "exponential: mean lifetime"),
	P_REAL("remote", 0, 0, 1, "", "fraction of objects freed on another CPU (uniform among the others)"),
	P_CACHE("gen-steady", 256),
};

static const struct trace_gen_param gen_burst_params[] = {
	P_REAL("batch", 64, 1, 1e6, "", "mean objects per burst (Poisson, at least 1)"),
	P_REAL("gap_us", 200, 1e-3, 1e9, "us", "mean pause between two bursts of one receiving CPU (exponential)"),
	P_REAL("spacing_ns", 100, 0, 1e9, "ns", "time between two allocations of one burst"),
	P_INT("rx_cpus", 1, 1, 1024, "", "receiving CPUs: cpus 0 .. rx_cpus-1 take the bursts in turn"),
	P_REAL("lifetime_us", 50, 1e-3, 1e9, "us", "mean time from allocation to free (exponential)"),
	P_CACHE("skbuff_head_cache", 256),
};

static const struct trace_gen_param gen_prodcons_params[] = {
	P_REAL("rate", 100000, 1e-3, 1e9, "per s", "allocations per second per producer CPU (Poisson)"),
	P_INT("producers", 0, 0, 1024, "", "producer CPUs: cpus 0 .. producers-1 allocate; 0: every CPU"),
	P_REAL("remote", 0.5, 0, 1, "", "fraction of objects freed by a consumer on another CPU than the producer"),
	P_REAL("lifetime_us", 20, 1e-3, 1e9, "us", "mean time an object waits for its consumer (exponential)"),
	P_CACHE("gen-prodcons", 512),
};

static const struct trace_gen_param gen_forkexec_params[] = {
	P_INT("caches", 8, 1, 16, "", "caches in the mix: the first N of the fork/exec table"),
	P_REAL("zipf_s", 1.1, 0, 10, "", "Zipf exponent: the cache of rank i is drawn with weight 1/i^s"),
	P_REAL("fork_rate", 1000, 1e-3, 1e7, "per s", "processes started per second per CPU (Poisson)"),
	P_REAL("objs_per_proc", 40, 1, 1e6, "", "mean objects a process allocates (Poisson, at least 1)"),
	P_REAL("proc_mu", 6.2, -20, 30, "", "mean of ln(process lifetime in us) (lognormal; e^6.2 = 493 us)"),
	P_REAL("proc_sigma", 1.0, 0.01, 10, "", "standard deviation of ln(process lifetime in us)"),
	P_REAL("migrate", 0.03, 0, 1, "", "fraction of processes that exit, and free their objects, on another CPU"),
	P_REAL("free_spacing_ns", 100, 0, 1e9, "ns", "time between two frees of one exiting process"),
};

static const struct trace_gen_param gen_objpool_params[] = {
	P_REAL("rate", 1e6, 1e-3, 1e9, "per s", "pops (allocations) per second per CPU (Poisson)"),
	P_REAL("hold_ns", 500, 0, 1e12, "ns", "mean time an object is held before its push (exponential)"),
	P_REAL("remote", 0.01, 0, 1, "", "fraction of pushes (frees) made by another CPU"),
	P_CACHE("objpool", 64),
};

static const struct trace_gen_kind gen_steady = {
	.name = "steady",
	.summary = "steady state: Poisson arrivals, lognormal or exponential lifetimes",
	.description =
		"Every CPU allocates at `rate' per second (a Poisson process); each\n"
		"object lives a lognormal time (ln of it in us ~ N(mu, sigma): mean\n"
		"e^(mu + sigma^2/2) us) or an exponential one (mean mean_us), and is\n"
		"freed on its allocating CPU, or with probability `remote' on another.\n"
		"The number of live objects settles near rate x cpus x mean lifetime.",
	.params = gen_steady_params,
	.nparams = SIM_ARRAY_SIZE(gen_steady_params),
};

static const struct trace_gen_kind gen_burst = {
	.name = "burst",
	.summary = "NAPI-like bursts: batches allocated in softirq on one CPU, freed on others",
	.description =
		"Receiving CPUs (cpus 0 .. rx_cpus-1, in turn) allocate batches of\n"
		"Poisson(batch) objects `spacing_ns' apart in softirq context, with\n"
		"exponential pauses (mean gap_us) between the bursts of one CPU, as\n"
		"a network driver's NAPI poll allocates sk_buffs.  Every object is\n"
		"freed in task context on another CPU than the one that allocated\n"
		"it (uniform among the others) after an exponential time (mean\n"
		"lifetime_us): the pattern that makes remote frees the common case.",
	.params = gen_burst_params,
	.nparams = SIM_ARRAY_SIZE(gen_burst_params),
};

static const struct trace_gen_kind gen_prodcons = {
	.name = "prodcons",
	.summary = "producer-consumer with a given remote-free fraction",
	.description =
		"Producer CPUs allocate at `rate' per second each (Poisson); each\n"
		"object is consumed after an exponential wait (mean lifetime_us) by\n"
		"a consumer that runs on another CPU with probability `remote'\n"
		"(uniform among the others) and on the producer otherwise.  The\n"
		"fraction of cross-CPU frees is binomial around `remote'.",
	.params = gen_prodcons_params,
	.nparams = SIM_ARRAY_SIZE(gen_prodcons_params),
};

static const struct trace_gen_kind gen_forkexec = {
	.name = "forkexec",
	.summary = "fork/exec-like mix of caches with Zipf popularity and per-cache sizes",
	.description =
		"Processes start on a random CPU at fork_rate per second per CPU\n"
		"(Poisson), live a lognormal time (proc_mu, proc_sigma) and allocate\n"
		"Poisson(objs_per_proc) objects at uniform times during their life.\n"
		"Each object's cache is drawn from the first `caches' rows of the\n"
		"table below with Zipf weights 1/rank^zipf_s, so rank 1 is the most\n"
		"popular.  At exit a process frees all its objects, free_spacing_ns\n"
		"apart, on the CPU it exits on: its own, or with probability\n"
		"`migrate' another one.  Sizes are those of Linux 6.1 (x86-64) as\n"
		"seen in traces/samples/fork_exec.trace.xz (bytes_req/bytes_alloc):\n"
		"   1 vm_area_struct 152/152    9 kmalloc-cg-16 16/16\n"
		"   2 anon_vma_chain 64/64     10 mm_struct 1104/1152\n"
		"   3 maple_node 256/256       11 filp 256/256\n"
		"   4 anon_vma 96/104          12 dentry 192/192\n"
		"   5 names_cache 4096/4096    13 proc_inode_cache 704/712\n"
		"   6 kmalloc-4k 4096/4096     14 sighand_cache 2080/2112\n"
		"   7 kmalloc-512 356/512      15 task_struct 8392/8448\n"
		"   8 cred_jar 184/192         16 pid 128/128",
	.params = gen_forkexec_params,
	.nparams = SIM_ARRAY_SIZE(gen_forkexec_params),
};

static const struct trace_gen_kind gen_objpool = {
	.name = "objpool",
	.summary = "objpool-style pop/push loop: each CPU allocates and frees on itself",
	.description =
		"Every CPU pops (allocates) at `rate' per second (Poisson) and pushes\n"
		"the object back (frees it) after an exponential hold (mean hold_ns)\n"
		"on itself; with probability `remote' the push comes from another\n"
		"CPU, as kretprobe instances of lib/objpool.c are occasionally\n"
		"returned elsewhere.  Short lifetimes, almost no sharing.",
	.params = gen_objpool_params,
	.nparams = SIM_ARRAY_SIZE(gen_objpool_params),
};

const struct trace_gen_kind *const trace_gen_kinds[] = {
	&gen_steady, &gen_burst, &gen_prodcons, &gen_forkexec, &gen_objpool, NULL,
};

/* The fork/exec table: rank order, Linux 6.1 sizes from the bundled capture. */
static const struct gen_fe_cache {
	const char *name;
	uint32_t req, size;
	bool kmalloc;
} gen_fe_caches[16] = {
	{ "vm_area_struct", 152, 152, false }, { "anon_vma_chain", 64, 64, false },
	{ "maple_node", 256, 256, false }, { "anon_vma", 96, 104, false },
	{ "names_cache", 4096, 4096, false }, { "kmalloc-4k", 4096, 4096, true },
	{ "kmalloc-512", 356, 512, true }, { "cred_jar", 184, 192, false },
	{ "kmalloc-cg-16", 16, 16, true }, { "mm_struct", 1104, 1152, false },
	{ "filp", 256, 256, false }, { "dentry", 192, 192, false },
	{ "proc_inode_cache", 704, 712, false }, { "sighand_cache", 2080, 2112, false },
	{ "task_struct", 8392, 8448, false }, { "pid", 128, 128, false },
};

/* ---- configuration -------------------------------------------------------------- */

const struct trace_gen_kind *trace_gen_kind_find(const char *name)
{
	for (const struct trace_gen_kind *const *k = trace_gen_kinds; *k; k++)
		if (!strcmp((*k)->name, name))
			return *k;
	return NULL;
}

unsigned trace_gen_config_nparams(const struct trace_gen_config *c)
{
	return trace_gen_ncommon_params + c->kind->nparams;
}

const struct trace_gen_param *trace_gen_config_param(const struct trace_gen_config *c, unsigned i)
{
	if (i < trace_gen_ncommon_params)
		return &trace_gen_common_params[i];
	return &c->kind->params[i - trace_gen_ncommon_params];
}

void trace_gen_config_init(struct trace_gen_config *c, const struct trace_gen_kind *k)
{
	memset(c, 0, sizeof(*c));
	c->kind = k;
	sim_assert(trace_gen_config_nparams(c) <= TRACE_GEN_MAX_PARAMS);
	for (unsigned i = 0; i < trace_gen_config_nparams(c); i++) {
		const struct trace_gen_param *p = trace_gen_config_param(c, i);

		c->v[i] = p->def;
		if (p->type == TRACE_GEN_NAME)
			snprintf(c->name[i], sizeof(c->name[i]), "%s", p->def_name);
	}
}

static int gen_param_index(const struct trace_gen_config *c, const char *name)
{
	for (unsigned i = 0; i < trace_gen_config_nparams(c); i++)
		if (!strcmp(trace_gen_config_param(c, i)->name, name))
			return (int)i;
	return -1;
}

double trace_gen_config_get(const struct trace_gen_config *c, const char *name)
{
	int i = gen_param_index(c, name);

	sim_assert(i >= 0);
	return c->v[i];
}

static const char *gen_name_get(const struct trace_gen_config *c, const char *name)
{
	int i = gen_param_index(c, name);

	sim_assert(i >= 0);
	return c->name[i];
}

static bool gen_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= TRACE_GEN_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_-.:", s[i])))
			return false;
	return true;
}

static int gen_set_number(const struct trace_gen_param *p, const char *value, double *out,
			  char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (errno || end == value || *end || !isfinite(v) || (p->type == TRACE_GEN_INT && v != floor(v))) {
		snprintf(err, errlen, "%s=%s: expected %s", p->name, value,
			 p->type == TRACE_GEN_INT ? "a whole number" : "a number");
		return -EINVAL;
	}
	if (v < p->min || v > p->max) {
		snprintf(err, errlen, "%s=%s: out of range [%.15g, %.15g]", p->name, value, p->min, p->max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int gen_set_choice(const struct trace_gen_param *p, const char *value, double *out,
			  char *err, size_t errlen)
{
	size_t o = 0;

	for (unsigned i = 0; p->choices[i]; i++)
		if (!strcmp(p->choices[i], value)) {
			*out = i;
			return 0;
		}
	o += (size_t)snprintf(err, errlen, "%s=%s: expected one of", p->name, value);
	for (unsigned i = 0; p->choices[i] && o < errlen; i++)
		o += (size_t)snprintf(err + o, errlen - o, " %s", p->choices[i]);
	return -EINVAL;
}

int trace_gen_config_set(struct trace_gen_config *c, const char *name, const char *value,
			 char *err, size_t errlen)
{
	int i = gen_param_index(c, name);
	const struct trace_gen_param *p;

	if (i < 0) {
		snprintf(err, errlen, "generator '%s' has no parameter '%s'", c->kind->name, name);
		return -ENOENT;
	}
	p = trace_gen_config_param(c, (unsigned)i);
	switch (p->type) {
	case TRACE_GEN_CHOICE:
		return gen_set_choice(p, value, &c->v[i], err, errlen);
	case TRACE_GEN_NAME:
		if (!gen_name_is_valid(value)) {
			snprintf(err, errlen, "%s=%s: expected a name of 1 to %d letters, digits, '_', '-', '.' or ':'",
				 name, value, TRACE_GEN_NAME_MAX - 1);
			return -EINVAL;
		}
		snprintf(c->name[i], sizeof(c->name[i]), "%s", value);
		return 0;
	default:
		return gen_set_number(p, value, &c->v[i], err, errlen);
	}
}

int trace_gen_config_set_arg(struct trace_gen_config *c, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[64];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errlen, "'%s': expected name=value", arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	return trace_gen_config_set(c, name, eq + 1, err, errlen);
}

void trace_gen_config_value_text(const struct trace_gen_config *c, unsigned i, char *buf, size_t n)
{
	const struct trace_gen_param *p = trace_gen_config_param(c, i);

	switch (p->type) {
	case TRACE_GEN_CHOICE:
		snprintf(buf, n, "%s", p->choices[(unsigned)c->v[i]]);
		return;
	case TRACE_GEN_NAME:
		snprintf(buf, n, "%s", c->name[i]);
		return;
	case TRACE_GEN_INT:
		snprintf(buf, n, "%.0f", c->v[i]);
		return;
	default:
		if (c->v[i] == floor(c->v[i]) && fabs(c->v[i]) < 1e15) {
			snprintf(buf, n, "%.0f", c->v[i]);
			return;
		}
		/* the shortest text that reads back to the same double */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, n, "%.*g", prec, c->v[i]);
			if (strtod(buf, NULL) == c->v[i])
				return;
		}
	}
}

int trace_gen_config_describe(const struct trace_gen_config *c, char *buf, size_t n)
{
	size_t o = (size_t)snprintf(buf, n, "gen %s", c->kind->name);

	for (unsigned i = 0; i < trace_gen_config_nparams(c) && o < n; i++) {
		char v[64];

		trace_gen_config_value_text(c, i, v, sizeof(v));
		o += (size_t)snprintf(buf + o, n - o, " %s=%s", trace_gen_config_param(c, i)->name, v);
	}
	return o < n ? (int)o : -ENAMETOOLONG;
}

int trace_gen_config_parse(struct trace_gen_config *c, const char *text, char *err, size_t errlen)
{
	char *copy = xstrdup(text), *save = NULL;
	char *tok = strtok_r(copy, " ", &save);
	const struct trace_gen_kind *k = NULL;
	int ret = 0;

	if (!tok || strcmp(tok, "gen") || !(tok = strtok_r(NULL, " ", &save)) || !(k = trace_gen_kind_find(tok))) {
		snprintf(err, errlen, "'%s': not a generator description (\"gen KIND name=value ...\")", text);
		free(copy);
		return -EINVAL;
	}
	trace_gen_config_init(c, k);
	while (!ret && (tok = strtok_r(NULL, " ", &save)))
		ret = trace_gen_config_set_arg(c, tok, err, errlen);
	free(copy);
	return ret ? -EINVAL : 0;
}

/* A remote-free fraction or probability > 0 needs a second CPU to free on. */
static int gen_check_remote(const struct trace_gen_config *c, const char *name, char *err, size_t errlen)
{
	if (gen_param_index(c, name) < 0 || trace_gen_config_get(c, name) == 0 ||
	    trace_gen_config_get(c, "cpus") >= 2)
		return 0;
	snprintf(err, errlen, "%s=%g needs cpus >= 2 (there is no other CPU to free on); set %s=0 or more cpus",
		 name, trace_gen_config_get(c, name), name);
	return -EINVAL;
}

int trace_gen_config_check(const struct trace_gen_config *c, char *err, size_t errlen)
{
	double cpus = trace_gen_config_get(c, "cpus");

	if (gen_param_index(c, "req") >= 0 && trace_gen_config_get(c, "req") > trace_gen_config_get(c, "size")) {
		snprintf(err, errlen, "req=%.0f is larger than size=%.0f: an object holds at least what was requested",
			 trace_gen_config_get(c, "req"), trace_gen_config_get(c, "size"));
		return -EINVAL;
	}
	if (gen_check_remote(c, "remote", err, errlen) || gen_check_remote(c, "migrate", err, errlen))
		return -EINVAL;
	if (c->kind == &gen_burst && (cpus < 2 || trace_gen_config_get(c, "rx_cpus") > cpus)) {
		snprintf(err, errlen, "burst needs cpus >= 2 and rx_cpus <= cpus (got cpus=%.0f rx_cpus=%.0f): "
			 "its objects are freed on another CPU", cpus, trace_gen_config_get(c, "rx_cpus"));
		return -EINVAL;
	}
	if (c->kind == &gen_prodcons && trace_gen_config_get(c, "producers") > cpus) {
		snprintf(err, errlen, "producers=%.0f is more than cpus=%.0f", trace_gen_config_get(c, "producers"), cpus);
		return -EINVAL;
	}
	return 0;
}

/* ---- drawing objects ------------------------------------------------------------ */

struct gen_obj {
	double t_alloc, t_free;		/* ns */
	uint32_t cache;			/* index into gen.cache */
	uint16_t cpu_alloc, cpu_free;
	uint8_t ctx_alloc, ctx_free;	/* enum sim_ctx */
};

struct gen_cache {
	uint32_t id, site_alloc, site_free;
	uint32_t req, size;
	uint8_t evflags;		/* SIM_EVF_KMALLOC for kmalloc caches */
};

struct gen {
	const struct trace_gen_config *c;
	struct sim_workload *w;
	gsl_rng *r;
	unsigned ncpus;
	size_t want;			/* objects to draw */
	struct gen_obj *obj;
	size_t n;
	struct gen_cache cache[16];
	unsigned ncaches;
	double t_max;			/* latest time drawn (ns) */
	bool too_long;			/* a time drawn beyond GEN_MAX_T_NS, infinite or NaN */
};

static double gen_p(const struct gen *g, const char *name)
{
	return trace_gen_config_get(g->c, name);
}

static unsigned gen_cache_add(struct gen *g, const char *name, uint32_t req, uint32_t size, bool kmalloc)
{
	struct gen_cache *k = &g->cache[g->ncaches];
	char site[TRACE_GEN_NAME_MAX + 32];

	k->id = sim_workload_cache(g->w, name, size, kmalloc ? SIM_CACHEF_KMALLOC : 0);
	snprintf(site, sizeof(site), "gen_alloc_%s", name);
	k->site_alloc = strtab_intern(&g->w->sites, site);
	snprintf(site, sizeof(site), "gen_free_%s", name);
	k->site_free = strtab_intern(&g->w->sites, site);
	k->req = req;
	k->size = size;
	k->evflags = kmalloc ? SIM_EVF_KMALLOC : 0;
	return g->ncaches++;
}

/* The one cache of the single-cache kinds, from cache=, size=, req=. */
static unsigned gen_single_cache(struct gen *g)
{
	uint32_t size = (uint32_t)gen_p(g, "size"), req = (uint32_t)gen_p(g, "req");

	return gen_cache_add(g, gen_name_get(g->c, "cache"), req ? req : size, size, false);
}

/* A uniformly drawn CPU other than cpu (ncpus >= 2). */
static unsigned gen_other_cpu(struct gen *g, unsigned cpu)
{
	return (cpu + 1 + (unsigned)gsl_rng_uniform_int(g->r, g->ncpus - 1)) % g->ncpus;
}

/* cpu, or with probability p another one; draws one uniform either way. */
static unsigned gen_maybe_remote(struct gen *g, unsigned cpu, double p)
{
	bool remote = gsl_rng_uniform(g->r) < p;

	return remote ? gen_other_cpu(g, cpu) : cpu;
}

static void gen_obj_push(struct gen *g, unsigned cache, double t, unsigned cpu, enum sim_ctx ctx,
			 double life_ns, unsigned cpu_free, enum sim_ctx ctx_free)
{
	double t_free = t + (life_ns > 0 ? life_ns : 0);

	if (g->n == g->want)
		return;
	g->too_long |= !(t_free < GEN_MAX_T_NS);
	g->t_max = t_free > g->t_max ? t_free : g->t_max;
	g->obj[g->n++] = (struct gen_obj){
		.t_alloc = t, .t_free = t_free, .cache = cache,
		.cpu_alloc = (uint16_t)cpu, .cpu_free = (uint16_t)cpu_free,
		.ctx_alloc = (uint8_t)ctx, .ctx_free = (uint8_t)ctx_free,
	};
}

/* ---- the kinds ------------------------------------------------------------------ */

static void gen_run_steady(struct gen *g)
{
	unsigned k = gen_single_cache(g);
	double gap = 1e9 / (gen_p(g, "rate") * g->ncpus), t = 0;
	double zeta = gen_p(g, "mu") + GEN_LN_1000, sigma = gen_p(g, "sigma");
	double mean = gen_p(g, "mean_us") * 1e3, remote = gen_p(g, "remote");
	bool lognormal = gen_p(g, "lifetime") == 0;

	while (g->n < g->want) {
		t += gsl_ran_exponential(g->r, gap);
		unsigned cpu = (unsigned)gsl_rng_uniform_int(g->r, g->ncpus);
		double life = lognormal ? gsl_ran_lognormal(g->r, zeta, sigma) : gsl_ran_exponential(g->r, mean);

		gen_obj_push(g, k, t, cpu, SIM_CTX_TASK, life, gen_maybe_remote(g, cpu, remote), SIM_CTX_TASK);
	}
}

static void gen_run_burst(struct gen *g)
{
	unsigned k = gen_single_cache(g), rx = (unsigned)gen_p(g, "rx_cpus");
	double gap = gen_p(g, "gap_us") * 1e3, spacing = gen_p(g, "spacing_ns");
	double batch = gen_p(g, "batch"), life = gen_p(g, "lifetime_us") * 1e3;
	double *clock = xcalloc(rx, sizeof(*clock));

	for (uint64_t b = 0; g->n < g->want; b++) {
		unsigned cpu = (unsigned)(b % rx);
		unsigned m = gsl_ran_poisson(g->r, batch);

		m = m ? m : 1;
		clock[cpu] += gsl_ran_exponential(g->r, gap);
		for (unsigned j = 0; j < m; j++)
			gen_obj_push(g, k, clock[cpu] + j * spacing, cpu, SIM_CTX_SOFTIRQ,
				     gsl_ran_exponential(g->r, life), gen_other_cpu(g, cpu), SIM_CTX_TASK);
		clock[cpu] += m * spacing;
	}
	free(clock);
}

static void gen_run_prodcons(struct gen *g)
{
	unsigned k = gen_single_cache(g), prod = (unsigned)gen_p(g, "producers");
	double life = gen_p(g, "lifetime_us") * 1e3, remote = gen_p(g, "remote"), t = 0, gap;

	prod = prod ? prod : g->ncpus;
	gap = 1e9 / (gen_p(g, "rate") * prod);
	while (g->n < g->want) {
		t += gsl_ran_exponential(g->r, gap);
		unsigned cpu = (unsigned)gsl_rng_uniform_int(g->r, prod);
		double l = gsl_ran_exponential(g->r, life);

		gen_obj_push(g, k, t, cpu, SIM_CTX_TASK, l, gen_maybe_remote(g, cpu, remote), SIM_CTX_TASK);
	}
}

/* One process of the fork/exec mix, started at t on cpu. */
static void gen_forkexec_proc(struct gen *g, gsl_ran_discrete_t *zipf, double t, unsigned cpu)
{
	double life = gsl_ran_lognormal(g->r, gen_p(g, "proc_mu") + GEN_LN_1000, gen_p(g, "proc_sigma"));
	unsigned exit_cpu = gen_maybe_remote(g, cpu, gen_p(g, "migrate"));
	unsigned m = gsl_ran_poisson(g->r, gen_p(g, "objs_per_proc"));
	double spacing = gen_p(g, "free_spacing_ns");

	m = m ? m : 1;
	for (unsigned j = 0; j < m; j++) {
		unsigned k = (unsigned)gsl_ran_discrete(g->r, zipf);
		double ta = t + gsl_rng_uniform(g->r) * life;

		gen_obj_push(g, k, ta, cpu, SIM_CTX_TASK, t + life + j * spacing - ta, exit_cpu, SIM_CTX_TASK);
	}
}

static void gen_run_forkexec(struct gen *g)
{
	unsigned n = (unsigned)gen_p(g, "caches");
	double weight[16], s = gen_p(g, "zipf_s"), t = 0;
	double gap = 1e9 / (gen_p(g, "fork_rate") * g->ncpus);
	gsl_ran_discrete_t *zipf;

	for (unsigned i = 0; i < n; i++) {
		const struct gen_fe_cache *f = &gen_fe_caches[i];

		gen_cache_add(g, f->name, f->req, f->size, f->kmalloc);
		weight[i] = pow((double)(i + 1), -s);
	}
	zipf = gsl_ran_discrete_preproc(n, weight);
	if (!zipf)
		abort();	/* weights are positive and finite: only out of memory */
	while (g->n < g->want) {
		t += gsl_ran_exponential(g->r, gap);
		gen_forkexec_proc(g, zipf, t, (unsigned)gsl_rng_uniform_int(g->r, g->ncpus));
	}
	gsl_ran_discrete_free(zipf);
}

static void gen_run_objpool(struct gen *g)
{
	unsigned k = gen_single_cache(g);
	double gap = 1e9 / gen_p(g, "rate"), hold = gen_p(g, "hold_ns"), remote = gen_p(g, "remote");
	double *clock = xcalloc(g->ncpus, sizeof(*clock));

	for (uint64_t i = 0; g->n < g->want; i++) {
		unsigned cpu = (unsigned)(i % g->ncpus);
		double h = hold > 0 ? gsl_ran_exponential(g->r, hold) : 0;

		clock[cpu] += gsl_ran_exponential(g->r, gap);
		gen_obj_push(g, k, clock[cpu], cpu, SIM_CTX_TASK, h, gen_maybe_remote(g, cpu, remote), SIM_CTX_TASK);
	}
	free(clock);
}

/* ---- events ------------------------------------------------------------------- */

struct gen_key {
	uint64_t t_ns;
	uint64_t seq;		/* 2 x object index, + 1 for its FREE */
};

static int gen_key_cmp(const void *pa, const void *pb)
{
	const struct gen_key *a = pa, *b = pb;

	if (a->t_ns != b->t_ns)
		return a->t_ns < b->t_ns ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static void gen_event(struct gen *g, const struct gen_key *key, uint64_t t0)
{
	const struct gen_obj *o = &g->obj[key->seq / 2];
	const struct gen_cache *k = &g->cache[o->cache];
	bool is_free = key->seq & 1;
	struct sim_event e = {
		.t_ns = key->t_ns - t0, .ptr = GEN_PTR_BASE + (key->seq / 2) * 64, .oid = SIM_OID_NONE,
		.cache = k->id, .node = SIM_NO_NODE,
	};

	if (is_free) {
		e.op = SIM_EV_FREE;
		e.cpu = o->cpu_free;
		e.site = k->site_free;
		e.flags = (uint8_t)(k->evflags | o->ctx_free);
	} else {
		e.op = SIM_EV_ALLOC;
		e.cpu = o->cpu_alloc;
		e.site = k->site_alloc;
		e.flags = (uint8_t)(k->evflags | o->ctx_alloc);
		e.bytes_req = k->req;
		e.bytes_alloc = k->size;
	}
	sim_workload_push(g->w, &e);
}

/* Emits the objects as events in time order, the first at 0 ns. */
static void gen_emit(struct gen *g)
{
	struct gen_key *key = xmalloc((2 * g->n + 1) * sizeof(*key));
	uint64_t t0 = UINT64_MAX;

	for (size_t i = 0; i < g->n; i++) {
		uint64_t ta = (uint64_t)llround(g->obj[i].t_alloc);
		uint64_t tf = (uint64_t)llround(g->obj[i].t_free);

		key[2 * i] = (struct gen_key){ ta, 2 * i };
		key[2 * i + 1] = (struct gen_key){ tf > ta ? tf : ta, 2 * i + 1 };
		t0 = ta < t0 ? ta : t0;
	}
	qsort(key, 2 * g->n, sizeof(*key), gen_key_cmp);
	for (size_t i = 0; i < 2 * g->n; i++)
		gen_event(g, &key[i], t0);
	free(key);
}

/* In the order of trace_gen_kinds[]. */
static void (*const gen_runners[])(struct gen *) = {
	gen_run_steady, gen_run_burst, gen_run_prodcons, gen_run_forkexec, gen_run_objpool,
};
_Static_assert(SIM_ARRAY_SIZE(gen_runners) + 1 == SIM_ARRAY_SIZE(trace_gen_kinds),
	       "one runner per generator kind");

static int gen_kind_index(const struct trace_gen_kind *k)
{
	for (int i = 0; trace_gen_kinds[i]; i++)
		if (trace_gen_kinds[i] == k)
			return i;
	return -1;
}

int trace_gen_run(const struct trace_gen_config *c, struct sim_workload *w, char *err, size_t errlen)
{
	struct gen g = { .c = c, .w = w };
	int ki = gen_kind_index(c->kind), ret;

	if (ki < 0) {
		snprintf(err, errlen, "not a generator kind of this slabsim");
		return -EINVAL;
	}
	if ((ret = trace_gen_config_check(c, err, errlen)))
		return ret;
	if (trace_gen_config_describe(c, w->source, sizeof(w->source)) < 0) {
		snprintf(err, errlen, "the generator's description does not fit the trace header (%zu bytes)",
			 sizeof(w->source));
		return -EINVAL;
	}
	snprintf(w->format, sizeof(w->format), "gen");
	g.ncpus = (unsigned)gen_p(&g, "cpus");
	g.want = (size_t)gen_p(&g, "objects");
	g.obj = xmalloc(g.want * sizeof(*g.obj));
	g.r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!g.r)
		abort();
	gsl_rng_set(g.r, (unsigned long)gen_p(&g, "seed"));
	gen_runners[ki](&g);
	gsl_rng_free(g.r);
	if (g.too_long) {
		snprintf(err, errlen, "the trace would last %g s, more than the %g s trace time can hold: "
			 "raise the rates or shorten the lifetimes", g.t_max / 1e9, GEN_MAX_T_NS / 1e9);
		free(g.obj);
		return -ERANGE;
	}
	gen_emit(&g);
	free(g.obj);
	w->ncpus = (uint16_t)g.ncpus;
	ret = trace_resolve(w);
	if (ret)
		snprintf(err, errlen, "too many events for 32-bit object ids");
	return ret;
}
