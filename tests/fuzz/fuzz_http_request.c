/*
 * libFuzzer target: the HTTP/1.1 request parser of workloads/common/http.c (the
 * origin's), over a stream of pipelined requests fed whole and in fuzzer-chosen
 * pieces. Input layout: see fuzz.h.
 */
#include "fuzz.h"
#include "http_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return hs_fuzz(HTTP_REQUEST, data, size);
}
