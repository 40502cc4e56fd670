/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_gen.c - the synthetic trace generators (traces/gen.c) and
 * "slabsim trace gen": determinism by seed, a valid trace from every kind,
 * each kind's defining property within a tolerance derived from its
 * distribution, the parameters in the native header (and regenerating
 * from them), a verified replay whose books balance, and the errors.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policies/registry.h"
#include "sim/replay.h"
#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/gen.h"
#include "traces/native.h"
#include "traces/tstats.h"

/* Generates kind with the "name=value" settings (NULL-terminated) into w. */
static void gn_make(struct sim_workload *w, const char *kind, const char *const *settings)
{
	const struct trace_gen_kind *k = trace_gen_kind_find(kind);
	struct trace_gen_config c;
	char err[512];

	ck_assert_msg(k != NULL, "generator %s should exist", kind);
	trace_gen_config_init(&c, k);
	for (; settings && *settings; settings++)
		ck_assert_msg(trace_gen_config_set_arg(&c, *settings, err, sizeof(err)) == 0, "%s %s: %s", kind,
			      *settings, err);
	sim_workload_init(w);
	ck_assert_msg(trace_gen_run(&c, w, err, sizeof(err)) == 0, "generating %s should work: %s", kind, err);
}

static const char *const gn_kinds[] = { "steady", "burst", "prodcons", "forkexec", "objpool" };

/* Lifetime of every object (t_free - t_alloc), by oid; NULL-safe sizes. */
static double *gn_lifetimes(const struct sim_workload *w)
{
	double *life = xcalloc(w->nobjs + 1, sizeof(*life));
	uint64_t *t = xcalloc(w->nobjs + 1, sizeof(*t));

	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (e->op == SIM_EV_ALLOC)
			t[e->oid] = e->t_ns;
		else
			life[e->oid] = (double)(e->t_ns - t[e->oid]);
	}
	free(t);
	return life;
}

static double gn_mean(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s / (double)n;
}

/* ---- validity and determinism ---------------------------------------------------------- */

/* The trace rules of gen.h, checked event by event. */
static void gn_assert_valid(const struct sim_workload *w, const char *what)
{
	uint8_t *state = xcalloc(w->nobjs + 1, 1);	/* 0 unseen, 1 allocated, 2 freed */
	uint64_t *cpu_t = xcalloc(w->ncpus + 1, sizeof(*cpu_t));

	ck_assert_msg(w->nev == 2 * (size_t)w->nobjs, "%s: two events per object", what);
	ck_assert_msg(w->nev && w->ev[0].t_ns == 0, "%s: time should start at 0", what);
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		ck_assert_msg(i == 0 || e->t_ns >= w->ev[i - 1].t_ns, "%s: event %zu is out of time order", what, i);
		ck_assert_msg(e->t_ns >= cpu_t[e->cpu], "%s: cpu %u's time goes backwards at %zu", what, e->cpu, i);
		cpu_t[e->cpu] = e->t_ns;
		ck_assert_msg(e->oid < w->nobjs, "%s: event %zu has no object", what, i);
		ck_assert_msg(e->cache && w->cache_size[e->cache], "%s: event %zu's cache should have a size", what, i);
		ck_assert_msg(e->node == SIM_NO_NODE && e->cpu < w->ncpus, "%s: event %zu: node -1, cpu in range", what, i);
		if (e->op == SIM_EV_ALLOC) {
			ck_assert_msg(state[e->oid] == 0, "%s: object %u allocated twice", what, e->oid);
			ck_assert_msg(e->bytes_alloc == w->cache_size[e->cache] && e->bytes_req <= e->bytes_alloc,
				      "%s: ALLOC %zu should be of its cache's size", what, i);
			state[e->oid] = 1;
		} else {
			ck_assert_msg(e->op == SIM_EV_FREE && state[e->oid] == 1,
				      "%s: object %u freed before its allocation or twice", what, e->oid);
			state[e->oid] = 2;
		}
	}
	for (int a = 0; a < SIM_AN_COUNT; a++)
		ck_assert_msg(w->anomaly[a] == 0, "%s: anomaly %s should not occur", what, sim_anomaly_name[a]);
	ck_assert_str_eq(w->format, "gen");
	free(state);
	free(cpu_t);
}

