/*
 * dynlib.h — opening an optional shared library at first use and filling
 * a table of its functions by name, for dependencies only some commands
 * need (libgd for uploads, libcurl for SMTP): linking them would cost
 * every process their whole dependency tree in the dynamic loader.
 */
#ifndef HM_CORE_DYNLIB_H
#define HM_CORE_DYNLIB_H

#include <stddef.h>

/* One function: its exported name and the offset of its pointer in the
 * caller's table struct (offsetof). */
struct dynlib_sym {
	const char *name;
	size_t off;
};

/*
 * dlopens soname (RTLD_NOW | RTLD_LOCAL; never closed, since the table
 * points into it for the life of the process) and stores each symbol's
 * address at table + off. Returns 0, or -1 after logging why when the
 * library or any symbol is missing (the table is then partly filled and
 * must not be used). Callers serialise it (pthread_once).
 */
int dynlib_open(const char *soname, const struct dynlib_sym *syms, size_t n, void *table);

#endif
