/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_csv.c - the CSV reader for hand-written traces: the column set of
 * traces/csv.h, optional columns, the op kinds, quoting, detection by the
 * loader, errors that name file, line and field, and that a CSV trace gives
 * the same events as the ftrace text it transcribes.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/csv.h"
#include "traces/load.h"

/* Loads text from a temporary file (suffix .csv); w is initialized here. */
static int csv_load(const char *text, struct sim_workload *w, bool strict, char *err, size_t errlen)
{
	char *path = tutil_tmpfile(".csv", text, strlen(text));
	struct trace_load_opts opts = { .strict = strict };
	int ret;

	sim_workload_init(w);
	ret = trace_load_ex(path, w, &opts, NULL, err, errlen);
	unlink(path);
	free(path);
	return ret;
}

static const char *csv_cache(const struct sim_workload *w, size_t i)
{
	return strtab_get(&w->caches, w->ev[i].cache);
}

static const char csv_full[] =
	"# a hand-written trace\n"
	"t_ns,cpu,op,cache,ptr,bytes_req,bytes_alloc,site,ctx,node\n"
	"1000,0,alloc,dentry,0xffff888000001000,192,192,d_alloc+0x1/0x2,task,-1\n"
	"\n"
	"1500,1,alloc,,0xffff888000002000,100,128,\"kmalloc_caller, inlined\",softirq,1\n"
	"  2000 , 2 , free , , 0xffff888000001000 , , , , hardirq ,  \n"
	"# a comment between events\n"
	"2500,1,free,,0xffff888000002000,,,rcu_do_batch,nmi,\n";

