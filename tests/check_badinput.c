/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_badinput.c - what every reader does with input it cannot trust:
 * binary garbage, truncated gzip and xz streams, a line cut in the middle,
 * events of other tracers, a timestamp going backwards on one CPU, NULL
 * pointers in all their spellings, empty files, trace.dat with and without
 * libtracecmd, and --strict, which turns each counted anomaly into an
 * error naming file, line and field.  Also the real perf script and
 * trace.dat captures of a 6.18 kernel in tests/fixtures/ (the printers'
 * variants, and trace.dat against the report trace-cmd made of it).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/ftrace.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/tracedat.h"

/* ---- helpers --------------------------------------------------------------------- */

static int bi_load_path(const char *path, struct sim_workload *w, bool strict, char *err, size_t errlen)
{
	struct trace_load_opts opts = { .strict = strict };

	sim_workload_init(w);
	return trace_load_ex(path, w, &opts, NULL, err, errlen);
}

static int bi_load(const void *data, size_t n, struct sim_workload *w, bool strict, char *err, size_t errlen)
{
	char *path = tutil_tmpfile(".trace", data, n);
	int ret = bi_load_path(path, w, strict, err, errlen);

	unlink(path);
	free(path);
	return ret;
}

static int bi_load_text(const char *text, struct sim_workload *w, bool strict, char *err, size_t errlen)
{
	return bi_load(text, strlen(text), w, strict, err, errlen);
}

static void bi_assert_has(const char *s, const char *want, const char *what)
{
	ck_assert_msg(strstr(s, want) != NULL, "%s: '%s' should contain '%s'", what, s, want);
}

static const char bi_good[] =
	"# tracer: nop\n"
	"  sh-5  [000] .....  1.000000: kmalloc: call_site=a+0x1/0x2 ptr=ffff888000001000 bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"  sh-5  [001] .....  1.000001: kfree: call_site=b+0x1/0x2 ptr=ffff888000001000\n"
	"  sh-5  [000] .....  1.000002: kmalloc: call_site=a+0x1/0x2 ptr=ffff888000002000 bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false\n";

#define BI_LINE(t, cpu, rest) "  sh-5  [00" #cpu "] .....  " t ": " rest "\n"

/* ---- garbage, compression, cut lines ------------------------------------------------ */

START_TEST(test_binary_garbage)
{
	unsigned char buf[4096];
	uint32_t x = 12345;
	struct sim_workload w;
	char err[1024];

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	buf[0] = 'x';	/* not a compression magic by chance */
	ck_assert_int_eq(bi_load(buf, sizeof(buf), &w, false, err, sizeof(err)), -ENODATA);
	bi_assert_has(err, ": no kmem allocation events found (", "garbage");
	bi_assert_has(err, "first unreadable: ", "garbage names its first bad line");
	bi_assert_has(err, ".trace:1: field '", "garbage: the first bad line and field");
	sim_workload_fini(&w);

	/* garbage after good lines: counted, the good events kept */
	size_t n = strlen(bi_good);
	char *mix = xmalloc(n + sizeof(buf));

	memcpy(mix, bi_good, n);
	memcpy(mix + n, buf, sizeof(buf));
	ck_assert_msg(bi_load(mix, n + sizeof(buf), &w, false, err, sizeof(err)) == 0, "good lines then garbage: %s", err);
	ck_assert_uint_eq(w.nev, 3);
	ck_assert_uint_gt(w.anomaly[SIM_AN_skipped_lines], 0);
	bi_assert_has(w.first_skip, ".trace:5: field '", "the first garbage line is line 5");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load(mix, n + sizeof(buf), &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:5: field '", "--strict stops at the garbage");
	sim_workload_fini(&w);
	free(mix);
}
END_TEST

/* NUL bytes inside a line (found by fuzz_csv: an interned call site with a NUL inside). */
START_TEST(test_nul_bytes)
{
	static const char ft[] = "  sh-5  [000] .....  1.000003: kfree: call_site=a\0b ptr=ffff888000001000\n";
	static const char csv[] = "op,ptr,site\nfree,0x10,a\0b\nfree,0x20,\"\0\"\n";
	char text[2048], err[1024];
	struct sim_workload w;
	size_t n = strlen(bi_good);

	memcpy(text, bi_good, n);
	memcpy(text + n, ft, sizeof(ft) - 1);
	ck_assert_int_eq(bi_load(text, n + sizeof(ft) - 1, &w, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 1);
	bi_assert_has(w.first_skip, ".trace:5: field 'call_site': contains a NUL byte", "a NUL in a call site");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load(csv, sizeof(csv) - 1, &w, false, err, sizeof(err)), -ENODATA);
	bi_assert_has(err, ".trace:2: field 'site': contains a NUL byte", "a NUL in a CSV site");
	sim_workload_fini(&w);
}
END_TEST

/* A text many times bi_good, so that compressed streams are long enough to cut. */
static char *bi_big_text(size_t *n)
{
	size_t k = strlen(bi_good), reps = 400;
	char *t = xmalloc(k * reps + 1);

	for (size_t i = 0; i < reps; i++)
		memcpy(t + i * k, bi_good, k);
	t[k * reps] = '\0';
	*n = k * reps;
	return t;
}

START_TEST(test_truncated_gzip)
{
	size_t n, zn;
	char *text = bi_big_text(&n), err[1024];
	uLongf cap = compressBound((uLong)n) + 64;
	unsigned char *z = xmalloc(cap);
	z_stream s;
	struct sim_workload w;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)text;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	zn = s.total_out;
	deflateEnd(&s);
	ck_assert_msg(bi_load(z, zn, &w, false, err, sizeof(err)) == 0, "the whole gzip stream loads: %s", err);
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load(z, zn / 2, &w, false, err, sizeof(err)), -EIO);
	bi_assert_has(err, ".trace: truncated or corrupt gzip data after ", "a cut gzip stream");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load(z, zn - 4, &w, false, err, sizeof(err)), -EIO);	/* trailer cut */
	bi_assert_has(err, "truncated or corrupt gzip data", "a gzip stream without its trailer");
	sim_workload_fini(&w);
	z[zn / 2] ^= 0x55;
	ck_assert_int_lt(bi_load(z, zn, &w, false, err, sizeof(err)), 0);
	bi_assert_has(err, "gzip data", "a damaged gzip stream");
	sim_workload_fini(&w);
	free(z);
	free(text);
}
END_TEST

