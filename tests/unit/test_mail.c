/*
 * test_mail.c — e-mail: composing (dates, quoted-printable, encoded words,
 * folding, addresses, refusal of header injection) and the outbox on real
 * temporary SQLite files (queueing and its refusals, masking of secrets,
 * delivery to a folder, retries with growing delays until failure,
 * claims, manual retry, rate limits, SMTP without libcurl or without a
 * relay). Time is injected, never slept on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/text.h"
#include "db/db.h"
#include "mail/mail_impl.h"

#define T0 ((int64_t)1354177800) /* 2012-11-29T08:30:00Z, a Thursday */

static char dir[64];
static int ndb;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-mail-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK)
		return -1;
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	log_min_level = LOG_ERROR + 1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct db *fresh_db(const char *settings_sql)
{
	char err[256];
	struct db *db = NULL;
	char *path = xasprintf("%s/mail-%d.db", dir, ++ndb);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	if (settings_sql)
		assert_int_equal(db_exec_script(db, settings_sql, err, sizeof(err)), HM_OK);
	free(path);
	return db;
}

static const char site_sql[] =
	"INSERT INTO site_setting (key, value) VALUES ('site_name', 'Alliance'),"
	" ('mail_from', 'Secrétariat <secretariat@harmony.example>');";

/* ------------------------------------------------------------ helpers */

/* Decodes the RFC 2047 B-words and plain text of one unfolded header
 * value (what a mail reader shows). */
static char *decode_header(const char *v)
{
	struct buf out;
	buf_init(&out);
	buf_puts(&out, "");
	const char *p = v;
	int last_word = 0;
	while (*p) {
		if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
			const char *end = strstr(p + 10, "?=");
			assert_non_null(end);
			unsigned char bin[256];
			size_t n = 0;
			assert_int_equal(sodium_base642bin(bin, sizeof(bin), p + 10, (size_t)(end - p - 10),
							   NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL),
					 0);
			/* Each word holds whole characters. */
			assert_true(utf8_valid((const char *)bin, n));
			buf_append(&out, bin, n);
			p = end + 2;
			last_word = 1;
			continue;
		}
		/* White space between two encoded words is not shown. */
		size_t ws = strspn(p, " \t");
		if (ws && last_word && strncmp(p + ws, "=?UTF-8?B?", 10) == 0) {
			p += ws;
			continue;
		}
		buf_putc(&out, *p++);
		last_word = 0;
	}
	return buf_steal(&out);
}

/* The value of header name in msg, unfolded. Caller frees; NULL if none. */
static char *header_value(const char *msg, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = msg;
	while (*p && strncmp(p, "\r\n", 2) != 0) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			return NULL;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			struct buf b;
			buf_init(&b);
			const char *v = p + nlen + 1;
			while (*v == ' ')
				v++;
			for (;;) {
				buf_append(&b, v, (size_t)(eol - v));
				if (eol[2] != ' ' && eol[2] != '\t')
					break;
				v = eol + 2;
				eol = strstr(v, "\r\n");
			}
			return buf_steal(&b);
		}
		p = eol + 2;
	}
	return NULL;
}

/* Every line ends in CRLF and none is longer than max characters. */
static void assert_lines(const char *s, size_t max, const char *id)
{
	const char *p = s;
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			fail_msg("%s: text does not end with CRLF", id);
		if ((size_t)(eol - p) > max)
			fail_msg("%s: line of %zu characters: %.*s", id, (size_t)(eol - p),
				 (int)(eol - p), p);
		if (memchr(p, '\n', (size_t)(eol - p)) || memchr(p, '\r', (size_t)(eol - p)))
			fail_msg("%s: bare CR or LF", id);
		p = eol + 2;
	}
}

/* ------------------------------------------------------------- composing */

static void test_mail_date_is_rfc5322_in_english(void **state)
{
	(void)state;
	static const struct {
		int64_t t;
		const char *want;
	} rows[] = {
		{0, "Thu, 01 Jan 1970 00:00:00 +0000"},
		{T0, "Thu, 29 Nov 2012 08:30:00 +0000"},
		{951782400, "Tue, 29 Feb 2000 00:00:00 +0000"},
		{1735689599, "Tue, 31 Dec 2024 23:59:59 +0000"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char out[32];
		mail_date(rows[i].t, out);
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, out, rows[i].want);
	}
}