START_TEST(test_csv_full_columns)
{
	struct sim_workload w;
	char err[512];

	ck_assert_msg(csv_load(csv_full, &w, true, err, sizeof(err)) == 0, "the CSV should load: %s", err);
	ck_assert_str_eq(w.format, "csv");
	ck_assert_uint_eq(w.nev, 4);
	ck_assert_uint_eq(w.ev[0].t_ns, 0);
	ck_assert_uint_eq(w.ev[3].t_ns, 1500);
	ck_assert_uint_eq(w.ev[1].cpu, 1);
	ck_assert_str_eq(csv_cache(&w, 0), "dentry");
	ck_assert_msg(!(w.ev[0].flags & SIM_EVF_KMALLOC), "alloc with a cache is a kmem_cache_alloc");
	ck_assert_str_eq(csv_cache(&w, 1), "kmalloc-128");
	ck_assert_msg(w.ev[1].flags & SIM_EVF_KMALLOC, "alloc without a cache is a kmalloc");
	ck_assert_str_eq(csv_cache(&w, 2), "dentry");
	ck_assert_msg(w.ev[2].oid == w.ev[0].oid, "the free should pair with its allocation");
	ck_assert_int_eq(sim_event_ctx(&w.ev[0]), SIM_CTX_TASK);
	ck_assert_int_eq(sim_event_ctx(&w.ev[1]), SIM_CTX_SOFTIRQ);
	ck_assert_int_eq(sim_event_ctx(&w.ev[2]), SIM_CTX_HARDIRQ);
	ck_assert_int_eq(sim_event_ctx(&w.ev[3]), SIM_CTX_NMI);
	ck_assert_int_eq(w.ev[0].node, SIM_NO_NODE);
	ck_assert_int_eq(w.ev[1].node, 1);
	ck_assert_uint_eq(w.ev[1].bytes_req, 100);
	ck_assert_uint_eq(w.ev[1].bytes_alloc, 128);
	ck_assert_str_eq(strtab_get(&w.sites, w.ev[1].site), "kmalloc_caller, inlined");
	ck_assert_str_eq(strtab_get(&w.sites, w.ev[0].site), "d_alloc+0x1/0x2");
	ck_assert_uint_eq(w.ev[2].site, 0);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_csv_minimal_columns)
{
	static const char text[] =
		"op,ptr,bytes_alloc\n"
		"alloc,4096,64\n"
		"alloc,0x2000,64\n"
		"free,4096,\n";
	struct sim_workload w;
	char err[512];

	ck_assert_msg(csv_load(text, &w, true, err, sizeof(err)) == 0, "op,ptr,bytes_alloc should be enough: %s", err);
	ck_assert_uint_eq(w.nev, 3);
	ck_assert_msg(w.ev[1].t_ns == 1000 && w.ev[2].t_ns == 2000, "without t_ns events are 1 us apart");
	ck_assert_uint_eq(w.ev[0].cpu, 0);
	ck_assert_uint_eq(w.ev[0].ptr, 4096);
	ck_assert_uint_eq(w.ev[1].ptr, 0x2000);
	ck_assert_uint_eq(w.ev[0].bytes_req, 64);
	ck_assert_str_eq(csv_cache(&w, 0), "kmalloc-64");
	ck_assert_msg(w.ev[2].oid == w.ev[0].oid, "decimal 4096 should be the same pointer both times");
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_csv_ops)
{
	static const char text[] =
		"t_ns,op,cache,ptr,bytes_req,bytes_alloc,site\n"
		"1,kmem_cache_alloc,,0x1000,48,64,get_foo+0x1\n"
		"2,kmem_cache_free,foo,0x1000,,,put_foo+0x1\n"
		"3,kmalloc,kmalloc-cg-64,0x2000,40,64,x\n"
		"4,kfree,,0x2000,,,y\n"
		"5,kmalloc,,0x3000,20000,20480,z\n";
	struct sim_workload w;
	char err[512];

	ck_assert_msg(csv_load(text, &w, true, err, sizeof(err)) == 0, "the kernel's op names should load: %s", err);
	ck_assert_str_eq(csv_cache(&w, 0), "foo");
	ck_assert_msg(!(w.ev[0].flags & SIM_EVF_KMALLOC), "kmem_cache_alloc is not a kmalloc");
	ck_assert_str_eq(csv_cache(&w, 2), "kmalloc-cg-64");
	ck_assert_msg(w.ev[2].flags & SIM_EVF_KMALLOC, "a kmalloc with its cache named is still a kmalloc");
	ck_assert_msg(w.cache_flags[w.ev[2].cache] & SIM_CACHEF_KMALLOC, "its cache is a kmalloc cache");
	ck_assert_msg(w.ev[3].flags & SIM_EVF_KMALLOC, "kfree is flagged as kmalloc's");
	ck_assert_str_eq(csv_cache(&w, 3), "kmalloc-cg-64");
	ck_assert_str_eq(csv_cache(&w, 4), "kmalloc-large");
	ck_assert_uint_eq(w.anomaly[SIM_AN_large_kmalloc], 1);
	sim_workload_fini(&w);
}
END_TEST