START_TEST(test_truncated_xz)
{
	size_t n, xn = 0;
	char *text = bi_big_text(&n), err[1024];
	uint8_t *x = xmalloc(n + 4096);
	struct sim_workload w;

	ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text, n, x, &xn, n + 4096),
			 LZMA_OK);
	ck_assert_int_eq(bi_load(x, xn / 2, &w, false, err, sizeof(err)), -EIO);
	bi_assert_has(err, ".trace: truncated or corrupt xz data after ", "a cut xz stream");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load(x, 12, &w, false, err, sizeof(err)), -EIO);	/* the header only */
	bi_assert_has(err, "xz data", "an xz header alone");
	sim_workload_fini(&w);
	free(x);
	free(text);
}
END_TEST

START_TEST(test_line_cut_in_the_middle)
{
	char text[2048], err[1024];
	struct sim_workload w;

	snprintf(text, sizeof(text), "%s%s", bi_good,
		 "  sh-5  [000] .....  1.000003: kmalloc: call_site=a+0x1/0x2 ptr=ffff8880000");
	ck_assert_msg(bi_load_text(text, &w, false, err, sizeof(err)) == 0, "a cut last line is skipped: %s", err);
	ck_assert_uint_eq(w.nev, 3);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 1);
	bi_assert_has(w.first_skip, ".trace:5: field 'bytes_req': missing (truncated line?)", "the cut line");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(text, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:5: field 'bytes_req': missing (truncated line?) (skipped_lines: an error under --strict)",
		      "--strict and a cut line");
	sim_workload_fini(&w);
	/* cut inside the prefix */
	snprintf(text, sizeof(text), "%s%s", bi_good, "  sh-5  [00");
	ck_assert_int_eq(bi_load_text(text, &w, false, err, sizeof(err)), 0);
	bi_assert_has(w.first_skip, ".trace:5: field 'cpu'", "a line cut in its prefix");
	sim_workload_fini(&w);
}
END_TEST

/* ---- other tracers, time, NULL ---------------------------------------------------------- */

