/*
 * po-templates — the translatable texts of the templates, for
 * scripts/po-update and scripts/po-check.
 *
 *   po-templates           a .pot of every {{#_}}…{{/_}} msgid, each with
 *                          the templates it comes from (the template
 *                          parser's own reading, not a pattern)
 *   po-templates --check   lists interface text that does not go through
 *                          {{#_}}: words between tags, and in the alt,
 *                          title, aria-label and placeholder attributes;
 *                          exits 1 when there is any
 *
 * Both read the templates embedded in the binary, so they see what
 * harmony serves.
 */
#include "core/core.h"
#include "core/embedded.h"
#include "view/template.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_template(const char *path)
{
	return str_ends_with(path, ".mustache") &&
	       (str_starts_with(path, "templates/") ||
		(str_starts_with(path, "src/features/") && strstr(path, "/templates/")));
}

/* ------------------------------------------------------------- the pot */

struct entry {
	char *msgid;
	char refs[1024];
};

static struct entry *entries;
static size_t nentries, capentries;
static const char *current_path;

static void collect(const char *msgid, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < nentries; i++) {
		if (strcmp(entries[i].msgid, msgid) == 0) {
			size_t n = strlen(entries[i].refs);
			if (!strstr(entries[i].refs, current_path) &&
			    n + strlen(current_path) + 2 < sizeof(entries[i].refs))
				snprintf(entries[i].refs + n, sizeof(entries[i].refs) - n, " %s",
					 current_path);
			return;
		}
	}
	if (nentries == capentries) {
		capentries = capentries ? capentries * 2 : 256;
		entries = realloc(entries, capentries * sizeof(*entries));
		if (!entries)
			abort();
	}
	entries[nentries].msgid = strdup(msgid);
	snprintf(entries[nentries].refs, sizeof(entries[nentries].refs), "%s", current_path);
	nentries++;
}

/* A PO string: quoted, escaped, split after each newline. */
static void po_string(const char *s)
{
	fputc('"', stdout);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\n':
			fputs("\\n", stdout);
			if (s[1])
				fputs("\"\n\"", stdout);
			break;
		default: fputc(*s, stdout);
		}
	}
	fputc('"', stdout);
}

static int write_pot(void)
{
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (!is_template(f->path))
			continue;
		struct tpl_set *set = tpl_set_new();
		char err[512];
		if (tpl_set_add(set, f->path, f->data, f->len, err, sizeof(err)) != HM_OK) {
			fprintf(stderr, "po-templates: %s\n", err);
			return 1;
		}
		current_path = f->path;
		tpl_set_foreach_msgid(set, collect, NULL);
		tpl_set_free(set);
	}
	for (size_t i = 0; i < nentries; i++) {
		printf("\n#: %s\n", entries[i].refs);
		/* Placeholders are {{names}}, never printf directives. */
		if (strchr(entries[i].msgid, '%'))
			puts("#, no-c-format");
		fputs("msgid ", stdout);
		if (strchr(entries[i].msgid, '\n'))
			fputs("\"\"\n", stdout);
		po_string(entries[i].msgid);
		fputs("\nmsgstr \"\"\n", stdout);
	}
	return 0;
}

/* ----------------------------------------------------------- the check */

/* Blanks [from, to) of s, keeping newlines so that line numbers hold. */
static void blank(char *from, char *to)
{
	for (char *p = from; p < to; p++)
		if (*p != '\n')
			*p = ' ';
}

/* Blanks every span from open to close (close included). */
static void blank_spans(char *s, const char *open, const char *close)
{
	char *p = s;
	while ((p = strstr(p, open))) {
		char *e = strstr(p + strlen(open), close);
		if (!e)
			e = p + strlen(p);
		else
			e += strlen(close);
		blank(p, e);
		p = e;
	}
}

/* 1 when [from, to) holds a word people read: letters, and not an
 * identifier such as name@example.org, /events/ or account. (one token
 * with @ . / or :, which the example of a search field may show). */
static int has_word(const char *from, const char *to)
{
	int letters = 0, space = 0, ident = 0;
	while (from < to && isspace((unsigned char)*from))
		from++;
	while (to > from && isspace((unsigned char)to[-1]))
		to--;
	for (const char *p = from; p < to; p++) {
		letters |= isalpha((unsigned char)*p) != 0;
		space |= isspace((unsigned char)*p) != 0;
		ident |= strchr("@./:", *p) != NULL;
	}
	return letters && (space || !ident);
}

static int line_of(const char *base, const char *p)
{
	int n = 1;
	for (; base < p; base++)
		n += *base == '\n';
	return n;
}

static void report(const char *path, const char *base, const char *from, const char *to,
		   const char *where)
{
	while (from < to && isspace((unsigned char)*from))
		from++;
	while (to > from && isspace((unsigned char)to[-1]))
		to--;
	fprintf(stderr, "%s:%d: %s not translated: \"%.*s\"\n", path, line_of(base, from), where,
		(int)(to - from > 60 ? 60 : to - from), from);
}

/* The attributes people read. */
static const char *const read_attrs[] = {"alt=", "title=", "aria-label=", "placeholder=",
					 "aria-description=", "aria-roledescription=", NULL};

static int check_file(const char *path, const char *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	const char *orig = data;
	int bad = 0;
	/* What is not interface text: translated sections, comments, tags
	 * (their values come from the model), scripts and styles, entities. */
	blank_spans(s, "{{#_}}", "{{/_}}");
	blank_spans(s, "{{!", "}}");
	blank_spans(s, "{{", "}}");
	blank_spans(s, "<!--", "-->");
	blank_spans(s, "<script", "</script>");
	blank_spans(s, "<style", "</style>");
	blank_spans(s, "<generator>", "</generator>"); /* a program's name */
	for (char *p = s; (p = strchr(p, '&'));) {
		char *e = p + 1;
		while (isalnum((unsigned char)*e) || *e == '#')
			e++;
		if (*e == ';')
			blank(p, e + 1);
		p = e;
	}
	char *p = s;
	while (*p) {
		char *lt = strchr(p, '<');
		char *text_end = lt ? lt : p + strlen(p);
		if (has_word(p, text_end)) {
			report(path, s, p, text_end, "text");
			bad = 1;
		}
		if (!lt)
			break;
		char *gt = strchr(lt, '>');
		if (!gt)
			break;
		for (const char *const *a = read_attrs; *a; a++) {
			for (char *at = lt; (at = strstr(at, *a)) && at < gt; at += strlen(*a)) {
				if (at > lt && !isspace((unsigned char)at[-1]))
					continue;
				char *v = at + strlen(*a);
				char q = *v;
				if (q != '"' && q != '\'')
					continue;
				char *ve = strchr(v + 1, q);
				if (ve && ve < gt && has_word(v + 1, ve)) {
					report(path, s, v + 1, ve, *a);
					bad = 1;
				}
			}
		}
		p = gt + 1;
	}
	(void)orig;
	free(s);
	return bad;
}

static int check(void)
{
	int bad = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (is_template(f->path))
			bad |= check_file(f->path, (const char *)f->data, f->len);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--check") == 0)
		return check();
	if (argc != 1) {
		fprintf(stderr, "usage: po-templates [--check]\n");
		return 2;
	}
	return write_pot();
}
