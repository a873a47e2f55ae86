/*
 * dynlib.c — dlopen + dlsym into a caller's table of function pointers;
 * see dynlib.h.
 */
#include "core/dynlib.h"

#include "core/core.h"

#include <dlfcn.h>
#include <string.h>

int dynlib_open(const char *soname, const struct dynlib_sym *syms, size_t n, void *table)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		log_error("dlopen %s: %s", soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			log_error("dlsym %s in %s: %s", syms[i].name, soname, dlerror());
			return -1;
		}
		/* POSIX: a function's address converts through void *. */
		memcpy((char *)table + syms[i].off, &p, sizeof(p));
	}
	return 0;
}
