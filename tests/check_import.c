/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_import.c - the streaming import (trace_import): the file it writes
 * is byte for byte the one an in-memory load and trace_native_write give,
 * for real samples and for hand-made traces that exercise every naming
 * rule of the pairing pass, including an allocation named by a free that
 * comes after its spooled record has gone to disk; nothing of the trace
 * stays in memory or on disk but the result.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"
#include "traces/native.h"

static char *im_path(const char *dir, const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", dir, name);
	return p;
}

static unsigned char *im_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long len;

	ck_assert_msg(f != NULL, "%s should exist", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	b = xmalloc((size_t)len + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static size_t im_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void im_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			char *p = im_path(dir, de->d_name);

			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/*
 * Imports src by streaming and by loading it whole, asserts the two files
 * are the same bytes and the import kept no events; leaves the loaded
 * workload in *w for further checks.
 */
static void im_compare(const char *src, struct sim_workload *w, bool strict)
{
	char *dir = tutil_tmpdir(), *a = im_path(dir, "stream.slabsimt"), *b = im_path(dir, "memory.slabsimt");
	struct trace_load_opts opts = { .strict = strict };
	struct trace_load_info ia, ib;
	struct sim_workload ws;
	unsigned char *ba, *bb;
	size_t na, nb;
	char err[1024];

	sim_workload_init(&ws);
	ck_assert_msg(trace_import(src, a, &ws, &opts, &ia, err, sizeof(err)) == 0, "%s should import: %s", src, err);
	ck_assert_msg(ws.nev == 0 && ws.ev == NULL, "a streaming import should keep no events in memory");
	ck_assert_uint_eq(im_dir_entries(dir), 1);	/* the spool files are gone */
	sim_workload_init(w);
	ck_assert_msg(trace_load_ex(src, w, &opts, &ib, err, sizeof(err)) == 0, "%s should load: %s", src, err);
	ck_assert_uint_eq(ia.events, w->nev);
	ck_assert_uint_eq(ib.events, w->nev);
	ck_assert_uint_eq(ws.nobjs, w->nobjs);
	ck_assert_msg(ws.digest == w->digest, "%s: the digests should agree %llx %llx", src, (unsigned long long)ws.digest, (unsigned long long)w->digest);
	ck_assert_msg(trace_native_write(w, b, err, sizeof(err)) == 0, "writing should work: %s", err);
	ba = im_slurp(a, &na);
	bb = im_slurp(b, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_msg(memcmp(ba, bb, na) == 0, "%s: the streamed file should be the loaded one, byte for byte", src);
	free(ba);
	free(bb);
	sim_workload_fini(&ws);
	im_rmdir(dir);
	free(a);
	free(b);
	free(dir);
}

#define IM_LINE(cpu, t, ev, fields) \
	"            sh-42     [00" #cpu "] .....  " t ": " ev ": " fields "\n"

/*
 * Every naming rule, in 6.1 text with some name= fields missing (as in
 * kernels before 6.0 for kmem_cache_alloc, and before 5.12 for frees):
 * P1 nameless, named bar by its free; P2, P4 named foo (votes for key
 * foo_alloc/64); P3 nameless, freed namelessly: foo by the vote, its free
 * too; P5 nameless, never freed, no votes: guess site:baz_alloc; P6
 * nameless, freed namelessly, no votes: guess site:qux_alloc, after baz in
 * id order because P5 comes first in the trace; P7 allocated twice
 * (realloc_live); an unmatched free and a kfree(NULL).
 */
static const char im_naming[] =
	IM_LINE(0, "10.000001", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000001000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false")
	IM_LINE(0, "10.000002", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000002000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo")
	IM_LINE(1, "10.000003", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000003000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false")
	IM_LINE(1, "10.000004", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000004000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo")
	IM_LINE(2, "10.000005", "kmem_cache_alloc", "call_site=baz_alloc+0x5/0x20 ptr=ffff888000005000 bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=-1 accounted=false")
	IM_LINE(2, "10.000006", "kmem_cache_alloc", "call_site=qux_alloc+0x5/0x20 ptr=ffff888000006000 bytes_req=30 bytes_alloc=32 gfp_flags=GFP_KERNEL node=-1 accounted=false")
	IM_LINE(3, "10.000007", "kmem_cache_free", "call_site=foo_free+0x1/0x9 ptr=ffff888000001000 name=bar")
	IM_LINE(3, "10.000008", "kmem_cache_free", "call_site=foo_free+0x1/0x9 ptr=ffff888000003000")
	IM_LINE(3, "10.000009", "kmem_cache_free", "call_site=qux_free+0x1/0x9 ptr=ffff888000006000")
	IM_LINE(0, "10.000010", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000007000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo")
	IM_LINE(0, "10.000011", "kmem_cache_alloc", "call_site=foo_alloc+0x10/0x40 ptr=ffff888000007000 bytes_req=60 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo")
	IM_LINE(1, "10.000012", "kmem_cache_free", "call_site=foo_free+0x1/0x9 ptr=ffff888000009000 name=foo")
	IM_LINE(1, "10.000013", "kfree", "call_site=foo_free+0x1/0x9 ptr=0000000000000000");

static const char *im_cache(const struct sim_workload *w, size_t i)
{
	return strtab_get(&w->caches, w->ev[i].cache);
}

START_TEST(test_naming_rules_stream_as_loaded)
{
	char *src = tutil_tmpfile(".trace", im_naming, sizeof(im_naming) - 1);
	struct sim_workload w;
	uint32_t baz, qux;

	im_compare(src, &w, false);
	ck_assert_uint_eq(w.nev, 13);
	ck_assert_str_eq(im_cache(&w, 0), "bar");	/* named by its free */
	ck_assert_str_eq(im_cache(&w, 6), "bar");
	ck_assert_str_eq(im_cache(&w, 2), "foo");	/* the votes of its call site and size */
	ck_assert_str_eq(im_cache(&w, 7), "foo");	/* its free follows it */
	ck_assert_str_eq(im_cache(&w, 4), "site:baz_alloc");
	ck_assert_str_eq(im_cache(&w, 5), "site:qux_alloc");
	ck_assert_str_eq(im_cache(&w, 8), "site:qux_alloc");
	baz = w.ev[4].cache;
	qux = w.ev[5].cache;
	ck_assert_msg(baz < qux, "guessed names are numbered in the order of their first allocation");
	ck_assert_uint_eq(w.cache_size[baz], 128);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unnamed_alloc], 2);
	ck_assert_uint_eq(w.anomaly[SIM_AN_realloc_live], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_free], 1);
	ck_assert(w.ev[10].flags & SIM_EVF_REALLOC);
	sim_workload_fini(&w);
	unlink(src);
	free(src);
}
END_TEST

/*
 * An allocation named by a free 300,000 events later: its spooled record
 * has been written to disk by then and is patched there.
 */
START_TEST(test_late_naming_patches_the_spool)
{
	const size_t pairs = 150000;
	size_t cap = (pairs * 2 + 2) * 200, n = 0;
	char *text = xmalloc(cap), *src;
	struct sim_workload w;

	n += (size_t)snprintf(text + n, cap - n, "            sh-42     [000] .....  1.000000: kmem_cache_alloc: "
			      "call_site=late_alloc+0x1/0x9 ptr=ffff888000000040 bytes_req=64 bytes_alloc=64 "
			      "gfp_flags=GFP_KERNEL node=-1 accounted=false\n");
	for (size_t i = 0; i < pairs; i++) {
		unsigned long long us = 1000001ull + i;

		n += (size_t)snprintf(text + n, cap - n, "            sh-42     [001] .....  %llu.%06llu: kmalloc: "
				      "call_site=f+0x1/0x9 ptr=ffff888100000000 bytes_req=8 bytes_alloc=8 "
				      "gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
				      "            sh-42     [001] .....  %llu.%06llu: kfree: call_site=g+0x1/0x9 "
				      "ptr=ffff888100000000\n", us / 1000000, us % 1000000, us / 1000000, us % 1000000);
	}
	n += (size_t)snprintf(text + n, cap - n, "            sh-42     [002] .....  9.000000: kmem_cache_free: "
			      "call_site=late_free+0x1/0x9 ptr=ffff888000000040 name=late_cache\n");
	src = tutil_tmpfile(".trace", text, n);
	im_compare(src, &w, true);
	ck_assert_uint_eq(w.nev, pairs * 2 + 2);
	ck_assert_str_eq(im_cache(&w, 0), "late_cache");
	ck_assert_uint_eq(w.cache_size[w.ev[0].cache], 64);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unnamed_alloc], 0);
	sim_workload_fini(&w);
	unlink(src);
	free(src);
	free(text);
}
END_TEST

static void im_sample(const char *rel)
{
	const char *src = tutil_srcpath(rel);
	struct sim_workload w;

	if (access(src, R_OK)) {
		fprintf(stderr, "check_import: %s not found, not compared\n", src);
		return;
	}
	im_compare(src, &w, false);
	sim_workload_fini(&w);
}

START_TEST(test_samples_stream_as_loaded)
{
	im_sample("traces/samples/fork_exec-head.trace.xz");
	im_sample("traces/samples/file_churn.trace.xz");
	im_sample("tests/fixtures/perf/kmem-6.18-callchain.txt");
	im_sample("tests/fixtures/tracedat/kmem-6.18.report.txt.xz");
}
END_TEST

/* --strict stops at the same line with the same message whether streaming or not. */
START_TEST(test_strict_stops_alike)
{
	char *src = tutil_tmpfile(".trace", im_naming, sizeof(im_naming) - 1);
	char *dir = tutil_tmpdir(), *out = im_path(dir, "o.slabsimt"), e1[1024], e2[1024];
	struct trace_load_opts opts = { .strict = true };
	struct sim_workload a, b;

	sim_workload_init(&a);
	sim_workload_init(&b);
	ck_assert_int_lt(trace_import(src, out, &a, &opts, NULL, e1, sizeof(e1)), 0);
	ck_assert_int_lt(trace_load_ex(src, &b, &opts, NULL, e2, sizeof(e2)), 0);
	ck_assert_str_eq(e1, e2);
	ck_assert_msg(strstr(e1, ":11: field 'ptr': allocation of 0xffff888000007000, which is already live"),
		      "the reallocation on line 11 is the first anomaly: %s", e1);
	ck_assert_uint_eq(im_dir_entries(dir), 0);	/* no output, no spool */
	sim_workload_fini(&a);
	sim_workload_fini(&b);
	im_rmdir(dir);
	unlink(src);
	free(src);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_unwritable_output)
{
	char *src = tutil_tmpfile(".trace", im_naming, sizeof(im_naming) - 1), err[1024];
	struct sim_workload w;

	sim_workload_init(&w);
	ck_assert_int_lt(trace_import(src, "/nonexistent-dir/x.slabsimt", &w, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "/nonexistent-dir: cannot create a temporary file"), "the error names the folder: %s",
		      err);
	sim_workload_fini(&w);
	unlink(src);
	free(src);
}
END_TEST

Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("stream");

	tcase_add_test(tc, test_naming_rules_stream_as_loaded);
	tcase_add_test(tc, test_late_naming_patches_the_spool);
	tcase_add_test(tc, test_samples_stream_as_loaded);
	tcase_add_test(tc, test_strict_stops_alike);
	tcase_add_test(tc, test_unwritable_output);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
