/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.c - the replay loop (semantics in replay.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/pagealloc.h"
#include "sim/replay.h"
#include "sim/u64map.h"
#include "sim/xalloc.h"

enum ev_kind { EVK_OP = 0, EVK_TIMER = 1, EVK_SAMPLE = 2, EVK_WARMUP = 3 };
enum obj_state { OBJ_UNBORN = 0, OBJ_LIVE, OBJ_FREED, OBJ_FAILED };

#define NOT_LARGE 0xff

struct obj {
	sim_addr_t addr;
	sim_cycles_t done;	/* when its ALLOC completed */
	uint32_t size;		/* bytes_alloc of its ALLOC */
	uint32_t cache;		/* cache of its ALLOC: the FREE goes back there */
	uint8_t state;		/* enum obj_state */
	uint8_t large_order;	/* page order of a large kmalloc, NOT_LARGE otherwise */
};

struct cpu_stream {
	uint32_t *idx;		/* event indices, in trace order */
	size_t n, cap, next;
	uint32_t blocked_on;	/* oid it waits for, SIM_OID_NONE if none */
};

struct replay {
	const struct sim_workload *w;
	const struct sim_policy_ops *ops;
	const struct sim_replay_opts *opts;
	struct machine *m;
	void *pol;
	struct engine q;
	struct cpu_stream *cs;
	struct obj *obj;
	uint32_t *blocked;	/* cpus waiting for an ALLOC */
	size_t nblocked, blocked_cap;
	unsigned active;	/* cpus with events left */
	uint64_t period_cycles, sample_cycles;
	double cycles_per_trace_ns;	/* ghz / time_scale; 0 in closed timing */
	uint64_t done, total;
	uint64_t done_at_restart;	/* events replayed during the warm-up */
	bool warm;			/* the warm-up is over (or there is none) */
	/*
	 * Index of the first event after the first warmup_events replayed
	 * ones, UINT32_MAX if none: no cpu starts it, or any later event,
	 * before the warm-up is over, so that the warm-up ends at one point
	 * of simulated time on every cpu.
	 */
	uint32_t barrier;
	uint32_t *parked;		/* cpus waiting at the barrier */
	size_t nparked, parked_cap;
	struct u64map live;	/* verify mode: live object addresses */
	char *err;
	size_t errlen;
	int rc;
};

unsigned sim_replay_map_cpu(const struct sim_machine_config *c, unsigned trace_cpu, unsigned trace_ncpus)
{
	if (c->map == SIM_MAP_SPREAD && trace_ncpus)
		return (unsigned)((uint64_t)trace_cpu * c->ncpus / SIM_MAX(trace_ncpus, 1u)) % c->ncpus;
	return trace_cpu % c->ncpus;
}

/* --- set-up ------------------------------------------------------------- */

static void replay_fail(struct replay *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void replay_fail(struct replay *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->rc)
		return;
	r->rc = rc;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static void stream_push(struct cpu_stream *s, uint32_t i)
{
	xgrow((void **)&s->idx, &s->cap, s->n + 1, sizeof(*s->idx));
	s->idx[s->n++] = i;
}

static void replay_split_streams(struct replay *r)
{
	const struct sim_workload *w = r->w;
	struct sim_stats *st = r->m->stats;

	r->barrier = UINT32_MAX;
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (sim_event_is_replayed(e)) {
			unsigned c = sim_replay_map_cpu(&r->m->cfg, e->cpu, w->ncpus);

			if (r->m->cfg.warmup_events && r->total == r->m->cfg.warmup_events && r->barrier == UINT32_MAX)
				r->barrier = (uint32_t)i;
			stream_push(&r->cs[c], (uint32_t)i);
			r->total++;
		} else if (e->op == SIM_EV_PAGE_ALLOC || e->op == SIM_EV_PAGE_FREE) {
			st->skipped_page++;
		} else if (e->flags & SIM_EVF_NULL) {
			st->skipped_null++;
		} else {
			st->skipped_unmatched++;
		}
	}
}

static sim_cycles_t replay_event_time(const struct replay *r, const struct sim_event *e)
{
	return (sim_cycles_t)((double)e->t_ns * r->cycles_per_trace_ns);
}

static void replay_schedule_next(struct replay *r, unsigned cpu)
{
	struct cpu_stream *s = &r->cs[cpu];
	sim_cycles_t t;

	if (s->next >= s->n) {
		r->active--;
		return;
	}
	t = SIM_MAX(replay_event_time(r, &r->w->ev[s->idx[s->next]]), r->m->cpu[cpu].clock);
	engine_event_push(&r->q, t, cpu, EVK_OP, 0);
}

/* --- operations --------------------------------------------------------- */

static unsigned large_order(uint32_t bytes)
{
	unsigned order = 0;

	while (((uint64_t)SIM_PAGE_BYTES << order) < bytes)
		order++;
	return order;
}

static void replay_touch_object(struct sim_op *op, sim_addr_t addr, uint32_t size, enum cl_kind kind)
{
	unsigned lines = SIM_MIN(op->m->cfg.touch_lines, (size + SIM_LINE_BYTES - 1) / SIM_LINE_BYTES);
	enum sim_origin saved = op->origin;

	op->origin = SIM_ORIGIN_WORKLOAD;
	for (unsigned i = 0; i < lines; i++)
		sim_access(op, addr + (sim_addr_t)i * SIM_LINE_BYTES, kind);
	op->origin = saved;
}

static void replay_wake(struct replay *r, uint32_t oid)
{
	for (size_t i = 0; i < r->nblocked; i++) {
		unsigned cpu = r->blocked[i];

		if (r->cs[cpu].blocked_on != oid)
			continue;
		r->cs[cpu].blocked_on = SIM_OID_NONE;
		r->blocked[i--] = r->blocked[--r->nblocked];
		engine_event_push(&r->q, SIM_MAX(r->m->cpu[cpu].clock, r->obj[oid].done), cpu, EVK_OP, 0);
	}
}

static void replay_op_begin(struct replay *r, struct sim_op *op, unsigned cpu,
			    const struct sim_event *e, sim_cycles_t start)
{
	machine_op_begin(r->m, op, cpu, e->cache, start);
	op->ctx = sim_event_ctx(e);
	op->want_node = e->node;
}

static void replay_alloc(struct replay *r, unsigned cpu, const struct sim_event *e, sim_cycles_t start)
{
	struct machine *m = r->m;
	struct obj *o = &r->obj[e->oid];
	uint32_t size = e->bytes_alloc;
	struct sim_op op;

	replay_op_begin(r, &op, cpu, e, start);
	sim_work(&op, m->cfg.cost.c[SIM_COST_op_base]);
	o->size = size;
	o->cache = e->cache;
	o->large_order = NOT_LARGE;
	if (e->flags & SIM_EVF_LARGE) {
		o->large_order = (uint8_t)large_order(size);
		o->addr = sim_page_alloc(&op, o->large_order, e->node);
		sim_count(&op, SIM_CNT_kmalloc_large);
		sim_gauge_add(&op, SIM_GAUGE_large_bytes, (int64_t)SIM_PAGE_BYTES << o->large_order);
	} else {
		o->addr = r->ops->alloc(r->pol, &op);
	}
	if (!o->addr) {
		sim_count(&op, SIM_CNT_alloc_failed);
		o->state = OBJ_FAILED;
	} else {
		sim_count(&op, SIM_CNT_alloc);
		sim_gauge_add(&op, SIM_GAUGE_live_objs, 1);
		sim_gauge_add(&op, SIM_GAUGE_live_bytes, size);
		o->state = OBJ_LIVE;
		if (r->opts->verify && !u64map_add(&r->live, o->addr, e->oid))
			replay_fail(r, -EPROTO, "policy %s handed out object 0x%" PRIx64 " twice while live",
				    r->ops->name, o->addr);
	}
	sim_stats_latency(m->stats, e->cache, SIM_LAT_ALLOC, op.now - op.start);
	o->done = op.now;
	if (o->addr)
		replay_touch_object(&op, o->addr, size, CL_WRITE);
	if (o->addr && r->opts->on_alloc)
		r->opts->on_alloc(r->opts->on_alloc_arg, e, cpu, o->addr, r->warm);
	m->cpu[cpu].clock = op.now;
	if (r->nblocked)
		replay_wake(r, e->oid);
}

static void replay_free(struct replay *r, unsigned cpu, const struct sim_event *e, sim_cycles_t start)
{
	struct machine *m = r->m;
	struct obj *o = &r->obj[e->oid];
	struct sim_op op;

	if (o->state == OBJ_FAILED) {
		m->cpu[cpu].clock = start;
		return;
	}
	if (o->done > start) {
		m->stats->stall_cycles += o->done - start;
		start = o->done;
	}
	replay_op_begin(r, &op, cpu, e, start);
	op.cache = o->cache;
	replay_touch_object(&op, o->addr, o->size, CL_READ);
	op.start = op.now;
	sim_work(&op, m->cfg.cost.c[SIM_COST_op_base]);
	if (r->opts->verify && !u64map_del(&r->live, o->addr))
		replay_fail(r, -EPROTO, "freeing object 0x%" PRIx64 " that is not live", o->addr);
	if (o->large_order != NOT_LARGE) {
		sim_page_free(&op, o->addr, o->large_order);
		sim_count(&op, SIM_CNT_kfree_large);
		sim_gauge_add(&op, SIM_GAUGE_large_bytes, -((int64_t)SIM_PAGE_BYTES << o->large_order));
	} else {
		r->ops->free(r->pol, &op, o->addr);
	}
	sim_count(&op, SIM_CNT_free);
	sim_gauge_add(&op, SIM_GAUGE_live_objs, -1);
	sim_gauge_add(&op, SIM_GAUGE_live_bytes, -(int64_t)o->size);
	sim_stats_latency(m->stats, o->cache, SIM_LAT_FREE, op.now - op.start);
	o->state = OBJ_FREED;
	m->cpu[cpu].clock = op.now;
}

/* The warm-up is over at time now: statistics restart, the machine's state stays. */
static void replay_restart(struct replay *r, sim_cycles_t now)
{
	if (r->warm)
		return;
	r->warm = true;
	r->done_at_restart = r->done;
	sim_stats_restart(r->m->stats);
	for (size_t i = 0; i < r->nparked; i++) {
		unsigned cpu = r->parked[i];

		engine_event_push(&r->q, SIM_MAX(r->m->cpu[cpu].clock, now), cpu, EVK_OP, 0);
	}
	r->nparked = 0;
}

/* Runs cpu's next event, or parks the cpu if it frees an object not yet allocated. */
static void replay_step_cpu(struct replay *r, unsigned cpu, sim_cycles_t t)
{
	struct cpu_stream *s = &r->cs[cpu];
	const struct sim_event *e = &r->w->ev[s->idx[s->next]];

	if (t < r->m->cpu[cpu].clock) {
		/* a timer ran on this cpu since the event was queued */
		engine_event_push(&r->q, r->m->cpu[cpu].clock, cpu, EVK_OP, 0);
		return;
	}
	if (!r->warm && s->idx[s->next] >= r->barrier) {
		xgrow((void **)&r->parked, &r->parked_cap, r->nparked + 1, sizeof(*r->parked));
		r->parked[r->nparked++] = cpu;
		return;
	}
	if (e->op == SIM_EV_FREE && r->obj[e->oid].state == OBJ_UNBORN) {
		s->blocked_on = e->oid;
		xgrow((void **)&r->blocked, &r->blocked_cap, r->nblocked + 1, sizeof(*r->blocked));
		r->blocked[r->nblocked++] = cpu;
		return;
	}
	if (e->op == SIM_EV_ALLOC)
		replay_alloc(r, cpu, e, t);
	else
		replay_free(r, cpu, e, t);
	s->next++;
	r->done++;
	if (!r->warm && r->done == r->m->cfg.warmup_events)
		replay_restart(r, r->m->cpu[cpu].clock);
	if (r->opts->progress && !(r->done & ((1u << 20) - 1)))
		r->opts->progress(r->opts->progress_arg, r->done, r->total);
	replay_schedule_next(r, cpu);
}

static void replay_timer(struct replay *r, unsigned cpu, sim_cycles_t t)
{
	struct machine *m = r->m;
	struct sim_op op;

	machine_op_begin(m, &op, cpu, 0, SIM_MAX(t, m->cpu[cpu].clock));
	r->ops->timer(r->pol, &op);
	m->cpu[cpu].clock = op.now;
	m->stats->timer_runs++;
	engine_event_push(&r->q, t + r->period_cycles, cpu, EVK_TIMER, 0);
}

static uint64_t replay_cycles_to_ns(const struct replay *r, sim_cycles_t t)
{
	return (uint64_t)((double)t / r->m->cfg.ghz);
}

static void replay_loop(struct replay *r)
{
	struct engine_event ev;

	while (r->active && !r->rc && engine_event_pop(&r->q, &ev)) {
		switch (ev.kind) {
		case EVK_OP:
			replay_step_cpu(r, ev.tie, ev.t);
			break;
		case EVK_TIMER:
			replay_timer(r, ev.tie, ev.t);
			break;
		case EVK_WARMUP:
			replay_restart(r, ev.t);
			break;
		case EVK_SAMPLE:
			sim_stats_sample(r->m->stats, replay_cycles_to_ns(r, ev.t));
			engine_event_push(&r->q, ev.t + r->sample_cycles, UINT32_MAX, EVK_SAMPLE, 0);
			break;
		}
		if (r->active && r->nblocked == r->active && !r->rc) {
			bool ops_left = false;

			for (size_t i = 0; i < r->q.n && !ops_left; i++)
				ops_left = r->q.heap[i].kind == EVK_OP;
			if (!ops_left)
				replay_fail(r, -EDEADLK, "internal error: every cpu waits for an allocation (%" PRIu64 " events done)", r->done);
		}
	}
}

/* Bare replay: the events and the oid map, nothing else (benchmark baseline). */
static void replay_bare(struct replay *r)
{
	const struct sim_workload *w = r->w;
	uint64_t live = 0;

	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];
		struct obj *o;

		if (!sim_event_is_replayed(e))
			continue;
		o = &r->obj[e->oid];
		if (e->op == SIM_EV_ALLOC) {
			o->addr = e->ptr;
			o->size = e->bytes_alloc;
			o->state = OBJ_LIVE;
			live++;
		} else if (o->state == OBJ_LIVE) {
			o->state = OBJ_FREED;
			live--;
		}
		r->done++;
	}
	r->m->stats->events_replayed = r->done;
	r->m->stats->outstanding_allocs = live;
}

