/*
 * A fixed pool of connection slots, indices 0 .. max-1: the event-loop models keep
 * their connections in an array and take and return indices here. A returned index
 * is reused first, so `used` (indices ever handed out) bounds a scan of the array.
 */
#ifndef RS_SLOTS_H
#define RS_SLOTS_H

#include <stdint.h>
#include <stdlib.h>

struct slots {
	uint32_t *free_ids;
	uint32_t nfree, used, max;
};

/* 0, or -1 if out of memory. */
static inline int slots_init(struct slots *s, uint32_t max)
{
	*s = (struct slots){.free_ids = calloc(max ? max : 1, sizeof(uint32_t)), .max = max};
	return s->free_ids ? 0 : -1;
}

static inline void slots_fini(struct slots *s)
{
	free(s->free_ids);
	s->free_ids = NULL;
}

/* A free index, or -1 when all max are in use. */
static inline int64_t slots_get(struct slots *s)
{
	if (s->nfree)
		return s->free_ids[--s->nfree];
	if (s->used < s->max)
		return s->used++;
	return -1;
}

static inline void slots_put(struct slots *s, uint32_t id)
{
	s->free_ids[s->nfree++] = id;
}

#endif
