/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_native.c - the native trace format: round trips (a hand-made
 * workload and the real samples), and the reader's refusals: truncation,
 * bad magic, a future version, damaged bytes.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
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
#include "traces/resolve.h"

/* A workload built by hand, resolved as a reader would. */
static void nt_handmade(struct sim_workload *w)
{
	uint32_t foo, km;

	sim_workload_init(w);
	foo = sim_workload_cache(w, "foo", 0, 0);
	km = sim_workload_cache(w, "kmalloc-cg-192", 192, SIM_CACHEF_KMALLOC);
	uint32_t site = strtab_intern(&w->sites, "get_foo+0x10/0x40");
	struct sim_event ev[] = {
		{ .t_ns = 0, .ptr = 0xffff888000001000ull, .cache = 0, .site = site, .bytes_req = 48,
		  .bytes_alloc = 64, .cpu = 0, .op = SIM_EV_ALLOC, .node = -1 },
		{ .t_ns = 10, .ptr = 0xffff888000002000ull, .cache = km, .bytes_req = 168, .bytes_alloc = 192,
		  .cpu = 1, .op = SIM_EV_ALLOC, .flags = SIM_EVF_KMALLOC | SIM_CTX_SOFTIRQ, .node = 1 },
		{ .t_ns = 20, .ptr = 0xffff888000001000ull, .cache = foo, .cpu = 2, .op = SIM_EV_FREE,
		  .flags = SIM_EVF_IRQS_OFF | SIM_CTX_HARDIRQ, .node = -1 },
		{ .t_ns = 30, .ptr = 0x1000, .bytes_alloc = 8192, .cpu = 3, .op = SIM_EV_PAGE_ALLOC, .order = 1,
		  .node = -1 },
		{ .t_ns = 40, .ptr = 0xffff888000009000ull, .cpu = 3, .op = SIM_EV_FREE, .flags = SIM_EVF_KMALLOC,
		  .node = -1 },
	};

	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		sim_workload_push(w, &ev[i]);
	w->anomaly[SIM_AN_lost_events] = 7;
	w->anomaly[SIM_AN_skipped_lines] = 2;
	snprintf(w->source, sizeof(w->source), "hand.trace");
	snprintf(w->format, sizeof(w->format), "ftrace");
	snprintf(w->kernel, sizeof(w->kernel), "6.1.0-56-amd64");
	snprintf(w->first_skip, sizeof(w->first_skip), "hand.trace:3: field 'ptr': missing");
	ck_assert_int_eq(trace_resolve(w), 0);
}

static void nt_assert_same(const struct sim_workload *a, const struct sim_workload *b)
{
	ck_assert_msg(a->digest == b->digest, "the digest should survive the round trip");
	ck_assert_uint_eq(a->nev, b->nev);
	ck_assert_uint_eq(a->nobjs, b->nobjs);
	ck_assert_uint_eq(a->ncpus, b->ncpus);
	for (size_t i = 0; i < a->nev; i++) {
		const struct sim_event *x = &a->ev[i], *y = &b->ev[i];

		ck_assert_msg(x->t_ns == y->t_ns && x->ptr == y->ptr && x->oid == y->oid && x->cache == y->cache &&
			      x->site == y->site && x->bytes_req == y->bytes_req &&
			      x->bytes_alloc == y->bytes_alloc && x->cpu == y->cpu && x->op == y->op &&
			      x->flags == y->flags && x->node == y->node && x->order == y->order,
			      "event %zu should be read back as it was written", i);
	}
	ck_assert_uint_eq(strtab_count(&a->caches), strtab_count(&b->caches));
	for (uint32_t i = 0; i < strtab_count(&a->caches); i++) {
		ck_assert_str_eq(strtab_get(&a->caches, i), strtab_get(&b->caches, i));
		ck_assert_uint_eq(a->cache_size[i], b->cache_size[i]);
		ck_assert_uint_eq(a->cache_flags[i], b->cache_flags[i]);
	}
	ck_assert_uint_eq(strtab_count(&a->sites), strtab_count(&b->sites));
	for (uint32_t i = 0; i < strtab_count(&a->sites); i++)
		ck_assert_str_eq(strtab_get(&a->sites, i), strtab_get(&b->sites, i));
	for (int i = 0; i < SIM_AN_COUNT; i++)
		ck_assert_msg(a->anomaly[i] == b->anomaly[i], "anomaly %s should survive", sim_anomaly_name[i]);
	ck_assert_str_eq(a->kernel, b->kernel);
	ck_assert_str_eq(a->first_skip, b->first_skip);
}

