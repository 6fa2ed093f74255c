/*
 * The open loop's pacing (workloads/load/pace.c) on a fake clock: the thread's
 * loop is played out with pace_wake/pace_how/pace_skip deciding, and the clock
 * jumps to each wake (plus a made-up wake delay). No request goes out before
 * it is due, the lag stays within a tick (plus the wake delay), a pass happens
 * at most once per tick, and after a forced stall the sends that are later than
 * the bound are skipped and counted, every one of them.
 */
#include <stdint.h>

#include "check.h"
#include "pace.h"

struct sim {
	double interval_ns; /* between the thread's requests */
	uint64_t end_ns;
	uint64_t delay_ns;		/* every wake is this late (the host's timer) */
	uint64_t stall_at_ns, stall_ns; /* the thread is stopped once, this long */
	uint64_t sent, skipped, passes, early, sleeps, spins;
	uint64_t max_lag_ns, min_gap_ns; /* min_gap: between two passes */
};

static uint64_t due(const struct sim *s, uint64_t k)
{
	return (uint64_t)((double)k * s->interval_ns);
}

/* The loop of loop.c, every request sendable once due (a free connection). */
static void play(struct sim *s, struct pace *p)
{
	uint64_t now = 1, k = 0, last = 0;
	bool stalled = false;

	s->min_gap_ns = UINT64_MAX;
	while (now < s->end_ns) {
		uint64_t wake;

		if (last)
			s->min_gap_ns = now - last < s->min_gap_ns ? now - last : s->min_gap_ns;
		last = now;
		p->last_ns = now;
		s->passes++;
		for (; due(s, k) <= now; k++) {
			if (pace_skip(p, due(s, k), now)) {
				s->skipped++;
				continue;
			}
			if (now - due(s, k) > s->max_lag_ns)
				s->max_lag_ns = now - due(s, k);
			s->sent++;
		}
		s->early += due(s, k) <= now; /* the loop left a due request behind */
		wake = pace_wake(p, due(s, k));
		switch (pace_how(p, now, wake)) {
		case PACE_NOW:
			break;
		case PACE_SPIN:
			s->spins++;
			now = wake; /* a spin ends on time */
			break;
		case PACE_SLEEP:
		case PACE_WAIT_IO: /* no I/O here: it ends at the timeout too */
			s->sleeps++;
			now = wake + s->delay_ns;
			break;
		}
		if (!stalled && s->stall_ns && now >= s->stall_at_ns) {
			stalled = true;
			now += s->stall_ns;
		}
	}
	CHECKF(s->sent + s->skipped == k, "%llu sent + %llu skipped of %llu due",
	       (unsigned long long)s->sent, (unsigned long long)s->skipped, (unsigned long long)k);
}

static struct pace pace_for(double interval_ns, unsigned conns)
{
	struct pace p = {.spin_ns = 20000, .skip_ns = PACE_MAX_LAG_NS};

	p.tick_ns = pace_tick(interval_ns * conns, p.spin_ns, PACE_TICK_MAX_NS);
	return p;
}

/* A low rate (1000/s, 4 connections): a wake per request, on time but for the delay. */
static void test_low_rate(void)
{
	struct sim s = {.interval_ns = 1e6, .end_ns = 1000000000ull, .delay_ns = 3000};
	struct pace p = pace_for(s.interval_ns, 4);

	play(&s, &p);
	CHECK(s.early == 0);
	CHECKF(s.sent >= 999 && s.skipped == 0, "%llu sent, %llu skipped",
	       (unsigned long long)s.sent, (unsigned long long)s.skipped);
	CHECKF(s.max_lag_ns <= s.delay_ns, "lag %llu ns at a low rate",
	       (unsigned long long)s.max_lag_ns);
	fprintf(stderr, "1000/s: tick %llu ns, %llu passes, max lag %llu ns\n",
		(unsigned long long)p.tick_ns, (unsigned long long)s.passes,
		(unsigned long long)s.max_lag_ns);
}

