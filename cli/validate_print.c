/* SPDX-License-Identifier: GPL-2.0-or-later */
/* validate_print.c - `slabsim validate` output: text, CSV and JSON (see validate.h). */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "cli/validate.h"

/* Whether group g has a member listed in only (comma-separated). */
static bool validation_selected(const struct realslab_group *g, const char *only)
{
	char names[sizeof(g->name)];
	char *save = NULL;

	if (!only)
		return true;
	snprintf(names, sizeof(names), "%s", g->name);
	for (char *n = strtok_r(names, "+", &save); n; n = strtok_r(NULL, "+", &save)) {
		size_t len = strlen(n);

		for (const char *p = only; (p = strstr(p, n)); p += len)
			if ((p == only || p[-1] == ',') && (p[len] == ',' || !p[len]))
				return true;
	}
	return false;
}

static void text_pair(FILE *f, uint64_t real, uint64_t sim)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%" PRIu64 "/%" PRIu64, real, sim);
	fprintf(f, " %15s", buf);
}

static void text_row(FILE *f, const char *name, const struct slabuse_fig *r, const struct slabuse_fig *s)
{
	long long d = (long long)s->switches - (long long)r->switches;

	fprintf(f, "%-28.28s %8" PRIu64, name, r->allocs);
	for (unsigned i = 1; i < VALIDATION_NFIG; i++)
		text_pair(f, validation_fig(r, i), validation_fig(s, i));
	if (r->switches)
		fprintf(f, " %+7.1f%%\n", 100.0 * (double)d / (double)r->switches);
	else
		fprintf(f, " %8s\n", "-");
}

static void text_base(FILE *f, const struct validation *v)
{
	const struct trace_preslab *b = &v->real.base;

	fprintf(f, "direct-map base 0x%016" PRIx64 ": %" PRIu64 " allocations fall in pages the trace allocates",
		b->page_offset, b->votes_for);
	if (b->runner_up)
		fprintf(f, ", %" PRIu64 " under the next candidate 0x%016" PRIx64 " (%.1f%% of the winner)\n",
			b->runner_up, b->runner_up_base, 100.0 * (double)b->runner_up / (double)b->votes_for);
	else
		fprintf(f, "; no other base the votes suggest, nor their 1 GiB neighbours, places any (unambiguous)\n");
	fprintf(f, "objects without a real pointer under the base: %" PRIu64 "; mm_page_free of pages that held "
		"no object seen: %" PRIu64 "\n", v->real.unmapped, v->real.page_frees_other);
}

static void text_crosscheck(FILE *f, const struct validation *v, const char *only)
{
	bool header = false;

	for (size_t i = 0; i < v->real.ngroups; i++) {
		const struct realslab_group *g = &v->real.g[i];
		long long snap = (long long)g->snap_after - (long long)g->snap_before;
		long long traced = (long long)g->fig.slabs_new - (long long)g->fig.slabs_freed;

		if (!g->in_snapshot || snap == traced || !validation_selected(g, only))
			continue;
		if (!header)
			fprintf(f, "\nsnapshot cross-check, where num_slabs after - before != new - freed in the trace:\n"
				"%-28s %8s %8s %8s %8s\n", "cache", "before", "after", "delta", "traced");
		header = true;
		fprintf(f, "%-28.28s %8" PRIu64 " %8" PRIu64 " %+8lld %+8lld\n", g->name, g->snap_before,
			g->snap_after, snap, traced);
	}
	if (!header)
		fprintf(f, "\nsnapshot cross-check: every cache's num_slabs delta equals new - freed in the trace\n");
}

static void text_untraced(FILE *f, const struct validation *v, const char *only)
{
	if (!v->real.untraced_allocs)
		return;
	fprintf(f, "\nallocations the trace did not see (frees of objects never allocated in it, in slabs made "
		"during it;\nkmem_cache_alloc_bulk is not traced in 6.1), which the replay cannot make either:\n");
	for (size_t i = 0; i < v->real.ngroups; i++)
		if (v->real.g[i].untraced_allocs && validation_selected(&v->real.g[i], only))
			fprintf(f, "  %-28.28s %8" PRIu64 "\n", v->real.g[i].name, v->real.g[i].untraced_allocs);
}

static void validation_text(FILE *f, const struct validation *v, const char *only)
{
	bool merged = false;

	text_base(f, v);
	fprintf(f, "replayed on: %s\n\n", v->policy);
	fprintf(f, "real/simulated per cache (merged caches: names joined by '+')\n");
	fprintf(f, "%-28s %8s", "cache", "allocs");
	for (unsigned i = 1; i < VALIDATION_NFIG; i++)
		fprintf(f, " %15s", validation_fig_name[i]);
	fprintf(f, " %8s\n", "switch-d");
	for (size_t i = 0; i < v->real.ngroups; i++) {
		if (!validation_selected(&v->real.g[i], only))
			continue;
		text_row(f, v->real.g[i].name, &v->real.g[i].fig, &v->sim[i]);
		merged |= v->real.g[i].nmembers > 1;
	}
	text_row(f, "total", &v->real.total, &v->sim_total);
	if (merged)
		fprintf(f, "caches joined by '+' share one slab set in the capture (merged by the kernel, or "
			"named by the trace from a call site or kmalloc size): compared as one\n");
	else
		fprintf(f, "no two cache names share a slab in this capture (a cache the kernel merged into "
			"another is named after that one in the trace and the snapshot)\n");
	text_crosscheck(f, v, only);
	text_untraced(f, v, only);
	fprintf(f, "\nslab switches per cpu (real/simulated):");
	for (unsigned c = 0; c < v->real.ncpus; c++)
		fprintf(f, " cpu%u %" PRIu64 "/%" PRIu64, c, v->real.cpu_switches[c], v->sim_cpu_switches[c]);
	fprintf(f, "\n\nagreement: %s\n", v->summary);
}