static char *nt_path(const char *dir, const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);

	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* Writes the hand-made workload to dir/name; returns its path. */
static char *nt_write_handmade(const char *dir, const char *name)
{
	struct sim_workload w;
	char err[512], *path = nt_path(dir, name);

	nt_handmade(&w);
	ck_assert_msg(trace_native_write(&w, path, err, sizeof(err)) == 0, "writing should work: %s", err);
	sim_workload_fini(&w);
	return path;
}

static void nt_cleanup(char *dir, char *path)
{
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static unsigned char *nt_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *b;

	ck_assert_msg(f && !fstat(fileno(f), &st), "%s should be readable", path);
	*n = (size_t)st.st_size;
	b = xmalloc(*n + 1);
	ck_assert_msg(fread(b, 1, *n, f) == *n, "%s should read whole", path);
	fclose(f);
	return b;
}

static void nt_spit(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f && fwrite(b, 1, n, f) == n && !fclose(f), "%s should be writable", path);
}

/* Reads path expecting failure; returns the message. */
static const char *nt_read_fails(const char *path)
{
	static char err[512];
	struct sim_workload w;

	sim_workload_init(&w);
	ck_assert_msg(trace_native_read(path, &w, NULL, err, sizeof(err)) < 0, "reading %s should fail", path);
	sim_workload_fini(&w);
	return err;
}

START_TEST(test_roundtrip_handmade)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "h.slabsimt"), err[512];
	struct sim_workload a, b;
	struct trace_native_info info;

	nt_handmade(&a);
	sim_workload_init(&b);
	ck_assert_msg(trace_native_read(path, &b, &info, err, sizeof(err)) == 0, "reading should work: %s", err);
	nt_assert_same(&a, &b);
	ck_assert_str_eq(b.format, "native");
	ck_assert_str_eq(b.source, path);
	ck_assert_str_eq(info.source, "hand.trace");
	ck_assert_str_eq(info.format, "ftrace");
	ck_assert_uint_eq(info.version, TRACE_NATIVE_VERSION);
	ck_assert_str_eq(strtab_get(&b.caches, b.ev[0].cache), "foo");
	sim_workload_fini(&a);
	sim_workload_fini(&b);
	nt_cleanup(dir, path);
}
END_TEST

START_TEST(test_load_detects_native)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "h.dat"), err[512];
	struct sim_workload a, b;
	struct trace_load_info info;

	nt_handmade(&a);
	sim_workload_init(&b);
	ck_assert_msg(trace_load_ex(path, &b, NULL, &info, err, sizeof(err)) == 0, "trace_load should read native: %s", err);
	nt_assert_same(&a, &b);
	ck_assert_str_eq(info.origin, "hand.trace");
	sim_workload_fini(&a);
	sim_workload_fini(&b);
	nt_cleanup(dir, path);
}
END_TEST

static void nt_roundtrip_sample(const char *rel)
{
	const char *src = tutil_srcpath(rel);
	char *dir, *path, err[512];
	struct sim_workload a, b;

	if (tutil_quick_skips(rel))
		return;
	if (access(src, R_OK)) {
		fprintf(stderr, "check_native: %s not found, round trip not run\n", src);
		return;
	}
	dir = tutil_tmpdir();
	path = nt_path(dir, "s.slabsimt");
	sim_workload_init(&a);
	sim_workload_init(&b);
	ck_assert_msg(trace_load(src, &a, err, sizeof(err)) == 0, "%s should load: %s", rel, err);
	ck_assert_msg(trace_native_write(&a, path, err, sizeof(err)) == 0, "writing should work: %s", err);
	ck_assert_msg(trace_load(path, &b, err, sizeof(err)) == 0, "reading back should work: %s", err);
	nt_assert_same(&a, &b);
	sim_workload_fini(&a);
	sim_workload_fini(&b);
	nt_cleanup(dir, path);
}

START_TEST(test_roundtrip_real_head)
{
	nt_roundtrip_sample("traces/samples/file_churn-head.trace.xz");
}
END_TEST

START_TEST(test_roundtrip_real_full)
{
	nt_roundtrip_sample("traces/samples/fork_exec.trace.xz");
}
END_TEST

