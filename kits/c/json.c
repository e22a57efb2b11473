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

static int format_g(char text[32], bool negative, const char *digits, int count, int exponent) {
    /* what printf's %.{count}g writes for the decimal 0.digits * 10^(exponent + 1) */
    int len = 0, n = count;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    if (negative)
        text[len++] = '-';
    if (exponent < -4 || exponent >= count) {
        text[len++] = digits[0];
        if (n > 1)
            text[len++] = '.';
        for (int i = 1; i < n; i++)
            text[len++] = digits[i];
        len += snprintf(text + len, (size_t)(32 - len), "e%c%02d", exponent < 0 ? '-' : '+',
                        exponent < 0 ? -exponent : exponent);
        return len;
    }
    if (exponent < 0) {
        text[len++] = '0';
        text[len++] = '.';
        for (int i = 0; i < -exponent - 1; i++)
            text[len++] = '0';
        for (int i = 0; i < n; i++)
            text[len++] = digits[i];
    } else {
        for (int i = 0; i <= exponent; i++)
            text[len++] = i < n ? digits[i] : '0';
        if (n > exponent + 1)
            text[len++] = '.';
        for (int i = exponent + 1; i < n; i++)
            text[len++] = digits[i];
    }
    text[len] = '\0';
    return len;
}

static int rounded(double x, const char *digits17, int exponent, int count, char text[32]) {
    /* %.{count}g of x, from its 17 correctly rounded digits: rounding those again gives x's own
     * rounding unless the dropped digits are exactly 5 or 50 (then printf decides) */
    const char *tail = digits17 + count;
    bool half = tail[0] == '5' && (count == 16 || tail[1] == '0');
    if (half)
        return snprintf(text, 32, "%.*g", count, x);
    char digits[17];
    memcpy(digits, digits17, (size_t)count);
    if (tail[0] >= '5') { /* round up, carrying */
        int i = count - 1;
        while (i >= 0 && digits[i] == '9')
            digits[i--] = '0';
        if (i >= 0) {
            digits[i]++;
        } else {
            digits[0] = '1';
            exponent++;
        }
    }
    return format_g(text, x < 0, digits, count, exponent);
}

int shortest(double x, char text[32]) {
    /* NOTE: a normal double that some n <= 15 digit decimal reads back as is printed as that
     *       by %.15g (the 15-digit rounding of x is that decimal); else %.16g is the nearest
     *       16-digit decimal, which reads back if any does; 17 digits always do. A subnormal
     *       has fewer digits of its own (5e-324), so every precision is tried. The three are
     *       made from one %.16e (17 digits), which is most of the cost of writing a reply. */
    int len;
    if (x == 0)
        return (int)strlen(strcpy(text, signbit(x) ? "-0" : "0"));
    if (fabs(x) < 1e15 && x == (double)(long long)x) { /* an integer: its digits, exactly */
        char digits[20];
        long long n = (long long)fabs(x);
        int count = 0;
        for (; n > 0; n /= 10)
            digits[count++] = (char)('0' + n % 10);
        len = 0;
        if (x < 0)
            text[len++] = '-';
        while (count > 0)
            text[len++] = digits[--count];
        text[len] = '\0';
        return len;
    }
    if (fabs(x) < DBL_MIN) {
        for (int digits = 1; digits < 17; digits++) {
            len = snprintf(text, 32, "%.*g", digits, x);
            if (strtod(text, NULL) == x)
                return len;
        }
        return snprintf(text, 32, "%.17g", x);
    }
    char e[40], digits[18];
    snprintf(e, sizeof e, "%.16e", fabs(x)); /* d.dddddddddddddddde+XX */
    digits[0] = e[0];
    memcpy(digits + 1, e + 2, 16);
    digits[17] = '\0';
    int exponent = atoi(e + 19);
    for (int count = 15; count <= 16; count++) {
        len = rounded(x, digits, exponent, count, text);
        if (strtod(text, NULL) == x)
            return len;
    }
    return format_g(text, x < 0, digits, 17, exponent);
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