START_TEST(test_every_kind_valid)
{
	static const char *const small[] = { "objects=20000", NULL };
	struct sim_workload w;

	gn_make(&w, gn_kinds[_i], small);
	gn_assert_valid(&w, gn_kinds[_i]);
	ck_assert_uint_eq(w.nobjs, 20000);
	ck_assert_uint_eq(w.ncpus, 4);
	sim_workload_fini(&w);
}
END_TEST

static unsigned char *gn_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long len;

	ck_assert_msg(f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET),
		      "%s should be readable", path);
	b = xmalloc((size_t)len + 1);
	*n = fread(b, 1, (size_t)len, f);
	fclose(f);
	return b;
}

/* Writes kind with seed to dir/name; returns the file's bytes. */
static unsigned char *gn_file(const char *dir, const char *name, const char *kind, const char *seed, size_t *n)
{
	const char *const settings[] = { "objects=5000", seed, NULL };
	struct sim_workload w;
	char path[512], err[512];
	unsigned char *b;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	gn_make(&w, kind, settings);
	ck_assert_msg(trace_native_write(&w, path, err, sizeof(err)) == 0, "writing should work: %s", err);
	sim_workload_fini(&w);
	b = gn_slurp(path, n);
	unlink(path);
	return b;
}

START_TEST(test_same_seed_same_bytes)
{
	char *dir = tutil_tmpdir();
	size_t na, nb, nc;
	unsigned char *a = gn_file(dir, "a", gn_kinds[_i], "seed=42", &na);
	unsigned char *b = gn_file(dir, "b", gn_kinds[_i], "seed=42", &nb);
	unsigned char *c = gn_file(dir, "c", gn_kinds[_i], "seed=43", &nc);

	ck_assert_msg(na == nb && !memcmp(a, b, na), "%s: the same seed should give byte-identical files", gn_kinds[_i]);
	ck_assert_msg(na != nc || memcmp(a, c, na), "%s: another seed should give another trace", gn_kinds[_i]);
	free(a);
	free(b);
	free(c);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_header_records_parameters)
{
	static const char *const settings[] = { "objects=3000", "lifetime=exponential", "mean_us=12.5",
						"remote=0.125", "cache=my-cache", "size=192", "req=150", NULL };
	char *dir = tutil_tmpdir(), path[512], err[512];
	struct sim_workload w, r, again;
	struct trace_native_info info;
	struct trace_gen_config c;

	snprintf(path, sizeof(path), "%s/h.slabsimt", dir);
	gn_make(&w, "steady", settings);
	ck_assert_int_eq(trace_native_write(&w, path, err, sizeof(err)), 0);
	sim_workload_init(&r);
	ck_assert_msg(trace_native_read(path, &r, &info, err, sizeof(err)) == 0, "reading back: %s", err);
	ck_assert_str_eq(info.format, "gen");
	ck_assert_str_eq(info.source, w.source);
	static const char prefix[] = "gen steady cpus=4 objects=3000 seed=1 rate=100000 lifetime=exponential ";

	ck_assert_msg(!strncmp(info.source, prefix, strlen(prefix)) &&
		      strstr(info.source, " mean_us=12.5 ") && strstr(info.source, " remote=0.125 ") &&
		      strstr(info.source, " cache=my-cache size=192 req=150") && strstr(info.source, " mu=5 sigma=1 "),
		      "the header should record the generator and every parameter: %s", info.source);
	/* the recorded text regenerates the same trace */
	ck_assert_msg(trace_gen_config_parse(&c, info.source, err, sizeof(err)) == 0, "parse: %s", err);
	sim_workload_init(&again);
	ck_assert_int_eq(trace_gen_run(&c, &again, err, sizeof(err)), 0);
	ck_assert_msg(again.digest == w.digest && again.digest == r.digest,
		      "the parameters in the header should regenerate the same trace");
	ck_assert_uint_eq(r.cache_size[r.ev[0].cache], 192);
	ck_assert_str_eq(strtab_get(&r.caches, r.ev[0].cache), "my-cache");
	ck_assert_uint_eq(r.ev[0].bytes_req, 150);
	sim_workload_fini(&w);
	sim_workload_fini(&r);
	sim_workload_fini(&again);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

/* ---- each kind's defining property --------------------------------------------------------- */

/* |p_hat - p| within k standard deviations of a binomial proportion over n trials. */
static void gn_assert_fraction(double got, double p, uint64_t n, double k, const char *what)
{
	double sd = sqrt(p * (1 - p) / (double)n);

	ck_assert_msg(fabs(got - p) <= k * sd + 1e-12, "%s: %.5f should be within %.1f sd (%.5f) of %.5f", what, got,
		      k, sd, p);
}

START_TEST(test_steady_lognormal_mean)
{
	static const char *const settings[] = { "objects=200000", "mu=3", "sigma=0.5", "seed=11", NULL };
	struct sim_workload w;
	double *life, mean, want, sd;

	gn_make(&w, "steady", settings);
	life = gn_lifetimes(&w);
	mean = gn_mean(life, w.nobjs);
	/* lognormal(mu, sigma) in us: mean e^(mu + sigma^2/2), variance (e^(sigma^2) - 1) mean^2 */
	want = 1000.0 * exp(3.0 + 0.125);
	sd = want * sqrt((exp(0.25) - 1.0) / w.nobjs);
	ck_assert_msg(fabs(mean - want) < 5 * sd + 0.5, "lognormal lifetimes: mean %.1f ns should be %.1f +- 5 x %.1f",
		      mean, want, sd);
	free(life);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_steady_exponential_mean_and_remote)
{
	static const char *const settings[] = { "objects=200000", "lifetime=exponential", "mean_us=30",
						"remote=0.1", "seed=5", NULL };
	struct sim_workload w;
	struct trace_stats s;
	double *life, mean;

	gn_make(&w, "steady", settings);
	life = gn_lifetimes(&w);
	mean = gn_mean(life, w.nobjs);
	/* exponential: sd = mean; of the sample mean, mean / sqrt(n) */
	ck_assert_msg(fabs(mean - 30000.0) < 5 * 30000.0 / sqrt(w.nobjs) + 0.5,
		      "exponential lifetimes: mean %.1f ns should be 30000", mean);
	trace_stats_compute(&w, &s);
	gn_assert_fraction(trace_stats_fraction(&s.slab), 0.1, s.slab.pairs, 5, "steady remote=0.1");
	free(life);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_prodcons_remote_fraction)
{
	static const double remote[] = { 0.0, 0.25, 0.5, 1.0 };
	char set[64];
	const char *const settings[] = { "objects=100000", "cpus=8", "producers=2", set, NULL };
	struct sim_workload w;
	struct trace_stats s;

	for (size_t i = 0; i < SIM_ARRAY_SIZE(remote); i++) {
		snprintf(set, sizeof(set), "remote=%g", remote[i]);
		gn_make(&w, "prodcons", settings);
		trace_stats_compute(&w, &s);
		gn_assert_fraction(trace_stats_fraction(&s.slab), remote[i], s.slab.pairs, 5, set);
		for (unsigned c = 2; c < 8; c++)
			ck_assert_msg(s.cpu[c].allocs == 0, "only producers 0-1 allocate; cpu %u did", c);
		ck_assert_msg(s.cpu[0].allocs && s.cpu[1].allocs, "both producers allocate");
		trace_stats_fini(&s);
		sim_workload_fini(&w);
	}
}
END_TEST

START_TEST(test_burst_softirq_on_one_cpu)
{
	static const char *const settings[] = { "objects=100000", "batch=64", "spacing_ns=100", "seed=3", NULL };
	struct sim_workload w;
	struct trace_stats s;
	uint64_t bursts = 0, prev_t = 0;
	bool first = true;

	gn_make(&w, "burst", settings);
	trace_stats_compute(&w, &s);
	ck_assert_msg(s.cpu[0].allocs == 100000 && s.cpu[0].allocs_ctx[SIM_CTX_SOFTIRQ] == 100000,
		      "every allocation should be in softirq on cpu 0");
	for (unsigned c = 0; c < 4; c++)
		ck_assert_msg(trace_stats_matrix_get(&s, c, c) == 0, "no object should be freed on its allocating cpu");
	ck_assert_uint_eq(s.slab.cross_cpu, 100000);
	for (size_t i = 0; i < w.nev; i++) {
		const struct sim_event *e = &w.ev[i];

		if (e->op == SIM_EV_FREE) {
			ck_assert_msg(sim_event_ctx(e) == SIM_CTX_TASK, "frees should be in task context");
			continue;
		}
		/* a new burst: a gap other than the 100 ns spacing */
		bursts += first || e->t_ns - prev_t != 100;
		prev_t = e->t_ns;
		first = false;
	}
	/* Poisson(64) batches: the mean size has sd 8 / sqrt(bursts); merged bursts are rare */
	double mean = 100000.0 / (double)bursts;

	ck_assert_msg(fabs(mean - 64.0) < 5 * 8.0 / sqrt((double)bursts) + 0.5,
		      "the mean burst should be about 64 objects, is %.2f over %llu bursts", mean,
		      (unsigned long long)bursts);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
	/* two receiving cpus share the bursts */
	static const char *const two[] = { "objects=20000", "rx_cpus=2", "cpus=3", NULL };

	gn_make(&w, "burst", two);
	trace_stats_compute(&w, &s);
	ck_assert_msg(s.cpu[2].allocs == 0 && s.cpu[0].allocs > 5000 && s.cpu[1].allocs > 5000,
		      "cpus 0 and 1 take the bursts, cpu 2 only frees");
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_forkexec_zipf_popularity)
{
	static const char *const settings[] = { "objects=200000", "caches=8", "zipf_s=1.1", NULL };
	static const struct {
		const char *name;
		uint32_t size;
	} table[] = { { "vm_area_struct", 152 }, { "anon_vma_chain", 64 }, { "maple_node", 256 },
		      { "anon_vma", 104 }, { "names_cache", 4096 }, { "kmalloc-4k", 4096 },
		      { "kmalloc-512", 512 }, { "cred_jar", 192 } };
	struct sim_workload w;
	struct trace_stats s;
	double h = 0;

	gn_make(&w, "forkexec", settings);
	trace_stats_compute(&w, &s);
	ck_assert_uint_eq(strtab_count(&w.caches), 9);
	for (unsigned i = 0; i < 8; i++)
		h += pow(i + 1.0, -1.1);
	for (unsigned i = 0; i < 8; i++) {
		uint32_t id = strtab_find(&w.caches, table[i].name);

		ck_assert_msg(id != UINT32_MAX && w.cache_size[id] == table[i].size, "cache %s of %u bytes",
			      table[i].name, table[i].size);
		if (i) {
			uint32_t prev = strtab_find(&w.caches, table[i - 1].name);

			ck_assert_msg(s.cache[prev].allocs > s.cache[id].allocs,
				      "Zipf: rank %u (%s) should be more popular than rank %u (%s)", i, table[i - 1].name,
				      i + 1, table[i].name);
		}
		gn_assert_fraction((double)s.cache[id].allocs / (double)s.allocs, pow(i + 1.0, -1.1) / h, s.allocs, 5,
				   table[i].name);
	}
	ck_assert_msg(w.cache_flags[strtab_find(&w.caches, "kmalloc-512")] & SIM_CACHEF_KMALLOC,
		      "kmalloc-512 should be a kmalloc cache");
	ck_assert_msg(s.by_type[TRACE_ST_KMALLOC] > 0 && s.by_type[TRACE_ST_KFREE] == s.by_type[TRACE_ST_KMALLOC],
		      "kmalloc caches are allocated by kmalloc and freed by kfree");
	/* frees happen at process exit on the exit cpu: mostly the same cpu (migrate=0.03 of processes) */
	ck_assert_msg(trace_stats_fraction(&s.slab) > 0.005 && trace_stats_fraction(&s.slab) < 0.1,
		      "about 3%% of objects should be freed on another cpu, got %.4f", trace_stats_fraction(&s.slab));
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_objpool_local_loop)
{
	static const char *const settings[] = { "objects=100000", "remote=0.01", "hold_ns=400", NULL };
	struct sim_workload w;
	struct trace_stats s;
	double *life, mean;

	gn_make(&w, "objpool", settings);
	trace_stats_compute(&w, &s);
	for (unsigned c = 0; c < 4; c++)
		ck_assert_msg(s.cpu[c].allocs == 25000, "every cpu pops the same number of objects");
	gn_assert_fraction(trace_stats_fraction(&s.slab), 0.01, s.slab.pairs, 5, "objpool remote=0.01");
	life = gn_lifetimes(&w);
	mean = gn_mean(life, w.nobjs);
	ck_assert_msg(fabs(mean - 400.0) < 5 * 400.0 / sqrt(w.nobjs) + 0.5, "hold times: mean %.1f ns should be 400",
		      mean);
	free(life);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- replay --------------------------------------------------------------------------------- */

START_TEST(test_replay_books_balance)
{
	static const char *const small[] = { "objects=20000", "cpus=4", NULL };
	const struct sim_policy_ops *ops = policy_find("slub");
	struct sim_replay_opts o = { .verify = true };
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_stats *st = NULL;
	struct sim_workload w;
	char err[512];

	ck_assert_ptr_nonnull(ops);
	policy_params_default(ops, &pv);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = 4;
	cfg.mach.nnodes = 1;
	gn_make(&w, gn_kinds[_i], small);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", gn_kinds[_i], err);
	const struct sim_gauge *tot = &st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT];

	ck_assert_msg(st->events_replayed == w.nev, "%s: every event should be replayed", gn_kinds[_i]);
	ck_assert_msg(st->outstanding_allocs == 0 && tot[SIM_GAUGE_live_objs].cur == 0 &&
		      tot[SIM_GAUGE_live_bytes].cur == 0, "%s: every object was freed: nothing live at the end",
		      gn_kinds[_i]);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used,
		      "%s: slab bytes should equal the pages in use", gn_kinds[_i]);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock released", gn_kinds[_i]);
	ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_alloc) == w.nobjs, "%s: one alloc per object", gn_kinds[_i]);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

