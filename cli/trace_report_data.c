/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace_report_data.c - "slabsim trace stats --format csv|json": the
 * sections of trace_report.h with every value, for programs.
 *
 * CSV: one table per section (the lifetime section has two: lifetime and
 * lifetime_bins), separated by an empty line.  Every row starts with the
 * table's name and every table with a header row whose first field is
 * "table", so "grep '^caches,'" or --table caches extracts one table.
 * Fields are quoted (RFC 4180) when they hold a comma, a quote or a
 * line break.  Counts are integers; fractions are in [0, 1], not percent.
 *
 * JSON: one object with a member per section.  Rows are objects with the
 * same names as the CSV columns.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/trace_report.h"
#include "sim/xalloc.h"

static const char *const data_ctx_name[4] = { "task", "softirq", "hardirq", "nmi" };

static double data_seconds(const struct trace_stats *s)
{
	return (double)s->duration_ns / 1e9;
}

static double data_rate(uint64_t n, const struct trace_stats *s)
{
	return s->duration_ns ? (double)n / data_seconds(s) : 0.0;
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_str(FILE *f, const char *s)
{
	fputc(',', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_u64(FILE *f, uint64_t v)
{
	fprintf(f, ",%" PRIu64, v);
}

static void csv_dbl(FILE *f, double v)
{
	fprintf(f, isfinite(v) ? ",%.10g" : ",", v);
}

static void csv_kv_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "summary,%s", key);
	csv_str(f, v);
	fputc('\n', f);
}

static void csv_kv_u64(FILE *f, const char *table, const char *key, uint64_t v)
{
	fprintf(f, "%s,%s", table, key);
	csv_u64(f, v);
	fputc('\n', f);
}

static void csv_summary(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;
	const char *gen = trace_report_generator(r);
	char digest[20];

	fprintf(f, "table,key,value\n");
	csv_kv_str(f, "source", r->w->source);
	csv_kv_str(f, "format", r->w->format);
	csv_kv_str(f, "origin", r->info->origin);
	csv_kv_str(f, "origin_format", r->info->origin_format);
	csv_kv_str(f, "generator", gen ? gen : "");
	csv_kv_str(f, "kernel", r->w->kernel);
	csv_kv_u64(f, "summary", "duration_ns", s->duration_ns);
	csv_kv_u64(f, "summary", "cpus", s->ncpus);
	csv_kv_u64(f, "summary", "nodes", s->nnodes);
	csv_kv_u64(f, "summary", "events", s->events);
	csv_kv_u64(f, "summary", "objects", r->w->nobjs);
	csv_kv_u64(f, "summary", "live_end", s->live_end);
	csv_kv_u64(f, "summary", "live_bytes_end", s->live_bytes_end);
	snprintf(digest, sizeof(digest), "%016" PRIx64, r->w->digest);
	csv_kv_str(f, "digest", digest);
}

static void csv_types(FILE *f, const struct trace_report *r)
{
	fprintf(f, "table,type,events\n");
	for (int t = 0; t < TRACE_ST_NTYPES; t++)
		csv_kv_u64(f, "types", trace_stats_type_name((enum trace_stats_type)t), r->s->by_type[t]);
}

static void csv_cpus(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "table,cpu,node,events,allocs,frees,page_allocs,page_frees,bytes_alloc,allocs_per_s,"
		   "allocs_task,allocs_softirq,allocs_hardirq,allocs_nmi,node_requests,cross_node_allocs\n");
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct trace_stats_cpu *p = &s->cpu[c];

		fprintf(f, "cpus,%u,%u", c, trace_stats_node_of(s, c));
		csv_u64(f, p->events);
		csv_u64(f, p->allocs);
		csv_u64(f, p->frees);
		csv_u64(f, p->page_allocs);
		csv_u64(f, p->page_frees);
		csv_u64(f, p->bytes_alloc);
		csv_dbl(f, data_rate(p->allocs, s));
		for (int x = 0; x < 4; x++)
			csv_u64(f, p->allocs_ctx[x]);
		csv_u64(f, p->node_requests);
		csv_u64(f, p->cross_node_allocs);
		fputc('\n', f);
	}
}

