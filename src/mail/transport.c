/*
 * transport.c — delivering one composed message: to an SMTP relay with
 * libcurl (loaded on first use, curl_load.c; smtp:// with STARTTLS when
 * offered, and required when the URL carries credentials; smtps:// for TLS
 * from the start), or as a .eml file in the outbox folder, written whole
 * or not at all.
 */
#include "mail/mail_impl.h"
#include "auth/auth.h"
#include "jobs/jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONNECT_TIMEOUT 10L
#define DEFAULT_TIMEOUT 30L

/* The URL's parts after the scheme: authority start and length, and
 * whether it holds user information. 0 when it is not smtp(s)://. */
static int url_parts(const char *url, const char **auth, size_t *auth_len, int *has_user)
{
	const char *p;
	if (str_starts_with(url, "smtp://"))
		p = url + 7;
	else if (str_starts_with(url, "smtps://"))
		p = url + 8;
	else
		return 0;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);
	*has_user = at != NULL;
	*auth = at ? at + 1 : p;
	*auth_len = at ? n - (size_t)(at + 1 - p) : n;
	return 1;
}

/* The relay as shown on the outbox page: scheme, host and port, never the
 * credentials. */
void mail_url_redacted(const char *url, char *out, size_t n)
{
	const char *auth;
	size_t len;
	int user;
	if (!url_parts(url, &auth, &len, &user)) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%s%.*s", str_starts_with(url, "smtps://") ? "smtps://" : "smtp://",
		 (int)len, auth);
}

enum hm_err mail_smtp_url_check(const char *url, char *msg, size_t msglen)
{
	const char *auth;
	size_t len;
	int user;
	if (!url || !url_parts(url, &auth, &len, &user)) {
		snprintf(msg, msglen, "the relay must be an smtp:// or smtps:// URL");
		return HM_EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f) {
			snprintf(msg, msglen, "the relay URL has a space or a non-ASCII character");
			return HM_EINVAL;
		}
	if (len == 0 || auth[0] == ':') {
		snprintf(msg, msglen, "the relay URL names no host");
		return HM_EINVAL;
	}
	msg[0] = '\0';
	return HM_OK;
}

char *mail_default_dir(const char *db_path)
{
	const char *slash = db_path ? strrchr(db_path, '/') : NULL;
	if (!slash)
		return xstrdup("outbox");
	return xasprintf("%.*s/outbox", (int)(slash - db_path), db_path);
}

/* ------------------------------------------------------------- folder */

static void deliver_file(const char *dir, const char *msg, size_t len, const char *hint,
			 struct mail_result *r)
{
	char *path = xasprintf("%s/%s.eml", dir, hint);
	char *tmp = xasprintf("%s/.%s.eml.tmp", dir, hint);
	int fd = -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(r->error, sizeof(r->error), "cannot make the outbox folder %s: %s", dir,
			 strerror(errno));
		goto out;
	}
	/* Private: a message may carry a sign-in link. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(r->error, sizeof(r->error), "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(r->error, sizeof(r->error), "cannot write %s: %s", tmp,
				 strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		snprintf(r->error, sizeof(r->error), "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		snprintf(r->error, sizeof(r->error), "cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	r->ok = 1;
	snprintf(r->where, sizeof(r->where), "%s", path);
out:
	if (fd >= 0)
		close(fd);
	if (!r->ok)
		unlink(tmp);
	free(path);
	free(tmp);
}

/* --------------------------------------------------------------- SMTP */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t want = size * n, left = u->len - u->off;
	if (want > left)
		want = left;
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

/* Ends a transfer early when the scheduler is stopping. */
static int progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return jobs_stopping();
}

static void deliver_smtp(const struct mail_transport *t, const char *from, const char *to,
			 const char *msg, size_t len, struct mail_result *r)
{
	char errbuf[CURL_ERROR_SIZE] = "", sender[AUTH_EMAIL_MAX + 3], rcpt[AUTH_EMAIL_MAX + 3];
	struct upload u = {msg, len, 0};
	struct curl_slist *list = NULL;
	const char *auth;
	size_t alen;
	int user = 0;
	long code = 0;
	const char *why = NULL;
	url_parts(t->smtp_url, &auth, &alen, &user);
	mail_url_redacted(t->smtp_url, r->where, sizeof(r->where));
	const struct curl_fns *curl = mail_curl(&why);
	if (!curl) {
		snprintf(r->error, sizeof(r->error), "%s", why);
		return;
	}
	CURL *c = curl->easy_init();
	if (!c) {
		snprintf(r->error, sizeof(r->error), "cannot start an SMTP client");
		return;
	}
	snprintf(sender, sizeof(sender), "<%s>", from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	list = curl->slist_append(NULL, rcpt);
	curl->easy_setopt(c, CURLOPT_URL, t->smtp_url);
	curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl->easy_setopt(c, CURLOPT_MAIL_FROM, sender);
	curl->easy_setopt(c, CURLOPT_MAIL_RCPT, list);
	curl->easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
	curl->easy_setopt(c, CURLOPT_READDATA, &u);
	curl->easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl->easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_s > 0 ? t->timeout_s : DEFAULT_TIMEOUT);
	/* A password never crosses the network in clear. */
	curl->easy_setopt(c, CURLOPT_USE_SSL, user ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl->easy_perform(c);
	curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		r->ok = 1;
	} else {
		r->permanent = code >= 500 && code < 600;
		if (code)
			snprintf(r->error, sizeof(r->error), "%s: %s (the relay answered %ld)",
				 curl->easy_strerror(rc), errbuf[0] ? errbuf : "-", code);
		else
			snprintf(r->error, sizeof(r->error), "%s: %s", curl->easy_strerror(rc),
				 errbuf[0] ? errbuf : "-");
	}
	curl->slist_free_all(list);
	curl->easy_cleanup(c);
}

void mail_transport_deliver(const struct mail_transport *t, const char *from_addr,
			    const char *to_addr, const char *msg, size_t len,
			    const char *name_hint, struct mail_result *r)
{
	memset(r, 0, sizeof(*r));
	if (t->smtp_url) {
		deliver_smtp(t, from_addr, to_addr, msg, len, r);
		return;
	}
	deliver_file(t->dir ? t->dir : "outbox", msg, len, name_hint, r);
}
