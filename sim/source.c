/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - the event source and the passes over a workload in memory (see source.h). */
#include "config.h"

#include <errno.h>

#include "sim/source.h"

static int source_mem_next(struct sim_source *s, struct sim_event *e, char *err, size_t errlen)
{
	struct sim_source_mem *m = s->priv;

	(void)err;
	(void)errlen;
	if (m->i >= s->w->nev)
		return 0;
	*e = s->w->ev[m->i++];
	return 1;
}

void sim_source_mem_init(struct sim_source_mem *m, const struct sim_workload *w)
{
	m->src.w = w;
	m->src.total = sim_workload_replayable(w);
	m->src.next = source_mem_next;
	m->src.priv = m;
	m->i = 0;
}

int sim_source_drain(struct sim_source *s, char *err, size_t errlen)
{
	struct sim_event e;
	int rc;

	while ((rc = s->next(s, &e, err, errlen)) > 0)
		;
	return rc;
}

int sim_passes_walk(struct sim_passes *p, void (*visit)(void *ctx, const struct sim_event *e), void *ctx,
		    char *err, size_t errlen)
{
	struct sim_source *s = p->open(p, err, errlen);
	struct sim_event e;
	int rc;

	if (!s)
		return -EIO;
	p->npasses++;
	while ((rc = s->next(s, &e, err, errlen)) > 0)
		if (visit)
			visit(ctx, &e);
	p->close(p);
	return rc;
}

static struct sim_source *passes_mem_open(struct sim_passes *p, char *err, size_t errlen)
{
	struct sim_passes_mem *pm = p->priv;

	(void)err;
	(void)errlen;
	sim_source_mem_init(&pm->m, p->w);
	return &pm->m.src;
}

static void passes_mem_close(struct sim_passes *p)
{
	(void)p;
}

void sim_passes_mem_init(struct sim_passes_mem *pm, const struct sim_workload *w)
{
	pm->p = (struct sim_passes){ .w = w, .open = passes_mem_open, .close = passes_mem_close, .priv = pm };
}
