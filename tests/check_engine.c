/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_engine.c - the event queue: events pop in (time, tie, insertion
 * order) order, the heap stays valid under any interleaving of pushes and
 * pops, and the same pushes always pop the same way.
 */
#include "config.h"

#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "tests/check_suites.h"

#define RANDOM_STEPS 20000
#define RANDOM_SEED 42

/* Pops one event, failing the test if the queue is empty. */
static struct engine_event engine_pop_or_fail(struct engine *e)
{
	struct engine_event ev;

	ck_assert_msg(engine_event_pop(e, &ev), "the queue should still hold an event");
	ck_assert_msg(engine_is_valid(e), "the heap should stay valid after a pop");
	return ev;
}

START_TEST(engine_empty_pops_nothing)
{
	struct engine e;
	struct engine_event ev;

	engine_init(&e);
	ck_assert_uint_eq(engine_len(&e), 0);
	ck_assert_msg(!engine_event_pop(&e, &ev), "an empty queue should pop nothing");
	engine_event_push(&e, 5, 0, 0, 0);
	ck_assert_uint_eq(engine_len(&e), 1);
	(void)engine_pop_or_fail(&e);
	ck_assert_msg(!engine_event_pop(&e, &ev), "a drained queue should pop nothing");
	ck_assert_uint_eq(engine_len(&e), 0);
	engine_fini(&e);
}
END_TEST

START_TEST(engine_pops_in_time_order)
{
	static const sim_cycles_t t[] = { 50, 10, 30, 20, 40, 0, 1000000000000ull };
	/* sorted: 0, 10, 20, 30, 40, 50, 10^12; arg carries the push index */
	static const uint64_t want_arg[] = { 5, 1, 3, 2, 4, 0, 6 };
	struct engine e;

	engine_init(&e);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(t); i++) {
		/* ties run against time order so that only time can explain the result */
		engine_event_push(&e, t[i], (uint32_t)(SIM_ARRAY_SIZE(t) - i), (uint32_t)i, i);
		ck_assert_msg(engine_is_valid(&e), "the heap should stay valid after a push");
	}
	ck_assert_uint_eq(engine_len(&e), SIM_ARRAY_SIZE(t));
	for (size_t i = 0; i < SIM_ARRAY_SIZE(want_arg); i++) {
		struct engine_event ev = engine_pop_or_fail(&e);

		ck_assert_uint_eq(ev.arg, want_arg[i]);
		ck_assert_uint_eq(ev.t, t[want_arg[i]]);
		ck_assert_uint_eq(ev.kind, want_arg[i]);
	}
	ck_assert_uint_eq(engine_len(&e), 0);
	engine_fini(&e);
}
END_TEST

START_TEST(engine_ties_pop_by_cpu)
{
	static const uint32_t tie[] = { 3, 1, 7, 0, 2 };
	static const uint32_t want[] = { 0, 1, 2, 3, 7 };
	struct engine e;

	engine_init(&e);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(tie); i++)
		engine_event_push(&e, 100, tie[i], 0, i);
	/* an earlier event on the highest cpu still comes first */
	engine_event_push(&e, 99, 4095, 0, 99);
	ck_assert_uint_eq(engine_pop_or_fail(&e).arg, 99);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(want); i++) {
		struct engine_event ev = engine_pop_or_fail(&e);

		ck_assert_uint_eq(ev.t, 100);
		ck_assert_uint_eq(ev.tie, want[i]);
	}
	engine_fini(&e);
}
END_TEST

START_TEST(engine_equal_keys_pop_in_insertion_order)
{
	struct engine e;
	uint64_t next[2] = { 0, 0 };

	engine_init(&e);
	/*
	 * 64 events at one time on cpus 1 and 0 alternately, arg = index within
	 * its cpu: cpu 0's 32 must come first, each cpu's in push order.
	 */
	for (uint64_t i = 0; i < 64; i++)
		engine_event_push(&e, 7, (uint32_t)((i + 1) % 2), 0, i / 2);
	for (unsigned i = 0; i < 64; i++) {
		struct engine_event ev = engine_pop_or_fail(&e);
		unsigned want_tie = i < 32 ? 0 : 1;

		ck_assert_uint_eq(ev.tie, want_tie);
		ck_assert_uint_eq(ev.arg, next[want_tie]);
		next[want_tie]++;
	}
	ck_assert_uint_eq(next[0], 32);
	ck_assert_uint_eq(next[1], 32);
	engine_fini(&e);
}
END_TEST