static void test_mail_qp_encodes_as_rfc2045(void **state)
{
	(void)state;
	static const struct {
		const char *id, *in, *want;
	} rows[] = {
		{"empty", "", ""},
		{"plain", "Hello", "Hello\r\n"},
		{"equals", "a=b", "a=3Db\r\n"},
		{"utf8", "café", "caf=C3=A9\r\n"},
		{"lf-to-crlf", "a\nb\n", "a\r\nb\r\n"},
		{"crlf-kept", "a\r\nb", "a\r\nb\r\n"},
		{"trailing-space", "end \nx\t", "end=20\r\nx=09\r\n"},
		{"inner-space", "a b", "a b\r\n"},
		{"from-line", "From here\nnot From", "=46rom here\r\nnot From\r\n"},
		{"control", "a\x01z", "a=01z\r\n"},
		{"blank-lines", "a\n\nb", "a\r\n\r\nb\r\n"},
		{"exactly-76",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"},
		{"77-breaks",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\n"
		 "ab\r\n"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "");
		mail_qp_encode(&b, rows[i].in);
		if (strcmp(b.data, rows[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", rows[i].id, b.data, rows[i].want);
		assert_lines(b.data, 76, rows[i].id);
		buf_free(&b);
	}
}

/* A long line of multi-byte text keeps every line within 76 characters. */
static void test_mail_qp_long_utf8_lines_stay_short(void **state)
{
	(void)state;
	struct buf in, out;
	buf_init(&in);
	buf_init(&out);
	for (int i = 0; i < 60; i++)
		buf_puts(&in, "對話");
	buf_puts(&in, " = end");
	mail_qp_encode(&out, in.data);
	assert_lines(out.data, 76, "cjk");
	/* Decoding gives the text back. */
	struct buf dec;
	buf_init(&dec);
	for (const char *p = out.data; *p;) {
		if (p[0] == '=' && p[1] == '\r') {
			p += 3;
		} else if (p[0] == '=') {
			char hex[3] = {p[1], p[2], 0};
			buf_putc(&dec, (char)strtol(hex, NULL, 16));
			p += 3;
		} else if (p[0] == '\r') {
			p += 2;
		} else {
			buf_putc(&dec, *p++);
		}
	}
	assert_string_equal(dec.data, in.data);
	buf_free(&in);
	buf_free(&out);
	buf_free(&dec);
}

static void test_mail_header_encodes_and_folds(void **state)
{
	(void)state;
	static const struct {
		const char *id, *value;
		int phrase, encoded, quoted;
	} rows[] = {
		{"ascii", "Your invitation to harmony", 0, 0, 0},
		{"ascii-long",
		 "A very long subject line that goes on and on about the consultation series "
		 "and its many regional meetings across the world",
		 0, 0, 0},
		{"french", "Réinitialisez votre mot de passe", 0, 1, 0},
		{"chinese", "重置您的密码：上海二〇一二年亚洲及南太平洋区域协商会议的参与者账户", 0, 1,
		 0},
		{"arabic", "إعادة تعيين كلمة المرور", 0, 1, 0},
		{"looks-encoded", "=?UTF-8?B?aGk=?= is not a word", 0, 1, 0},
		{"name-plain", "Ana Pérez", 1, 1, 0},
		{"name-specials", "Pérez, Ana", 1, 1, 0},
		{"name-ascii-specials", "Doe, John \"JD\" (UN)", 1, 0, 1},
		{"name-simple", "John Doe", 1, 0, 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct buf b;
		buf_init(&b);
		mail_header_text(&b, "Subject", rows[i].value, rows[i].phrase);
		buf_puts(&b, "\r\n");
		assert_lines(b.data, 78, rows[i].id);
		char *v = header_value(b.data, "Subject");
		assert_non_null(v);
		int has_word = strstr(v, "=?UTF-8?B?") != NULL;
		if (has_word != rows[i].encoded)
			fail_msg("%s: encoded %d, want %d: %s", rows[i].id, has_word, rows[i].encoded, v);
		if ((v[0] == '"') != rows[i].quoted)
			fail_msg("%s: quoted %d, want %d: %s", rows[i].id, v[0] == '"', rows[i].quoted,
				 v);
		char *shown = decode_header(v);
		if (rows[i].quoted) {
			assert_string_equal(shown, "\"Doe, John \\\"JD\\\" (UN)\"");
		} else if (strcmp(shown, rows[i].value) != 0) {
			fail_msg("%s: decoded '%s', want '%s'", rows[i].id, shown, rows[i].value);
		}
		/* No encoded word is longer than RFC 2047 allows. */
		for (const char *w = strstr(v, "=?"); w; w = strstr(w + 2, "=?")) {
			const char *end = strstr(w + 10, "?=");
			if (end && (size_t)(end + 2 - w) > 75)
				fail_msg("%s: encoded word of %zu characters", rows[i].id,
					 (size_t)(end + 2 - w));
			if (end)
				w = end;
		}
		free(shown);
		free(v);
		buf_free(&b);
	}
}

static void test_mail_address_split_accepts_and_refuses(void **state)
{
	(void)state;
	static const struct {
		const char *in, *name, *addr;
		int ok;
	} rows[] = {
		{"ana@example.org", "", "ana@example.org", 1},
		{"  Ana@Example.ORG ", "", "ana@example.org", 1},
		{"Ana Pérez <ana@example.org>", "Ana Pérez", "ana@example.org", 1},
		{"\"Pérez, Ana\" <ana@example.org>", "Pérez, Ana", "ana@example.org", 1},
		{"<ana@example.org>", "", "ana@example.org", 1},
		{"", NULL, NULL, 0},
		{"ana", NULL, NULL, 0},
		{"ana@localhost", NULL, NULL, 0},
		{"Ana <ana@example.org", NULL, NULL, 0},
		{"Ana <>", NULL, NULL, 0},
		{"ana@example.org\r\nBcc: eve@example.org", NULL, NULL, 0},
		{"Ana\n <ana@example.org>", NULL, NULL, 0},
		{"ána@example.org", NULL, NULL, 0}, /* not ASCII: needs SMTPUTF8 */
		{"ana@exämple.org", NULL, NULL, 0},
		{"a b@example.org", NULL, NULL, 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char name[201], addr[255];
		enum hm_err e = mail_address_split(rows[i].in, name, sizeof(name), addr, sizeof(addr));
		if ((e == HM_OK) != rows[i].ok)
			fail_msg("row %zu '%s': got %s", i, rows[i].in, hm_err_str(e));
		if (rows[i].ok && (strcmp(name, rows[i].name) != 0 || strcmp(addr, rows[i].addr) != 0))
			fail_msg("row %zu: got '%s' '%s'", i, name, addr);
		if (!rows[i].ok && (name[0] || addr[0]))
			fail_msg("row %zu: output left on refusal", i);
	}
	assert_int_equal(mail_address_split(NULL, (char[8]){0}, 8, (char[8]){0}, 8), HM_EINVAL);
}

static struct mail_parts good_parts(void)
{
	struct mail_parts m = {
		.from = "Secrétariat <secretariat@harmony.example>",
		.to = "ana@example.org",
		.to_name = "Ana Pérez",
		.subject = "Réinitialisez votre mot de passe",
		.text = "Bonjour,\n\nhttps://harmony.example/reset-password?token=abc\n",
		.date = T0,
		.message_id = "<0123456789abcdef@harmony.example>",
	};
	return m;
}

static void test_mail_compose_refuses_injection_and_bad_parts(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		int field;
		const char *value;
	} rows[] = {
		{"subject-crlf", 0, "Hi\r\nBcc: eve@example.org"},
		{"subject-lf", 0, "Hi\nBcc: eve@example.org"},
		{"subject-not-utf8", 0, "caf\xe9"},
		{"to-name-crlf", 1, "Ana\r\nBcc: eve@example.org"},
		{"to-with-name", 2, "Ana <ana@example.org>"},
		{"to-two", 2, "ana@example.org, eve@example.org"},
		{"to-crlf", 2, "ana@example.org\r\nBcc: eve@example.org"},
		{"from-bad", 3, "nobody"},
		{"from-crlf", 3, "x@example.org\r\nBcc: eve@example.org"},
		{"message-id-bare", 4, "abc@example.org"},
		{"message-id-space", 4, "<a b@example.org>"},
		{"message-id-crlf", 4, "<a@example.org>\r\nBcc: x"},
		{"body-not-utf8", 5, "caf\xe9"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct mail_parts m = good_parts();
		const char **f[] = {&m.subject, &m.to_name, &m.to, &m.from, &m.message_id, &m.text};
		*f[rows[i].field] = rows[i].value;
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "");
		if (mail_compose(&m, &b) != HM_EINVAL)
			fail_msg("%s: accepted", rows[i].id);
		if (b.len != 0)
			fail_msg("%s: wrote %zu bytes on refusal", rows[i].id, b.len);
		buf_free(&b);
	}
}

/* A text file sent with the message: a second part, its content base64
 * in short lines, whole after decoding; the text part unchanged. */
static void test_mail_compose_attaches_a_text_file(void **state)
{
	(void)state;
	struct mail_parts m = good_parts();
	static const char ics[] = "BEGIN:VCALENDAR\r\nSUMMARY:Consultation à Shanghai — 上海\r\n"
				  "DESCRIPTION:a line long enough to need more than one line of base64 "
				  "once it is encoded\r\nEND:VCALENDAR\r\n";
	m.attachment = ics;
	m.attachment_name = "shanghai.ics";
	m.attachment_type = "text/calendar";
	struct buf b;
	buf_init(&b);
	assert_int_equal(mail_compose(&m, &b), HM_OK);
	buf_putc(&b, '\0');
	assert_lines(b.data, 78, "message with a file");
	char *ct = header_value(b.data, "Content-Type");
	assert_non_null(strstr(ct, "multipart/mixed; boundary="));
	free(ct);
	assert_non_null(strstr(b.data, "Content-Disposition: attachment; filename=\"shanghai.ics\""));
	assert_non_null(strstr(b.data, "Content-Type: text/calendar; charset=UTF-8"));
	/* the file's lines, decoded, are the file */
	const char *start = strstr(b.data, "Content-Transfer-Encoding: base64\r\n\r\n");
	assert_non_null(start);
	start += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	const char *end = strstr(start, "--=_harmony_part_boundary--");
	assert_non_null(end);
	char b64[1024] = "";
	size_t n = 0;
	for (const char *p = start; p < end; p++)
		if (*p != '\r' && *p != '\n' && n + 1 < sizeof(b64))
			b64[n++] = *p;
	b64[n] = '\0';
	unsigned char got[1024];
	size_t got_len = 0;
	assert_int_equal(sodium_base642bin(got, sizeof(got), b64, n, NULL, &got_len, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(got_len, strlen(ics));
	assert_memory_equal(got, ics, got_len);
	buf_free(&b);
}

static void test_mail_compose_writes_a_whole_message(void **state)
{
	(void)state;
	struct mail_parts m = good_parts();
	struct buf b;
	buf_init(&b);
	assert_int_equal(mail_compose(&m, &b), HM_OK);
	assert_lines(b.data, 78, "message");
	static const struct {
		const char *name, *want;
	} hdrs[] = {
		{"Date", "Thu, 29 Nov 2012 08:30:00 +0000"},
		{"Message-ID", "<0123456789abcdef@harmony.example>"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Auto-Submitted", "auto-generated"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(hdrs); i++) {
		char *v = header_value(b.data, hdrs[i].name);
		if (!v || strcmp(v, hdrs[i].want) != 0)
			fail_msg("%s: got '%s'", hdrs[i].name, v ? v : "(none)");
		free(v);
	}
	char *subject = header_value(b.data, "Subject");
	char *shown = decode_header(subject);
	assert_string_equal(shown, "Réinitialisez votre mot de passe");
	free(subject);
	free(shown);
	char *to = header_value(b.data, "To");
	shown = decode_header(to);
	assert_string_equal(shown, "Ana Pérez <ana@example.org>");
	free(to);
	free(shown);
	char *from = header_value(b.data, "From");
	shown = decode_header(from);
	assert_string_equal(shown, "Secrétariat <secretariat@harmony.example>");
	free(from);
	free(shown);
	/* The body follows one empty line, quoted-printable. */
	const char *body = strstr(b.data, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4,
			    "Bonjour,\r\n\r\nhttps://harmony.example/reset-password?token=3Dabc\r\n");
	buf_free(&b);
}

/* ---------------------------------------------------------------- outbox */

static void test_mail_send_refuses_bad_messages(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	char longsub[MAIL_SUBJECT_MAX + 2];
	memset(longsub, 'a', sizeof(longsub) - 1);
	longsub[sizeof(longsub) - 1] = '\0';
	char *bigbody = xmalloc(MAIL_BODY_MAX + 2);
	memset(bigbody, 'b', MAIL_BODY_MAX + 1);
	bigbody[MAIL_BODY_MAX + 1] = '\0';
	static const struct mail_opts bad_name = {.to_name = "Ana\r\nBcc: x@example.org"};
	static const struct mail_opts missing_secret = {.secret = "tok123"};
	const struct {
		const char *id, *to, *subject, *body;
		const struct mail_opts *o;
	} rows[] = {
		{"no-address", NULL, "Hi", "Body", NULL},
		{"bad-address", "ana", "Hi", "Body", NULL},
		{"name-in-address", "Ana <ana@example.org>", "Hi", "Body", NULL},
		{"non-ascii-address", "ána@example.org", "Hi", "Body", NULL},
		{"injected-address", "ana@example.org\r\nBcc: x@example.org", "Hi", "Body", NULL},
		{"empty-subject", "ana@example.org", "", "Body", NULL},
		{"subject-crlf", "ana@example.org", "Hi\r\nBcc: x@example.org", "Body", NULL},
		{"subject-too-long", "ana@example.org", longsub, "Body", NULL},
		{"body-not-utf8", "ana@example.org", "Hi", "caf\xe9", NULL},
		{"body-too-big", "ana@example.org", "Hi", bigbody, NULL},
		{"no-body", "ana@example.org", "Hi", NULL, NULL},
		{"name-crlf", "ana@example.org", "Hi", "Body", &bad_name},
		{"secret-not-in-body", "ana@example.org", "Hi", "Body", &missing_secret},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		int64_t id = 99;
		if (mail_send(db, rows[i].to, rows[i].subject, rows[i].body, rows[i].o, T0, &id) !=
		    HM_EINVAL)
			fail_msg("%s: accepted", rows[i].id);
		if (id != 0)
			fail_msg("%s: id not cleared", rows[i].id);
	}
	int64_t total = -1;
	json_t *list = mail_list(db, NULL, 10, 0, &total);
	assert_int_equal(total, 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	free(bigbody);
	db_close(db);
}

static void test_mail_send_queues_and_masks_the_secret(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	const char *token = "S3cr3tT0k3n_abcdefghijklmnopqrstuvwxyz0123";
	char *body = xasprintf("Open https://harmony.example/reset-password?token=%s\nBye\n", token);
	struct mail_opts o = {.to_name = "Ana Pérez", .secret = token};
	int64_t id = 0;
	assert_int_equal(mail_send(db, "Ana@Example.org", "Réinitialisation", body, &o, T0, &id),
			 HM_OK);
	assert_true(id > 0);

	int64_t total = 0;
	json_t *list = mail_list(db, "queued", 10, 0, &total);
	assert_int_equal(total, 1);
	json_t *row = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(row, "recipient")), "ana@example.org");
	assert_string_equal(json_string_value(json_object_get(row, "status")), "queued");
	assert_string_equal(json_string_value(json_object_get(row, "created_at")),
			    "2012-11-29T08:30:00Z");
	assert_null(json_object_get(row, "body")); /* the list shows no bodies */
	json_decref(list);
	list = mail_list(db, "sent", 10, 0, &total);
	assert_int_equal(total, 0);
	json_decref(list);

	json_t *m = mail_get(db, id);
	assert_non_null(m);
	const char *shown = json_string_value(json_object_get(m, "body"));
	assert_null(strstr(shown, token));
	assert_non_null(strstr(shown, "token=" MAIL_SECRET_MASK));
	assert_null(json_object_get(m, "secret"));
	const char *hdrs = json_string_value(json_object_get(m, "headers"));
	assert_non_null(hdrs);
	assert_non_null(strstr(hdrs, "<secretariat@harmony.example>"));
	assert_non_null(strstr(hdrs, "Message-ID: <"));
	assert_null(strstr(hdrs, token));
	json_decref(m);
	assert_null(mail_get(db, id + 1));
	free(body);
	db_close(db);
}

static void test_mail_from_defaults_to_site_name(void **state)
{
	(void)state;
	static const struct {
		const char *id, *sql, *want_name;
	} rows[] = {
		{"site-name", "INSERT INTO site_setting VALUES ('site_name', 'Alliance of Civilizations')",
		 "Alliance of Civilizations <noreply@"},
		{"bad-mail-from",
		 "INSERT INTO site_setting VALUES ('site_name', 'Alliance'), ('mail_from', 'nobody')",
		 "Alliance <noreply@"},
		{"name-with-angle", "INSERT INTO site_setting VALUES ('site_name', 'A <B>')", "noreply@"},
		{"nothing", NULL, "noreply@"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct db *db = fresh_db(rows[i].sql);
		int64_t id = 0;
		assert_int_equal(mail_send(db, "ana@example.org", "Hi", "Body", NULL, T0, &id), HM_OK);
		json_t *m = mail_get(db, id);
		const char *from = json_string_value(json_object_get(m, "from_addr"));
		if (!str_starts_with(from, rows[i].want_name))
			fail_msg("%s: From is '%s'", rows[i].id, from);
		/* Whatever the default, it composes. */
		assert_non_null(json_object_get(m, "headers"));
		json_decref(m);
		db_close(db);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static const char *row_str(struct db *db, int64_t id, const char *key, char *out, size_t n)
{
	json_t *m = mail_get(db, id);
	const char *v = json_string_value(json_object_get(m, key));
	snprintf(out, n, "%s", v ? v : "(null)");
	json_decref(m);
	return out;
}

static int64_t row_int(struct db *db, int64_t id, const char *key)
{
	json_t *m = mail_get(db, id);
	int64_t v = json_integer_value(json_object_get(m, key));
	json_decref(m);
	return v;
}

static void test_mail_deliver_writes_eml_and_erases_secret(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	char *out = xasprintf("%s/outbox-%d", dir, ndb);
	struct mail_transport t = {.dir = out};
	const char *token = "tokenTOKENtoken";
	struct mail_opts o = {.secret = token};
	int64_t id = 0;
	assert_int_equal(mail_send(db, "ana@example.org", "重置密码",
				   "Link: https://h.example/r?token=tokenTOKENtoken\n", &o, T0, &id),
			 HM_OK);
	/* Not due before its time. */
	assert_int_equal(mail_deliver_due(db, &t, T0 - 1), 0);
	assert_int_equal(mail_deliver_due(db, &t, T0), 1);
	assert_int_equal(mail_deliver_due(db, &t, T0 + 1), 0); /* once only */

	char s[1024];
	assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "sent");
	assert_string_equal(row_str(db, id, "sent_at", s, sizeof(s)), "2012-11-29T08:30:00Z");
	assert_int_equal(row_int(db, id, "attempts"), 1);
	char *path = xasprintf("%s/20121129T083000Z-%lld.eml", out, (long long)id);
	assert_string_equal(row_str(db, id, "delivered_to", s, sizeof(s)), path);
	/* The stored body no longer holds the token; the file does. */
	char dbpath[256];
	snprintf(dbpath, sizeof(dbpath), "%s", db_path(db));
	struct db_stmt *st = db_prepare(db, "SELECT body, secret FROM mail_outbox WHERE id = ?");
	db_bind_int(st, 1, id);
	assert_int_equal(db_step(st), 1);
	assert_null(strstr(db_col_text(st, 0), token));
	assert_true(db_col_is_null(st, 1));
	db_done(st);

	size_t len = 0;
	char *eml = read_file(path, &len);
	assert_non_null(eml);
	assert_non_null(strstr(eml, "token=3DtokenTOKENtoken"));
	char *subject = header_value(eml, "Subject");
	char *shown = decode_header(subject);
	assert_string_equal(shown, "重置密码");
	assert_lines(eml, 78, "eml");
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(subject);
	free(shown);
	free(eml);
	free(path);
	free(out);
	db_close(db);
}

static void test_mail_retries_with_growing_delays_then_fails(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	/* A folder under a plain file can never be made. */
	char *file = xasprintf("%s/plain-%d", dir, ndb);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	char *bad = xasprintf("%s/outbox", file);
	struct mail_transport t = {.dir = bad};
	struct mail_opts o = {.secret = "zzsecretzz"};
	int64_t id = 0, now = T0, delay = MAIL_RETRY_FIRST;
	char s[1024];
	assert_int_equal(mail_send(db, "ana@example.org", "Hi", "a zzsecretzz b", &o, T0, &id),
			 HM_OK);
	for (int attempt = 1; attempt < MAIL_ATTEMPTS_MAX; attempt++) {
		assert_int_equal(mail_deliver_due(db, &t, now), 0);
		if (row_int(db, id, "attempts") != attempt)
			fail_msg("attempt %d: attempts %lld", attempt,
				 (long long)row_int(db, id, "attempts"));
		assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "queued");
		assert_non_null(strstr(row_str(db, id, "last_error", s, sizeof(s)), "outbox"));
		char want[32];
		struct tm tm;
		time_t tt = (time_t)(now + delay);
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_string_equal(row_str(db, id, "next_attempt_at", s, sizeof(s)), want);
		/* Nothing happens before the next attempt is due. */
		mail_deliver_due(db, &t, now + delay - 1);
		assert_int_equal(row_int(db, id, "attempts"), attempt);
		now += delay;
		delay *= 2;
	}
	mail_deliver_due(db, &t, now);
	assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "failed");
	assert_int_equal(row_int(db, id, "attempts"), MAIL_ATTEMPTS_MAX);
	struct db_stmt *st = db_prepare(db, "SELECT body FROM mail_outbox WHERE id = ?");
	db_bind_int(st, 1, id);
	assert_int_equal(db_step(st), 1);
	assert_null(strstr(db_col_text(st, 0), "zzsecretzz"));
	db_done(st);
	/* A failed message is not tried again by itself. */
	assert_int_equal(mail_deliver_due(db, &t, now + 86400), 0);
	assert_int_equal(row_int(db, id, "attempts"), MAIL_ATTEMPTS_MAX);
	free(bad);
	free(file);
	db_close(db);
}

static void test_mail_claims_are_respected_and_stale_ones_released(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	char *out = xasprintf("%s/outbox-claim-%d", dir, ndb);
	struct mail_transport t = {.dir = out};
	int64_t id = 0;
	char s[64];
	assert_int_equal(mail_send(db, "ana@example.org", "Hi", "Body", NULL, T0, &id), HM_OK);
	/* Another sender holds it since T0. */
	struct db_stmt *st = db_prepare(db, "UPDATE mail_outbox SET status = 'sending', "
					    "claimed_at = '2012-11-29T08:30:00Z' WHERE id = ?");
	db_bind_int(st, 1, id);
	assert_int_equal(db_run(st), HM_OK);
	assert_int_equal(mail_deliver_due(db, &t, T0 + 599), 0);
	assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "sending");
	/* Ten minutes later that sender is taken for dead. */
	assert_int_equal(mail_deliver_due(db, &t, T0 + 600), 1);
	assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "sent");
	free(out);
	db_close(db);
}

static void test_mail_retry_rights_and_states(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	char *out = xasprintf("%s/outbox-retry-%d", dir, ndb);
	struct mail_transport t = {.dir = out};
	struct principal visitor, cli, participant;
	auth_principal_visitor(&visitor);
	auth_principal_cli(&cli);
	struct account_new a = {.email = "p@example.org", .name = "P"};
	int64_t pid = 0, sent = 0, failed = 0;
	assert_int_equal(auth_account_create(db, &cli, &a, T0, &pid, NULL, 0), HM_OK);
	assert_int_equal(auth_principal_load(db, pid, AUTH_VIA_SESSION, &participant), HM_OK);
	assert_int_equal(mail_send(db, "a@example.org", "Hi", "Body", NULL, T0, &sent), HM_OK);
	assert_int_equal(mail_deliver_due(db, &t, T0), 1);
	assert_int_equal(mail_send(db, "b@example.org", "Hi", "Body", NULL, T0, &failed), HM_OK);
	struct db_stmt *st = db_prepare(db, "UPDATE mail_outbox SET status = 'failed', attempts = 8 "
					    "WHERE id = ?");
	db_bind_int(st, 1, failed);
	assert_int_equal(db_run(st), HM_OK);

	static const struct {
		const char *id;
		int who; /* 0 visitor, 1 participant, 2 cli admin */
		int which; /* 0 sent, 1 failed, 2 none */
		enum hm_err want;
	} rows[] = {
		{"visitor", 0, 1, HM_EFORBIDDEN},  {"participant", 1, 1, HM_EFORBIDDEN},
		{"no-such", 2, 2, HM_ENOTFOUND},   {"already-sent", 2, 0, HM_ECONFLICT},
		{"failed-again", 2, 1, HM_OK},
	};
	const struct principal *who[] = {&visitor, &participant, &cli};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		int64_t mid = rows[i].which == 0 ? sent : rows[i].which == 1 ? failed : 9999;
		enum hm_err e = mail_retry(db, who[rows[i].who], mid, T0 + 100);
		if (e != rows[i].want)
			fail_msg("%s: got %s, want %s", rows[i].id, hm_err_str(e),
				 hm_err_str(rows[i].want));
	}
	char s[64];
	assert_string_equal(row_str(db, failed, "status", s, sizeof(s)), "queued");
	assert_int_equal(row_int(db, failed, "attempts"), 0);
	json_t *log = audit_list(db, "mail", failed, 10);
	assert_int_equal(json_array_size(log), 1);
	json_t *entry = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(entry, "action")), "mail.retry");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(entry, "before"), "status")),
		"failed");
	json_decref(log);
	/* Refused retries left nothing in the log. */
	log = audit_list(db, "mail", sent, 10);
	assert_int_equal(json_array_size(log), 0);
	json_decref(log);
	assert_int_equal(mail_deliver_due(db, &t, T0 + 100), 1);
	free(out);
	db_close(db);
}