static void csv_row(FILE *f, const struct trace_report *r, bool sites, size_t rank, uint32_t id)
{
	const struct trace_stats_row *c = sites ? &r->s->site[id] : &r->s->cache[id];

	fprintf(f, "%s,%zu", sites ? "sites" : "caches", rank);
	csv_str(f, trace_report_row_name(r, sites, id));
	if (!sites)
		csv_u64(f, c->object_size);
	csv_u64(f, c->allocs);
	csv_u64(f, c->frees);
	csv_u64(f, c->bytes_req);
	csv_u64(f, c->bytes_alloc);
	csv_dbl(f, trace_stats_row_mean_req(c));
	csv_dbl(f, trace_stats_row_mean_alloc(c));
	csv_dbl(f, trace_stats_row_frag(c));
	csv_u64(f, c->live_end);
	csv_u64(f, c->freed.pairs);
	csv_u64(f, c->freed.cross_cpu);
	csv_dbl(f, trace_stats_fraction(&c->freed));
	csv_u64(f, c->freed.cross_node);
	csv_u64(f, c->cross_node_allocs);
	if (!sites)
		fprintf(f, ",%d", !!(c->flags & SIM_CACHEF_GUESSED));
	fputc('\n', f);
}

static void csv_rows(FILE *f, const struct trace_report *r, bool sites)
{
	size_t n = sites ? r->s->nsites : r->s->ncaches, used;
	uint32_t *order = xmalloc((n + 1) * sizeof(*order));
	size_t shown = trace_report_rows(r, sites, order, &used);

	fprintf(f, "table,rank,%s,allocs,frees,bytes_req,bytes_alloc,mean_req,mean_alloc,frag,live_end,"
		   "pairs,pingpong,pingpong_fraction,cross_node_frees,cross_node_allocs%s\n",
		sites ? "site" : "cache,object_size", sites ? "" : ",guessed");
	for (size_t i = 0; i < shown; i++)
		csv_row(f, r, sites, i + 1, order[i]);
	free(order);
}

static void csv_caches(FILE *f, const struct trace_report *r)
{
	csv_rows(f, r, false);
}

static void csv_sites(FILE *f, const struct trace_report *r)
{
	csv_rows(f, r, true);
}

static void csv_pairs(FILE *f, const char *kind, const struct trace_stats_pairs *p)
{
	fprintf(f, "cross,%s", kind);
	csv_u64(f, p->pairs);
	csv_u64(f, p->cross_cpu);
	csv_dbl(f, trace_stats_fraction(p));
	csv_u64(f, p->cross_node);
	fputc('\n', f);
}

static void csv_cross(FILE *f, const struct trace_report *r)
{
	fprintf(f, "table,kind,pairs,cross_cpu,fraction,cross_node\n");
	for (int k = 0; k < TRACE_SK_NKINDS; k++)
		csv_pairs(f, trace_stats_kind_name((enum trace_stats_kind)k), &r->s->kind[k]);
	csv_pairs(f, "slab", &r->s->slab);
}

static void csv_matrix(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "table,alloc_cpu,free_cpu,pairs\n");
	for (unsigned a = 0; a < s->ncpus; a++)
		for (unsigned c = 0; c < s->ncpus; c++)
			fprintf(f, "matrix,%u,%u,%" PRIu64 "\n", a, c, trace_stats_matrix_get(s, a, c));
}

static void csv_nodes(FILE *f, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	fprintf(f, "table,key,value\n");
	csv_kv_u64(f, "nodes", "nodes", s->nnodes);
	csv_kv_u64(f, "nodes", "allocs", s->allocs);
	csv_kv_u64(f, "nodes", "node_requests", s->node_requests);
	csv_kv_u64(f, "nodes", "cross_node_allocs", s->cross_node_allocs);
	csv_kv_u64(f, "nodes", "pairs", s->slab.pairs);
	csv_kv_u64(f, "nodes", "cross_node_frees", s->slab.cross_node);
}