START_TEST(engine_seq_counts_pushes)
{
	struct engine e;
	struct engine_event ev;

	engine_init(&e);
	for (unsigned i = 0; i < 3; i++)
		engine_event_push(&e, 1, 0, 0, 0);
	for (unsigned i = 0; i < 3; i++) {
		ev = engine_pop_or_fail(&e);
		ck_assert_uint_eq(ev.seq, i);
	}
	/* the insertion counter keeps counting after the queue drained: 3 pushes before */
	engine_event_push(&e, 0, 0, 0, 0);
	ev = engine_pop_or_fail(&e);
	ck_assert_uint_eq(ev.seq, 3);
	engine_fini(&e);
}
END_TEST

START_TEST(engine_is_valid_detects_a_broken_heap)
{
	struct engine e;
	struct engine_event tmp;

	engine_init(&e);
	engine_event_push(&e, 1, 0, 0, 0);
	engine_event_push(&e, 2, 0, 0, 0);
	engine_event_push(&e, 3, 0, 0, 0);
	ck_assert_msg(engine_is_valid(&e), "a heap built by pushes should be valid");
	/* put the latest event at the root: the checker must notice */
	tmp = e.heap[0];
	e.heap[0] = e.heap[e.n - 1];
	e.heap[e.n - 1] = tmp;
	ck_assert_msg(!engine_is_valid(&e), "a root later than its child should be invalid");
	engine_fini(&e);
}
END_TEST

/*
 * A pop leaves a hole at the root until the next push or pop: the popped
 * event is neither counted nor found, and a push into the hole still
 * comes out in order.
 */
START_TEST(engine_popped_event_is_gone)
{
	struct engine e;

	engine_init(&e);
	engine_event_push(&e, 1, 0, 1, 0);
	engine_event_push(&e, 2, 0, 2, 0);
	engine_event_push(&e, 3, 0, 3, 0);
	ck_assert_uint_eq(engine_pop_or_fail(&e).kind, 1);
	ck_assert_uint_eq(engine_len(&e), 2);
	ck_assert_msg(!engine_has_kind(&e, 1), "a popped event should not be found");
	ck_assert_msg(engine_has_kind(&e, 2) && engine_has_kind(&e, 3), "queued events should be found");
	/* into the hole: later than one queued event, earlier than the other */
	engine_event_push(&e, 2, 1, 4, 0);
	ck_assert_msg(engine_is_valid(&e), "the heap should stay valid after a push into the hole");
	ck_assert_uint_eq(engine_len(&e), 3);
	ck_assert_uint_eq(engine_pop_or_fail(&e).kind, 2);
	ck_assert_uint_eq(engine_pop_or_fail(&e).kind, 4);
	ck_assert_uint_eq(engine_pop_or_fail(&e).kind, 3);
	ck_assert_uint_eq(engine_len(&e), 0);
	ck_assert_msg(!engine_has_kind(&e, 3), "a drained queue should hold nothing");
	engine_fini(&e);
}
END_TEST

/* --- randomized comparison with a sorted reference --------------------- */

struct ref_queue {
	struct engine_event *ev;	/* sorted by (t, tie, seq) */
	size_t n;
};

static bool ref_before(const struct engine_event *a, const struct engine_event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->tie != b->tie)
		return a->tie < b->tie;
	return a->seq < b->seq;
}

static void ref_insert(struct ref_queue *q, const struct engine_event *ev)
{
	size_t i = q->n;

	while (i > 0 && ref_before(ev, &q->ev[i - 1])) {
		q->ev[i] = q->ev[i - 1];
		i--;
	}
	q->ev[i] = *ev;
	q->n++;
}

static struct engine_event ref_pop(struct ref_queue *q)
{
	struct engine_event ev = q->ev[0];

	memmove(q->ev, q->ev + 1, (q->n - 1) * sizeof(*q->ev));
	q->n--;
	return ev;
}

static void assert_event_eq(const struct engine_event *got, const struct engine_event *want)
{
	ck_assert_uint_eq(got->t, want->t);
	ck_assert_uint_eq(got->tie, want->tie);
	ck_assert_uint_eq(got->seq, want->seq);
	ck_assert_uint_eq(got->kind, want->kind);
	ck_assert_uint_eq(got->arg, want->arg);
}