static void test_mail_rate_take_counts_per_key_and_window(void **state)
{
	(void)state;
	struct db *db = fresh_db(NULL);
	static const struct {
		const char *id, *key;
		int64_t at;
		int want;
	} rows[] = {
		{"first", "ana", 0, 1},       {"second", "ana", 10, 1},  {"third", "ana", 20, 1},
		{"fourth-refused", "ana", 30, 0}, {"other-key", "bob", 30, 1},
		{"still-refused", "ana", 3599, 0}, {"first-expired", "ana", 3600, 1},
		{"full-again", "ana", 3601, 0},    {"much-later", "ana", 9000, 1},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		int got = mail_rate_take(db, rows[i].key, 3, 3600, T0 + rows[i].at);
		if (got != rows[i].want)
			fail_msg("%s: got %d, want %d", rows[i].id, got, rows[i].want);
	}
	/* Keys are stored as digests only. */
	struct db_stmt *st = db_prepare(db, "SELECT count(*) FROM mail_rate WHERE rate_key = 'ana'");
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), 0);
	db_done(st);
	/* The clean-up forgets old counts of every key, and only those. */
	static const char count_sql[] = "SELECT count(*) FROM mail_rate";
	st = db_prepare(db, count_sql);
	assert_int_equal(db_step(st), 1);
	int64_t before = db_col_int(st, 0);
	db_done(st);
	assert_int_equal(before, 2); /* bob at T0+30, ana at T0+9000: each take purged its key */
	mail_rate_purge(db, T0 + 3600);
	st = db_prepare(db, count_sql);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), 1); /* ana's */
	db_done(st);
	assert_int_equal(mail_rate_take(db, "bob", 1, 3600, T0 + 40), 1);
	db_close(db);
}