START_TEST(test_truncated)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "t.slabsimt");
	size_t n;
	unsigned char *b = nt_slurp(path, &n);
	size_t header = n - 5 * TRACE_NATIVE_RECORD_BYTES - 16;
	char want[128];
	const char *msg;

	nt_spit(path, b, n - 16 - 30);
	msg = nt_read_fails(path);
	snprintf(want, sizeof(want), "t.slabsimt: truncated at byte %zu: expected 5 events", n - 46);
	ck_assert_msg(strstr(msg, want), "a file cut in its events should say '%s': %s", want, msg);
	nt_spit(path, b, header + 2 * TRACE_NATIVE_RECORD_BYTES);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "truncated at byte") && strstr(msg, "expected 5 events"), "%s", msg);
	nt_spit(path, b, 30);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "t.slabsimt: truncated at byte 30: header incomplete"), "a cut header: %s", msg);
	nt_spit(path, b, n - 4);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "truncated at byte"), "a cut trailer: %s", msg);
	free(b);
	nt_cleanup(dir, path);
}
END_TEST

START_TEST(test_bad_magic)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "m.slabsimt");
	size_t n;
	unsigned char *b = nt_slurp(path, &n);

	b[0] = 'X';
	nt_spit(path, b, n);
	ck_assert_msg(strstr(nt_read_fails(path), "m.slabsimt: not a slabsim native trace (bad magic)"),
		      "a wrong magic should be refused");
	free(b);
	nt_cleanup(dir, path);
}
END_TEST

START_TEST(test_future_version)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "v.slabsimt");
	size_t n;
	unsigned char *b = nt_slurp(path, &n);
	const char *msg;

	b[8] = 2;
	nt_spit(path, b, n);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "native trace format version 2 is newer than this slabsim reads (1)"),
		      "a newer version should be refused clearly: %s", msg);
	free(b);
	nt_cleanup(dir, path);
}
END_TEST

START_TEST(test_damaged_bytes)
{
	char *dir = tutil_tmpdir(), *path = nt_write_handmade(dir, "d.slabsimt");
	size_t n;
	unsigned char *b = nt_slurp(path, &n);
	size_t first_event = n - 16 - 5 * TRACE_NATIVE_RECORD_BYTES;
	const char *msg;

	b[first_event + 1] ^= 0x40;	/* t_ns of event 0 */
	nt_spit(path, b, n);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "checksum mismatch"), "a flipped bit should fail the checksum: %s", msg);
	b[first_event + 1] ^= 0x40;
	b[first_event + 38] = 9;	/* op of event 0 */
	nt_spit(path, b, n);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "corrupt event 0: operation out of range"), "a bad op should be named: %s", msg);
	b[first_event + 38] = SIM_EV_ALLOC;
	unsigned char *more = xmalloc(n + 3);

	memcpy(more, b, n);
	memcpy(more + n, "xyz", 3);
	nt_spit(path, more, n + 3);
	msg = nt_read_fails(path);
	ck_assert_msg(strstr(msg, "unexpected data after the trailer"), "trailing bytes should be refused: %s", msg);
	free(more);
	free(b);
	nt_cleanup(dir, path);
}
END_TEST

START_TEST(test_write_error_leaves_nothing)
{
	struct sim_workload w;
	char err[512];

	nt_handmade(&w);
	ck_assert_int_lt(trace_native_write(&w, "/nonexistent-dir/x.slabsimt", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "/nonexistent-dir/x.slabsimt: cannot create"), "the error should name the file: %s", err);
	sim_workload_fini(&w);
}
END_TEST

Suite *native_suite(void)
{
	Suite *s = suite_create("native");
	TCase *rt = tcase_create("roundtrip");
	TCase *bad = tcase_create("refusals");

	tcase_add_test(rt, test_roundtrip_handmade);
	tcase_add_test(rt, test_load_detects_native);
	tcase_add_test(rt, test_roundtrip_real_head);
	tcase_add_test(rt, test_roundtrip_real_full);
	tcase_set_timeout(rt, 120);
	tcase_add_test(bad, test_truncated);
	tcase_add_test(bad, test_bad_magic);
	tcase_add_test(bad, test_future_version);
	tcase_add_test(bad, test_damaged_bytes);
	tcase_add_test(bad, test_write_error_leaves_nothing);
	suite_add_tcase(s, rt);
	suite_add_tcase(s, bad);
	return s;
}
