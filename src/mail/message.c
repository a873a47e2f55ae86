/*
 * message.c — composing an e-mail message from its parts: RFC 5322
 * headers folded at 78 characters, RFC 2047 encoded words for non-ASCII
 * names and subjects, a quoted-printable UTF-8 body (RFC 2045). Pure
 * functions: no I/O, no clock, no randomness.
 */
#include "mail/mail.h"
#include "auth/auth.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_CHARS 78
#define QP_LINE_MAX 76
/* Raw bytes per encoded word: base64 of 42 bytes is 56 characters, so
 * "=?UTF-8?B?" + 56 + "?=" is 68, which fits after "Subject: ". */
#define WORD_BYTES 42

/* Length of the line being written (since the last CRLF). */
static size_t line_len(const struct buf *b)
{
	size_t n = b->len;
	while (n > 0 && b->data[n - 1] != '\n')
		n--;
	return b->len - n;
}

/* 1 if s can stand in a header as it is: printable ASCII or tab, and no
 * "=?" a reader could take for the start of an encoded word. */
static int plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p > 0x7e)
			return 0;
	return strstr(s, "=?") == NULL;
}

/* 1 if a display name needs quoting (RFC 5322 specials). */
static int has_specials(const char *s)
{
	return strpbrk(s, "()<>[]:;@\\,.\"") != NULL;
}

/* Appends ASCII text, folding before a run of white space when the line
 * would pass the limit (unfolding gives the text back exactly). */
static void put_folded(struct buf *out, const char *s)
{
	while (*s) {
		size_t ws = strspn(s, " \t");
		size_t word = strcspn(s + ws, " \t");
		if (ws > 0 && line_len(out) + ws + word > LINE_MAX_CHARS && line_len(out) > 0)
			buf_puts(out, "\r\n");
		buf_append(out, s, ws + word);
		s += ws + word;
	}
}

/* Appends s as encoded words of at most WORD_BYTES bytes each, never
 * cutting a UTF-8 sequence, each on its own folded line when needed. */
static void put_encoded(struct buf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	char b64[WORD_BYTES * 2];
	int first = 1;
	while (i < len) {
		size_t n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
		/* Back off to the start of a character. */
		while (n > 0 && i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		if (n == 0) /* not UTF-8: still never loop forever */
			n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, n,
				  sodium_base64_VARIANT_ORIGINAL);
		size_t wlen = 12 + strlen(b64);
		if (!first)
			buf_puts(out, line_len(out) + 1 + wlen > LINE_MAX_CHARS ? "\r\n " : " ");
		buf_printf(out, "=?UTF-8?B?%s?=", b64);
		first = 0;
		i += n;
	}
}

/* Appends a header value: as it is, quoted (a display name with
 * specials), or encoded. */
static void put_value(struct buf *out, const char *value, int phrase)
{
	if (!plain_ascii(value)) {
		put_encoded(out, value);
	} else if (phrase && has_specials(value)) {
		buf_putc(out, '"');
		for (const char *p = value; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	} else {
		put_folded(out, value);
	}
}

void mail_header_text(struct buf *out, const char *name, const char *value, int phrase)
{
	buf_printf(out, "%s: ", name);
	put_value(out, value ? value : "", phrase);
	buf_puts(out, "\r\n");
}

/* "Name: display name <addr>" or "Name: addr". */
static void put_mailbox(struct buf *out, const char *hdr, const char *name, const char *addr)
{
	buf_printf(out, "%s: ", hdr);
	if (name && *name) {
		put_value(out, name, 1);
		buf_puts(out, line_len(out) + 3 + strlen(addr) > LINE_MAX_CHARS ? "\r\n " : " ");
		buf_printf(out, "<%s>", addr);
	} else {
		buf_puts(out, addr);
	}
	buf_puts(out, "\r\n");
}

void mail_qp_encode(struct buf *out, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *s = text ? text : "";
	while (*s) {
		size_t n = strcspn(s, "\n");
		size_t end = n;
		if (end > 0 && s[end - 1] == '\r')
			end--;
		size_t col = 0;
		for (size_t i = 0; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			int last = i + 1 == end;
			/* "From " at a line start is mangled by mbox readers. */
			int literal = (c >= 33 && c <= 126 && c != '=' &&
				       !(i == 0 && c == 'F' && strncmp(s, "From ", 5) == 0)) ||
				      ((c == ' ' || c == '\t') && !last);
			size_t w = literal ? 1 : 3;
			/* Keep room for the '=' of a soft break, except on the
			 * line's last character, which needs none. */
			if (col + w > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			if (literal) {
				buf_putc(out, (char)c);
			} else {
				buf_putc(out, '=');
				buf_putc(out, hex[c >> 4]);
				buf_putc(out, hex[c & 15]);
			}
			col += w;
		}
		buf_puts(out, "\r\n");
		s += n;
		if (*s == '\n')
			s++;
	}
}

void mail_date(int64_t t, char out[32])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	/* The modulos only bound the widths for the compiler. */
	snprintf(out, 32, "%s, %02u %s %04u %02u:%02u:%02u +0000", days[(unsigned)tm.tm_wday % 7],
		 (unsigned)tm.tm_mday % 32, months[(unsigned)tm.tm_mon % 12],
		 (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)tm.tm_hour % 24,
		 (unsigned)tm.tm_min % 60, (unsigned)tm.tm_sec % 61);
}

/* 1 if s has no control character but tab (so no line break). */
static int one_line(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

static void trim_copy(char *dst, size_t n, const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

enum hm_err mail_address_split(const char *s, char *name, size_t namelen, char *addr,
			       size_t addrlen)
{
	char norm[AUTH_EMAIL_MAX + 1], raw[AUTH_EMAIL_MAX + 1];
	if (namelen)
		name[0] = '\0';
	if (addrlen)
		addr[0] = '\0';
	if (!s || !one_line(s) || !utf8_valid(s, strlen(s)) || namelen == 0 || addrlen == 0)
		return HM_EINVAL;
	const char *lt = strrchr(s, '<');
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (lt) {
		if (len == 0 || s[len - 1] != '>' || (size_t)(s + len - 1 - lt - 1) > AUTH_EMAIL_MAX)
			return HM_EINVAL;
		trim_copy(raw, sizeof(raw), lt + 1, (size_t)(s + len - 1 - lt - 1));
		trim_copy(name, namelen, s, (size_t)(lt - s));
	} else {
		if (len > AUTH_EMAIL_MAX)
			return HM_EINVAL;
		trim_copy(raw, sizeof(raw), s, len);
	}
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++)
		if (*p > 0x7e)
			goto refuse;
	if (auth_email_normalise(raw, norm) != HM_OK || strlen(norm) >= addrlen)
		goto refuse;
	memcpy(addr, norm, strlen(norm) + 1);
	return HM_OK;
refuse:
	name[0] = '\0';
	return HM_EINVAL;
}

static int message_id_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len < 5 || len > 250 || s[0] != '<' || s[len - 1] != '>' || !strchr(s, '@'))
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '<' || s[i] == '>')
			return 0;
	return 1;
}