static void replay_finish(struct replay *r)
{
	struct sim_stats *st = r->m->stats;
	sim_cycles_t end = 0;
	uint64_t live = 0, bytes = 0;

	for (unsigned c = 0; c < r->m->ncpus; c++)
		end = SIM_MAX(end, r->m->cpu[c].clock);
	for (uint32_t i = 0; i < r->w->nobjs; i++) {
		if (r->obj[i].state != OBJ_LIVE)
			continue;
		live++;
		bytes += r->obj[i].size;
	}
	st->outstanding_bytes = bytes;
	st->page_bytes_used = pagealloc_pages_used(r->m->pages) * SIM_PAGE_BYTES;
	st->events_replayed = r->done - r->done_at_restart;
	st->end_cycles = end;
	st->end_t_ns = replay_cycles_to_ns(r, end);
	st->locks_held_at_end = r->m->locks_held;
	st->outstanding_allocs = live;
	sim_stats_sample(st, st->end_t_ns);
	if (r->opts->drain_at_end && r->ops->drain) {
		struct sim_op op;

		machine_op_begin(r->m, &op, 0, 0, end);
		r->ops->drain(r->pol, &op);
		st->page_bytes_used = pagealloc_pages_used(r->m->pages) * SIM_PAGE_BYTES;
		st->locks_held_at_end = r->m->locks_held;
	}
	if (r->opts->verify && !r->rc && r->ops->is_valid) {
		char why[256] = "";

		if (!r->ops->is_valid(r->pol, why, sizeof(why)))
			replay_fail(r, -EPROTO, "policy state inconsistent at the end: %s", why);
	}
}

