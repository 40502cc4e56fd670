/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - the event source over a workload in memory (see source.h). */
#include "config.h"

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