enum hm_err mail_compose(const struct mail_parts *m, struct buf *out)
{
	char from_name[AUTH_NAME_MAX + 1], from_addr[AUTH_EMAIL_MAX + 1];
	char to_name_x[8], to_addr[AUTH_EMAIL_MAX + 1], date[32];
	const char *to_name = m->to_name ? m->to_name : "";
	const char *subject = m->subject ? m->subject : "";
	const char *text = m->text ? m->text : "";
	if (mail_address_split(m->from, from_name, sizeof(from_name), from_addr,
			       sizeof(from_addr)) != HM_OK ||
	    mail_address_split(m->to, to_name_x, sizeof(to_name_x), to_addr, sizeof(to_addr)) !=
		    HM_OK ||
	    strchr(m->to, '<') || !one_line(to_name) || !utf8_valid(to_name, strlen(to_name)) ||
	    !one_line(subject) || !utf8_valid(subject, strlen(subject)) ||
	    !utf8_valid(text, strlen(text)) || !message_id_ok(m->message_id))
		return HM_EINVAL;
	mail_date(m->date, date);
	buf_printf(out, "Date: %s\r\n", date);
	put_mailbox(out, "From", from_name, from_addr);
	put_mailbox(out, "To", to_name, to_addr);
	mail_header_text(out, "Subject", subject, 0);
	buf_printf(out, "Message-ID: %s\r\n", m->message_id);
	if (!m->attachment) {
		buf_puts(out, "MIME-Version: 1.0\r\n"
			      "Content-Type: text/plain; charset=UTF-8\r\n"
			      "Content-Transfer-Encoding: quoted-printable\r\n"
			      "Auto-Submitted: auto-generated\r\n"
			      "\r\n");
		mail_qp_encode(out, text);
		return HM_OK;
	}
	/* the text, then the file: multipart/mixed (RFC 2046), the file in
	 * base64 lines of 76 (RFC 2045); the boundary cannot occur in either,
	 * both being quoted-printable or base64 */
	const char *boundary = "=_harmony_part_boundary";
	buf_printf(out,
		   "MIME-Version: 1.0\r\n"
		   "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
		   "Auto-Submitted: auto-generated\r\n"
		   "\r\n"
		   "--%s\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n"
		   "\r\n",
		   boundary, boundary);
	mail_qp_encode(out, text);
	const char *name = m->attachment_name ? m->attachment_name : "attachment.txt";
	const char *type = m->attachment_type ? m->attachment_type : "text/plain";
	buf_printf(out,
		   "\r\n--%s\r\n"
		   "Content-Type: %s; charset=UTF-8; name=\"%s\"\r\n"
		   "Content-Disposition: attachment; filename=\"%s\"\r\n"
		   "Content-Transfer-Encoding: base64\r\n"
		   "\r\n",
		   boundary, type, name, name);
	size_t len = strlen(m->attachment);
	for (size_t at = 0; at < len; at += 57) {
		size_t n = len - at < 57 ? len - at : 57;
		char line[80];
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)m->attachment + at, n,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s\r\n", line);
	}
	buf_printf(out, "--%s--\r\n", boundary);
	return HM_OK;
}
