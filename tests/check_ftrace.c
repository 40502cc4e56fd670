/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_ftrace.c - the text trace readers: the line parser for every kernel
 * era and printer (tracefs, trace-cmd report with and without -l, perf
 * script), compressed input, the loader's error messages, the pairing pass,
 * and the real captured sample against its README.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/ftrace.h"
#include "traces/input.h"
#include "traces/load.h"
#include "traces/resolve.h"
#include "traces/tstats.h"

/* ---- helpers ------------------------------------------------------------------ */

static char ft_err[512];

static int ft_parse(const char *line, struct ftrace_rec *r)
{
	ft_err[0] = '\0';
	return ftrace_line_parse(line, strlen(line), r, ft_err, sizeof(ft_err));
}

static void ft_assert_span(const char *s, size_t n, const char *want, const char *what)
{
	ck_assert_msg(n == strlen(want) && !memcmp(s, want, n), "%s should be '%s', is '%.*s'", what,
		      want, (int)n, s ? s : "");
}

static void ft_write_gz(const char *path, const char *text)
{
	gzFile f = gzopen(path, "wb9");

	ck_assert_msg(f != NULL, "a gzip fixture should be writable");
	ck_assert_int_eq(gzwrite(f, text, (unsigned)strlen(text)), (int)strlen(text));
	ck_assert_int_eq(gzclose(f), Z_OK);
}

static void ft_write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f && fwrite(p, 1, n, f) == n && !fclose(f), "a fixture should be writable");
}

/* Writes text xz-compressed; returns the compressed size. */
static size_t ft_write_xz(const char *path, const char *text)
{
	size_t n = strlen(text), cap = n + n / 2 + 4096, out = 0;
	uint8_t *buf = xmalloc(cap);

	ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text, n,
						 buf, &out, cap), LZMA_OK);
	ft_write_bytes(path, buf, out);
	free(buf);
	return out;
}

/* Loads text from a temporary file; returns trace_load's result. */
static int ft_load_text(const char *text, struct sim_workload *w, char *err, size_t errlen)
{
	char *path = tutil_tmpfile(".trace", text, strlen(text));
	int ret;

	sim_workload_init(w);
	ret = trace_load(path, w, err, errlen);
	unlink(path);
	free(path);
	return ret;
}

static const char ft_tiny[] =
	"# tracer: nop\n"
	"#\n"
	"            init-1       [003] .....     9.915871: kmem_cache_alloc: call_site=alloc_inode+0x59/0xc0 ptr=ffff8d740194d900 bytes_req=632 bytes_alloc=640 gfp_flags=GFP_KERNEL node=-1 accounted=true\n"
	"            init-1       [002] ..s2.     9.916562: kmem_cache_free: call_site=rcu_do_batch+0x19a/0x540 ptr=ffff8d740194d900 name=inode_cache\n"
	"            init-1       [003] .....     9.917995: kmalloc: call_site=alloc_pipe_info+0x5c/0x220 ptr=ffff8d74003a66c0 bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO node=-1 accounted=true\n"
	"            init-1       [003] ..s2.     9.928065: kfree: call_site=security_task_free+0x36/0x50 ptr=ffff8d74003a66c0\n";

/* ---- eras ----------------------------------------------------------------------- */