/* The same four events as ftrace text and as CSV give the same workload. */
START_TEST(test_csv_same_as_ftrace)
{
	static const char ft[] =
		"  init-1  [003] .....  9.915871: kmem_cache_alloc: call_site=alloc_inode+0x59/0xc0 ptr=ffff8d740194d900 bytes_req=632 bytes_alloc=640 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
		"  init-1  [002] ..s2.  9.916562: kmem_cache_free: call_site=rcu_do_batch+0x19a/0x540 ptr=ffff8d740194d900 name=inode_cache\n"
		"  init-1  [003] .....  9.917995: kmalloc: call_site=alloc_pipe_info+0x5c/0x220 ptr=ffff8d74003a66c0 bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL node=0 accounted=false\n"
		"  init-1  [003] ..h2.  9.928065: kfree: call_site=security_task_free+0x36/0x50 ptr=ffff8d74003a66c0\n";
	static const char csv[] =
		"t_ns,cpu,op,cache,ptr,bytes_req,bytes_alloc,site,ctx,node\n"
		"9915871000,3,kmem_cache_alloc,,0xffff8d740194d900,632,640,alloc_inode+0x59/0xc0,task,-1\n"
		"9916562000,2,kmem_cache_free,inode_cache,0xffff8d740194d900,,,rcu_do_batch+0x19a/0x540,softirq,\n"
		"9917995000,3,kmalloc,,0xffff8d74003a66c0,168,192,alloc_pipe_info+0x5c/0x220,task,0\n"
		"9928065000,3,kfree,,0xffff8d74003a66c0,,,security_task_free+0x36/0x50,hardirq,\n";
	struct sim_workload a, b;
	char err[512], *path = tutil_tmpfile(".trace", ft, strlen(ft));

	sim_workload_init(&a);
	ck_assert_msg(trace_load(path, &a, err, sizeof(err)) == 0, "the ftrace text should load: %s", err);
	ck_assert_msg(csv_load(csv, &b, false, err, sizeof(err)) == 0, "the CSV should load: %s", err);
	ck_assert_uint_eq(a.nev, b.nev);
	ck_assert_msg(a.digest == b.digest, "CSV and ftrace text of the same events should give the same digest");
	sim_workload_fini(&a);
	sim_workload_fini(&b);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_csv_header_errors)
{
	static const struct {
		const char *text, *want;
	} tab[] = {
		{ "t_ns,op,ptr,bytes_alloced\n1,alloc,1,8\n", ":1: field 'bytes_alloced': not a CSV trace column (the columns are t_ns, cpu, op," },
		{ "# c\nop,ptr,ptr\n", ":2: field 'ptr': named twice in the header" },
		{ "op,ptr,\"t_ns\n", ":1: field 3: a quote that is not closed" },
	};
	struct sim_workload w;
	char err[512];

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		ck_assert_int_eq(csv_load(tab[i].text, &w, false, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, ".csv") && strstr(err, tab[i].want), "header %zu: '%s' should contain '%s'",
			      i, err, tab[i].want);
		sim_workload_fini(&w);
	}
}
END_TEST

START_TEST(test_csv_header_parse)
{
	struct trace_csv_layout lay;
	char err[256];
	const char *h = " cpu , ptr,op ";

	ck_assert_msg(trace_csv_is_header(h, strlen(h)), "a line naming op and ptr is a header");
	ck_assert_msg(!trace_csv_is_header("op;ptr", 6), "without commas it is not");
	ck_assert_msg(!trace_csv_is_header("t_ns,cpu,op", 11), "without ptr it is not");
	ck_assert_int_eq(trace_csv_header_parse(&lay, h, strlen(h), err, sizeof(err)), 0);
	ck_assert_uint_eq(lay.ncols, 3);
	ck_assert_int_eq(lay.pos[TRACE_CSV_OP], 2);
	ck_assert_int_eq(lay.pos[TRACE_CSV_CPU], 0);
	ck_assert_int_eq(lay.pos[TRACE_CSV_T_NS], -1);
	ck_assert_int_eq(trace_csv_header_parse(&lay, "cpu,op", 6, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "field 'ptr': the header must name this column");
}
END_TEST

/* Each bad line: the field it must name. */
static const struct {
	const char *line, *want;
} csv_bad_lines[] = {
	{ "5,0,alloc,foo,0xzz,8,8", "field 'ptr': expected 0x-prefixed hex or decimal, got '0xzz'" },
	{ "5,0,alloc,foo,ffff8880,8,8", "field 'ptr': expected 0x-prefixed hex or decimal, got 'ffff8880'" },
	{ "5,0,grab,foo,0x10,8,8", "field 'op': expected alloc, free, kmalloc, kfree, kmem_cache_alloc or kmem_cache_free, got 'grab'" },
	{ "5,0,alloc,foo,0x10,,", "field 'bytes_alloc': an allocation needs bytes_alloc or bytes_req" },
	{ "5,0,alloc,foo,0x10,-8,8", "field 'bytes_req': expected a decimal number below 2^32, got '-8'" },
	{ "5,0,alloc,foo,0x10,8,99999999999", "field 'bytes_alloc': expected a decimal number below 2^32" },
	{ "5.5,0,alloc,foo,0x10,8,8", "field 't_ns': expected nanoseconds, a decimal number, got '5.5'" },
	{ "5,65535,alloc,foo,0x10,8,8", "field 'cpu': expected a CPU number from 0 to 65534, got '65535'" },
	{ "5,0,alloc,foo,0x10,8", "field 'bytes_alloc': missing: the line ends early (cut?)" },
	{ "5,0,alloc,foo,0x10,8,8,9", "8 fields, but the header names 7" },
	{ "5,0,alloc,\"foo,0x10,8,8", "field 4: a quote that is not closed" },
	{ "5,0,alloc,\"foo\"x,0x10,8,8", "field 4: text after the closing quote" },
};

START_TEST(test_csv_bad_lines)
{
	struct sim_workload w;
	char err[512], text[512];

	for (size_t i = 0; i < sizeof(csv_bad_lines) / sizeof(csv_bad_lines[0]); i++) {
		snprintf(text, sizeof(text), "t_ns,cpu,op,cache,ptr,bytes_req,bytes_alloc\n1,0,alloc,foo,0x20,8,8\n%s\n",
			 csv_bad_lines[i].line);
		ck_assert_msg(csv_load(text, &w, false, err, sizeof(err)) == 0, "line %zu: a bad line is skipped: %s", i, err);
		ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 1);
		ck_assert_msg(strstr(w.first_skip, ".csv:3: ") && strstr(w.first_skip, csv_bad_lines[i].want),
			      "line %zu: first_skip '%s' should name line 3 and '%s'", i, w.first_skip, csv_bad_lines[i].want);
		sim_workload_fini(&w);
		ck_assert_int_eq(csv_load(text, &w, true, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, ".csv:3: ") && strstr(err, csv_bad_lines[i].want) &&
			      strstr(err, "(skipped_lines: an error under --strict)"),
			      "line %zu: --strict should fail naming line 3 and the field: %s", i, err);
		sim_workload_fini(&w);
	}
}
END_TEST