static void csv_life_row(FILE *f, const char *unit, const struct trace_stats_lifetime *l,
			 const double *p, double mean, uint64_t max)
{
	fprintf(f, "lifetime,%s", unit);
	csv_u64(f, l->n);
	csv_u64(f, l->censored);
	csv_dbl(f, mean);
	for (int i = 0; i < 3; i++)
		csv_dbl(f, p[i]);
	csv_u64(f, max);
	fputc('\n', f);
}

static void csv_life_bins(FILE *f, const char *unit, const gsl_histogram *h)
{
	for (size_t b = 0; h && b < gsl_histogram_bins(h); b++) {
		double lo, hi;

		gsl_histogram_get_range(h, b, &lo, &hi);
		fprintf(f, "lifetime_bins,%s", unit);
		csv_dbl(f, lo);
		csv_dbl(f, hi);
		csv_u64(f, (uint64_t)gsl_histogram_get(h, b));
		fputc('\n', f);
	}
}

static void csv_lifetime(FILE *f, const struct trace_report *r)
{
	const struct trace_stats_lifetime *l = &r->s->life;

	fprintf(f, "table,unit,n,censored,mean,p50,p90,p99,max\n");
	csv_life_row(f, "ns", l, l->p_ns, l->mean_ns, l->max_ns);
	csv_life_row(f, "events", l, l->p_events, l->mean_events, l->max_events);
	fprintf(f, "\ntable,unit,lo,hi,count\n");
	csv_life_bins(f, "ns", l->ns);
	csv_life_bins(f, "events", l->events);
}

static void csv_live(FILE *f, const struct trace_report *r)
{
	fprintf(f, "table,t_ns,live_objects,live_bytes,allocs,frees\n");
	for (size_t i = 0; i < r->s->nsamples; i++) {
		const struct trace_stats_sample *p = &r->s->series[i];

		fprintf(f, "live,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", p->t_ns,
			p->live_objs, p->live_bytes, p->allocs, p->frees);
	}
}

static void csv_preslab(FILE *f, const struct trace_report *r)
{
	const struct trace_preslab *p = &r->s->pre;

	fprintf(f, "table,known,page_offset,votes,votes_for,objects,in_old_slabs,in_new_slabs\n");
	fprintf(f, "preslab,%d,%" PRIu64, p->known, p->page_offset);
	csv_u64(f, p->votes);
	csv_u64(f, p->votes_for);
	csv_u64(f, p->objects);
	csv_u64(f, p->in_old_slabs);
	csv_u64(f, p->in_new_slabs);
	fputc('\n', f);
}

static void csv_anomalies(FILE *f, const struct trace_report *r)
{
	fprintf(f, "table,anomaly,count,meaning\n");
	for (int i = 0; i < SIM_AN_COUNT; i++) {
		fprintf(f, "anomalies,%s", sim_anomaly_name[i]);
		csv_u64(f, r->s->anomaly[i]);
		csv_str(f, sim_anomaly_meaning[i]);
		fputc('\n', f);
	}
}

static void (*const csv_sections[TRACE_REPORT_NSECTIONS])(FILE *, const struct trace_report *) = {
#define TRACE_REPORT_CSV_FN(n, d) csv_##n,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_CSV_FN)
#undef TRACE_REPORT_CSV_FN
};

void trace_report_csv(FILE *f, const struct trace_report *r)
{
	bool first = true;

	for (int i = 0; i < TRACE_REPORT_NSECTIONS; i++) {
		if (!trace_report_wants(r, (enum trace_report_section)i))
			continue;
		if (!first)
			fputc('\n', f);
		csv_sections[i](f, r);
		first = false;
	}
}

