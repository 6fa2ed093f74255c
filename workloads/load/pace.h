/*
 * The open loop's pacing (ringside-load --rate): when a thread wakes and which
 * requests it skips. Pure functions of times in ns, so that a fake clock can
 * test them (tests/load/test_pace.c); loop.c calls them, nothing else does.
 *
 * Why by tick: on a VM an idle CPU halts, and one sleep and wake costs 20-30 µs
 * of the sleeper's CPU (measured on the 2-core Firecracker VM: clock_nanosleep
 * of 50 µs in a loop, 31 µs of thread CPU per wake), several times what an
 * echo request costs the client (7.5 µs). An open loop that sleeps until each
 * request is due, and wakes again for each response, pays that per request.
 * So a thread wakes at most once per tick, sends every request that is due in
 * one pass (one submit for io_uring), and sleeps on a timer that responses do
 * not interrupt (clock_nanosleep, not the engine's wait): the responses that came
 * in are reaped at the next tick. The cost is one wake per tick, shared by the
 * requests of that tick; the price is up to one tick of schedule lag and up to
 * one tick added to a response's measured latency.
 *
 * How long a tick is (measured, pace_tick): TICK_SHARE of one connection's
 * interval between requests (connections / rate), so that the lag stays well
 * within the harness's client-bound mark (10% of that interval, docs/results.md)
 * and every tick sends about TICK_SHARE x connections requests (5 at 100
 * connections) whatever the rate; never shorter than one wake costs on this
 * host (measured at start-up: a shorter tick would spend more on waking than it
 * saves), never longer than --tick-max-us (default 100 µs, which bounds the lag
 * at low rates). A wait shorter than one wake's cost is spun, not slept: it is
 * cheaper and on time. A wait longer than PACE_IO_TICKS ticks (low rates: the
 * next request is far off) is spent in the engine's wait instead, which responses
 * and connects do end: wakes are few there, and a response is timed when it
 * comes, not a tick later. With --new-connection-per-request every wait is spent
 * there: a request's connect, send and response must not each wait for a pass.
 *
 * Bounded catch-up: a request that could not be sent within --max-lag-ms of
 * the moment it became sendable (its time had come and its connection had a free
 * slot) is not sent but counted as skipped, and the schedule moves on. A client
 * that stalled (stopped, descheduled, its CPU saturated) therefore catches up by
 * at most that much backlog, and says so in the JSON (`skipped`); a server that
 * stalls makes requests wait for a slot instead, which is latency, not lag, and
 * never skips them (no coordinated omission).
 */
#ifndef RS_LOAD_PACE_H
#define RS_LOAD_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_TICK_SHARE	   0.05	       /* of one connection's interval between requests */
#define PACE_TICK_MAX_NS   100000ull   /* default --tick-max-us */
#define PACE_TICK_FLOOR_NS 5000ull     /* whatever the wake cost measured */
#define PACE_MAX_LAG_NS	   10000000ull /* default --max-lag-ms */
#define PACE_IO_TICKS	   2	       /* a longer wait lets I/O end it */

struct pace {
	uint64_t tick_ns; /* at most one pass per tick */
	uint64_t spin_ns; /* a wait this short is spun, not slept */
	uint64_t skip_ns; /* a request later than this is skipped */
	uint64_t last_ns; /* when the last pass began (0: none yet) */
};

/*
 * The tick for a thread whose connections each send every conn_interval_ns,
 * on a host where one wake costs wake_ns, within [max(wake_ns, floor), max_ns]
 * (max_ns wins if the two cross).
 */
uint64_t pace_tick(double conn_interval_ns, uint64_t wake_ns, uint64_t max_ns);

/* When the pass after the one that began at p->last_ns should begin: at the next
 * request due (due_ns), but no sooner than a tick after the last pass. */
uint64_t pace_wake(const struct pace *p, uint64_t due_ns);

/*
 * How to wait until wake_ns: not at all, spin (no longer than spin_ns), sleep on
 * a timer, or (longer than PACE_IO_TICKS ticks) in the engine, woken by I/O too.
 */
enum pace_how { PACE_NOW, PACE_SPIN, PACE_SLEEP, PACE_WAIT_IO };
enum pace_how pace_how(const struct pace *p, uint64_t now_ns, uint64_t wake_ns);

/* A request that became sendable at ready_ns (the later of its time and its
 * connection's free slot) is issued at now_ns: skipped instead if too late. */
bool pace_skip(const struct pace *p, uint64_t ready_ns, uint64_t now_ns);

#endif
