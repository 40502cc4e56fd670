/* SPDX-License-Identifier: GPL-2.0-or-later */
/* machine.c - cpus, nodes, and the functions policies use to act on the machine. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"
#include "sim/pagealloc.h"
#include "sim/workload.h"
#include "sim/xalloc.h"

struct machine *machine_create(const struct sim_machine_config *cfg, const struct sim_workload *w)
{
	struct machine *m = xcalloc(1, sizeof(*m));
	unsigned per_node = cfg->ncpus / cfg->nnodes;

	m->cfg = *cfg;
	m->ncpus = cfg->ncpus;
	m->nnodes = cfg->nnodes;
	m->w = w;
	m->ncaches = (unsigned)strtab_count(&w->caches);
	m->ntrace_caches = m->ncaches;
	m->cpu_node = xcalloc(m->ncpus, sizeof(*m->cpu_node));
	m->cpu = xcalloc(m->ncpus, sizeof(*m->cpu));
	for (unsigned c = 0; c < m->ncpus; c++) {
		m->cpu_node[c] = c / per_node;
		m->cpu[c].node = m->cpu_node[c];
	}
	m->coh = coherence_create(m->ncpus, m->cpu_node, cfg->cache_kb, cfg->cache_ways, &m->cfg.cost);
	m->stats = sim_stats_create(m->ncpus, m->ncaches);
	m->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!m->rng)
		abort();
	gsl_rng_set(m->rng, (unsigned long)cfg->seed);
	for (unsigned n = 0; n < m->nnodes; n++)
		m->struct_brk[n] = sim_addr_make(SIM_REGION_STRUCT, n, 0);
	m->pages = pagealloc_create(m);
	return m;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	pagealloc_destroy(m->pages);
	coherence_destroy(m->coh);
	sim_stats_destroy(m->stats);
	gsl_rng_free(m->rng);
	for (unsigned i = 0; i < m->ncaches - m->ntrace_caches; i++)
		free(m->extra_name[i]);
	free(m->extra_name);
	free(m->extra_size);
	free(m->cpu_node);
	free(m->cpu);
	free(m);
}

void machine_op_begin(struct machine *m, struct sim_op *op, unsigned cpu, unsigned cache,
		      sim_cycles_t start)
{
	op->m = m;
	op->coh = m->coh;
	op->node = m->cpu_node[cpu];
	op->want_node = SIM_NO_NODE;
	op->ctx = SIM_CTX_TASK;
	op->start = start;
	op->now = start;
	op->origin = SIM_ORIGIN_ALLOCATOR;
	sim_op_set_cpu(op, cpu);
	sim_op_set_cache(op, cache);
}

sim_addr_t machine_struct_alloc(struct machine *m, unsigned node, size_t bytes, size_t align)
{
	sim_addr_t a = (m->struct_brk[node] + align - 1) & ~(sim_addr_t)(align - 1);

	m->struct_brk[node] = a + bytes;
	return a;
}

unsigned machine_cache_register(struct machine *m, const char *name, uint32_t size)
{
	unsigned k = m->ncaches - m->ntrace_caches;

	m->extra_name = xrealloc(m->extra_name, (k + 1) * sizeof(*m->extra_name));
	m->extra_size = xrealloc(m->extra_size, (k + 1) * sizeof(*m->extra_size));
	m->extra_name[k] = xstrdup(name);
	m->extra_size[k] = size;
	m->ncaches++;
	/* nothing is counted yet: the statistics simply grow a row */
	sim_stats_destroy(m->stats);
	m->stats = sim_stats_create(m->ncpus, m->ncaches);
	m->stats->ntrace_caches = m->ntrace_caches;
	return m->ncaches - 1;
}

uint32_t machine_cache_size(const struct machine *m, unsigned cache)
{
	if (cache < m->ntrace_caches)
		return m->w->cache_size[cache];
	return cache < m->ncaches ? m->extra_size[cache - m->ntrace_caches] : 0;
}

int machine_cache_order(const struct machine *m, unsigned cache)
{
	if (cache >= m->ntrace_caches || !m->w->cache_order || m->w->cache_order[cache] == SIM_ORDER_UNKNOWN)
		return -1;
	return m->w->cache_order[cache];
}

const char *machine_cache_name(const struct machine *m, unsigned cache)
{
	if (cache < m->ntrace_caches)
		return strtab_get(&m->w->caches, cache);
	return cache < m->ncaches ? m->extra_name[cache - m->ntrace_caches] : "";
}

unsigned sim_cmpxchg(struct sim_op *op, sim_addr_t addr, enum sim_counter retry_counter)
{
	unsigned retries = 0;

	if (cacheline_written_by_other_since(op->coh, op->cpu, addr, op->start)) {
		sim_atomic(op, addr);
		op->tcpu->cas_retries++;
		op->tcache->cas_retries++;
		if (retry_counter != SIM_CNT_COUNT)
			sim_count(op, retry_counter);
		retries = 1;
	}
	sim_atomic(op, addr);
	return retries;
}

sim_addr_t sim_page_alloc(struct sim_op *op, unsigned order, int node)
{
	unsigned n = node == SIM_NO_NODE || node < 0 || (unsigned)node >= op->m->nnodes
		     ? op->node : (unsigned)node;

	return pagealloc_alloc(op->m->pages, op, order, n);
}

void sim_page_free(struct sim_op *op, sim_addr_t addr, unsigned order)
{
	if (op->m->page_free_hook)
		op->m->page_free_hook(op->m->page_free_arg, addr, order);
	pagealloc_free(op->m->pages, op, addr, order);
}