START_TEST(test_csv_values)
{
	static const char text[] =
		"t_ns,op,ptr,bytes_alloc,ctx,node,cache\n"
		"1,free,(null),,process,,\n"
		"2,free,(nil),,,,\n"
		"3,free,0,,,,\n"
		"4,alloc,0x0,8,,,\n"
		"5,alloc,\"0x30\",8,,7,\"a \"\"quoted\"\" name\"\n";
	struct sim_workload w;
	char err[512];

	ck_assert_msg(csv_load(text, &w, false, err, sizeof(err)) == 0, "the values should load: %s", err);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_free], 3);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_alloc], 1);
	ck_assert_uint_eq(w.nev, 4);
	ck_assert_uint_eq(w.ev[3].ptr, 0x30);
	ck_assert_int_eq(w.ev[3].node, 7);
	ck_assert_str_eq(csv_cache(&w, 3), "a \"quoted\" name");
	sim_workload_fini(&w);
	ck_assert_int_eq(csv_load(text, &w, true, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ".csv:5: field 'ptr': the allocation returned NULL (null_alloc"),
		      "--strict should name the NULL allocation's line: %s", err);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_csv_empty)
{
	struct sim_workload w;
	char err[512];

	ck_assert_int_eq(csv_load("t_ns,op,ptr\n# nothing\n", &w, false, err, sizeof(err)), -ENODATA);
	ck_assert_msg(strstr(err, ": no kmem allocation events found (2 lines read)"), "a header-only CSV: %s", err);
	sim_workload_fini(&w);
}
END_TEST

Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");

	tcase_add_test(good, test_csv_full_columns);
	tcase_add_test(good, test_csv_minimal_columns);
	tcase_add_test(good, test_csv_ops);
	tcase_add_test(good, test_csv_same_as_ftrace);
	tcase_add_test(good, test_csv_header_parse);
	tcase_add_test(good, test_csv_values);
	tcase_add_test(bad, test_csv_header_errors);
	tcase_add_test(bad, test_csv_bad_lines);
	tcase_add_test(bad, test_csv_empty);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}