/* ---- JSON ------------------------------------------------------------------------ */

#define JSON_MAX_DEPTH 8

/* A small pretty-printing writer: members one per line, "inline" containers on one. */
struct json {
	FILE *f;
	int depth;
	bool has[JSON_MAX_DEPTH];	/* the container at this depth has a member */
	bool flat[JSON_MAX_DEPTH];	/* ... and is written on one line */
};

static void json_sep(struct json *j)
{
	bool had = j->has[j->depth];

	j->has[j->depth] = true;
	if (j->flat[j->depth]) {
		if (had)
			fputs(", ", j->f);
		return;
	}
	if (had)
		fputc(',', j->f);
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
}

static void json_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	json_sep(j);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

static void json_open(struct json *j, const char *key, char brace, bool flat)
{
	json_key(j, key);
	fputc(brace, j->f);
	j->depth++;
	j->has[j->depth] = false;
	j->flat[j->depth] = flat || j->flat[j->depth - 1];
}

static void json_close(struct json *j, char brace)
{
	bool had = j->has[j->depth], flat = j->flat[j->depth];

	j->depth--;
	if (had && !flat)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(brace, j->f);
}

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void json_dbl(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.10g", v);
	else
		fputs("null", j->f);
}

static void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	if (v)
		json_quoted(j->f, v);
	else
		fputs("null", j->f);
}

static void json_summary(struct json *j, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;
	char digest[20];

	snprintf(digest, sizeof(digest), "%016" PRIx64, r->w->digest);
	json_open(j, "summary", '{', false);
	json_str(j, "source", r->w->source);
	json_str(j, "format", r->w->format);
	json_str(j, "origin", r->info->origin);
	json_str(j, "origin_format", r->info->origin_format);
	json_str(j, "generator", trace_report_generator(r));
	json_str(j, "kernel", r->w->kernel);
	json_u64(j, "duration_ns", s->duration_ns);
	json_u64(j, "cpus", s->ncpus);
	json_u64(j, "nodes", s->nnodes);
	json_u64(j, "events", s->events);
	json_u64(j, "objects", r->w->nobjs);
	json_u64(j, "live_end", s->live_end);
	json_u64(j, "live_bytes_end", s->live_bytes_end);
	json_str(j, "digest", digest);
	json_close(j, '}');
}

static void json_types(struct json *j, const struct trace_report *r)
{
	json_open(j, "types", '{', false);
	for (int t = 0; t < TRACE_ST_NTYPES; t++)
		json_u64(j, trace_stats_type_name((enum trace_stats_type)t), r->s->by_type[t]);
	json_close(j, '}');
}