START_TEST(test_unknown_tracer_events)
{
	char text[2048], err[1024];
	struct sim_workload w;

	snprintf(text, sizeof(text), "%s%s%s", bi_good,
		 BI_LINE("1.000003", 1, "sched_switch: prev_comm=sh prev_pid=5 next_comm=swapper"),
		 "  perf 123 [001]  1.000004:   irq:softirq_entry: vec=9 [action=RCU]\n");
	ck_assert_msg(bi_load_text(text, &w, false, err, sizeof(err)) == 0, "other events are counted: %s", err);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unknown_events], 2);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(text, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:5: field 'event': not one of the kmem allocation events (unknown_events: an error under --strict)",
		      "--strict and another tracer's event");
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_time_backwards_one_cpu)
{
	/* cpu 0 at 10, cpu 1 at 5 (earlier than the file's previous), cpu 0 at 7: earlier than
	 * CPU 0's previous event though later than the file's previous one */
	static const char text[] =
		BI_LINE("0.000010", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("0.000005", 1, "kmalloc: call_site=a ptr=ffff888000002000 bytes_req=8 bytes_alloc=8")
		BI_LINE("0.000007", 0, "kmalloc: call_site=a ptr=ffff888000003000 bytes_req=8 bytes_alloc=8")
		BI_LINE("0.000011", 1, "kmalloc: call_site=a ptr=ffff888000004000 bytes_req=8 bytes_alloc=8");
	static const char per_cpu_only[] =
		BI_LINE("0.000010", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("0.000020", 1, "kmalloc: call_site=a ptr=ffff888000002000 bytes_req=8 bytes_alloc=8")
		BI_LINE("0.000005", 1, "kmalloc: call_site=a ptr=ffff888000003000 bytes_req=8 bytes_alloc=8");
	struct sim_workload w;
	char err[1024];

	ck_assert_msg(bi_load_text(text, &w, false, err, sizeof(err)) == 0, "backwards time is counted: %s", err);
	ck_assert_uint_eq(w.anomaly[SIM_AN_time_backwards], 2);
	ck_assert_uint_eq(w.ev[1].t_ns, 0);	/* relative to the earliest event */
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(text, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:2: field 'timestamp': 5000 ns is before the previous event's 10000 ns (time_backwards",
		      "--strict and time going back in the file");
	sim_workload_fini(&w);
	/* the one-CPU case under --strict */
	ck_assert_int_eq(bi_load_text(per_cpu_only, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:3: field 'timestamp': 5000 ns is before the 20000 ns of CPU 1's previous event",
		      "--strict and time going back on one CPU");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(bi_good, &w, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_time_backwards], 0);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_null_pointers)
{
	static const char text[] =
		BI_LINE("1.000000", 0, "kfree: call_site=a ptr=0x0")
		BI_LINE("1.000001", 0, "kfree: call_site=a ptr=(null)")
		BI_LINE("1.000002", 0, "kfree: call_site=a ptr=(nil)")
		BI_LINE("1.000003", 0, "kmem_cache_free: call_site=a ptr=0000000000000000 name=x")
		BI_LINE("1.000004", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("1.000005", 0, "kmalloc: call_site=a ptr=(nil) bytes_req=8 bytes_alloc=8")
		BI_LINE("1.000006", 0, "kmalloc: call_site=a ptr=0x0 bytes_req=8 bytes_alloc=8");
	struct sim_workload w;
	char err[1024];

	ck_assert_msg(bi_load_text(text, &w, false, err, sizeof(err)) == 0, "NULL pointers load: %s", err);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_free], 4);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_alloc], 2);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
	ck_assert_uint_eq(w.nev, 5);
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(text, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:6: field 'ptr': the allocation returned NULL (null_alloc: an error under --strict)",
		      "--strict: kfree(NULL) is fine, a NULL allocation is not");
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_empty_files)
{
	static const char *const texts[] = { "", "\n\n   \n", "# tracer: nop\n#\n" };
	struct sim_workload w;
	char err[1024];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(bi_load_text(texts[i], &w, false, err, sizeof(err)), -ENODATA);
		bi_assert_has(err, ".trace: no kmem allocation events found (", "an empty trace");
		sim_workload_fini(&w);
	}
	ck_assert_int_eq(bi_load("", 0, &w, true, err, sizeof(err)), -ENODATA);
	sim_workload_fini(&w);
}
END_TEST

/* ---- --strict and the pairing anomalies ---------------------------------------------- */

