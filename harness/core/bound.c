/*
 * The bound rule (bound.h): one threshold, one naming of the sides.
 */
#include <math.h>
#include <string.h>

#include "core/bound.h"
#include "core/doc.h"

bool bound_busy(double utilisation)
{
	return utilisation >= BOUND_UTIL;
}

const char *bound_name(double server, double client)
{
	bool s = bound_busy(server), c = bound_busy(client);

	if (!(server >= 0) || !(client >= 0))
		return NULL;
	return s && c ? "both" : s ? "server" : c ? "client" : "neither";
}

json_t *bound_json(double server, double client)
{
	const char *b = bound_name(server, client);

	return b ? json_string(b) : json_null();
}

bool bound_cell_client(const json_t *cell)
{
	const char *b = doc_str(cell, "bound");
	double u;

	if (*b)
		return !strcmp(b, "client") || !strcmp(b, "both");
	return doc_num(json_object_get(cell, "summary"), "client_cpu_utilisation", &u) &&
	       bound_busy(u);
}
