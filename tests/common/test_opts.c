/* Option parsers: accepted values round-trip, out-of-range and malformed values are rejected. */
#include <stdio.h>
#include <string.h>

#include "opts.h"

#include "check.h"

int main(void)
{
	unsigned long v = 42, list[8];
	double d;
	cpu_set_t set;
	char host[64], buf[64];
	unsigned port;
	int n;

	CHECK(parse_uint("10", &v, 1, 10) == 0 && v == 10);
	CHECK(parse_uint("11", &v, 1, 10) == -1 && v == 10);
	CHECK(parse_uint("0", &v, 1, 10) == -1);
	CHECK(parse_uint("-1", &v, 0, 10) == -1);
	CHECK(parse_uint("5x", &v, 0, 10) == -1);
	CHECK(parse_uint("", &v, 0, 10) == -1);
	CHECK(parse_uint(" 5", &v, 0, 10) == -1);
	CHECK(parse_uint("99999999999999999999999", &v, 0, ~0ul) == -1);

	CHECK(parse_double("0.5", &d, 0, 1) == 0 && d == 0.5);
	CHECK(parse_double("1.5", &d, 0, 1) == -1);
	CHECK(parse_double("nan", &d, 0, 1) == -1);
	CHECK(parse_double("inf", &d, 0, 1e9) == -1);

	CHECK(parse_cpu_list("0", &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set));
	CHECK(parse_cpu_list("x", &set) == -1);
	CHECK(parse_cpu_list("0,", &set) == -1);
	CHECK(parse_cpu_list("1-0", &set) == -1);
	CHECK(parse_cpu_list("100000", &set) == -1);
	CHECK(parse_cpu_list("", &set) == -1);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(2, &set);
	CPU_SET(3, &set);
	format_cpu_list(&set, buf, sizeof(buf));
	CHECK(strcmp(buf, "0,2-3") == 0);

	CHECK(parse_hostport("127.0.0.1:80", host, sizeof(host), &port) == 0 &&
	      !strcmp(host, "127.0.0.1") && port == 80);
	CHECK(parse_hostport("[::1]:8080", host, sizeof(host), &port) == 0 &&
	      !strcmp(host, "::1") && port == 8080);
	CHECK(parse_hostport("localhost:0", host, sizeof(host), &port) == -1);
	CHECK(parse_hostport("localhost:65536", host, sizeof(host), &port) == -1);
	CHECK(parse_hostport(":80", host, sizeof(host), &port) == -1);
	CHECK(parse_hostport("localhost", host, sizeof(host), &port) == -1);

	CHECK(parse_uint_list("1,10,100", list, 8, &n, 1, 1000) == 0 && n == 3 && list[2] == 100);
	CHECK(parse_uint_list("1,,2", list, 8, &n, 1, 1000) == -1);
	CHECK(parse_uint_list("1,2,", list, 8, &n, 1, 1000) == -1);
	CHECK(parse_uint_list("0", list, 8, &n, 1, 1000) == -1);
	CHECK(parse_uint_list("1,2,3", list, 2, &n, 1, 1000) == -1);

	if (check_failures) {
		fprintf(stderr, "%d checks failed\n", check_failures);
		return 1;
	}
	printf("option parsers: all checks passed\n");
	return 0;
}