/* ---- configuration errors -------------------------------------------------------------------- */

START_TEST(test_config_errors)
{
	struct trace_gen_config c;
	struct sim_workload w;
	char err[512];

	trace_gen_config_init(&c, trace_gen_kind_find("steady"));
	ck_assert_int_eq(trace_gen_config_set(&c, "colour", "blue", err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "no parameter 'colour'"), "%s", err);
	ck_assert_int_eq(trace_gen_config_set(&c, "remote", "1.5", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "remote=1.5: out of range [0, 1]"), "%s", err);
	ck_assert_int_eq(trace_gen_config_set(&c, "cpus", "2.5", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "whole number"), "%s", err);
	ck_assert_int_eq(trace_gen_config_set(&c, "lifetime", "weibull", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "lognormal exponential") || strstr(err, "one of"), "%s", err);
	ck_assert_int_eq(trace_gen_config_set(&c, "cache", "has space", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(trace_gen_config_set_arg(&c, "remote", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(trace_gen_config_set_arg(&c, "req=300", err, sizeof(err)), 0);
	ck_assert_int_eq(trace_gen_config_check(&c, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "req=300 is larger than size=256"), "%s", err);
	trace_gen_config_init(&c, trace_gen_kind_find("burst"));
	ck_assert_int_eq(trace_gen_config_set_arg(&c, "cpus=1", err, sizeof(err)), 0);
	sim_workload_init(&w);
	ck_assert_int_eq(trace_gen_run(&c, &w, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "cpus >= 2"), "a burst on one cpu has nowhere to free: %s", err);
	sim_workload_fini(&w);
	trace_gen_config_init(&c, trace_gen_kind_find("prodcons"));
	ck_assert_int_eq(trace_gen_config_set_arg(&c, "cpus=1", err, sizeof(err)), 0);
	ck_assert_int_eq(trace_gen_config_check(&c, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "remote=0.5 needs cpus >= 2"), "%s", err);
	ck_assert_int_eq(trace_gen_config_parse(&c, "gen nosuch cpus=1", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(trace_gen_config_parse(&c, "steady cpus=1", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(trace_gen_kind_find("nosuch"));
}
END_TEST

/* ---- the command line ---------------------------------------------------------------------- */

struct gn_result {
	int status;
	char out[1 << 16];
	char err[4096];
};

static void gn_slurp_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
}

static void gn_run(struct gn_result *r, const char *args)
{
	const char *bd = getenv("SLABSIM_BUILDDIR");
	char *dir = tutil_tmpdir(), cmd[4096], o[512], e[512];
	int st;

	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "'%s/slabsim' %s </dev/null >'%s' 2>'%s'", bd && *bd ? bd : ".", args, o, e);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	gn_slurp_text(o, r->out, sizeof(r->out));
	gn_slurp_text(e, r->err, sizeof(r->err));
	unlink(o);
	unlink(e);
	rmdir(dir);
	free(dir);
}

START_TEST(test_cli_gen)
{
	static const struct {
		const char *args, *needle;
	} bad[] = {
		{ "trace gen", "missing KIND" },
		{ "trace gen nosuch -o x", "unknown generator 'nosuch'" },
		{ "trace gen steady", "missing -o" },
		{ "trace gen steady colour=blue -o x", "no parameter 'colour'" },
		{ "trace gen steady remote=2 -o x", "out of range" },
		{ "trace gen burst --cpus 1 -o x", "cpus >= 2" },
		{ "trace gen steady --seed 0 -o x", "--seed" },
		{ "trace gen steady -o x --frobnicate", "unknown option" },
		{ "trace gen steady mu=30 sigma=10 objects=100 -o x", "would last" },
	};
	struct gn_result *r = xmalloc(sizeof(*r));
	char *dir = tutil_tmpdir(), args[2048];

	gn_run(r, "trace gen --help");
	ck_assert_msg(r->status == 0 && strstr(r->out, "Usage:") && strstr(r->out, "Examples:"),
		      "trace gen --help should print a usage text");
	for (size_t i = 0; i < SIM_ARRAY_SIZE(gn_kinds); i++)
		ck_assert_msg(strstr(r->out, gn_kinds[i]), "--help should describe %s", gn_kinds[i]);
	ck_assert_msg(strstr(r->out, "zipf_s=1.1") && strstr(r->out, "lifetime=lognormal") &&
		      strstr(r->out, "[0 .. 1]"), "--help should list parameters with defaults and ranges");
	gn_run(r, "trace gen objpool --help");
	ck_assert_msg(r->status == 0 && strstr(r->out, "objpool -") && !strstr(r->out, "forkexec -"),
		      "trace gen KIND --help should describe that generator only");
	for (size_t i = 0; i < SIM_ARRAY_SIZE(bad); i++) {
		gn_run(r, bad[i].args);
		ck_assert_msg(r->status == 2 && strstr(r->err, bad[i].needle) && !strncmp(r->err, "slabsim: ", 9),
			      "'slabsim %s' should exit 2 saying '%s'; got %d: %s", bad[i].args, bad[i].needle,
			      r->status, r->err);
	}
	snprintf(args, sizeof(args), "trace gen prodcons --seed 9 --objects 2000 remote=0.3 -o '%s/p.slabsimt'", dir);
	gn_run(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "gen prodcons cpus=4 objects=2000 seed=9 ") &&
		      strstr(r->out, "4,000 events"), "trace gen should write and summarise: %s%s", r->out, r->err);
	snprintf(args, sizeof(args), "trace stats '%s/p.slabsimt' --table summary", dir);
	gn_run(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "written by 'slabsim trace gen'") &&
		      strstr(r->out, "generator  gen prodcons cpus=4 objects=2000 seed=9 ") &&
		      strstr(r->out, " remote=0.3 "), "trace stats should show the generator's parameters:\n%s", r->out);
	snprintf(args, sizeof(args), "%s/p.slabsimt", dir);
	unlink(args);
	rmdir(dir);
	free(dir);
	free(r);
}
END_TEST

Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *basic = tcase_create("valid");
	TCase *prop = tcase_create("properties");
	TCase *run = tcase_create("replay");
	TCase *cli = tcase_create("cli");
	int nk = (int)SIM_ARRAY_SIZE(gn_kinds);

	tcase_add_loop_test(basic, test_every_kind_valid, 0, nk);
	tcase_add_loop_test(basic, test_same_seed_same_bytes, 0, nk);
	tcase_add_test(basic, test_header_records_parameters);
	tcase_add_test(basic, test_config_errors);
	tcase_add_test(prop, test_steady_lognormal_mean);
	tcase_add_test(prop, test_steady_exponential_mean_and_remote);
	tcase_add_test(prop, test_prodcons_remote_fraction);
	tcase_add_test(prop, test_burst_softirq_on_one_cpu);
	tcase_add_test(prop, test_forkexec_zipf_popularity);
	tcase_add_test(prop, test_objpool_local_loop);
	tcase_set_timeout(prop, 120);
	tcase_add_loop_test(run, test_replay_books_balance, 0, nk);
	tcase_set_timeout(run, 120);
	tcase_add_test(cli, test_cli_gen);
	tcase_set_timeout(cli, 60);
	suite_add_tcase(s, basic);
	suite_add_tcase(s, prop);
	suite_add_tcase(s, run);
	suite_add_tcase(s, cli);
	return s;
}