/* 50,000/s over 100 connections: batches, at most one pass per tick, lag under a tick. */
static void test_high_rate(void)
{
	struct sim s = {.interval_ns = 20000, .end_ns = 1000000000ull, .delay_ns = 3000};
	struct pace p = pace_for(s.interval_ns, 100);
	double per_pass;

	play(&s, &p);
	CHECK(s.early == 0);
	CHECK(s.skipped == 0);
	CHECKF(p.tick_ns == 100000, "tick %llu ns: 5%% of 2 ms", (unsigned long long)p.tick_ns);
	CHECKF(s.min_gap_ns >= p.tick_ns, "two passes %llu ns apart, tick %llu",
	       (unsigned long long)s.min_gap_ns, (unsigned long long)p.tick_ns);
	CHECKF(s.max_lag_ns <= p.tick_ns + s.delay_ns, "lag %llu ns, tick %llu ns",
	       (unsigned long long)s.max_lag_ns, (unsigned long long)p.tick_ns);
	per_pass = (double)s.sent / (double)s.passes;
	CHECKF(per_pass >= 4.5, "%.1f requests per pass", per_pass);
	fprintf(stderr, "50000/s: tick %llu ns, %.1f requests per pass, max lag %llu ns\n",
		(unsigned long long)p.tick_ns, per_pass, (unsigned long long)s.max_lag_ns);
}

/* A short wait is spun, and a spun wait is on time: no delay added. */
static void test_spin(void)
{
	struct sim s = {.interval_ns = 10000, .end_ns = 100000000ull, .delay_ns = 50000};
	struct pace p = {.tick_ns = 25000, .spin_ns = 30000, .skip_ns = PACE_MAX_LAG_NS};

	play(&s, &p);
	CHECK(s.sleeps == 0 && s.spins > 0);
	CHECKF(s.max_lag_ns <= p.tick_ns, "lag %llu ns spinning", (unsigned long long)s.max_lag_ns);
}

/*
 * 2000/s, the thread stopped for 250 ms: the ~500 requests due meanwhile are
 * late; those within 10 ms of their time go out at once, the rest are skipped,
 * and the schedule goes on as before.
 */
static void test_stall(void)
{
	struct sim s = {.interval_ns = 500000,
			.end_ns = 2000000000ull,
			.delay_ns = 3000,
			.stall_at_ns = 700000000ull,
			.stall_ns = 250000000ull};
	struct pace p = pace_for(s.interval_ns, 8);

	play(&s, &p);
	CHECKF(s.skipped >= 470 && s.skipped <= 490, "%llu skipped after a 250 ms stall",
	       (unsigned long long)s.skipped);
	CHECKF(s.max_lag_ns <= p.skip_ns, "lag %llu ns: beyond the bound",
	       (unsigned long long)s.max_lag_ns);
	CHECKF(s.sent >= 3500, "%llu sent", (unsigned long long)s.sent);
}

static void test_tick(void)
{
	/* 5% of the connection's interval ... */
	CHECK(pace_tick(1e6, 20000, 100000) == 50000);
	/* ... at least a wake's cost ... */
	CHECK(pace_tick(1e5, 20000, 100000) == 20000);
	CHECK(pace_tick(1e5, 0, 100000) == PACE_TICK_FLOOR_NS);
	/* ... at most the bound, which also wins over the wake's cost. */
	CHECK(pace_tick(1e9, 20000, 100000) == 100000);
	CHECK(pace_tick(1e5, 20000, 10000) == 10000);
	{
		struct pace p = {.tick_ns = 100, .spin_ns = 10, .skip_ns = 1000, .last_ns = 0};

		CHECK(pace_wake(&p, 5) == 5); /* before any pass: when due */
		p.last_ns = 1000;
		CHECK(pace_wake(&p, 1010) == 1100); /* a tick after the last pass */
		CHECK(pace_wake(&p, 5000) == 5000);
		CHECK(pace_how(&p, 1000, 1000) == PACE_NOW);
		CHECK(pace_how(&p, 1000, 1010) == PACE_SPIN);
		CHECK(pace_how(&p, 1000, 1200) == PACE_SLEEP);
		CHECK(pace_how(&p, 1000, 1201) == PACE_WAIT_IO);
		CHECK(!pace_skip(&p, 1000, 2000) && pace_skip(&p, 1000, 2001));
		CHECK(!pace_skip(&p, 5000, 2000)); /* not yet sendable */
	}
}

int main(void)
{
	test_tick();
	test_low_rate();
	test_high_rate();
	test_spin();
	test_stall();
	return check_exit();
}
