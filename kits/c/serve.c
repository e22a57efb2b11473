/* nnfs_kit's loop: JSON Lines on stdin, one reply line per request on the real stdout. */
#define _POSIX_C_SOURCE 200809L /* getline, dup */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

_Noreturn void kit_die(const char *format, ...) {
    char message[400];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    for (char *c = message; *c != '\0'; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    for (size_t len = strlen(message); len > 0 && message[len - 1] == ' '; len--)
        message[len - 1] = '\0';
    fflush(stdout); /* the learner's prints, which go to stderr, before the last line */
    fprintf(stderr, "nnfs kit: cannot answer: %s\n", message);
    exit(1);
}

void *kit_need(void *allocated) {
    if (allocated == NULL)
        kit_die("out of memory");
    return allocated;
}

static void hello(const nnfs_port *port, Buffer *reply) {
    buffer_text(reply, "{\"protocol\":1,\"name\":");
    buffer_string(reply, port->name != NULL ? port->name : "c-port");
    buffer_text(reply, ",\"language\":\"c\",\"dtype\":\"" NNFS_DTYPE "\",\"stages\":");
    kit_stage_names(&port->stages, reply);
    buffer_text(reply, ",\"label_formats\":[\"sparse\",\"onehot\"],\"checks_inputs\":true");
    if (port->version != NULL) {
        buffer_text(reply, ",\"version\":");
        buffer_string(reply, port->version);
    }
    buffer_text(reply, "}");
}

bool kit_answer(const nnfs_port *port, const char *line, size_t len, Buffer *reply) {
    /* the line with its NUL; nothing but whitespace may follow the message */
    cJSON *message = cJSON_ParseWithLengthOpts(line, len + 1, NULL, true);
    if (message == NULL)
        kit_die("not a JSON message: %.200s", line);
    if (!cJSON_IsObject(message))
        kit_die("a message must be a JSON object: %.200s", line);
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(message, "cmd");
    bool more = true;
    if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "hello") == 0)
        hello(port, reply);
    else if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "run") == 0)
        kit_run(&port->stages, message, reply);
    else if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "bye") == 0)
        more = false;
    else
        kit_die("unknown cmd (hello, run and bye are known): %.200s", line);
    cJSON_Delete(message);
    return more;
}

static void write_all(int fd, const char *text, size_t len) {
    while (len > 0) {
        ssize_t written = write(fd, text, len);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            exit(1); /* the runner has gone */
        text += written;
        len -= (size_t)written;
    }
}

int nnfs_serve(const nnfs_port *port) {
    if (port->dtype != NULL && strcmp(port->dtype, NNFS_DTYPE) != 0)
        kit_die("the port declares dtype \"%s\" but nnfs_real is %s (%s): build with%s "
                "-DNNFS_FLOAT64", port->dtype, NNFS_DTYPE,
                sizeof(nnfs_real) == sizeof(float) ? "float" : "double",
                sizeof(nnfs_real) == sizeof(float) ? "" : "out");
    /* NOTE: the replies keep the real stdout; fd 1 becomes stderr, so a learner's printf (or
     *       write(1, ...)) can never corrupt a reply. */
    int out = dup(STDOUT_FILENO);
    if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        kit_die("cannot set stdout aside for the replies");
    char *line = NULL;
    size_t capacity = 0;
    ssize_t len;
    Buffer reply = {0};
    while ((len = getline(&line, &capacity, stdin)) != -1) {
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue; /* blank lines are skipped */
        reply.len = 0;
        if (!kit_answer(port, line, (size_t)len, &reply))
            break;
        fflush(stdout); /* the learner's prints, now on stderr */
        buffer_add(&reply, "\n", 1);
        write_all(out, reply.text, reply.len);
    }
    free(line);
    free(reply.text);
    fflush(stdout);
    return 0;
}
