/*
 * embedded.h — files compiled into the binary by tools/embed.c:
 * templates/, assets/, migrations/ and po/, looked up by their path in
 * the source tree (e.g. "templates/event.mustache").
 */
#ifndef HM_EMBEDDED_H
#define HM_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;
	const char *data; /* NUL-terminated */
	size_t len;
};

/* Terminated by an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

/* Returns the file at path, or NULL. */
const struct embedded_file *embedded_find(const char *path);

#endif