START_TEST(test_strict_pairing)
{
	static const char unmatched[] =
		BI_LINE("1.000000", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("1.000001", 0, "kfree: call_site=a ptr=ffff888000009000");
	static const char realloc_then_lost[] =
		BI_LINE("1.000000", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("1.000001", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		"CPU:0 [LOST 5 EVENTS]\n";
	static const char lost_then_unmatched[] =
		BI_LINE("1.000000", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		"CPU:1 [3 EVENTS DROPPED]\n"
		BI_LINE("1.000001", 0, "kfree: call_site=a ptr=ffff888000009000");
	struct sim_workload w;
	char err[1024];

	ck_assert_int_eq(bi_load_text(unmatched, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:2: field 'ptr': free of 0xffff888000009000, which is not allocated in the trace "
		      "(unmatched_free: an error under --strict)", "--strict and an unmatched free");
	sim_workload_fini(&w);
	/* the reallocation on line 2 comes before the lost events on line 3 */
	ck_assert_int_eq(bi_load_text(realloc_then_lost, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:2: field 'ptr': allocation of 0xffff888000001000, which is already live",
		      "--strict reports the first anomaly in file order");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(lost_then_unmatched, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, ".trace:2: field 'cpu': CPU 1 lost 3 events (lost_events: an error under --strict)",
		      "--strict and lost events");
	sim_workload_fini(&w);
	ck_assert_int_eq(bi_load_text(lost_then_unmatched, &w, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_lost_events], 3);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 1);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_strict_native)
{
	static const char text[] =
		BI_LINE("1.000000", 0, "kmalloc: call_site=a ptr=ffff888000001000 bytes_req=8 bytes_alloc=8")
		BI_LINE("1.000001", 0, "kfree: call_site=a ptr=ffff888000009000");
	char *dir = tutil_tmpdir(), path[512], clean[512], err[1024], err2[1024];
	struct sim_workload w, n;

	ck_assert_int_eq(bi_load_text(text, &w, false, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/t.slabsim", dir);
	ck_assert_msg(trace_native_write(&w, path, err, sizeof(err)) == 0, "native write: %s", err);
	ck_assert_msg(bi_load_path(path, &n, false, err, sizeof(err)) == 0, "native read: %s", err);
	sim_workload_fini(&n);
	ck_assert_int_eq(bi_load_path(path, &n, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, "t.slabsim: event 1: field 'ptr': free of a pointer not allocated in the trace of 0xffff888000009000 "
		      "(unmatched_free: an error under --strict)", "--strict and a native file with an unmatched free");
	/* the same check read through without loading (run, sweep and trace stats stream the file) */
	memset(err2, 0, sizeof(err2));
	ck_assert_int_eq(trace_native_strict_check(path, err2, sizeof(err2)), -EINVAL);
	ck_assert_str_eq(err2, err);
	sim_workload_fini(&n);
	/* a trace with nothing --strict refuses passes both ways */
	snprintf(clean, sizeof(clean), "%s/c.slabsim", dir);
	w.ev[1].flags &= (uint8_t)~SIM_EVF_UNMATCHED;
	w.ev[1].oid = w.ev[0].oid;
	w.ev[1].ptr = w.ev[0].ptr;
	w.anomaly[SIM_AN_unmatched_free] = 0;
	w.digest = sim_workload_digest(&w);
	ck_assert_msg(trace_native_write(&w, clean, err, sizeof(err)) == 0, "native write: %s", err);
	ck_assert_msg(bi_load_path(clean, &n, true, err, sizeof(err)) == 0, "a clean native file under --strict: %s", err);
	ck_assert_msg(trace_native_strict_check(clean, err, sizeof(err)) == 0, "the same read through: %s", err);
	sim_workload_fini(&n);
	sim_workload_fini(&w);
	unlink(clean);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

/* ---- perf script: every era, every printer option, real captures ---------------------- */

/* One line per era of include/trace/events/kmem.h as perf script prints it (libtraceevent renders
 * %p as 0x..., %pS as sym+0xoff without /len, NULL as (nil)). */
START_TEST(test_perf_every_era)
{
	static const struct {
		const char *line;
		int type;
		uint64_t ptr;
		const char *site, *name;
	} tab[] = {
		/* Era A (<= 5.3): call_site %lx */
		{ "jbd2/dm-3-8  7666 [000]  4666.621521: kmem:kmalloc: call_site=c0000000003ce108 ptr=0xc000000fcd646360 bytes_req=96 bytes_alloc=96 gfp_flags=GFP_NOFS|GFP_ZERO",
		  FTRACE_KMALLOC, 0xc000000fcd646360ull, "c0000000003ce108", NULL },
		{ "    swapper     0 [001]  4666.621600:  kmem:kmem_cache_alloc_node: call_site=ffffffff811223c5 ptr=0xffff88003ecf2b40 bytes_req=272 bytes_alloc=320 gfp_flags=GFP_ATOMIC node=1",
		  FTRACE_KMEM_CACHE_ALLOC, 0xffff88003ecf2b40ull, "ffffffff811223c5", NULL },
		{ "    swapper     0 [001]  4666.621700:  kmem:kfree: call_site=ffffffff810a7abb ptr=(nil)",
		  FTRACE_KFREE, 0, "ffffffff810a7abb", NULL },
		/* Era B (5.4-5.19): call_site %pS, kmem_cache_free with name= from ~5.12 */
		{ "       bash  2011 [002]   808.188913:  kmem:kmem_cache_alloc: call_site=prepare_creds+0x26 ptr=0xffff9d51c4f3e600 bytes_req=168 bytes_alloc=576 gfp_flags=GFP_KERNEL",
		  FTRACE_KMEM_CACHE_ALLOC, 0xffff9d51c4f3e600ull, "prepare_creds+0x26", NULL },
		{ "       bash  2011 [002]   808.188925:   kmem:kmem_cache_free: call_site=putname+0x47 ptr=0xffff9d51c4f3e600 name=names_cache",
		  FTRACE_KMEM_CACHE_FREE, 0xffff9d51c4f3e600ull, "putname+0x47", "names_cache" },
		/* Era C (6.0/6.1): accounted, node on every alloc */
		{ "       init     1 [003]     9.915871:  kmem:kmem_cache_alloc: call_site=alloc_inode+0x59 ptr=0xffff8d740194d900 bytes_req=632 bytes_alloc=640 gfp_flags=GFP_KERNEL node=-1 accounted=true",
		  FTRACE_KMEM_CACHE_ALLOC, 0xffff8d740194d900ull, "alloc_inode+0x59", NULL },
		/* Era D (2025-): kmem_cache_alloc with name=, verbatim from perf 6.1 on 6.18 */
		{ "            perf 23779 [001]  2759.926157:                 kmem:kmem_cache_alloc: call_site=getname_flags.part.0+0x24 ptr=0xffff888100879000 name=names_cache bytes_req=4096 bytes_alloc=4096 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		  FTRACE_KMEM_CACHE_ALLOC, 0xffff888100879000ull, "getname_flags.part.0+0x24", "names_cache" },
		{ "       perf-exec 23780 [000]  2759.926372:                            kmem:kfree: call_site=ida_alloc_range+0x39b ptr=(nil)",
		  FTRACE_KFREE, 0, "ida_alloc_range+0x39b", NULL },
	};
	struct ftrace_rec r;
	char err[256];

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		int k = ftrace_line_parse(tab[i].line, strlen(tab[i].line), &r, err, sizeof(err));

		ck_assert_msg(k == FTRACE_LINE_KMEM, "perf line %zu should parse: %s", i, err);
		ck_assert_msg(r.style == FTRACE_STYLE_PERF, "perf line %zu is perf's", i);
		ck_assert_int_eq(r.type, tab[i].type);
		ck_assert_uint_eq(r.ptr, tab[i].ptr);
		ck_assert_msg(r.site_len == strlen(tab[i].site) && !memcmp(r.site, tab[i].site, r.site_len),
			      "perf line %zu: call_site should be %s", i, tab[i].site);
		ck_assert_msg(tab[i].name ? r.name_len == strlen(tab[i].name) && !memcmp(r.name, tab[i].name, r.name_len)
					  : r.name_len == 0, "perf line %zu: name", i);
	}
}
END_TEST

START_TEST(test_perf_callchains_and_options)
{
	static const char *const lines[] = {
		"\tffffffff81634d4d __kmalloc_cache_node_noprof+0x20d ([kernel.kallsyms])",
		"\t           ee137 sched_setaffinity@@GLIBC_2.3.4+0x7 (/usr/lib/x86_64-linux-gnu/libc.so.6)",
		"\t          146f7c [unknown] (/usr/bin/perf)",
		"\tffffffff813ccccc sched_setaffinity",
		"\tffffffff813ccccc",
		" => __kmalloc",
		"",
	};
	struct ftrace_rec r;
	char err[256];
	const char *lat = "    perf 23779   1  2759.926153:                            kmem:kfree: call_site=sched_setaffinity+0x160 ptr=0xffff888104492300";
	const char *lat_not_perf = "    sh 23779   1  2759.926153: kfree: call_site=x ptr=0xffff888104492300";
	const char *rec = "            perf 23779 [000]  2759.926038: PERF_RECORD_MMAP 23779/23779: [0x400000(0x1000) @ 0]: x /bin/sh";

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(ftrace_line_parse(lines[i], strlen(lines[i]), &r, err, sizeof(err)) == FTRACE_LINE_IGNORED,
			      "callchain line %zu should be skipped silently: %s", i, err);
	ck_assert_int_eq(ftrace_line_parse(lat, strlen(lat), &r, err, sizeof(err)), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.cpu, 1);
	ck_assert_int_eq(r.style, FTRACE_STYLE_PERF);
	ck_assert_int_eq(ftrace_line_parse(lat_not_perf, strlen(lat_not_perf), &r, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, "field 'cpu'", "a bare number is a CPU only in perf script -L output");
	ck_assert_int_eq(ftrace_line_parse(rec, strlen(rec), &r, err, sizeof(err)), FTRACE_LINE_OTHER);
}
END_TEST

static bool bi_fixture(const char *rel, char *path, size_t n)
{
	snprintf(path, n, "%s", tutil_srcpath(rel));
	if (access(path, R_OK)) {
		fprintf(stderr, "check_badinput: %s not found, test not run\n", path);
		return false;
	}
	return true;
}

/* The real perf script captures: every printer option gives the same events. */
START_TEST(test_perf_real_variants)
{
	static const char *const same[] = { "nog", "pidtid", "lat", "ipsym" };
	char path[4096], err[1024];
	struct sim_workload w;
	uint64_t digest = 0, nev = 0;

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "tests/fixtures/perf/kmem-6.18-%s.txt", same[i]);
		if (!bi_fixture(rel, path, sizeof(path)))
			return;
		ck_assert_msg(bi_load_path(path, &w, false, err, sizeof(err)) == 0, "%s should load: %s", rel, err);
		ck_assert_str_eq(w.format, "perf");
		ck_assert_msg(w.anomaly[SIM_AN_skipped_lines] == 0, "%s: no line should be skipped (%s)", rel, w.first_skip);
		ck_assert_uint_gt(w.anomaly[SIM_AN_null_free], 0);	/* ptr=(nil) */
		ck_assert_msg(!i || (w.digest == digest && w.nev == nev), "%s should give the events of -nog", rel);
		digest = w.digest;
		nev = w.nev;
		sim_workload_fini(&w);
	}
	if (!bi_fixture("tests/fixtures/perf/kmem-6.18-ns.txt", path, sizeof(path)))
		return;
	ck_assert_int_eq(bi_load_path(path, &w, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.nev, nev);
	ck_assert_msg(w.ev[1].t_ns % 1000 != 0 || w.ev[2].t_ns % 1000 != 0, "--ns keeps nanoseconds");
	sim_workload_fini(&w);
	if (!bi_fixture("tests/fixtures/perf/kmem-6.18-nocpu.txt", path, sizeof(path)))
		return;
	ck_assert_int_eq(bi_load_path(path, &w, false, err, sizeof(err)), -ENODATA);
	bi_assert_has(err, "(perf script prints it with -F +cpu)", "perf script without the cpu field");
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_perf_real_callchains)
{
	static const char *const rels[] = { "tests/fixtures/perf/kmem-6.18-callchain.txt",
					    "tests/fixtures/perf/kmem-6.18-callchain-nodso.txt" };
	char path[4096], err[1024];
	struct sim_workload w;
	uint64_t digest = 0;

	for (size_t i = 0; i < 2; i++) {
		if (!bi_fixture(rels[i], path, sizeof(path)))
			return;
		int ret = bi_load_path(path, &w, true, err, sizeof(err));

		ck_assert_msg(ret == 0 || !strstr(err, "skipped_lines"), "%s: callchain lines are not malformed: %s",
			      rels[i], err);
		sim_workload_fini(&w);
		ck_assert_int_eq(bi_load_path(path, &w, false, err, sizeof(err)), 0);
		ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
		ck_assert_uint_ge(w.nev, 4);
		ck_assert_msg(!i || w.digest == digest, "with or without DSOs, the same events");
		digest = w.digest;
		sim_workload_fini(&w);
	}
}
END_TEST

/* ---- trace.dat ------------------------------------------------------------------------ */

START_TEST(test_tracedat_flags)
{
	static const struct {
		unsigned flags;
		int ctx;
		bool irqs_off;
	} tab[] = {
		{ 0x00, SIM_CTX_TASK, false }, { 0x01, SIM_CTX_TASK, true }, { 0x10, SIM_CTX_SOFTIRQ, false },
		{ 0x11, SIM_CTX_SOFTIRQ, true }, { 0x08, SIM_CTX_HARDIRQ, false }, { 0x18, SIM_CTX_HARDIRQ, false },
		{ 0x49, SIM_CTX_NMI, true }, { 0x84, SIM_CTX_TASK, false }, { 0x24, SIM_CTX_TASK, false },
	};
	struct ftrace_rec r;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		memset(&r, 0, sizeof(r));
		trace_tracedat_flags_apply(tab[i].flags, &r);
		ck_assert_msg(r.ctx == tab[i].ctx && r.irqs_off == tab[i].irqs_off,
			      "common_flags 0x%02x should give context %d, irqs-off %d (got %d, %d)", tab[i].flags,
			      tab[i].ctx, tab[i].irqs_off, r.ctx, r.irqs_off);
	}
	ck_assert_msg(trace_tracedat_is_tracedat("\x17\x08\x44tracing6", 11), "the magic is recognised");
	ck_assert_msg(!trace_tracedat_is_tracedat("\x17\x08\x44tracin", 10), "a near miss is not");
}
END_TEST

/* A trace.dat that the library refuses or lacks: a message, never a crash. */
START_TEST(test_tracedat_errors)
{
	static const char fake[] = "\x17\x08\x44tracing6\0\0\x08\0\x10\0\0garbage that is not a trace.dat";
	char err[1024];
	struct sim_workload w;

	ck_assert_int_lt(bi_load(fake, sizeof(fake) - 1, &w, false, err, sizeof(err)), 0);
	if (trace_tracedat_is_supported())
		bi_assert_has(err, ".trace: libtracecmd cannot read this trace.dat", "a damaged trace.dat");
	else
		bi_assert_has(err, ".trace: trace.dat needs libtracecmd: install libtracecmd-dev and reconfigure, "
			      "or convert with 'trace-cmd report ", "a trace.dat without libtracecmd");
	sim_workload_fini(&w);
}
END_TEST

static char bi_td_path[4096];

/* Whether the fixture can be read here; a message if not. */
static bool bi_tracedat_ready(void)
{
	if (!bi_fixture("tests/fixtures/tracedat/kmem-6.18.dat", bi_td_path, sizeof(bi_td_path)))
		return false;
	if (!trace_tracedat_is_supported()) {
		fprintf(stderr, "check_badinput: built without libtracecmd, trace.dat reading not tested\n");
		return false;
	}
	return true;
}

/* The real capture read through libtracecmd equals trace-cmd's own report of it read as text. */
START_TEST(test_tracedat_equals_report)
{
	char rep[4096], err[1024];
	struct sim_workload a, b;
	struct trace_load_info info;
	size_t ctx[4] = { 0 };

	if (!bi_tracedat_ready() ||
	    !bi_fixture("tests/fixtures/tracedat/kmem-6.18.report.txt.xz", rep, sizeof(rep)))
		return;
	sim_workload_init(&a);
	ck_assert_msg(trace_load_ex(bi_td_path, &a, NULL, &info, err, sizeof(err)) == 0, "trace.dat: %s", err);
	ck_assert_str_eq(a.format, "trace.dat");
	ck_assert_uint_eq(info.records, a.nev);
	ck_assert_msg(bi_load_path(rep, &b, false, err, sizeof(err)) == 0, "its report: %s", err);
	ck_assert_str_eq(b.format, "trace-cmd");
	ck_assert_uint_eq(a.nev, b.nev);
	for (int k = 0; k < SIM_AN_COUNT; k++)
		ck_assert_msg(a.anomaly[k] == b.anomaly[k], "anomaly %s: trace.dat %llu, report %llu",
			      sim_anomaly_name[k], (unsigned long long)a.anomaly[k], (unsigned long long)b.anomaly[k]);
	for (size_t i = 0; i < a.nev; i++) {
		const struct sim_event *x = &a.ev[i], *y = &b.ev[i];

		ck_assert_msg(x->t_ns == y->t_ns && x->cpu == y->cpu && x->op == y->op && x->ptr == y->ptr &&
			      x->flags == y->flags && x->bytes_req == y->bytes_req && x->bytes_alloc == y->bytes_alloc &&
			      x->node == y->node && x->oid == y->oid,
			      "event %zu differs between trace.dat and its report", i);
		ck_assert_str_eq(strtab_get(&a.caches, x->cache), strtab_get(&b.caches, y->cache));
		ck_assert_str_eq(strtab_get(&a.sites, x->site), strtab_get(&b.sites, y->site));
		ctx[sim_event_ctx(x)]++;
	}
	ck_assert_msg(a.digest == b.digest, "trace.dat and its report should give the same digest");
	ck_assert_uint_gt(ctx[SIM_CTX_SOFTIRQ], 0);	/* the capture has RCU frees in softirq */
	ck_assert_uint_gt(a.anomaly[SIM_AN_lost_events], 0);
	sim_workload_fini(&a);
	sim_workload_fini(&b);
}
END_TEST

START_TEST(test_tracedat_damaged)
{
	char err[1024], *dir, path[512];
	struct sim_workload w;
	FILE *f;
	unsigned char *buf;
	long n;

	if (!bi_tracedat_ready())
		return;
	f = fopen(bi_td_path, "rb");
	ck_assert_msg(f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET), "fixture readable");
	buf = xmalloc((size_t)n);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	dir = tutil_tmpdir();
	snprintf(path, sizeof(path), "%s/cut.dat", dir);
	for (long cut = 16; cut < n; cut += n / 7) {
		f = fopen(path, "wb");
		ck_assert_msg(f && fwrite(buf, 1, (size_t)cut, f) == (size_t)cut && !fclose(f), "writable");
		int ret = bi_load_path(path, &w, false, err, sizeof(err));

		ck_assert_msg(ret <= 0, "a trace.dat cut at %ld: no crash", cut);
		ck_assert_msg(ret == 0 || strstr(err, "cut.dat"), "a trace.dat cut at %ld: the message names it: %s", cut, err);
		sim_workload_fini(&w);
	}
	/* gzip-compressed: named, not misread */
	snprintf(path, sizeof(path), "%s/t.dat.gz", dir);
	gzFile z = gzopen(path, "wb");

	ck_assert_int_eq(gzwrite(z, buf, (unsigned)n), (int)n);
	gzclose(z);
	ck_assert_int_eq(bi_load_path(path, &w, false, err, sizeof(err)), -ENOTSUP);
	bi_assert_has(err, "t.dat.gz: a gzip-compressed trace.dat: decompress it first", "a compressed trace.dat");
	sim_workload_fini(&w);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cut.dat", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
	free(buf);
}
END_TEST

START_TEST(test_tracedat_strict)
{
	char err[1024];
	struct sim_workload w;

	if (!bi_tracedat_ready())
		return;
	ck_assert_int_eq(bi_load_path(bi_td_path, &w, true, err, sizeof(err)), -EINVAL);
	bi_assert_has(err, "kmem-6.18.dat: record ", "--strict on a trace.dat names the record");
	bi_assert_has(err, "an error under --strict)", "--strict on a trace.dat");
	sim_workload_fini(&w);
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *bytes = tcase_create("bytes");
	TCase *lines = tcase_create("lines");
	TCase *strict = tcase_create("strict");
	TCase *perf = tcase_create("perf");
	TCase *tracedat = tcase_create("tracedat");

	tcase_add_test(bytes, test_binary_garbage);
	tcase_add_test(bytes, test_truncated_gzip);
	tcase_add_test(bytes, test_truncated_xz);
	tcase_add_test(bytes, test_empty_files);
	tcase_add_test(bytes, test_nul_bytes);
	tcase_add_test(lines, test_line_cut_in_the_middle);
	tcase_add_test(lines, test_unknown_tracer_events);
	tcase_add_test(lines, test_time_backwards_one_cpu);
	tcase_add_test(lines, test_null_pointers);
	tcase_add_test(strict, test_strict_pairing);
	tcase_add_test(strict, test_strict_native);
	tcase_add_test(perf, test_perf_every_era);
	tcase_add_test(perf, test_perf_callchains_and_options);
	tcase_add_test(perf, test_perf_real_variants);
	tcase_add_test(perf, test_perf_real_callchains);
	tcase_add_test(tracedat, test_tracedat_flags);
	tcase_add_test(tracedat, test_tracedat_errors);
	tcase_add_test(tracedat, test_tracedat_equals_report);
	tcase_add_test(tracedat, test_tracedat_damaged);
	tcase_add_test(tracedat, test_tracedat_strict);
	suite_add_tcase(s, bytes);
	suite_add_tcase(s, lines);
	suite_add_tcase(s, strict);
	suite_add_tcase(s, perf);
	suite_add_tcase(s, tracedat);
	return s;
}
