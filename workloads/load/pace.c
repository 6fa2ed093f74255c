/*
 * The open loop's pacing (pace.h): tick length, next wake, sleep or spin, and
 * the skip bound. No clock is read here.
 */
#include "pace.h"

uint64_t pace_tick(double conn_interval_ns, uint64_t wake_ns, uint64_t max_ns)
{
	uint64_t lo = wake_ns > PACE_TICK_FLOOR_NS ? wake_ns : PACE_TICK_FLOOR_NS;
	double t = PACE_TICK_SHARE * conn_interval_ns;

	if (lo > max_ns)
		lo = max_ns;
	if (!(t >= (double)lo)) /* also NaN */
		return lo;
	if (t > (double)max_ns)
		return max_ns;
	return (uint64_t)t;
}

uint64_t pace_wake(const struct pace *p, uint64_t due_ns)
{
	uint64_t earliest = p->last_ns ? p->last_ns + p->tick_ns : 0;

	return due_ns > earliest ? due_ns : earliest;
}

enum pace_how pace_how(const struct pace *p, uint64_t now_ns, uint64_t wake_ns)
{
	if (wake_ns <= now_ns)
		return PACE_NOW;
	if (wake_ns - now_ns <= p->spin_ns)
		return PACE_SPIN;
	return wake_ns - now_ns > PACE_IO_TICKS * p->tick_ns ? PACE_WAIT_IO : PACE_SLEEP;
}

bool pace_skip(const struct pace *p, uint64_t ready_ns, uint64_t now_ns)
{
	return now_ns > ready_ns && now_ns - ready_ns > p->skip_ns;
}