static void test_mail_smtp_url_check_and_default_dir(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int ok;
	} rows[] = {
		{"smtp://127.0.0.1:2525", 1},
		{"smtps://mail.example.org", 1},
		{"smtp://user:pass@mail.example.org:587", 1},
		{"http://mail.example.org", 0},
		{"file:///etc/passwd", 0},
		{"smtp://", 0},
		{"smtp://:25", 0},
		{"smtp://mail example.org", 0},
		{"smtp://mail.example.org\r\n", 0},
		{"", 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char msg[256];
		enum hm_err e = mail_smtp_url_check(rows[i].url, msg, sizeof(msg));
		if ((e == HM_OK) != rows[i].ok)
			fail_msg("'%s': got %s (%s)", rows[i].url, hm_err_str(e), msg);
		if (e != HM_OK && !msg[0])
			fail_msg("'%s': no reason given", rows[i].url);
	}
	static const struct {
		const char *db, *want;
	} dirs[] = {
		{"harmony.db", "outbox"},
		{"/srv/h/harmony.db", "/srv/h/outbox"},
		{"data/x.db", "data/outbox"},
		{"/x.db", "/outbox"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(dirs); i++) {
		char *d = mail_default_dir(dirs[i].db);
		if (strcmp(d, dirs[i].want) != 0)
			fail_msg("%s: got %s", dirs[i].db, d);
		free(d);
	}
}

/* Without libcurl the message stays queued, the reason on its row. In a
 * child process: libcurl loads once per process, and this process needs
 * it for the test that follows. */
static void test_mail_smtp_without_libcurl_stays_queued(void **state)
{
	(void)state;
	char *path = xasprintf("%s/mail-nocurl.db", dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mail_transport t = {.smtp_url = "smtp://127.0.0.1:1", .timeout_s = 5};
		struct db *db = NULL;
		char err[256], s[1024];
		int64_t id = 0;
		int rc = 0;
		if (mail_curl_use_soname("libharmony-missing.so.0") != 0)
			_exit(1);
		if (db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)) != HM_OK ||
		    db_exec_script(db, site_sql, err, sizeof(err)) != HM_OK ||
		    mail_send(db, "ana@example.org", "Hi", "Body", NULL, T0, &id) != HM_OK)
			_exit(2);
		if (mail_deliver_due(db, &t, T0) != 0)
			rc |= 4;
		if (strcmp(row_str(db, id, "status", s, sizeof(s)), "queued") != 0 ||
		    row_int(db, id, "attempts") != 1)
			rc |= 8;
		if (strcmp(row_str(db, id, "last_error", s, sizeof(s)),
			   "SMTP is unavailable: libharmony-missing.so.0 could not be loaded") != 0)
			rc |= 16;
		if (mail_curl(NULL) != NULL)
			rc |= 32;
		db_close(db);
		_exit(rc);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: %s %d (1: libcurl loaded too early, 2: setup, 4: delivered, "
			 "8: not queued once, 16: last_error, 32: table)",
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	free(path);
}

/* A relay that is not there: the message stays queued with the reason. */
static void test_mail_smtp_unreachable_relay_is_retried(void **state)
{
	(void)state;
	struct db *db = fresh_db(site_sql);
	struct mail_transport t = {.smtp_url = "smtp://127.0.0.1:1", .timeout_s = 5};
	int64_t id = 0;
	char s[1024];
	assert_int_equal(mail_send(db, "ana@example.org", "Hi", "Body", NULL, T0, &id), HM_OK);
	assert_int_equal(mail_deliver_due(db, &t, T0), 0);
	assert_string_equal(row_str(db, id, "status", s, sizeof(s)), "queued");
	assert_int_equal(row_int(db, id, "attempts"), 1);
	assert_non_null(strstr(row_str(db, id, "last_error", s, sizeof(s)), "onnect"));
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_date_is_rfc5322_in_english),
		cmocka_unit_test(test_mail_qp_encodes_as_rfc2045),
		cmocka_unit_test(test_mail_qp_long_utf8_lines_stay_short),
		cmocka_unit_test(test_mail_header_encodes_and_folds),
		cmocka_unit_test(test_mail_address_split_accepts_and_refuses),
		cmocka_unit_test(test_mail_compose_refuses_injection_and_bad_parts),
		cmocka_unit_test(test_mail_compose_attaches_a_text_file),
		cmocka_unit_test(test_mail_compose_writes_a_whole_message),
		cmocka_unit_test(test_mail_send_refuses_bad_messages),
		cmocka_unit_test(test_mail_send_queues_and_masks_the_secret),
		cmocka_unit_test(test_mail_from_defaults_to_site_name),
		cmocka_unit_test(test_mail_deliver_writes_eml_and_erases_secret),
		cmocka_unit_test(test_mail_retries_with_growing_delays_then_fails),
		cmocka_unit_test(test_mail_claims_are_respected_and_stale_ones_released),
		cmocka_unit_test(test_mail_retry_rights_and_states),
		cmocka_unit_test(test_mail_rate_take_counts_per_key_and_window),
		cmocka_unit_test(test_mail_smtp_url_check_and_default_dir),
		cmocka_unit_test(test_mail_smtp_without_libcurl_stays_queued),
		cmocka_unit_test(test_mail_smtp_unreachable_relay_is_retried),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
