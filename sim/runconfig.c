/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runconfig.c - defaults, validation and the canonical text of a run's configuration. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/runconfig.h"

void sim_machine_config_defaults(struct sim_machine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = 4;
	c->nnodes = 1;
	c->ghz = 2.5;
	c->cache_kb = 1024;	/* a private L2 of a recent server core */
	c->cache_ways = 16;
	c->touch_lines = 1;
	c->timing = SIM_TIMING_TRACE;
	c->map = SIM_MAP_FOLD;
	c->time_scale = 1.0;
	c->sample_ns = 10 * 1000 * 1000;	/* 10 ms of simulated time */
	c->sample_max = SIM_SAMPLE_MAX_DEFAULT;
	/* zone_batchsize() gives 63 on large zones; high = 6 * batch as pcp defaults did */
	c->pcp_batch = 63;
	c->pcp_high = 6 * 63;
	c->seed = 1;
	sim_cost_defaults(&c->cost);
}

int sim_machine_config_check(const struct sim_machine_config *c, const char **why)
{
	if (c->ncpus < 1 || c->ncpus > SIM_MAX_CPUS)
		*why = "--cpus must be between 1 and 4096";
	else if (c->nnodes < 1 || c->nnodes > SIM_MAX_NODES || c->nnodes > c->ncpus)
		*why = "--nodes must be between 1 and min(64, --cpus)";
	else if (c->ncpus % c->nnodes)
		*why = "--cpus must be a multiple of --nodes";
	else if (!(c->ghz > 0.01 && c->ghz < 100))
		*why = "--ghz must be between 0.01 and 100";
	else if (c->cache_kb < 4 || c->cache_kb > 1024 * 1024 || (c->cache_kb & (c->cache_kb - 1)))
		*why = "--cache-kb must be a power of two between 4 and 1048576";
	else if (c->cache_ways < 1 || c->cache_ways > 64 ||
		 (uint64_t)c->cache_kb * 1024 / SIM_LINE_BYTES < c->cache_ways ||
		 ((uint64_t)c->cache_kb * 1024 / SIM_LINE_BYTES) % c->cache_ways)
		*why = "--cache-ways must be between 1 and 64 and divide the number of lines";
	else if (c->touch_lines > 64)
		*why = "--touch-lines must be between 0 and 64";
	else if (!(c->time_scale > 0 && c->time_scale < 1e9))
		*why = "--time-scale must be positive";
	else if (c->sample_ns < 1000)
		*why = "--sample-ms must be at least 0.001";
	else if (c->sample_max && (c->sample_max < 16 || c->sample_max % 2))
		*why = "--sample-max must be 0 or an even number of at least 16";
	else if (c->pcp_batch < 1 || c->pcp_high < c->pcp_batch)
		*why = "pcp batch must be >= 1 and pcp high >= batch";
	else
		return 0;
	return -EINVAL;
}

size_t sim_run_config_text(const struct sim_run_config *c, uint64_t trace_digest,
			   char *buf, size_t len)
{
	const struct sim_machine_config *m = &c->mach;
	size_t n = 0;

#define PUT(...) (n += (size_t)snprintf(buf + SIM_MIN(n, len), len - SIM_MIN(n, len), __VA_ARGS__))
	PUT("trace=%016" PRIx64 "\n", trace_digest);
	PUT("policy=%s\n", c->policy);
	for (unsigned i = 0; i < c->nparams; i++) {
		if (c->param_auto[i])
			PUT("param.%s=auto\n", c->param_name[i]);
		else
			PUT("param.%s=%ld\n", c->param_name[i], c->param_value[i]);
	}
	PUT("cpus=%u\nnodes=%u\nghz=%.6g\ncache_kb=%u\ncache_ways=%u\n",
	    m->ncpus, m->nnodes, m->ghz, m->cache_kb, m->cache_ways);
	PUT("touch_lines=%u\ntiming=%s\nmap=%s\ntime_scale=%.9g\nsample_ns=%" PRIu64 "\n",
	    m->touch_lines, m->timing == SIM_TIMING_CLOSED ? "closed" : "trace",
	    m->map == SIM_MAP_SPREAD ? "spread" : "fold", m->time_scale, m->sample_ns);
	PUT("pcp_batch=%u\npcp_high=%u\nseed=%" PRIu64 "\n", m->pcp_batch, m->pcp_high, m->seed);
	if (m->sample_max != SIM_SAMPLE_MAX_DEFAULT)
		PUT("sample_max=%u\n", m->sample_max);
	if (m->warmup_events || m->warmup_ns)
		PUT("warmup_events=%" PRIu64 "\nwarmup_ns=%" PRIu64 "\n", m->warmup_events, m->warmup_ns);
	for (int i = 0; i < SIM_COST_COUNT; i++)
		PUT("cost.%s=%" PRIu64 "\n", sim_cost_name[i], (uint64_t)m->cost.c[i]);
#undef PUT
	return n;
}

void sim_run_config_digest(const struct sim_run_config *c, uint64_t trace_digest, char out[17])
{
	char buf[8192];
	size_t n = sim_run_config_text(c, trace_digest, buf, sizeof(buf));
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n && i < sizeof(buf); i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ull;
	}
	snprintf(out, 17, "%016" PRIx64, h);
}