static void replay_start(struct replay *r)
{
	const struct sim_machine_config *c = &r->m->cfg;
	uint64_t period_ns = r->ops->timer && r->ops->timer_period_ns ? r->ops->timer_period_ns(r->pol) : 0;

	r->sample_cycles = SIM_MAX((uint64_t)((double)c->sample_ns * c->ghz), 1u);
	r->cycles_per_trace_ns = c->timing == SIM_TIMING_CLOSED ? 0.0 : c->ghz / c->time_scale;
	engine_event_push(&r->q, 0, UINT32_MAX, EVK_SAMPLE, 0);
	if (period_ns) {
		r->period_cycles = SIM_MAX((uint64_t)((double)period_ns * c->ghz), 1u);
		for (unsigned cpu = 0; cpu < r->m->ncpus; cpu++)
			engine_event_push(&r->q, r->period_cycles, cpu, EVK_TIMER, 0);
	}
	r->warm = !c->warmup_events && !c->warmup_ns;
	if (c->warmup_ns)
		engine_event_push(&r->q, (sim_cycles_t)((double)c->warmup_ns * c->ghz), UINT32_MAX, EVK_WARMUP, 0);
	r->active = r->m->ncpus;
	for (unsigned cpu = 0; cpu < r->m->ncpus; cpu++) {
		r->cs[cpu].blocked_on = SIM_OID_NONE;
		replay_schedule_next(r, cpu);
	}
}