static void json_cpus(struct json *j, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	json_open(j, "cpus", '[', false);
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct trace_stats_cpu *p = &s->cpu[c];

		json_open(j, NULL, '{', true);
		json_u64(j, "cpu", c);
		json_u64(j, "node", trace_stats_node_of(s, c));
		json_u64(j, "events", p->events);
		json_u64(j, "allocs", p->allocs);
		json_u64(j, "frees", p->frees);
		json_u64(j, "page_allocs", p->page_allocs);
		json_u64(j, "page_frees", p->page_frees);
		json_u64(j, "bytes_alloc", p->bytes_alloc);
		json_dbl(j, "allocs_per_s", data_rate(p->allocs, s));
		for (int x = 0; x < 4; x++) {
			char key[32];

			snprintf(key, sizeof(key), "allocs_%s", data_ctx_name[x]);
			json_u64(j, key, p->allocs_ctx[x]);
		}
		json_u64(j, "node_requests", p->node_requests);
		json_u64(j, "cross_node_allocs", p->cross_node_allocs);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void json_row(struct json *j, const struct trace_report *r, bool sites, size_t rank, uint32_t id)
{
	const struct trace_stats_row *c = sites ? &r->s->site[id] : &r->s->cache[id];

	json_open(j, NULL, '{', true);
	json_u64(j, "rank", rank);
	json_str(j, sites ? "site" : "cache", trace_report_row_name(r, sites, id));
	if (!sites)
		json_u64(j, "object_size", c->object_size);
	json_u64(j, "allocs", c->allocs);
	json_u64(j, "frees", c->frees);
	json_u64(j, "bytes_req", c->bytes_req);
	json_u64(j, "bytes_alloc", c->bytes_alloc);
	json_dbl(j, "mean_req", trace_stats_row_mean_req(c));
	json_dbl(j, "mean_alloc", trace_stats_row_mean_alloc(c));
	json_dbl(j, "frag", trace_stats_row_frag(c));
	json_u64(j, "live_end", c->live_end);
	json_u64(j, "pairs", c->freed.pairs);
	json_u64(j, "pingpong", c->freed.cross_cpu);
	json_dbl(j, "pingpong_fraction", trace_stats_fraction(&c->freed));
	json_u64(j, "cross_node_frees", c->freed.cross_node);
	json_u64(j, "cross_node_allocs", c->cross_node_allocs);
	if (!sites) {
		json_key(j, "guessed");
		fputs((c->flags & SIM_CACHEF_GUESSED) ? "true" : "false", j->f);
	}
	json_close(j, '}');
}

static void json_rows(struct json *j, const struct trace_report *r, bool sites)
{
	size_t n = sites ? r->s->nsites : r->s->ncaches, used;
	uint32_t *order = xmalloc((n + 1) * sizeof(*order));
	size_t shown = trace_report_rows(r, sites, order, &used);

	json_open(j, sites ? "sites" : "caches", '{', false);
	json_u64(j, "rows_with_events", used);
	json_open(j, "sort", '[', true);
	for (unsigned i = 0; i < r->o->sort.n; i++)
		json_str(j, NULL, trace_stats_sort_key_name(r->o->sort.key[i]));
	json_close(j, ']');
	json_open(j, "rows", '[', false);
	for (size_t i = 0; i < shown; i++)
		json_row(j, r, sites, i + 1, order[i]);
	json_close(j, ']');
	json_close(j, '}');
	free(order);
}

static void json_caches(struct json *j, const struct trace_report *r)
{
	json_rows(j, r, false);
}

static void json_sites(struct json *j, const struct trace_report *r)
{
	json_rows(j, r, true);
}

static void json_pairs(struct json *j, const char *kind, const struct trace_stats_pairs *p)
{
	json_open(j, kind, '{', true);
	json_u64(j, "pairs", p->pairs);
	json_u64(j, "cross_cpu", p->cross_cpu);
	json_dbl(j, "fraction", trace_stats_fraction(p));
	json_u64(j, "cross_node", p->cross_node);
	json_close(j, '}');
}

static void json_cross(struct json *j, const struct trace_report *r)
{
	json_open(j, "cross", '{', false);
	for (int k = 0; k < TRACE_SK_NKINDS; k++)
		json_pairs(j, trace_stats_kind_name((enum trace_stats_kind)k), &r->s->kind[k]);
	json_pairs(j, "slab", &r->s->slab);
	json_u64(j, "page_free_unseen", r->s->page_free_unseen);
	json_u64(j, "pages_live_end", r->s->pages_live_end);
	json_close(j, '}');
}

static void json_matrix(struct json *j, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	json_open(j, "matrix", '[', false);
	for (unsigned a = 0; a < s->ncpus; a++) {
		json_open(j, NULL, '[', true);
		for (unsigned c = 0; c < s->ncpus; c++)
			json_u64(j, NULL, trace_stats_matrix_get(s, a, c));
		json_close(j, ']');
	}
	json_close(j, ']');
}

static void json_nodes(struct json *j, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	json_open(j, "nodes", '{', false);
	json_u64(j, "nodes", s->nnodes);
	json_u64(j, "allocs", s->allocs);
	json_u64(j, "node_requests", s->node_requests);
	json_u64(j, "cross_node_allocs", s->cross_node_allocs);
	json_u64(j, "pairs", s->slab.pairs);
	json_u64(j, "cross_node_frees", s->slab.cross_node);
	json_close(j, '}');
}

static void json_life_unit(struct json *j, const char *key, const gsl_histogram *h, const double *p,
			   double mean, uint64_t max)
{
	json_open(j, key, '{', false);
	json_dbl(j, "mean", mean);
	json_dbl(j, "p50", p[0]);
	json_dbl(j, "p90", p[1]);
	json_dbl(j, "p99", p[2]);
	json_u64(j, "max", max);
	json_open(j, "bins", '[', false);
	for (size_t b = 0; h && b < gsl_histogram_bins(h); b++) {
		double lo, hi;

		gsl_histogram_get_range(h, b, &lo, &hi);
		json_open(j, NULL, '[', true);
		json_dbl(j, NULL, lo);
		json_dbl(j, NULL, hi);
		json_u64(j, NULL, (uint64_t)gsl_histogram_get(h, b));
		json_close(j, ']');
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void json_lifetime(struct json *j, const struct trace_report *r)
{
	const struct trace_stats_lifetime *l = &r->s->life;

	json_open(j, "lifetime", '{', false);
	json_u64(j, "n", l->n);
	json_u64(j, "censored", l->censored);
	json_life_unit(j, "ns", l->ns, l->p_ns, l->mean_ns, l->max_ns);
	json_life_unit(j, "events", l->events, l->p_events, l->mean_events, l->max_events);
	json_close(j, '}');
}

static void json_live(struct json *j, const struct trace_report *r)
{
	const struct trace_stats *s = r->s;

	json_open(j, "live", '{', false);
	json_u64(j, "interval_ns", s->interval_ns);
	json_u64(j, "peak_objects", s->peak_live_objs);
	json_u64(j, "peak_bytes", s->peak_live_bytes);
	json_u64(j, "peak_bytes_t_ns", s->peak_live_bytes_t_ns);
	json_open(j, "series", '[', false);
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct trace_stats_sample *p = &s->series[i];

		json_open(j, NULL, '{', true);
		json_u64(j, "t_ns", p->t_ns);
		json_u64(j, "live_objects", p->live_objs);
		json_u64(j, "live_bytes", p->live_bytes);
		json_u64(j, "allocs", p->allocs);
		json_u64(j, "frees", p->frees);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void json_preslab(struct json *j, const struct trace_report *r)
{
	const struct trace_preslab *p = &r->s->pre;

	json_open(j, "preslab", '{', false);
	json_u64(j, "known", p->known);
	json_u64(j, "page_offset", p->page_offset);
	json_u64(j, "votes", p->votes);
	json_u64(j, "votes_for", p->votes_for);
	json_u64(j, "objects", p->objects);
	json_u64(j, "in_old_slabs", p->in_old_slabs);
	json_u64(j, "in_new_slabs", p->in_new_slabs);
	json_close(j, '}');
}

static void json_anomalies(struct json *j, const struct trace_report *r)
{
	json_open(j, "anomalies", '{', false);
	for (int i = 0; i < SIM_AN_COUNT; i++)
		json_u64(j, sim_anomaly_name[i], r->s->anomaly[i]);
	json_close(j, '}');
}

static void (*const json_sections[TRACE_REPORT_NSECTIONS])(struct json *, const struct trace_report *) = {
#define TRACE_REPORT_JSON_FN(n, d) json_##n,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_JSON_FN)
#undef TRACE_REPORT_JSON_FN
};

void trace_report_json(FILE *f, const struct trace_report *r)
{
	struct json j = { .f = f, .depth = 1 };

	fputc('{', f);
	for (int i = 0; i < TRACE_REPORT_NSECTIONS; i++)
		if (trace_report_wants(r, (enum trace_report_section)i))
			json_sections[i](&j, r);
	fputs("\n}\n", f);
}
