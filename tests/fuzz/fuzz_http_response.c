/*
 * libFuzzer target: the HTTP/1.1 response parser of workloads/common/http.c (the
 * proxy's), over a stream of responses fed whole and in pieces, ending with the
 * peer's close (http_body_eof). Input layout: see fuzz.h (bit 7 of byte 0: HEAD).
 */
#include "fuzz.h"
#include "http_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return hs_fuzz(HTTP_RESPONSE, data, size);
}