START_TEST(engine_random_matches_sorted_reference)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct ref_queue q = { calloc(RANDOM_STEPS, sizeof(struct engine_event)), 0 };
	struct engine e;
	uint64_t pushes = 0, pops = 0, max_len = 0;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(q.ev);
	gsl_rng_set(r, RANDOM_SEED);
	engine_init(&e);
	for (unsigned step = 0; step < RANDOM_STEPS; step++) {
		/* 60% pushes so the queue grows to thousands; small key ranges force ties */
		if (q.n == 0 || gsl_rng_uniform(r) < 0.6) {
			struct engine_event ev = {
				.t = gsl_rng_uniform_int(r, 256),
				.tie = (uint32_t)gsl_rng_uniform_int(r, 8),
				.kind = (uint32_t)gsl_rng_uniform_int(r, 4),
				.seq = pushes,
				.arg = gsl_rng_get(r),
			};

			engine_event_push(&e, ev.t, ev.tie, ev.kind, ev.arg);
			ref_insert(&q, &ev);
			pushes++;
		} else {
			struct engine_event got = engine_pop_or_fail(&e);
			struct engine_event want = ref_pop(&q);

			assert_event_eq(&got, &want);
			pops++;
		}
		ck_assert_msg(engine_is_valid(&e), "the heap should be valid after step %u", step);
		ck_assert_uint_eq(engine_len(&e), q.n);
		max_len = SIM_MAX(max_len, q.n);
	}
	/* the run must have exercised a deep heap and both operations */
	ck_assert_uint_ge(max_len, 1000);
	ck_assert_uint_ge(pops, 1000);
	while (q.n) {
		struct engine_event got = engine_pop_or_fail(&e);
		struct engine_event want = ref_pop(&q);

		assert_event_eq(&got, &want);
	}
	ck_assert_uint_eq(engine_len(&e), 0);
	engine_fini(&e);
	free(q.ev);
	gsl_rng_free(r);
}
END_TEST

/* Pushes and pops a seeded random sequence; records the pops into out[]. */
static size_t engine_run_sequence(unsigned long seed, struct engine_event *out, size_t cap)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct engine e;
	size_t n = 0;

	ck_assert_ptr_nonnull(r);
	gsl_rng_set(r, seed);
	engine_init(&e);
	for (unsigned step = 0; step < 5000; step++) {
		if (gsl_rng_uniform(r) < 0.55)
			engine_event_push(&e, gsl_rng_uniform_int(r, 64),
					  (uint32_t)gsl_rng_uniform_int(r, 4), 0, step);
		else if (engine_len(&e) && n < cap)
			out[n++] = engine_pop_or_fail(&e);
	}
	while (engine_len(&e) && n < cap)
		out[n++] = engine_pop_or_fail(&e);
	ck_assert_uint_eq(engine_len(&e), 0);
	engine_fini(&e);
	gsl_rng_free(r);
	return n;
}

START_TEST(engine_same_pushes_pop_identically)
{
	enum { CAP = 5000 };
	struct engine_event *a = calloc(CAP, sizeof(*a)), *b = calloc(CAP, sizeof(*b));
	size_t na, nb;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	na = engine_run_sequence(RANDOM_SEED, a, CAP);
	nb = engine_run_sequence(RANDOM_SEED, b, CAP);
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_gt(na, 0);
	for (size_t i = 0; i < na; i++)
		assert_event_eq(&b[i], &a[i]);
	free(a);
	free(b);
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *order = tcase_create("order");
	TCase *random = tcase_create("random");

	tcase_add_test(order, engine_empty_pops_nothing);
	tcase_add_test(order, engine_pops_in_time_order);
	tcase_add_test(order, engine_ties_pop_by_cpu);
	tcase_add_test(order, engine_equal_keys_pop_in_insertion_order);
	tcase_add_test(order, engine_seq_counts_pushes);
	tcase_add_test(order, engine_is_valid_detects_a_broken_heap);
	tcase_add_test(order, engine_popped_event_is_gone);
	suite_add_tcase(s, order);
	tcase_add_test(random, engine_random_matches_sorted_reference);
	tcase_add_test(random, engine_same_pushes_pop_identically);
	tcase_set_timeout(random, 60);
	suite_add_tcase(s, random);
	return s;
}