START_TEST(test_era_a_tracecmd_hex)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("       trace-cmd-16131 [000] 158126.498411: kmem_cache_alloc: call_site=811223c5 ptr=0xffff88003ecf2b40 bytes_req=272 bytes_alloc=320 gfp_flags=GFP_KERNEL|GFP_ZERO", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KMEM_CACHE_ALLOC);
	ck_assert_int_eq(r.style, FTRACE_STYLE_TRACECMD);
	ck_assert_uint_eq(r.cpu, 0);
	ck_assert_uint_eq(r.ts_ns, 158126498411000ull);
	ck_assert_uint_eq(r.ptr, 0xffff88003ecf2b40ull);
	ck_assert_uint_eq(r.bytes_req, 272);
	ck_assert_uint_eq(r.bytes_alloc, 320);
	ck_assert_int_eq(r.node, SIM_NO_NODE);
	ck_assert_int_eq(r.accounted, -1);
	ft_assert_span(r.site, r.site_len, "811223c5", "a hex call_site");

	ck_assert_int_eq(ft_parse("       trace-cmd-16129 [002] 158126.498446: kfree: call_site=810a7abb ptr=0x0", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KFREE);
	ck_assert_uint_eq(r.cpu, 2);
	ck_assert_msg(r.ptr == 0, "ptr=0x0 should be NULL");

	ck_assert_int_eq(ft_parse("          <idle>-0     [000] 158128.126641: kmalloc: call_site=81330635 ptr=0xffff88003c2fd000 bytes_req=2096 bytes_alloc=4096 gfp_flags=GFP_ATOMIC", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KMALLOC);
	ck_assert_uint_eq(r.bytes_alloc, 4096);
}
END_TEST

START_TEST(test_era_a_node_and_page_events)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("         kswapd0-45    [001] d..1  1234.567890: kmem_cache_alloc_node: call_site=c0000000003ce108 ptr=ffff88003ecf2b40 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL node=1", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KMEM_CACHE_ALLOC);
	ck_assert_msg(r.node_event, "kmem_cache_alloc_node should be marked as a _node event");
	ck_assert_int_eq(r.node, 1);
	ck_assert_msg(r.irqs_off, "a 4-character flags column starting with 'd' means irqs off");
	ck_assert_int_eq(r.style, FTRACE_STYLE_FTRACE);
	ft_assert_span(r.site, r.site_len, "c0000000003ce108", "a 64-bit hex call_site");

	ck_assert_int_eq(ft_parse("         kswapd0-45    [001] d..1  1234.567891: kmalloc_node: call_site=ffffffff81234567 ptr=ffff88003ecf2000 bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=0", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KMALLOC);
	ck_assert_int_eq(r.node, 0);

	ck_assert_int_eq(ft_parse("          <idle>-0     [000]  1234.600000: kfree: call_site=c01234 ptr=(null)", &r), FTRACE_LINE_KMEM);
	ck_assert_msg(r.ptr == 0, "ptr=(null) should be NULL");

	ck_assert_int_eq(ft_parse("            bash-2000  [003] ....  1234.700000: mm_page_free_direct: page=ffffea0000b1d1c0 pfn=2913351 order=2", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_PAGE_FREE);
	ck_assert_uint_eq(r.ptr, 2913351);
	ck_assert_uint_eq(r.order, 2);
	ck_assert_int_eq(ft_parse("            bash-2000  [003] ....  1234.700001: mm_pagevec_free: page=ffffea0000b1d200 pfn=2913352 order=0 cold=1", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_PAGE_FREE);
	ck_assert_uint_eq(r.ptr, 2913352);
	ck_assert_int_eq(ft_parse("            bash-2000  [003] ....  1234.700002: mm_page_alloc: page=ffffea0000b1d240 pfn=2913353 order=0 migratetype=0 gfp_flags=GFP_KERNEL", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_PAGE_ALLOC);
	ck_assert_uint_eq(r.ptr, 2913353);
}
END_TEST

START_TEST(test_era_b_symbolic_hashed)
{
	struct ftrace_rec r;

	/* verbatim from Changbin Du's patch: no task column at all */
	ck_assert_int_eq(ft_parse("[002] ....   808.188913: kmem_cache_alloc: call_site=prepare_creds+0x26/0x100 ptr=0000000058d74ef8 bytes_req=168 bytes_alloc=576 gfp_flags=GFP_KERNEL", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.cpu, 2);
	ck_assert_uint_eq(r.ts_ns, 808188913000ull);
	ck_assert_uint_eq(r.ptr, 0x58d74ef8ull);
	ft_assert_span(r.site, r.site_len, "prepare_creds+0x26/0x100", "a symbolic call_site");
	ck_assert_int_eq(ft_parse("[002] ....   808.188917: kmalloc: call_site=security_prepare_creds+0x77/0xa0 ptr=0000000062400820 bytes_req=8 bytes_alloc=336 gfp_flags=GFP_KERNEL|__GFP_ZERO", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.bytes_alloc, 336);
	ck_assert_int_eq(ft_parse("[002] ....   808.188925: kmem_cache_free: call_site=putname+0x47/0x50 ptr=00000000cef40c80", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_KMEM_CACHE_FREE);
	ck_assert_msg(r.name_len == 0, "an early Era B kmem_cache_free has no name");
	ck_assert_int_eq(ft_parse("[002] ....   808.188926: kfree: call_site=security_cred_free+0x42/0x50 ptr=0000000062400820", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ptr, 0x62400820ull);
	ck_assert_int_eq(ft_parse("  bash-77  [001] ....   809.000000: kmem_cache_free: call_site=putname+0x47/0x50 ptr=00000000cef40c80 name=names_cache", &r), FTRACE_LINE_KMEM);
	ft_assert_span(r.name, r.name_len, "names_cache", "name=");
}
END_TEST

START_TEST(test_era_c_real_lines)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("            init-1       [003] .....     9.915871: kmem_cache_alloc: call_site=alloc_inode+0x59/0xc0 ptr=ffff8d740194d900 bytes_req=632 bytes_alloc=640 gfp_flags=GFP_KERNEL node=-1 accounted=true", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.style, FTRACE_STYLE_FTRACE);
	ck_assert_uint_eq(r.ptr, 0xffff8d740194d900ull);
	ck_assert_int_eq(r.node, -1);
	ck_assert_int_eq(r.accounted, 1);
	ck_assert_int_eq(r.ctx, SIM_CTX_TASK);
	ck_assert_int_eq(ft_parse("            init-1       [002] ..s2.     9.116562: kmem_cache_free: call_site=rcu_do_batch+0x19a/0x540 ptr=ffff8cb8c0c51300 name=cred_jar", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.ctx, SIM_CTX_SOFTIRQ);
	ft_assert_span(r.name, r.name_len, "cred_jar", "name=");
	ck_assert_int_eq(ft_parse("            init-1       [002] .....     9.103881: kmalloc: call_site=__get_vm_area_node+0x7b/0x150 ptr=ffff8cb8fade8b40 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 accounted=false", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.accounted, 0);
	ck_assert_uint_eq(r.gfp, 0);
	ck_assert_int_eq(ft_parse("            init-1       [003] .....     9.915995: kmalloc: call_site=alloc_pipe_info+0x5c/0x220 ptr=ffff8d74003a66c0 bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO node=-1 accounted=true", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.gfp, FTRACE_GFP_ACCOUNT);
	ck_assert_int_eq(ft_parse("            init-1       [003] .....     9.917044: mm_page_alloc: page=fffff46fc4037980 pfn=0x100de6 order=1 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ptr, 0x100de6);
	ck_assert_uint_eq(r.order, 1);
}
END_TEST

START_TEST(test_era_d_named_alloc)
{
	struct ftrace_rec r;
	struct sim_event e;
	struct sim_workload w;

	ck_assert_int_eq(ft_parse("     kworker/1:0-25      [001] d.h1.   100.000000001: kmem_cache_alloc: call_site=mempool_alloc+0x5e/0x170 ptr=ffff9a0c41e3a000 name=bio-248 bytes_req=248 bytes_alloc=256 gfp_flags=GFP_NOIO node=-1 accounted=false", &r), FTRACE_LINE_KMEM);
	ft_assert_span(r.name, r.name_len, "bio-248", "kmem_cache_alloc's name= (2025)");
	ck_assert_uint_eq(r.bytes_req, 248);
	ck_assert_uint_eq(r.ts_ns, 100000000001ull);
	ck_assert_int_eq(r.ctx, SIM_CTX_HARDIRQ);
	sim_workload_init(&w);
	ftrace_rec_to_event(&w, &r, &e);
	ck_assert_str_eq(strtab_get(&w.caches, e.cache), "bio-248");
	ck_assert_msg(e.flags & SIM_EVF_IRQS_OFF, "'d' in the flags should give SIM_EVF_IRQS_OFF");
	ck_assert_int_eq(sim_event_ctx(&e), SIM_CTX_HARDIRQ);
	sim_workload_fini(&w);
	ck_assert_int_eq(ft_parse("          <idle>-0       [000] ..s1.   100.000000002: mm_page_free: page=ffffe1b2c4a0c000 pfn=0x128300 order=0", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ptr, 0x128300);
	ck_assert_int_eq(ft_parse("          <idle>-0       [000] ..s1.   100.000000003: mm_page_free_batched: page=ffffe1b2c4a0c040 pfn=0x128301 order=0", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.type, FTRACE_PAGE_FREE);
}
END_TEST

/* ---- printers, prefixes, flags ------------------------------------------------- */

START_TEST(test_tracecmd_latency)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("      <idle>-0       0d.h1. 106467.859747: kmalloc: call_site=81330635 ptr=0xffff88003c2fd000 bytes_req=2096 bytes_alloc=4096 gfp_flags=GFP_ATOMIC", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.style, FTRACE_STYLE_LATENCY);
	ck_assert_uint_eq(r.cpu, 0);
	ck_assert_msg(r.irqs_off, "'0d.h1.' should mean irqs off");
	ck_assert_int_eq(r.ctx, SIM_CTX_HARDIRQ);
	ck_assert_uint_eq(r.ts_ns, 106467859747000ull);
	ck_assert_int_eq(ft_parse("  Web Content-4321   12..s1. 106467.859748: kfree: call_site=8133aabb ptr=0xffff88003c2fd000", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.cpu, 12);
	ck_assert_int_eq(r.ctx, SIM_CTX_SOFTIRQ);
	ck_assert_msg(!r.irqs_off, "'..s1.' should not mean irqs off");
}
END_TEST

START_TEST(test_perf_script)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("jbd2/dm-3-8  7666 [000]  4666.621521: kmem:kmalloc: call_site=c0000000003ce108 ptr=0xc000000fcd646360 bytes_req=96 bytes_alloc=96 gfp_flags=GFP_NOFS|GFP_ZERO", &r), FTRACE_LINE_KMEM);
	ck_assert_int_eq(r.style, FTRACE_STYLE_PERF);
	ck_assert_int_eq(r.type, FTRACE_KMALLOC);
	ck_assert_uint_eq(r.ptr, 0xc000000fcd646360ull);
	ck_assert_int_eq(ft_parse("                  27f1dc .__kmalloc (/boot/vmlinux)", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse(" => __kmalloc", &r), FTRACE_LINE_IGNORED);
}
END_TEST

START_TEST(test_comm_with_spaces_and_dashes)
{
	static const char *const lines[] = {
		"     Web Content-4321    [001] .....   5.000001: kfree: call_site=x+0x1/0x2 ptr=ffff888000001000",
		"  kworker/u8:2-45        [001] .....   5.000001: kfree: call_site=x+0x1/0x2 ptr=ffff888000001000",
		"           <...>-123     [001] .....   5.000001: kfree: call_site=x+0x1/0x2 ptr=ffff888000001000",
		"  a [12] b-c-99          [001] .....   5.000001: kfree: call_site=x+0x1/0x2 ptr=ffff888000001000",
		"  CPU 0/KVM-7777         [001] .....   5.000001: kfree: call_site=x+0x1/0x2 ptr=ffff888000001000",
	};
	struct ftrace_rec r;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ck_assert_msg(ft_parse(lines[i], &r) == FTRACE_LINE_KMEM, "line %zu should parse: %s", i, ft_err);
		ck_assert_msg(r.cpu == 1 && r.ts_ns == 5000001000ull && r.ptr == 0xffff888000001000ull,
			      "line %zu should give cpu 1, t 5.000001 s and the pointer", i);
	}
}
END_TEST

START_TEST(test_flags_to_ctx)
{
	static const struct {
		const char *flags;
		int ctx;
		bool irqs_off;
	} tab[] = {
		{ ".....", SIM_CTX_TASK, false }, { "..s2.", SIM_CTX_SOFTIRQ, false },
		{ "d.h1.", SIM_CTX_HARDIRQ, true }, { "..H..", SIM_CTX_HARDIRQ, false },
		{ "d.z..", SIM_CTX_NMI, true }, { "..Z..", SIM_CTX_NMI, false },
		{ "D....", SIM_CTX_TASK, true }, { "dNs.", SIM_CTX_SOFTIRQ, true }, { "d...", SIM_CTX_TASK, true },
	};
	char line[256];
	struct ftrace_rec r;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		snprintf(line, sizeof(line), "  sh-5  [000] %s  1.000000: kfree: call_site=a+0x1/0x2 ptr=ffff88800000a000",
			 tab[i].flags);
		ck_assert_int_eq(ft_parse(line, &r), FTRACE_LINE_KMEM);
		ck_assert_msg(r.ctx == tab[i].ctx, "flags '%s' should give context %d, not %d", tab[i].flags,
			      tab[i].ctx, r.ctx);
		ck_assert_msg(r.irqs_off == tab[i].irqs_off, "flags '%s': irqs-off should be %d", tab[i].flags,
			      tab[i].irqs_off);
	}
}
END_TEST

START_TEST(test_timestamps_exact)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  12.345678901: kfree: call_site=a ptr=ffff88800000a000", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ts_ns, 12345678901ull);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  7888274.478331: kfree: call_site=a ptr=ffff88800000a000", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ts_ns, 7888274478331000ull);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  123456789: kfree: call_site=a ptr=ffff88800000a000", &r), FTRACE_LINE_KMEM);
	ck_assert_uint_eq(r.ts_ns, 123456789ull);
}
END_TEST

START_TEST(test_lost_markers)
{
	struct ftrace_rec r;
	struct sim_workload w;
	char err[512], text[2048];

	ck_assert_int_eq(ft_parse("CPU:2 [LOST 123 EVENTS]", &r), FTRACE_LINE_LOST);
	ck_assert_uint_eq(r.lost, 123);
	ck_assert_uint_eq(r.cpu, 2);
	ck_assert_int_eq(ft_parse("CPU:1 [LOST EVENTS]", &r), FTRACE_LINE_LOST);
	ck_assert_uint_eq(r.lost, 1);
	ck_assert_int_eq(ft_parse("CPU:3 [45 EVENTS DROPPED]", &r), FTRACE_LINE_LOST);
	ck_assert_uint_eq(r.lost, 45);
	ck_assert_int_eq(ft_parse("CPU:0 [EVENTS DROPPED]", &r), FTRACE_LINE_LOST);
	snprintf(text, sizeof(text), "%sCPU:2 [LOST 123 EVENTS]\nCPU:3 [7 EVENTS DROPPED]\n", ft_tiny);
	ck_assert_int_eq(ft_load_text(text, &w, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_lost_events], 130);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_headers_and_other_events)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("# tracer: nop", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("   ", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("cpus=4", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("version = 6", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("CPU 3 is empty", &r), FTRACE_LINE_IGNORED);
	ck_assert_int_eq(ft_parse("          <idle>-0     [003] 158126.500585: sched_wakeup: comm=trace-cmd pid=16130 prio=120 success=1 target_cpu=003", &r), FTRACE_LINE_OTHER);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  1.0: mm_page_alloc_zone_locked: page=x pfn=0x1 order=0 migratetype=0 percpu_refill=1", &r), FTRACE_LINE_OTHER);
}
END_TEST

/* ---- malformed lines ------------------------------------------------------------ */

START_TEST(test_malformed_lines)
{
	struct ftrace_rec r;

	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  1.000000: kmalloc: call_site=a+0x1/0x2 ptr=ffff88800000a000 bytes_req=x1 bytes_alloc=8 gfp_flags=GFP_KERNEL", &r), -EINVAL);
	ck_assert_str_eq(ft_err, "field 'bytes_req': expected a decimal number, got 'x1'");
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  1.000000: kfree: call_site=a+0x1/0x2", &r), -EINVAL);
	ck_assert_msg(strstr(ft_err, "field 'ptr': missing"), "a kfree without ptr= should say so: %s", ft_err);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  1.000000: kmalloc: call_site=a+0x1/0x2 ptr=ffff8d74", &r), -EINVAL);
	ck_assert_msg(strstr(ft_err, "field 'bytes_req': missing"), "a truncated kmalloc line should name bytes_req: %s", ft_err);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  9.9x4918: kfree: call_site=a ptr=ffff88800000a000", &r), -EINVAL);
	ck_assert_msg(strstr(ft_err, "field 'timestamp'"), "a bad timestamp should name the timestamp: %s", ft_err);
	ck_assert_int_eq(ft_parse("  init-1 9.915871: kfree: call_site=a ptr=ffff88800000a000", &r), -EINVAL);
	ck_assert_msg(strstr(ft_err, "field 'cpu'"), "a line without a CPU field should say so: %s", ft_err);
	ck_assert_int_eq(ft_parse("  sh-5  [000] .....  1.000000: kfree: call_site=a ptr=zzzz", &r), -EINVAL);
	ck_assert_msg(strstr(ft_err, "field 'ptr': expected a hexadecimal pointer, got 'zzzz'"), "a bad pointer should be named: %s", ft_err);
}
END_TEST

START_TEST(test_malformed_lines_are_counted)
{
	struct sim_workload w;
	char err[512], text[4096];
	const char *bad = "  sh-5  [000] .....  10.000000: kmalloc: call_site=a+0x1/0x2 ptr=ffff88800000a000 bytes_req=x1 bytes_alloc=8 gfp_flags=GFP_KERNEL\n";

	snprintf(text, sizeof(text), "%s%s%s", ft_tiny, bad, bad);
	ck_assert_int_eq(ft_load_text(text, &w, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 2);
	ck_assert_msg(strstr(w.first_skip, ".trace:7: field 'bytes_req': expected a decimal number, got 'x1'"),
		      "first_skip should name file, line 7 and the field: %s", w.first_skip);
	ck_assert_uint_eq(w.nev, 4);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_kfree_null)
{
	struct sim_workload w;
	char err[512], text[4096];

	snprintf(text, sizeof(text), "%s%s%s%s", ft_tiny,
		 "  sh-5  [000] .....  10.000000: kfree: call_site=a+0x1/0x2 ptr=0000000000000000\n",
		 "  sh-5  [000] .....  10.000001: kfree: call_site=a+0x1/0x2 ptr=(null)\n",
		 "  sh-5  [000] .....  10.000002: kfree: call_site=a+0x1/0x2 ptr=0000000000000010\n");
	ck_assert_int_eq(ft_load_text(text, &w, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_free], 3);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 0);
	for (size_t i = 4; i < 7; i++) {
		ck_assert_msg(w.ev[i].flags & SIM_EVF_NULL, "kfree(NULL/ZERO_SIZE_PTR) should be flagged NULL");
		ck_assert_msg(!sim_event_is_replayed(&w.ev[i]), "kfree(NULL) should not be replayed");
	}
	sim_workload_fini(&w);
}
END_TEST

/* ---- input: compression, stdin, errors ------------------------------------------ */

static uint64_t ft_digest_of(const char *path)
{
	struct sim_workload w;
	char err[512];
	uint64_t d;

	sim_workload_init(&w);
	ck_assert_msg(trace_load(path, &w, err, sizeof(err)) == 0, "%s should load: %s", path, err);
	d = w.digest;
	sim_workload_fini(&w);
	return d;
}

START_TEST(test_gz_and_xz_input)
{
	char *dir = tutil_tmpdir(), plain[512], gz[512], xz[512], misnamed[512];
	uint64_t d;

	snprintf(plain, sizeof(plain), "%s/t.trace", dir);
	snprintf(gz, sizeof(gz), "%s/t.trace.gz", dir);
	snprintf(xz, sizeof(xz), "%s/t.trace.xz", dir);
	snprintf(misnamed, sizeof(misnamed), "%s/t.txt", dir);
	ft_write_bytes(plain, ft_tiny, strlen(ft_tiny));
	ft_write_gz(gz, ft_tiny);
	ft_write_xz(xz, ft_tiny);
	ft_write_xz(misnamed, ft_tiny);
	d = ft_digest_of(plain);
	ck_assert_msg(ft_digest_of(gz) == d, "a gzip trace should give the same workload as plain text");
	ck_assert_msg(ft_digest_of(xz) == d, "an xz trace should give the same workload as plain text");
	ck_assert_msg(ft_digest_of(misnamed) == d, "xz data is recognised by content, not by name");
	unlink(plain);
	unlink(gz);
	unlink(xz);
	unlink(misnamed);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_stdin_input)
{
	char *dir = tutil_tmpdir(), gz[512], err[512];
	struct sim_workload w;
	int fd;

	snprintf(gz, sizeof(gz), "%s/t.gz", dir);
	ft_write_gz(gz, ft_tiny);
	fd = open(gz, O_RDONLY);
	ck_assert_msg(fd >= 0 && dup2(fd, STDIN_FILENO) == STDIN_FILENO, "stdin should be redirectable");
	close(fd);
	sim_workload_init(&w);
	ck_assert_msg(trace_load("-", &w, err, sizeof(err)) == 0, "gzip data on stdin should load: %s", err);
	ck_assert_str_eq(w.source, "<stdin>");
	ck_assert_uint_eq(w.nev, 4);
	sim_workload_fini(&w);
	unlink(gz);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_input_getline)
{
	char *path = tutil_tmpfile(".txt", "one\n\nthree\r\nlast", 16), err[256], *line = NULL;
	struct trace_input *in = trace_input_open(path, err, sizeof(err));
	size_t cap = 0;

	ck_assert_msg(in != NULL, "a plain file should open: %s", err);
	ck_assert_int_eq(trace_input_getline(in, &line, &cap), 4);
	ck_assert_str_eq(line, "one\n");
	ck_assert_int_eq(trace_input_getline(in, &line, &cap), 1);
	ck_assert_int_eq(trace_input_getline(in, &line, &cap), 7);
	ck_assert_int_eq(trace_input_getline(in, &line, &cap), 4);
	ck_assert_str_eq(line, "last");
	ck_assert_int_eq(trace_input_getline(in, &line, &cap), 0);
	trace_input_close(in);
	free(line);
	unlink(path);
	free(path);
}
END_TEST

/*
 * A compressed file smaller than the input's buffers opens with small ones;
 * decoded, it is megabytes, with a line longer than they are: every line
 * comes back whole and in order, as from the same text uncompressed.
 */
START_TEST(test_small_compressed_file_expands)
{
	enum { LINES = 100000, LONG_AT = 1234, LONG_BYTES = 300 << 10 };
	char *dir = tutil_tmpdir(), path[2][512], err[512], *line = NULL;
	size_t n = 0, cap = 0, textcap = (size_t)LINES * 16 + LONG_BYTES + 2;
	char *text = xmalloc(textcap);
	struct stat st;

	for (int i = 0; i < LINES; i++) {
		if (i == LONG_AT) {
			memset(text + n, 'x', LONG_BYTES);
			n += LONG_BYTES;
			text[n++] = '\n';
		}
		n += (size_t)snprintf(text + n, textcap - n, "line %d\n", i);
	}
	snprintf(path[0], sizeof(path[0]), "%s/big.gz", dir);
	snprintf(path[1], sizeof(path[1]), "%s/big.txt", dir);
	ft_write_gz(path[0], text);
	ft_write_bytes(path[1], text, n);
	ck_assert_int_eq(stat(path[0], &st), 0);
	ck_assert_msg(st.st_size < (256 << 10), "the compressed file should be smaller than the raw buffer: %lld bytes",
		      (long long)st.st_size);
	for (int f = 0; f < 2; f++) {
		struct trace_input *in = trace_input_open(path[f], err, sizeof(err));
		char want[32];

		ck_assert_msg(in != NULL, "%s should open: %s", path[f], err);
		for (int i = 0; i < LINES; i++) {
			if (i == LONG_AT) {
				ck_assert_int_eq(trace_input_getline(in, &line, &cap), LONG_BYTES + 1);
				ck_assert_msg(line[0] == 'x' && line[LONG_BYTES - 1] == 'x' && line[LONG_BYTES] == '\n',
					      "%s: the long line should come back whole", path[f]);
			}
			snprintf(want, sizeof(want), "line %d\n", i);
			if (trace_input_getline(in, &line, &cap) != (ssize_t)strlen(want) || strcmp(line, want))
				ck_abort_msg("%s: line %d should be '%s', was '%s'", path[f], i, want, line ? line : "");
		}
		ck_assert_int_eq(trace_input_getline(in, &line, &cap), 0);
		trace_input_close(in);
		unlink(path[f]);
	}
	rmdir(dir);
	free(dir);
	free(text);
	free(line);
}
END_TEST

START_TEST(test_truncated_xz_names_file)
{
	char *dir = tutil_tmpdir(), xz[512], err[512], *big = xmalloc(64 * strlen(ft_tiny) + 1);
	struct sim_workload w;
	size_t n;

	big[0] = '\0';
	for (int i = 0; i < 64; i++)
		strcat(big, ft_tiny);
	snprintf(xz, sizeof(xz), "%s/cut.trace.xz", dir);
	n = ft_write_xz(xz, big);
	ck_assert_int_eq(truncate(xz, (off_t)(n / 2)), 0);
	sim_workload_init(&w);
	ck_assert_int_lt(trace_load(xz, &w, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "cut.trace.xz: truncated or corrupt xz data after"),
		      "a truncated xz file should be named with the byte offset: %s", err);
	sim_workload_fini(&w);
	unlink(xz);
	rmdir(dir);
	free(dir);
	free(big);
}
END_TEST

START_TEST(test_empty_and_missing)
{
	struct sim_workload w;
	char err[512];

	ck_assert_int_lt(ft_load_text("", &w, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, ": no kmem allocation events found (0 lines read)"), "an empty trace: %s", err);
	sim_workload_fini(&w);
	ck_assert_int_lt(ft_load_text("# tracer: nop\n#\n  sh-5 [000] .....  1.0: sched_wakeup: comm=a\n", &w, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "no kmem allocation events found (3 lines read)"), "a trace without kmem events: %s", err);
	sim_workload_fini(&w);
	sim_workload_init(&w);
	ck_assert_int_eq(trace_load("/nonexistent/x.trace", &w, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/x.trace: No such file or directory");
	sim_workload_fini(&w);
}
END_TEST

static void ft_progress(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *last = arg;

	ck_assert_msg(done <= total, "progress should not pass the file size");
	last[0] = done;
	last[1] = total;
	last[2]++;
}

START_TEST(test_tracecmd_file_and_progress)
{
	static const char text[] =
		"version = 6\n"
		"cpus=4\n"
		"CPU 1 is empty\n"
		"       trace-cmd-16131 [000] 158126.498411: kmem_cache_alloc: call_site=811223c5 ptr=0xffff88003ecf2b40 bytes_req=272 bytes_alloc=320 gfp_flags=GFP_KERNEL|GFP_ZERO\n"
		"CPU:2 [12 EVENTS DROPPED]\n"
		"       trace-cmd-16129 [002] 158126.498446: kfree: call_site=810a7abb ptr=0x0\n"
		"       trace-cmd-16130 [003] 158126.498440: kmalloc: call_site=810bf95b ptr=0xffff88003dedc040 bytes_req=24 bytes_alloc=32 gfp_flags=GFP_KERNEL|GFP_ZERO\n"
		"       trace-cmd-16130 [003] 158126.498462: sched_switch: prev_comm=trace-cmd prev_pid=16130\n";
	char *path = tutil_tmpfile(".report", text, strlen(text)), err[512];
	struct trace_load_opts opts = { .progress = ft_progress };
	struct trace_load_info info;
	struct sim_workload w;
	uint64_t last[3] = { 0, 0, 0 };

	opts.progress_arg = last;
	sim_workload_init(&w);
	ck_assert_msg(trace_load_ex(path, &w, &opts, &info, err, sizeof(err)) == 0, "a trace-cmd report should load: %s", err);
	ck_assert_str_eq(w.format, "trace-cmd");
	ck_assert_uint_eq(w.nev, 3);
	ck_assert_uint_eq(info.lines, 8);
	ck_assert_uint_eq(w.anomaly[SIM_AN_lost_events], 12);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unknown_events], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_time_backwards], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
	ck_assert_uint_eq(w.ev[2].t_ns, 29000);	/* relative to the earliest event */
	ck_assert_str_eq(strtab_get(&w.caches, w.ev[2].cache), "kmalloc-32");
	ck_assert_msg(last[2] >= 1 && last[0] == last[1] && last[1] == strlen(text),
		      "progress should end at the file size (%llu of %llu, %llu calls)",
		      (unsigned long long)last[0], (unsigned long long)last[1], (unsigned long long)last[2]);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

/* ---- kmalloc names and the pairing pass ------------------------------------------ */

START_TEST(test_kmalloc_names)
{
	static const struct {
		uint32_t req, alloc;
		unsigned gfp;
		int acc;
		const char *name;
	} tab[] = {
		{ 8, 8, 0, -1, "kmalloc-8" }, { 72, 96, 0, 0, "kmalloc-96" }, { 168, 192, 0, 1, "kmalloc-cg-192" },
		{ 640, 1024, 0, 1, "kmalloc-cg-1k" }, { 4096, 4096, 0, 0, "kmalloc-4k" },
		{ 5000, 8192, 0, 0, "kmalloc-8k" }, { 100, 128, FTRACE_GFP_RECLAIMABLE, 1, "kmalloc-rcl-128" },
		{ 100, 128, FTRACE_GFP_DMA | FTRACE_GFP_RECLAIMABLE, 1, "dma-kmalloc-128" },
		{ 2000, 2112, 0, 0, "kmalloc-2k" },	/* padded by slub_debug: class from bytes_req */
		{ 10000, 12288, 0, 0, "kmalloc-large" },
	};
	char name[48];
	bool large;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		trace_kmalloc_name(name, sizeof(name), tab[i].req, tab[i].alloc, tab[i].gfp, tab[i].acc, &large);
		ck_assert_msg(!strcmp(name, tab[i].name), "kmalloc(%u) of %u bytes should be %s, not %s",
			      tab[i].req, tab[i].alloc, tab[i].name, name);
		ck_assert_msg(large == !strcmp(tab[i].name, "kmalloc-large"), "only kmalloc-large is large");
	}
}
END_TEST

static const char ft_pairing[] =
	/* 0: nameless alloc of P1, named by its free (1) */
	"  a-1 [000] ..... 1.000000: kmem_cache_alloc: call_site=get_foo+0x10/0x40 ptr=ffff888000001000 bytes_req=48 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"  a-1 [001] ..... 1.000001: kmem_cache_free: call_site=put_foo+0x10/0x40 ptr=ffff888000001000 name=foo\n"
	/* 2: P1 reused; freed by kfree (3): named from the same call site's other allocation */
	"  a-1 [000] ..... 1.000002: kmem_cache_alloc: call_site=get_foo+0x10/0x40 ptr=ffff888000001000 bytes_req=48 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"  a-1 [000] ..... 1.000003: kfree: call_site=bar+0x1/0x2 ptr=ffff888000001000\n"
	/* 4: free of a pointer never allocated */
	"  a-1 [000] ..... 1.000004: kmem_cache_free: call_site=put_foo+0x10/0x40 ptr=ffff888000009000 name=foo\n"
	/* 5, 6: P2 allocated twice (a lost free), 7: freed once */
	"  a-1 [000] ..... 1.000005: kmalloc: call_site=mk+0x1/0x9 ptr=ffff888000002000 bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL_ACCOUNT node=-1 accounted=true\n"
	"  a-1 [000] ..... 1.000006: kmalloc: call_site=mk+0x1/0x9 ptr=ffff888000002000 bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL_ACCOUNT node=-1 accounted=true\n"
	"  a-1 [002] ..s1. 1.000007: kfree: call_site=rm+0x1/0x9 ptr=ffff888000002000\n"
	/* 8, 9: a large kmalloc and its kfree */
	"  a-1 [000] ..... 1.000008: kmalloc: call_site=big+0x1/0x9 ptr=ffff888000100000 bytes_req=10000 bytes_alloc=12288 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"  a-1 [000] ..... 1.000009: kfree: call_site=rm+0x1/0x9 ptr=ffff888000100000\n"
	/* 10: nameless, never freed, no sibling: named from its call site */
	"  a-1 [003] ..... 1.000010: kmem_cache_alloc: call_site=lonely+0x5/0x10 ptr=ffff888000003000 bytes_req=100 bytes_alloc=104 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	/* dropped: a failed allocation */
	"  a-1 [000] ..... 1.000011: kmalloc: call_site=mk+0x1/0x9 ptr=0000000000000000 bytes_req=8 bytes_alloc=8 gfp_flags=GFP_ATOMIC node=-1 accounted=false\n"
	/* 11, 12: pages */
	"  a-1 [000] ..... 1.000012: mm_page_alloc: page=ffffea0000040000 pfn=0x1000 order=2 migratetype=0 gfp_flags=GFP_KERNEL\n"
	"  a-1 [001] ..... 1.000013: mm_page_free: page=ffffea0000040000 pfn=0x1000 order=2\n";

static const char *ft_cache_of(const struct sim_workload *w, size_t i)
{
	return strtab_get(&w->caches, w->ev[i].cache);
}

START_TEST(test_pairing_pass)
{
	struct sim_workload w;
	char err[512];

	ck_assert_msg(ft_load_text(ft_pairing, &w, err, sizeof(err)) == 0, "the pairing trace should load: %s", err);
	ck_assert_uint_eq(w.nev, 13);
	ck_assert_uint_eq(w.nobjs, 6);
	ck_assert_uint_eq(w.ev[0].t_ns, 0);
	ck_assert_uint_eq(w.ev[12].t_ns, 13000);
	ck_assert_str_eq(ft_cache_of(&w, 0), "foo");
	ck_assert_msg(w.ev[1].oid == w.ev[0].oid, "a free should carry its allocation's oid");
	ck_assert_msg(w.ev[2].oid != w.ev[0].oid, "a reused pointer is a new object");
	ck_assert_msg(w.ev[3].oid == w.ev[2].oid, "the kfree should pair with the reuse");
	ck_assert_str_eq(ft_cache_of(&w, 2), "foo");
	ck_assert_str_eq(ft_cache_of(&w, 3), "foo");
	ck_assert_msg(w.ev[4].flags & SIM_EVF_UNMATCHED, "a free of a never-allocated pointer is unmatched");
	ck_assert_uint_eq(w.ev[4].oid, SIM_OID_NONE);
	ck_assert_msg(w.ev[6].flags & SIM_EVF_REALLOC, "an allocation of a live pointer is flagged");
	ck_assert_msg(w.ev[7].oid == w.ev[6].oid, "the free goes to the latest allocation of the pointer");
	ck_assert_str_eq(ft_cache_of(&w, 5), "kmalloc-cg-192");
	ck_assert_str_eq(ft_cache_of(&w, 7), "kmalloc-cg-192");
	ck_assert_str_eq(ft_cache_of(&w, 8), "kmalloc-large");
	ck_assert_msg((w.ev[8].flags & SIM_EVF_LARGE) && (w.ev[9].flags & SIM_EVF_LARGE), "a large kmalloc and its kfree are LARGE");
	ck_assert_msg(w.cache_flags[w.ev[8].cache] & SIM_CACHEF_LARGE, "kmalloc-large is a LARGE cache");
	ck_assert_str_eq(ft_cache_of(&w, 10), "site:lonely");
	ck_assert_msg(w.cache_flags[w.ev[10].cache] & SIM_CACHEF_GUESSED, "a site: cache is GUESSED");
	ck_assert_uint_eq(w.cache_size[w.ev[10].cache], 104);
	ck_assert_uint_eq(w.cache_size[w.ev[0].cache], 64);
	ck_assert_uint_eq(w.ev[11].op, SIM_EV_PAGE_ALLOC);
	ck_assert_uint_eq(w.ev[11].bytes_alloc, 16384);
	ck_assert_uint_eq(w.ev[11].oid, SIM_OID_NONE);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_realloc_live], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_large_kmalloc], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unnamed_alloc], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_alloc], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_page_alloc], 1);
	ck_assert_uint_eq(w.anomaly[SIM_AN_page_free], 1);
	ck_assert_uint_eq(w.ncpus, 4);
	ck_assert_str_eq(w.format, "ftrace");
	ck_assert_msg(w.digest == sim_workload_digest(&w), "the digest should be computed at the end");
	uint64_t d = w.digest;

	trace_resolve(&w);
	ck_assert_msg(w.digest == d && w.anomaly[SIM_AN_unnamed_alloc] == 1, "resolving twice changes nothing");
	sim_workload_fini(&w);
}
END_TEST

/* ---- the real captures ---------------------------------------------------------- */

static bool ft_sample_load(const char *rel, struct sim_workload *w)
{
	const char *path = tutil_srcpath(rel);
	char err[512];

	if (tutil_quick_skips(rel))
		return false;
	if (access(path, R_OK)) {
		fprintf(stderr, "check_ftrace: %s not found, real-trace test not run\n", path);
		return false;
	}
	sim_workload_init(w);
	ck_assert_msg(trace_load(path, w, err, sizeof(err)) == 0, "%s should load: %s", rel, err);
	return true;
}

START_TEST(test_real_fork_exec)
{
	struct sim_workload w;
	struct trace_stats s;

	if (!ft_sample_load("traces/samples/fork_exec.trace.xz", &w))
		return;
	trace_stats_compute(&w, &s);
	ck_assert_uint_eq(w.nev, 627329);
	ck_assert_uint_eq(s.by_type[TRACE_ST_KMEM_CACHE_ALLOC], 173945);
	ck_assert_uint_eq(s.by_type[TRACE_ST_KMEM_CACHE_FREE], 220177);
	ck_assert_uint_eq(s.by_type[TRACE_ST_KMALLOC], 24917);
	ck_assert_uint_eq(s.by_type[TRACE_ST_KFREE], 36115);
	ck_assert_uint_eq(s.by_type[TRACE_ST_PAGE_ALLOC], 86002);
	ck_assert_uint_eq(s.by_type[TRACE_ST_PAGE_FREE], 86173);
	ck_assert_uint_eq(s.cpu[0].events, 157725);
	ck_assert_uint_eq(s.cpu[3].events, 166420);
	/* README: kmem_cache_free of never-allocated ptr 46,382 + kfree of never-allocated ptr 16 */
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 46382 + 16);
	ck_assert_uint_eq(w.anomaly[SIM_AN_null_free], 11214);
	ck_assert_uint_eq(w.anomaly[SIM_AN_realloc_live], 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_lost_events], 0);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].pairs, 173795);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].cross_cpu, 4523);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].pairs, 24885);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].cross_cpu, 342);
	ck_assert_uint_eq(s.kind[TRACE_SK_PAGE].pairs, 85968);
	ck_assert_uint_eq(s.kind[TRACE_SK_PAGE].cross_cpu, 1191);
	ck_assert_uint_eq(s.page_free_unseen, 205);
	ck_assert_uint_eq(s.live_end, 182);
	uint32_t mn = strtab_find(&w.caches, "maple_node");

	ck_assert_msg(mn != UINT32_MAX, "maple_node should be a cache");
	ck_assert_uint_eq(s.cache[mn].freed.pairs, 35199);
	ck_assert_uint_eq(s.cache[mn].frees - s.cache[mn].freed.pairs, 46364);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_real_heads)
{
	struct sim_workload w;

	if (!ft_sample_load("traces/samples/fork_exec-head.trace.xz", &w))
		return;
	ck_assert_uint_eq(w.nev, 20000);
	ck_assert_uint_eq(w.ncpus, 4);
	ck_assert_uint_eq(w.anomaly[SIM_AN_skipped_lines], 0);
	sim_workload_fini(&w);
	if (!ft_sample_load("traces/samples/file_churn-head.trace.xz", &w))
		return;
	ck_assert_uint_eq(w.nev, 20000);
	sim_workload_fini(&w);
}
END_TEST

