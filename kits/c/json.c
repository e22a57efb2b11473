/* JSON numbers and strings for nnfs_kit. cJSON parses requests (its strtod is exact); replies
 * are written here, because cJSON 1.7 prints 15 digits when they read back within an epsilon,
 * which loses the last bits of a double. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void buffer_add(Buffer *b, const char *text, size_t len) {
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1)
            cap *= 2;
        b->text = kit_need(realloc(b->text, cap));
        b->cap = cap;
    }
    memcpy(b->text + b->len, text, len);
    b->len += len;
    b->text[b->len] = '\0';
}

void buffer_text(Buffer *b, const char *text) { buffer_add(b, text, strlen(text)); }

int shortest(double x, char text[32]) {
    /* NOTE: a normal double that some n <= 15 digit decimal reads back as is printed as that
     *       by %.15g (the 15-digit rounding of x is that decimal); else %.16g is the nearest
     *       16-digit decimal, which reads back if any does; 17 digits always do. A subnormal
     *       has fewer digits of its own (5e-324), so every precision is tried. */
    int len;
    if (x != 0 && fabs(x) < DBL_MIN)
        for (int digits = 1; digits < 17; digits++) {
            len = snprintf(text, 32, "%.*g", digits, x);
            if (strtod(text, NULL) == x)
                return len;
        }
    len = snprintf(text, 32, "%.15g", x);
    if (strtod(text, NULL) == x)
        return len;
    len = snprintf(text, 32, "%.16g", x);
    if (strtod(text, NULL) == x)
        return len;
    return snprintf(text, 32, "%.17g", x);
}

void buffer_number(Buffer *b, double x) {
    if (isnan(x)) {
        buffer_text(b, "\"NaN\"");
    } else if (isinf(x)) {
        buffer_text(b, x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    } else {
        char text[32];
        buffer_add(b, text, (size_t)shortest(x, text));
    }
}

static size_t utf8_length(const unsigned char *s) {
    /* the length of the valid UTF-8 sequence at s, or 0 */
    size_t len;
    unsigned min;
    unsigned code;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, min = 0x80, code = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, min = 0x800, code = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, min = 0x10000, code = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        code = code << 6 | (s[i] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return len;
}

void buffer_string(Buffer *b, const char *text) {
    const unsigned char *s = (const unsigned char *)text;
    buffer_add(b, "\"", 1);
    while (*s != '\0') {
        if (*s == '"' || *s == '\\') {
            char escaped[2] = {'\\', (char)*s};
            buffer_add(b, escaped, 2);
            s++;
        } else if (*s < 0x20) {
            char escaped[8];
            snprintf(escaped, sizeof escaped, "\\u%04x", *s);
            buffer_text(b, escaped);
            s++;
        } else if (*s < 0x80) {
            buffer_add(b, (const char *)s, 1);
            s++;
        } else {
            size_t len = utf8_length(s);
            if (len == 0) {
                buffer_text(b, "\\ufffd");
                s++;
            } else {
                buffer_add(b, (const char *)s, len);
                s += len;
            }
        }
    }
    buffer_add(b, "\"", 1);
}

bool json_number(const cJSON *json, double *x) {
    if (cJSON_IsNumber(json))
        *x = json->valuedouble;
    else if (!cJSON_IsString(json))
        return false;
    else if (strcmp(json->valuestring, "NaN") == 0)
        *x = NAN;
    else if (strcmp(json->valuestring, "Infinity") == 0)
        *x = INFINITY;
    else if (strcmp(json->valuestring, "-Infinity") == 0)
        *x = -INFINITY;
    else
        return false;
    return true;
}
