/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json: feeds arbitrary bytes to rp_json_check. It must never crash,
 * must report a consistent error (code, offset within the input, message),
 * and whatever it accepts cJSON must parse too, as one value that spans the
 * whole input. This is the only file besides src/json.c that includes
 * cJSON.h, because cJSON is the oracle here.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "rapport/jsoncheck.h"

const char *const fuzz_shared_seeds[] = {
    "badinput/jsontestsuite",
    "badinput/jsontestsuite_transform",
    "badinput/blns.txt",
    NULL,
};

/* Checks the error record of a rejected input. */
static void check_error(int rc, const rp_error *err, size_t size)
{
    if (rc != RP_EJSON && rc != RP_EUTF8 && rc != RP_ELIMIT)
        abort();
    if (err->code != rc || err->offset > size || err->msg[0] == '\0')
        abort();
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_error err;
    rp_error_clear(&err);
    int rc = rp_json_check((const char *)data, size, RP_JSON_MAX_DEPTH, &err);
    if (rp_json_check((const char *)data, size, RP_JSON_MAX_DEPTH, NULL) != rc)
        abort();
    if (rc != 0) {
        check_error(rc, &err, size);
        /* With the deepest limit only a depth error can go away. */
        int deep = rp_json_check((const char *)data, size, 1000, NULL);
        if (rc != RP_ELIMIT && deep != rc)
            abort();
        return 0;
    }
    if (err.code != 0)
        abort();
    /* cJSON gets its own NUL-terminated copy, so a cJSON over-read cannot
     * be blamed on the fuzzer's buffer. */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(copy, size, &end, 0);
    if (json == NULL)
        abort();
    /* Only JSON whitespace may follow the value cJSON read. */
    while (end < copy + size &&
           (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != copy + size)
        abort();
    cJSON_Delete(json);
    free(copy);
    return 0;
}