static void validation_csv(FILE *f, const struct validation *v, const char *only)
{
	fprintf(f, "cache,merged,cpu,figure,real,sim,diff\n");
	for (size_t i = 0; i <= v->real.ngroups; i++) {
		bool total = i == v->real.ngroups;
		const struct slabuse_fig *r = total ? &v->real.total : &v->real.g[i].fig;
		const struct slabuse_fig *s = total ? &v->sim_total : &v->sim[i];

		if (!total && !validation_selected(&v->real.g[i], only))
			continue;
		for (unsigned k = 0; k < VALIDATION_NFIG; k++)
			fprintf(f, "%s,%d,,%s,%" PRIu64 ",%" PRIu64 ",%lld\n", total ? "total" : v->real.g[i].name,
				!total && v->real.g[i].nmembers > 1, validation_fig_name[k], validation_fig(r, k),
				validation_fig(s, k), (long long)validation_fig(s, k) - (long long)validation_fig(r, k));
		if (!total && v->real.g[i].untraced_allocs)
			fprintf(f, "%s,%d,,untraced_allocs,%" PRIu64 ",0,\n", v->real.g[i].name, v->real.g[i].nmembers > 1,
				v->real.g[i].untraced_allocs);
	}
	for (unsigned c = 0; c < v->real.ncpus; c++)
		fprintf(f, "total,0,%u,switches,%" PRIu64 ",%" PRIu64 ",%lld\n", c, v->real.cpu_switches[c],
			v->sim_cpu_switches[c], (long long)v->sim_cpu_switches[c] - (long long)v->real.cpu_switches[c]);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_figs(FILE *f, const struct slabuse_fig *r, const struct slabuse_fig *s)
{
	for (unsigned k = 0; k < VALIDATION_NFIG; k++)
		fprintf(f, "%s\"%s\": {\"real\": %" PRIu64 ", \"sim\": %" PRIu64 "}", k ? ", " : "",
			validation_fig_name[k], validation_fig(r, k), validation_fig(s, k));
}

static void validation_json(FILE *f, const struct validation *v, const char *only)
{
	const struct trace_preslab *b = &v->real.base;
	bool first = true;

	fprintf(f, "{\n  \"base\": {\"page_offset\": \"0x%016" PRIx64 "\", \"votes\": %" PRIu64
		", \"runner_up\": %" PRIu64 ", \"runner_up_base\": \"0x%016" PRIx64 "\"},\n",
		b->page_offset, b->votes_for, b->runner_up, b->runner_up_base);
	fprintf(f, "  \"unmapped\": %" PRIu64 ",\n  \"policy\": ", v->real.unmapped);
	json_string(f, v->policy);
	fprintf(f, ",\n  \"caches\": [\n");
	for (size_t i = 0; i < v->real.ngroups; i++) {
		const struct realslab_group *g = &v->real.g[i];

		if (!validation_selected(g, only))
			continue;
		fprintf(f, "%s    {\"cache\": ", first ? "" : ",\n");
		json_string(f, g->name);
		fprintf(f, ", \"merged\": %s, \"snap_before\": %" PRIu64 ", \"snap_after\": %" PRIu64
			", \"untraced_allocs\": %" PRIu64 ", ", g->nmembers > 1 ? "true" : "false", g->snap_before,
			g->snap_after, g->untraced_allocs);
		json_figs(f, &g->fig, &v->sim[i]);
		fputc('}', f);
		first = false;
	}
	fprintf(f, "\n  ],\n  \"total\": {");
	json_figs(f, &v->real.total, &v->sim_total);
	fprintf(f, "},\n  \"cpu_switches\": [");
	for (unsigned c = 0; c < v->real.ncpus; c++)
		fprintf(f, "%s{\"real\": %" PRIu64 ", \"sim\": %" PRIu64 "}", c ? ", " : "", v->real.cpu_switches[c],
			v->sim_cpu_switches[c]);
	fprintf(f, "],\n  \"summary\": ");
	json_string(f, v->summary);
	fprintf(f, "\n}\n");
}

void validation_print(FILE *f, const struct validation *v, enum validation_format fmt, const char *only)
{
	switch (fmt) {
	case VALIDATION_TEXT:
		validation_text(f, v, only);
		break;
	case VALIDATION_CSV:
		validation_csv(f, v, only);
		break;
	case VALIDATION_JSON:
		validation_json(f, v, only);
		break;
	}
}
