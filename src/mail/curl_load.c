/*
 * curl_load.c — opens libcurl on the first SMTP delivery (pthread_once),
 * resolves the functions of struct curl_fns by name and initialises the
 * library there, so a process that sends no mail by SMTP never maps
 * libcurl and its dependencies (GSSAPI, LDAP, SSH…).
 */
#include "mail/mail_impl.h"

#include "core/core.h"
#include "core/dynlib.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SYM(f) {"curl_" #f, offsetof(struct curl_fns, f)}
static const struct dynlib_sym syms[] = {
	SYM(global_init),
	SYM(easy_init),
	SYM(easy_setopt),
	SYM(easy_perform),
	SYM(easy_getinfo),
	SYM(easy_strerror),
	SYM(easy_cleanup),
	SYM(slist_append),
	SYM(slist_free_all),
};
#undef SYM

/* Written only inside the once routine, read-only after it. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int tried;
static const char *soname = MAIL_CURL_SONAME;
static struct curl_fns fns;
static int loaded;
static char why_msg[160];

static void load(void)
{
	atomic_store(&tried, 1);
	snprintf(why_msg, sizeof(why_msg), "SMTP is unavailable: %s could not be loaded", soname);
	if (dynlib_open(soname, syms, HM_ARRAY_LEN(syms), &fns) < 0)
		return;
	CURLcode rc = fns.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		log_error("curl_global_init: %s", fns.easy_strerror(rc));
		snprintf(why_msg, sizeof(why_msg), "SMTP is unavailable: %s did not start",
			 soname);
		return;
	}
	loaded = 1;
}

const struct curl_fns *mail_curl(const char **why)
{
	pthread_once(&once, load);
	if (loaded)
		return &fns;
	if (why)
		*why = why_msg;
	return NULL;
}

int mail_curl_use_soname(const char *name)
{
	if (atomic_load(&tried))
		return -1;
	soname = name;
	return 0;
}