Suite *ftrace_suite(void)
{
	Suite *s = suite_create("ftrace");
	TCase *eras = tcase_create("eras");
	TCase *lines = tcase_create("lines");
	TCase *input = tcase_create("input");
	TCase *pair = tcase_create("pairing");
	TCase *real = tcase_create("real");

	tcase_add_test(eras, test_era_a_tracecmd_hex);
	tcase_add_test(eras, test_era_a_node_and_page_events);
	tcase_add_test(eras, test_era_b_symbolic_hashed);
	tcase_add_test(eras, test_era_c_real_lines);
	tcase_add_test(eras, test_era_d_named_alloc);
	tcase_add_test(lines, test_tracecmd_latency);
	tcase_add_test(lines, test_perf_script);
	tcase_add_test(lines, test_comm_with_spaces_and_dashes);
	tcase_add_test(lines, test_flags_to_ctx);
	tcase_add_test(lines, test_timestamps_exact);
	tcase_add_test(lines, test_lost_markers);
	tcase_add_test(lines, test_headers_and_other_events);
	tcase_add_test(lines, test_malformed_lines);
	tcase_add_test(lines, test_malformed_lines_are_counted);
	tcase_add_test(lines, test_kfree_null);
	tcase_add_test(input, test_gz_and_xz_input);
	tcase_add_test(input, test_stdin_input);
	tcase_add_test(input, test_input_getline);
	tcase_add_test(input, test_small_compressed_file_expands);
	tcase_add_test(input, test_truncated_xz_names_file);
	tcase_add_test(input, test_empty_and_missing);
	tcase_add_test(input, test_tracecmd_file_and_progress);
	tcase_add_test(pair, test_kmalloc_names);
	tcase_add_test(pair, test_pairing_pass);
	tcase_add_test(real, test_real_fork_exec);
	tcase_add_test(real, test_real_heads);
	tcase_set_timeout(real, 120);
	suite_add_tcase(s, eras);
	suite_add_tcase(s, lines);
	suite_add_tcase(s, input);
	suite_add_tcase(s, pair);
	suite_add_tcase(s, real);
	return s;
}
