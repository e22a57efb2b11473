/* nnfs_kit internals, shared by the kit's files and its tests: not for learners. */
#ifndef NNFS_KIT_INTERNAL_H
#define NNFS_KIT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "nnfs_kit.h"

/* A growing text: one reply line is built here, then written at once. */
typedef struct {
    char *text;
    size_t len, cap;
} Buffer;

void buffer_add(Buffer *b, const char *text, size_t len);
void buffer_text(Buffer *b, const char *text);
/* A double as JSON: the shortest text that reads back as the same double; NaN and the
 * infinities as the protocol's strings. */
void buffer_number(Buffer *b, double x);
/* Any C string as a JSON string; bytes that are not UTF-8 become U+FFFD. */
void buffer_string(Buffer *b, const char *text);
/* The shortest of %.15g, %.16g, %.17g that strtod reads back as x (x finite). */
int shortest(double x, char text[32]);

/* A JSON number, or the strings "NaN", "Infinity", "-Infinity"; false for anything else. */
bool json_number(const cJSON *json, double *x);

/* A request the kit cannot understand: one line on stderr, exit status 1. */
_Noreturn void kit_die(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void *kit_need(void *allocated);

/* Answer one run message: its reply line (without the newline) is appended to reply. */
void kit_run(const nnfs_stages *stages, const cJSON *message, Buffer *reply);
/* Append the stage names of the fields set in stages, as a JSON list. */
void kit_stage_names(const nnfs_stages *stages, Buffer *out);
/* Answer one line (hello or run) into reply; false for bye. Dies on what it cannot parse. */
bool kit_answer(const nnfs_port *port, const char *line, size_t len, Buffer *reply);

#endif
