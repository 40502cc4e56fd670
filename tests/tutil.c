/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tutil.c - helpers shared by the test suites. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sim/xalloc.h"
#include "tests/tutil.h"
#include "traces/load.h"

const char *tutil_srcpath(const char *rel)
{
	static char buf[8][4096];
	static unsigned slot;
	const char *top = getenv("SLABSIM_SRCDIR");
	char *b = buf[slot++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/%s", top && *top ? top : ".", rel);
	return b;
}

char *tutil_tmpfile(const char *suffix, const char *text, size_t len)
{
	char tmpl[] = "/tmp/slabsim-test-XXXXXX";
	int fd = mkstemp(tmpl);
	char *path;
	FILE *f;

	if (fd < 0)
		abort();
	path = xmalloc(strlen(tmpl) + strlen(suffix) + 1);
	strcpy(path, tmpl);
	strcat(path, suffix);
	if (rename(tmpl, path))
		abort();
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f))
		abort();
	return path;
}

char *tutil_tmpdir(void)
{
	char tmpl[] = "/tmp/slabsim-testd-XXXXXX";

	if (!mkdtemp(tmpl))
		abort();
	return xstrdup(tmpl);
}

void tutil_tiny_init(struct tiny *t, uint32_t size, uint64_t step_ns)
{
	sim_workload_init(&t->w);
	snprintf(t->w.source, sizeof(t->w.source), "tiny");
	t->cache = sim_workload_cache(&t->w, "test_cache", size, 0);
	t->size = size;
	t->t = 1000;
	t->step_ns = step_ns;
}

void tutil_tiny_event(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid, enum sim_ctx ctx, int node)
{
	struct sim_event e = {
		.t_ns = t->t, .ptr = 0x1000 + oid, .oid = oid, .cache = t->cache,
		.bytes_req = t->size, .bytes_alloc = t->size, .cpu = (uint16_t)cpu,
		.op = (uint8_t)op, .flags = (uint8_t)ctx, .node = (int16_t)node,
	};

	t->t += t->step_ns;
	sim_workload_push(&t->w, &e);
	if (op == SIM_EV_ALLOC && oid + 1 > t->w.nobjs)
		t->w.nobjs = oid + 1;
}

#define TUTIL_MAX_SAMPLES 8

static struct {
	char *rel;
	struct sim_workload w;
} samples[TUTIL_MAX_SAMPLES];
static unsigned nsamples;

const struct sim_workload *tutil_sample(const char *rel)
{
	char err[512];

	for (unsigned i = 0; i < nsamples; i++)
		if (!strcmp(samples[i].rel, rel))
			return &samples[i].w;
	ck_assert_msg(nsamples < TUTIL_MAX_SAMPLES, "at most %d samples are kept", TUTIL_MAX_SAMPLES);
	sim_workload_init(&samples[nsamples].w);
	ck_assert_msg(trace_load(tutil_srcpath(rel), &samples[nsamples].w, err, sizeof(err)) == 0,
		      "the bundled trace %s should load: %s", rel, err);
	samples[nsamples].rel = xstrdup(rel);
	return &samples[nsamples++].w;
}

bool tutil_quick_skips(const char *rel)
{
	const char *q = getenv("SLABSIM_TEST_QUICK");

	if (!q || strcmp(q, "1") || !strstr(rel, "traces/samples/") || strstr(rel, "-head."))
		return false;
	fprintf(stderr, "SLABSIM_TEST_QUICK=1: %s left out\n", rel);
	return true;
}

void tutil_samples_release(void)
{
	for (unsigned i = 0; i < nsamples; i++) {
		sim_workload_fini(&samples[i].w);
		free(samples[i].rel);
	}
	nsamples = 0;
}