static void replay_cleanup(struct replay *r)
{
	if (r->pol)
		r->ops->destroy(r->pol);
	for (unsigned c = 0; r->cs && c < r->m->ncpus; c++)
		free(r->cs[c].idx);
	free(r->cs);
	free(r->obj);
	free(r->blocked);
	free(r->parked);
	if (r->live.s)
		u64map_fini(&r->live);
	engine_fini(&r->q);
	machine_destroy(r->m);
}

int sim_replay(const struct sim_workload *w, const struct sim_run_config *cfg,
	       const struct sim_policy_ops *ops, const struct sim_param_values *pv,
	       const struct sim_replay_opts *opts, struct sim_stats **out,
	       char *err, size_t errlen)
{
	static const struct sim_replay_opts none;
	struct replay r = { .w = w, .ops = ops, .opts = opts ? opts : &none, .err = err, .errlen = errlen };
	const char *why;

	*out = NULL;
	if (sim_machine_config_check(&cfg->mach, &why)) {
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	if (!sim_workload_has_replayable(w)) {
		snprintf(err, errlen, "%s: no allocations or frees to replay", w->source);
		return -ENODATA;
	}
	r.m = machine_create(&cfg->mach, w);
	r.m->page_free_hook = r.opts->on_page_free;
	r.m->page_free_arg = r.opts->on_alloc_arg;
	r.cs = xcalloc(r.m->ncpus, sizeof(*r.cs));
	r.obj = xcalloc(w->nobjs ? w->nobjs : 1, sizeof(*r.obj));
	engine_init(&r.q);
	if (r.opts->verify)
		u64map_init(&r.live);
	replay_split_streams(&r);
	if (r.opts->bare) {
		replay_bare(&r);
	} else {
		r.pol = ops->create(r.m, pv);
		if (!r.pol) {
			snprintf(err, errlen, "policy %s could not be set up", ops->name);
			r.rc = -EINVAL;
		} else {
			replay_start(&r);
			replay_loop(&r);
			replay_finish(&r);
		}
	}
	if (r.pol)
		ops->destroy(r.pol);
	r.pol = NULL;
	if (!r.rc) {
		*out = r.m->stats;
		r.m->stats = NULL;
		/* the policy's own caches go with the statistics */
		(*out)->extra_name = r.m->extra_name;
		(*out)->extra_size = r.m->extra_size;
		r.m->extra_name = NULL;
		r.m->extra_size = NULL;
		r.m->ncaches = r.m->ntrace_caches;
	}
	replay_cleanup(&r);
	return r.rc;
}
