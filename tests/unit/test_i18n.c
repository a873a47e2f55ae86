/*
 * test_i18n.c — .po parsing, plural rules, language negotiation, and
 * ICU formatting of dates, ranges, times and numbers (src/view/i18n*.c).
 * Tables list malformed inputs first; every row has an id.
 *
 * ICU output is compared exactly where CLDR has been stable for years.
 * Where CLDR 42 (ICU 72) changed spacing — a narrow no-break space before
 * "AM", thin spaces around the en dash of a range — we first fold every
 * Unicode space to ' ' and then compare, so a newer ICU that tweaks the
 * kind of space still passes while a wrong date does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>

#include "core/text.h"
#include "view/i18n.h"

static int teardown(void **state)
{
	(void)state;
	i18n_shutdown();
	return 0;
}

static void load(const char *lang, const char *po)
{
	char err[320];
	enum hm_err rc = i18n_load_po(lang, po, strlen(po), err, sizeof(err));
	if (rc != HM_OK)
		fail_msg("loading %s: %s", lang, err);
}

/* A catalogue with only a header: enough for a language to count as
 * supported, so dates are written in it. */
static void load_empty(const char *lang)
{
	load(lang, "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n");
}

/* Copies s with U+00A0, U+2009 and U+202F (the spaces ICU puts in dates
 * and numbers) turned into ' '. */
static char *fold_spaces(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	while (*s) {
		if (strncmp(s, "\xC2\xA0", 2) == 0) {
			*o++ = ' ';
			s += 2;
		} else if (strncmp(s, "\xE2\x80\x89", 3) == 0 || strncmp(s, "\xE2\x80\xAF", 3) == 0) {
			*o++ = ' ';
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* 1 if got equals one of the '|'-separated alternatives in want. */
static int matches_any(const char *got, const char *want)
{
	size_t n = strlen(got);
	for (;;) {
		const char *bar = strchr(want, '|');
		size_t wn = bar ? (size_t)(bar - want) : strlen(want);
		if (wn == n && strncmp(got, want, n) == 0)
			return 1;
		if (!bar)
			return 0;
		want = bar + 1;
	}
}

/* ------------------------------------------------------------ .po files */

struct po_bad {
	const char *id;
	const char *po;
	const char *want; /* prefix "po/xx.po:LINE: " and the message */
};

#define HDR_AR                                                                                     \
	"msgid \"\"\nmsgstr \"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "  \
	"n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;\\n\"\n"

static const struct po_bad po_bad_cases[] = {
	{"eof-without-msgstr", "msgid \"a\"\n", "po/xx.po:1: entry without msgstr at end of file"},
	{"unterminated", "msgid \"a\"\nmsgstr \"b\n", "po/xx.po:2: unterminated string"},
	{"unterminated-backslash", "msgid \"a\"\nmsgstr \"b\\", "po/xx.po:2: unterminated string"},
	{"unknown-escape", "msgid \"a\"\nmsgstr \"b\\q\"\n", "po/xx.po:2: unknown escape '\\q'"},
	{"octal-escape", "msgid \"a\"\nmsgstr \"\\101\"\n", "po/xx.po:2: unknown escape '\\1'"},
	{"text-after-string", "msgid \"a\"\nmsgstr \"b\" x\n", "po/xx.po:2: text after the closing quote"},
	{"two-strings-one-line", "msgid \"a\" \"b\"\nmsgstr \"c\"\n",
	 "po/xx.po:1: text after the closing quote"},
	{"orphan-string", "\"orphan\"\n", "po/xx.po:1: string without a keyword before it"},
	{"duplicate", "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
	 "po/xx.po:4: duplicate message (first on line 1)"},
	{"duplicate-with-context",
	 "msgctxt \"m\"\nmsgid \"May\"\nmsgstr \"x\"\nmsgctxt \"m\"\nmsgid \"May\"\nmsgstr \"y\"\n",
	 "po/xx.po:4: duplicate message (first on line 1)"},
	{"duplicate-fuzzy", "#, fuzzy\nmsgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n",
	 "po/xx.po:4: duplicate message (first on line 2)"},
	{"unknown-keyword", "msgfoo \"a\"\n", "po/xx.po:1: unknown keyword 'msgfoo'"},
	{"keyword-without-space", "msgid\"a\"\nmsgstr \"b\"\n",
	 "po/xx.po:1: expected a keyword and a quoted string"},
	{"keyword-without-string", "msgid a\nmsgstr \"b\"\n",
	 "po/xx.po:1: expected a quoted string after 'msgid'"},
	{"msgid-twice", "msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"\n",
	 "po/xx.po:2: msgid follows a msgid that has no msgstr"},
	{"msgstr-first", "msgstr \"b\"\n", "po/xx.po:1: msgstr without a msgid before it"},
	{"msgstr-twice", "msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n",
	 "po/xx.po:3: msgstr without a msgid before it"},
	{"msgctxt-then-msgstr", "msgctxt \"c\"\nmsgstr \"x\"\n",
	 "po/xx.po:2: msgstr without a msgid before it"},
	{"msgctxt-inside-entry", "msgid \"a\"\nmsgctxt \"c\"\nmsgstr \"x\"\n",
	 "po/xx.po:2: msgctxt inside an entry (msgstr missing?)"},
	{"plural-without-index", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n",
	 "po/xx.po:3: msgid_plural needs msgstr[0], msgstr[1], …"},
	{"index-without-plural", "msgid \"a\"\nmsgstr[0] \"b\"\n",
	 "po/xx.po:2: msgstr[0] without msgid_plural"},
	{"plural-without-msgid", "msgid_plural \"as\"\nmsgstr[0] \"b\"\n",
	 "po/xx.po:1: msgid_plural without a msgid before it"},
	{"index-skipped", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\nmsgstr[2] \"c\"\n",
	 "po/xx.po:4: msgstr[2] out of order, expected msgstr[1]"},
	{"index-not-number", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[x] \"b\"\n",
	 "po/xx.po:3: malformed index in brackets"},
	{"index-unclosed", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0 \"b\"\n",
	 "po/xx.po:3: malformed index in brackets"},
	{"too-few-plural-forms", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n",
	 "po/xx.po:1: 1 plural forms given, the Plural-Forms header says 2"},
	{"arabic-needs-six", HDR_AR "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"0\"\nmsgstr[1] \"1\"\n",
	 "po/xx.po:3: 2 plural forms given, the Plural-Forms header says 6"},
	{"header-not-first", "msgid \"a\"\nmsgstr \"b\"\nmsgid \"\"\nmsgstr \"X: y\\n\"\n",
	 "po/xx.po:3: the header entry (msgid \"\") must come first"},
	{"header-plural", "msgid \"\"\nmsgid_plural \"x\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n",
	 "po/xx.po:1: the header entry cannot have msgid_plural"},
	{"charset-latin1",
	 "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n",
	 "po/xx.po:1: charset must be UTF-8, not 'ISO-8859-1'"},
	{"charset-placeholder", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=CHARSET\\n\"\n",
	 "po/xx.po:1: charset must be UTF-8, not 'CHARSET'"},
	{"plural-forms-syntax", "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n !=;\\n\"\n",
	 "po/xx.po:1: invalid Plural-Forms: expected n, a number or '(' at column 24"},
	{"plural-forms-range", "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n;\\n\"\n",
	 "po/xx.po:1: invalid Plural-Forms: plural expression gives form 2 for n=2, beyond "
	 "nplurals=2"},
	{"invalid-utf8", "msgid \"a\"\nmsgstr \"b\"\nmsgid \"\xC3(\"\nmsgstr \"\"\n",
	 "po/xx.po:3: invalid UTF-8"},
	{"overlong-utf8-in-comment", "# \xC0\xAF\nmsgid \"a\"\nmsgstr \"b\"\n",
	 "po/xx.po:1: invalid UTF-8"},
	{"comment-inside-entry", "msgid \"a\"\n# note\nmsgstr \"b\"\n",
	 "po/xx.po:2: comment inside an entry (msgstr missing?)"},
	{"control-character", "msgid \"a\"\nmsgstr \"b\x01\"\n", "po/xx.po:2: control character in string"},
	{"empty-msgid-with-context", "msgctxt \"c\"\nmsgid \"\"\nmsgstr \"x\"\n", "po/xx.po:1: empty msgid"},
	{"too-many-forms",
	 "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=8; plural=n%8;\\n\"\nmsgid \"a\"\nmsgid_plural "
	 "\"b\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\nmsgstr[2] \"\"\nmsgstr[3] \"\"\nmsgstr[4] "
	 "\"\"\nmsgstr[5] \"\"\nmsgstr[6] \"\"\nmsgstr[7] \"\"\nmsgstr[8] \"\"\n",
	 "po/xx.po:13: more than 8 plural forms"},
};

static void test_po_rejects_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(po_bad_cases); i++) {
		const struct po_bad *c = &po_bad_cases[i];
		char err[320] = "";
		enum hm_err rc = i18n_load_po("xx", c->po, strlen(c->po), err, sizeof(err));
		if (rc != HM_EINVAL)
			fail_msg("row %s: rc %d, want HM_EINVAL", c->id, rc);
		if (strcmp(err, c->want) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, err, c->want);
		if (i18n_supported("xx"))
			fail_msg("row %s: a rejected catalogue was kept", c->id);
	}
}

static void test_po_rejects_nul_byte(void **state)
{
	(void)state;
	static const char po[] = "msgid \"a\"\nmsgstr \"b\0c\"\n";
	char err[320];
	assert_int_equal(i18n_load_po("xx", po, sizeof(po) - 1, err, sizeof(err)), HM_EINVAL);
	assert_string_equal(err, "po/xx.po:2: NUL byte");
}

static void test_po_rejects_bad_language_code(void **state)
{
	(void)state;
	static const char *const bad[] = {NULL, "", "e", "engl", "../etc", "en-", "en--GB",
					  "e1", "en_toolongsubtag", "en GB"};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		char err[320] = "";
		if (i18n_load_po(bad[i], "", 0, err, sizeof(err)) != HM_EINVAL)
			fail_msg("row %zu (%s): accepted", i, bad[i] ? bad[i] : "NULL");
		if (!strstr(err, "not a language code"))
			fail_msg("row %zu: message \"%s\"", i, err);
	}
}

static void test_po_failed_reload_keeps_old(void **state)
{
	(void)state;
	load("fr", "msgid \"Yes\"\nmsgstr \"Oui\"\n");
	char err[320];
	const char *bad = "msgid \"Yes\"\nmsgstr \"Non";
	assert_int_equal(i18n_load_po("fr", bad, strlen(bad), err, sizeof(err)), HM_EINVAL);
	assert_string_equal(i18n_gettext("fr", "Yes"), "Oui");
}

static const char good_po[] =
	"\xEF\xBB\xBF# French catalogue for the tests\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Project-Id-Version: harmony\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
	"\n"
	"#: templates/event.mustache:3\n"
	"#, c-format\n"
	"msgid \"Register\"\n"
	"msgstr \"S’inscrire\"\n"
	"\r\n"
	"msgid \"\"\n"
	"\"Multi-line \"\n"
	"\"message\"\n"
	"msgstr \"\"\n"
	"\"Message sur \"\n"
	"\"plusieurs lignes\"\n"
	"\n"
	"msgid \"Escapes\"\n"
	"msgstr \"tab\\there \\\"quoted\\\" back\\\\slash\\nnew line\"\n"
	"\n"
	"msgctxt \"month\"\n"
	"msgid \"May\"\n"
	"msgstr \"Mai\"\n"
	"\n"
	"msgctxt \"verb\"\n"
	"msgid \"May\"\n"
	"msgstr \"Peut\"\n"
	"\n"
	"#, fuzzy\n"
	"msgid \"Draft\"\n"
	"msgstr \"Brouillon peut-être\"\n"
	"\n"
	"msgid \"Untranslated\"\n"
	"msgstr \"\"\n"
	"\r\n"
	"msgid \"participant\"\n"
	"msgid_plural \"participants\"\n"
	"msgstr[0] \"participant\"\n"
	"msgstr[1] \"participants\"\n"
	"\n"
	"#~ msgid \"Old\"\n"
	"#~ msgstr \"Ancien\"\n";

static void test_po_parses_good_catalogue(void **state)
{
	(void)state;
	char err[320] = "";
	assert_int_equal(i18n_load_po("fr", good_po, sizeof(good_po) - 1, err, sizeof(err)), HM_OK);
	assert_string_equal(err, "");
	assert_string_equal(i18n_gettext("fr", "Register"), "S’inscrire");
	assert_string_equal(i18n_gettext("fr", "Multi-line message"), "Message sur plusieurs lignes");
	assert_string_equal(i18n_gettext("fr", "Escapes"),
			    "tab\there \"quoted\" back\\slash\nnew line");
	assert_string_equal(i18n_pgettext("fr", "month", "May"), "Mai");
	assert_string_equal(i18n_pgettext("fr", "verb", "May"), "Peut");
	/* without context "May" is a different message, not translated */
	assert_string_equal(i18n_gettext("fr", "May"), "May");
	/* fuzzy entries are guesses and are not used, like msgfmt */
	assert_string_equal(i18n_gettext("fr", "Draft"), "Draft");
	assert_string_equal(i18n_gettext("fr", "Untranslated"), "Untranslated");
	assert_string_equal(i18n_gettext("fr", "Old"), "Old");
	assert_string_equal(i18n_gettext("fr", "Missing"), "Missing");
	/* French: 0 and 1 are singular */
	assert_string_equal(i18n_ngettext("fr", "participant", "participants", 0), "participant");
	assert_string_equal(i18n_ngettext("fr", "participant", "participants", 2), "participants");
}

static void test_gettext_falls_back(void **state)
{
	(void)state;
	load("fr", "msgid \"Yes\"\nmsgstr \"Oui\"\n");
	assert_string_equal(i18n_gettext(NULL, "Yes"), "Yes");
	assert_string_equal(i18n_gettext("de", "Yes"), "Yes");
	assert_string_equal(i18n_gettext("en", "Yes"), "Yes");
	assert_string_equal(i18n_gettext("not a code", "Yes"), "Yes");
	assert_null(i18n_gettext("fr", NULL));
	/* a regional variant uses its language's catalogue */
	assert_string_equal(i18n_gettext("fr-CH", "Yes"), "Oui");
	assert_string_equal(i18n_gettext("FR_ca", "Yes"), "Oui");
	assert_string_equal(i18n_gettext("fr", "Yes"), "Oui");
}

static void test_po_reload_replaces(void **state)
{
	(void)state;
	load("fr", "msgid \"Yes\"\nmsgstr \"Oui\"\n");
	load("fr", "msgid \"Yes\"\nmsgstr \"Oui !\"\n");
	assert_string_equal(i18n_gettext("fr", "Yes"), "Oui !");
	const char *const *langs = i18n_languages();
	assert_string_equal(langs[0], "en");
	assert_string_equal(langs[1], "fr");
	assert_null(langs[2]);
}

static void test_po_many_messages_all_found(void **state)
{
	(void)state;
	/* enough entries to make the table grow several times */
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "msgid \"message %d\"\nmsgstr \"message %d traduit\"\n\n", i, i);
	char err[320];
	assert_int_equal(i18n_load_po("fr", b.data, b.len, err, sizeof(err)), HM_OK);
	for (int i = 0; i < 3000; i++) {
		char id[32], want[48];
		snprintf(id, sizeof(id), "message %d", i);
		snprintf(want, sizeof(want), "message %d traduit", i);
		if (strcmp(i18n_gettext("fr", id), want) != 0)
			fail_msg("message %d not found", i);
	}
	buf_free(&b);
}

/* --------------------------------------------------------------- plurals */

static const char ar_po[] = HDR_AR "msgid \"day\"\n"
				   "msgid_plural \"days\"\n"
				   "msgstr[0] \"f0\"\n"
				   "msgstr[1] \"f1\"\n"
				   "msgstr[2] \"f2\"\n"
				   "msgstr[3] \"f3\"\n"
				   "msgstr[4] \"f4\"\n"
				   "msgstr[5] \"f5\"\n";

struct plural_case {
	unsigned long n;
	const char *en, *ar;
};

static const struct plural_case plural_cases[] = {
	{0, "days", "f0"},    {1, "day", "f1"},     {2, "days", "f2"},   {3, "days", "f3"},
	{10, "days", "f3"},   {11, "days", "f4"},   {99, "days", "f4"},  {100, "days", "f5"},
	{101, "days", "f5"},  {102, "days", "f5"},  {103, "days", "f3"}, {111, "days", "f4"},
	{1000000, "days", "f5"},
};

static void test_plural_english_and_arabic(void **state)
{
	(void)state;
	load("ar", ar_po);
	for (size_t i = 0; i < HM_ARRAY_LEN(plural_cases); i++) {
		const struct plural_case *c = &plural_cases[i];
		const char *en = i18n_ngettext("en", "day", "days", c->n);
		const char *ar = i18n_ngettext("ar", "day", "days", c->n);
		if (strcmp(en, c->en) != 0)
			fail_msg("n=%lu en: got %s, want %s", c->n, en, c->en);
		if (strcmp(ar, c->ar) != 0)
			fail_msg("n=%lu ar: got %s, want %s", c->n, ar, c->ar);
	}
	/* a message the catalogue lacks follows the English rule */
	assert_string_equal(i18n_ngettext("ar", "hour", "hours", 1), "hour");
	assert_string_equal(i18n_ngettext("ar", "hour", "hours", 2), "hours");
}

static void test_plural_empty_form_falls_back(void **state)
{
	(void)state;
	load("fr", "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n>1;\\n\"\n"
		   "msgid \"vote\"\nmsgid_plural \"votes\"\nmsgstr[0] \"voix\"\nmsgstr[1] \"\"\n");
	assert_string_equal(i18n_ngettext("fr", "vote", "votes", 1), "voix");
	assert_string_equal(i18n_ngettext("fr", "vote", "votes", 5), "votes");
}

struct plural_rule_case {
	const char *id;
	const char *rule;
	const char *want; /* NULL: accepted */
};

static const struct plural_rule_case plural_rule_cases[] = {
	{"missing-nplurals", "plural=n!=1;", "expected 'nplurals='"},
	{"nplurals-zero", "nplurals=0; plural=0;", "nplurals must be 1 to 8"},
	{"nplurals-nine", "nplurals=9; plural=0;", "nplurals must be 1 to 8"},
	{"nplurals-not-number", "nplurals=x; plural=0;", "nplurals must be 1 to 8"},
	{"missing-plural", "nplurals=2;", "expected '; plural='"},
	{"unbalanced-paren", "nplurals=2; plural=(n!=1;", "expected ')'"},
	{"ternary-without-colon", "nplurals=2; plural=n==1 ? 0;", "expected ':'"},
	{"trailing-garbage", "nplurals=2; plural=n!=1; x", "unexpected text after"},
	{"single-ampersand", "nplurals=2; plural=n>1 & n<5;", "unexpected text after"},
	{"unknown-variable", "nplurals=2; plural=m!=1;", "expected n, a number or '('"},
	{"identifier-starting-n", "nplurals=2; plural=nn!=1;", "expected n, a number or '('"},
	{"empty-expression", "nplurals=2; plural=;", "expected n, a number or '('"},
	{"huge-constant", "nplurals=2; plural=n!=99999999999;", "number too large"},
	{"nested-too-deep",
	 "nplurals=2; plural=((((((((((((((((((((((((((((((((((n!=1))))))))))))))))))))))))))))))))));",
	 "nested too deeply"},
	{"not-chain-too-deep",
	 "nplurals=2; plural=!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!n;",
	 "nested too deeply"},
	{"too-long",
	 "nplurals=2; plural=n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||"
	 "n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||"
	 "n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||n==1||"
	 "n==1||n==1||n==1||n==1||n==1||n==1;",
	 "plural expression too long"},
	{"index-out-of-range", "nplurals=3; plural=n%5;", "gives form 3 for n=3"},
	{"english", "nplurals=2; plural=(n != 1);", NULL},
	{"no-semicolon-at-end", "nplurals=2; plural=n != 1", NULL},
	{"one-form", "nplurals=1; plural=0;", NULL},
	{"russian",
	 "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "
	 "n%100>=20) ? 1 : 2);",
	 NULL},
	{"arithmetic", "nplurals=2; plural=(n*2-2)/2+0 != 0;", NULL},
	{"division-by-zero-is-zero", "nplurals=2; plural=n/(n-n);", NULL},
};

static void test_plural_rules_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(plural_rule_cases); i++) {
		const struct plural_rule_case *c = &plural_rule_cases[i];
		char po[1024], err[320] = "";
		snprintf(po, sizeof(po), "msgid \"\"\nmsgstr \"Plural-Forms: %s\\n\"\n", c->rule);
		enum hm_err rc = i18n_load_po("xx", po, strlen(po), err, sizeof(err));
		if (c->want) {
			if (rc != HM_EINVAL || !strstr(err, c->want) ||
			    !str_starts_with(err, "po/xx.po:1: invalid Plural-Forms: "))
				fail_msg("row %s: got \"%s\", want \"%s\"", c->id, err, c->want);
		} else if (rc != HM_OK) {
			fail_msg("row %s: rejected: %s", c->id, err);
		}
	}
}

static void test_plural_russian_forms(void **state)
{
	(void)state;
	load("ru", "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 "
		   ": n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n\"\n"
		   "msgid \"file\"\nmsgid_plural \"files\"\nmsgstr[0] \"a\"\nmsgstr[1] \"b\"\n"
		   "msgstr[2] \"c\"\n");
	static const struct {
		unsigned long n;
		const char *want;
	} rows[] = {{1, "a"},  {21, "a"}, {11, "c"}, {2, "b"},   {4, "b"},
		    {22, "b"}, {12, "c"}, {5, "c"},  {111, "c"}, {0, "c"}};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++)
		if (strcmp(i18n_ngettext("ru", "file", "files", rows[i].n), rows[i].want) != 0)
			fail_msg("n=%lu: want %s", rows[i].n, rows[i].want);
}

/* ------------------------------------------------------- languages, init */

static void test_init_loads_embedded_catalogues(void **state)
{
	(void)state;
	assert_int_equal(i18n_init(), HM_OK);
	assert_true(i18n_supported("en"));
	const char *const *langs = i18n_languages();
	assert_string_equal(langs[0], "en");
	for (size_t i = 1; langs[i]; i++)
		assert_true(i18n_supported(langs[i]));
}

/* The catalogues harmony ships: the UN's six languages, and each one's
 * plural rule picks the different forms the language has for the numbers
 * that need them (a rule copied from English would give Russian and
 * Arabic two). */
static void test_shipped_catalogues_and_their_plurals(void **state)
{
	(void)state;
	assert_int_equal(i18n_init(), HM_OK);
	const char *const want[] = {"en", "ar", "es", "fr", "ru", "zh"};
	const char *const *langs = i18n_languages();
	size_t n = 0;
	while (langs[n])
		n++;
	assert_int_equal(n, HM_ARRAY_LEN(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(langs[i], want[i]);

	static const char one[] = "This series holds %lld event: move it to another series or "
				  "delete it first.";
	static const char many[] = "This series holds %lld events: move them to another series or "
				   "delete them first.";
	static const struct {
		const char *lang;
		unsigned long n[6];
		int forms; /* how many different texts for those numbers */
	} rows[] = {
		/* one, two, few, many: zero and other (100) read as many does
		 * in this message, as Arabic writes it without vowel marks */
		{"ar", {1, 2, 3, 11, 0, 100}, 4},
		{"ru", {1, 2, 5, 21, 22, 25}, 3},
		{"fr", {0, 1, 2, 0, 1, 2}, 2},     /* 0 and 1 singular */
		{"es", {1, 0, 2, 1, 0, 2}, 2},     /* 0 plural */
		{"zh", {0, 1, 2, 5, 11, 100}, 1},
	};
	for (size_t r = 0; r < HM_ARRAY_LEN(rows); r++) {
		const char *seen[6];
		int distinct = 0;
		for (size_t i = 0; i < 6; i++) {
			const char *t = i18n_ngettext(rows[r].lang, one, many, rows[r].n[i]);
			if (t == one || t == many)
				fail_msg("%s: n=%lu is not translated", rows[r].lang, rows[r].n[i]);
			int known = 0;
			for (int k = 0; k < distinct; k++)
				known |= strcmp(seen[k], t) == 0;
			if (!known)
				seen[distinct++] = t;
		}
		if (distinct != rows[r].forms)
			fail_msg("%s: %d different forms, want %d", rows[r].lang, distinct,
				 rows[r].forms);
	}
	/* French: 0 takes the singular, as 1 does; Spanish: the plural. */
	assert_string_equal(i18n_ngettext("fr", one, many, 0), i18n_ngettext("fr", one, many, 1));
	assert_string_not_equal(i18n_ngettext("es", one, many, 0), i18n_ngettext("es", one, many, 1));
}

static void test_supported(void **state)
{
	(void)state;
	assert_false(i18n_supported(NULL));
	assert_false(i18n_supported(""));
	assert_false(i18n_supported("ar"));
	assert_false(i18n_supported("zz"));
	assert_false(i18n_supported("e n"));
	assert_true(i18n_supported("en"));
	assert_true(i18n_supported("EN"));
	load_empty("ar");
	assert_true(i18n_supported("ar"));
	assert_false(i18n_supported("ar-EG")); /* exact codes only */
}

struct dir_case {
	const char *lang, *want;
};

static const struct dir_case dir_cases[] = {
	{NULL, "ltr"},   {"", "ltr"},     {"x!", "ltr"},    {"en", "ltr"},   {"zh", "ltr"},
	{"fr-CA", "ltr"}, {"ru", "ltr"},   {"ar", "rtl"},    {"ar-EG", "rtl"}, {"he", "rtl"},
	{"fa", "rtl"},    {"ur", "rtl"},   {"AR", "rtl"},
};

static void test_dir_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(dir_cases); i++) {
		const char *got = i18n_dir(dir_cases[i].lang);
		if (strcmp(got, dir_cases[i].want) != 0)
			fail_msg("%s: got %s", dir_cases[i].lang ? dir_cases[i].lang : "NULL", got);
	}
}

struct neg_case {
	const char *id;
	const char *header;
	const char *want;
};

static const struct neg_case neg_cases[] = {
	{"null", NULL, "en"},
	{"empty", "", "en"},
	{"q-above-one", "fr;q=2", "en"},
	{"q-not-number", "ar;q=abc", "en"},
	{"q-four-decimals", "ar;q=0.1234", "en"},
	{"q-one-point-five", "ar;q=1.5", "en"},
	{"q-empty", "ar;q=", "en"},
	{"q-missing-value", "fr, ar;q", "en"},
	{"other-parameter", "ar;level=1", "en"},
	{"double-semicolon", "ar;;q=1", "en"},
	{"one-letter-primary", "f", "en"},
	{"subtag-too-long", "ar-abcdefghi", "en"},
	{"digit-primary", "12", "en"},
	{"bad-character", "ar, f@r", "en"},
	{"only-commas", ",,,", "en"},
	{"unsupported", "de, it;q=0.8", "en"},
	{"all-refused", "ar;q=0, fr;q=0", "en"},
	{"exact", "fr", "fr"},
	{"region-falls-to-language", "fr-CH, de;q=0.9", "fr"},
	{"q-order", "de, en;q=0.1, ar;q=0.9", "ar"},
	{"refused-is-skipped", "ar;q=0, fr;q=0.1", "fr"},
	{"tie-keeps-first", "ar;q=0.5, fr;q=0.5", "ar"},
	{"browser-chinese", "zh-CN,zh;q=0.9,en;q=0.8", "zh"},
	{"english-region", "en-US,en;q=0.9,fr;q=0.8", "en"},
	{"wildcard", "de, *;q=0.5", "en"},
	{"spaces-and-empty-elements", " ,  fr ; q=0.7 , , ar;q=0.8 ", "ar"},
	{"upper-case-q", "fr;Q=0.3, ar;q=0.2", "fr"},
	{"q-with-zeros", "ar;q=1.000", "ar"},
	{"script-subtag", "zh-Hans-CN", "zh"},
};

static void test_negotiate_table(void **state)
{
	(void)state;
	load_empty("fr");
	load_empty("ar");
	load_empty("zh");
	for (size_t i = 0; i < HM_ARRAY_LEN(neg_cases); i++) {
		const struct neg_case *c = &neg_cases[i];
		const char *got = i18n_negotiate(c->header);
		if (strcmp(got, c->want) != 0)
			fail_msg("row %s: got %s, want %s", c->id, got, c->want);
	}
}

static void test_negotiate_rejects_huge_header(void **state)
{
	(void)state;
	load_empty("ar");
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "de;q=0.1, ");
	buf_puts(&b, "ar");
	assert_string_equal(i18n_negotiate(b.data), "en");
	buf_free(&b);
	/* 40 short elements: over the element limit */
	buf_init(&b);
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "de,");
	buf_puts(&b, "ar");
	assert_string_equal(i18n_negotiate(b.data), "en");
	buf_free(&b);
}

/* ------------------------------------------------------------------ dates */

struct date_case {
	const char *id;
	const char *lang, *ymd;
	enum fmt_style st;
	const char *want; /* NULL: rejected */
};

static const struct date_case date_cases[] = {
	{"null", "en", NULL, FMT_LONG, NULL},
	{"empty", "en", "", FMT_LONG, NULL},
	{"feb-30", "en", "2012-02-30", FMT_LONG, NULL},
	{"feb-29-common-year", "en", "2013-02-29", FMT_LONG, NULL},
	{"feb-29-1900", "en", "1900-02-29", FMT_LONG, NULL},
	{"month-13", "en", "2012-13-01", FMT_LONG, NULL},
	{"month-0", "en", "2012-00-10", FMT_LONG, NULL},
	{"day-0", "en", "2012-11-00", FMT_LONG, NULL},
	{"april-31", "en", "2012-04-31", FMT_LONG, NULL},
	{"short-month", "en", "2012-1-01", FMT_LONG, NULL},
	{"no-hyphens", "en", "20121129", FMT_LONG, NULL},
	{"trailing", "en", "2012-11-29x", FMT_LONG, NULL},
	{"slashes", "en", "2012/11/29", FMT_LONG, NULL},
	{"datetime", "en", "2012-11-29T00:00:00Z", FMT_LONG, NULL},
	{"julian-era", "en", "1582-10-10", FMT_LONG, NULL},
	{"bad-style", "en", "2012-11-29", (enum fmt_style)7, NULL},
	{"en-long", "en", "2012-11-29", FMT_LONG, "29 November 2012"},
	{"en-medium", "en", "2012-11-29", FMT_MEDIUM, "29 Nov 2012"},
	{"en-short", "en", "2012-11-29", FMT_SHORT, "29/11/2012"},
	{"null-lang-is-english", NULL, "2012-11-29", FMT_LONG, "29 November 2012"},
	{"junk-lang-is-english", "<script>", "2012-11-29", FMT_LONG, "29 November 2012"},
	{"no-catalogue-is-english", "de", "2012-11-29", FMT_LONG, "29 November 2012"},
	{"american-when-asked", "en-US", "2012-11-29", FMT_LONG, "November 29, 2012"},
	{"leap-day", "en", "2012-02-29", FMT_LONG, "29 February 2012"},
	{"year-start", "en", "2013-01-01", FMT_LONG, "1 January 2013"},
	{"first-gregorian-year", "en", "1583-01-01", FMT_LONG, "1 January 1583"},
	{"far-future", "en", "9999-12-31", FMT_LONG, "31 December 9999"},
	{"french", "fr", "2012-11-29", FMT_LONG, "29 novembre 2012"},
	{"french-swiss", "fr-CH", "2012-11-29", FMT_SHORT, "29.11.12"},
	{"chinese", "zh", "2012-11-29", FMT_LONG, "2012年11月29日"},
	/* CLDR has debated Arabic's default digits; either set is right */
	{"arabic", "ar", "2012-11-29", FMT_LONG, "٢٩ نوفمبر ٢٠١٢|29 نوفمبر 2012"},
};

static void test_fmt_date_table(void **state)
{
	(void)state;
	load_empty("fr");
	load_empty("zh");
	load_empty("ar");
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		const char *got = fmt_date(&a, c->lang, c->ymd, c->st);
		if (!c->want) {
			if (got)
				fail_msg("row %s: accepted as \"%s\"", c->id, got);
		} else if (!got || !matches_any(got, c->want)) {
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, got ? got : "NULL", c->want);
		}
	}
	arena_free(&a);
}

static void test_fmt_date_ignores_process_time_zone(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* UTC+14 and UTC-11: noon UTC would move a day either way if the
	 * formatter used the process zone */
	static const UChar *const zones[] = {u"Pacific/Kiritimati", u"Pacific/Pago_Pago"};
	UChar saved[64];
	UErrorCode ec = U_ZERO_ERROR;
	ucal_getDefaultTimeZone(saved, 64, &ec);
	assert_false(U_FAILURE(ec));
	for (size_t i = 0; i < HM_ARRAY_LEN(zones); i++) {
		i18n_thread_cleanup(); /* formatters are opened anew under this zone */
		ucal_setDefaultTimeZone(zones[i], &ec);
		assert_false(U_FAILURE(ec));
		assert_string_equal(fmt_date(&a, "en", "2012-11-29", FMT_LONG), "29 November 2012");
		assert_string_equal(fmt_date_range(&a, "en", "2012-11-29", "2012-11-30"),
				    "29–30 November 2012");
	}
	ucal_setDefaultTimeZone(saved, &ec);
	arena_free(&a);
}

struct range_case {
	const char *id;
	const char *from, *to;
	const char *want; /* after fold_spaces; NULL: rejected */
};

static const struct range_case range_cases[] = {
	{"reversed", "2012-11-30", "2012-11-29", NULL},
	{"bad-from", "2012-11-31", "2012-12-02", NULL},
	{"bad-to", "2012-11-29", "2012-11-31", NULL},
	{"null-from", NULL, "2012-12-02", NULL},
	{"null-to", "2012-11-29", NULL, NULL},
	{"same-day", "2012-11-29", "2012-11-29", "29 November 2012"},
	{"within-month", "2012-11-29", "2012-11-30", "29–30 November 2012"},
	{"across-months", "2012-11-30", "2012-12-02", "30 November – 2 December 2012"},
	{"across-years", "2012-12-30", "2013-01-02", "30 December 2012 – 2 January 2013"},
	{"leap-day-span", "2012-02-28", "2012-03-01", "28 February – 1 March 2012"},
};

static void test_fmt_date_range_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(range_cases); i++) {
		const struct range_case *c = &range_cases[i];
		const char *got = fmt_date_range(&a, "en", c->from, c->to);
		if (!c->want) {
			if (got)
				fail_msg("row %s: accepted as \"%s\"", c->id, got);
			continue;
		}
		if (!got || strcmp(fold_spaces(&a, got), c->want) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, got ? got : "NULL", c->want);
	}
	arena_free(&a);
}

static void test_fmt_date_range_other_languages(void **state)
{
	(void)state;
	load_empty("fr");
	load_empty("zh");
	struct arena a;
	arena_init(&a);
	assert_string_equal(fmt_date_range(&a, "zh", "2012-11-29", "2012-11-30"),
			    "2012年11月29日至30日");
	assert_string_equal(fold_spaces(&a, fmt_date_range(&a, "fr", "2012-11-30", "2012-12-02")),
			    "30 novembre – 2 décembre 2012");
	arena_free(&a);
}

/* --------------------------------------------------------- times and zones */

/* 2012-11-29T20:00:00Z: already the 30th in Shanghai, still the 29th in
 * New York. */
#define T_EVENING 1354219200

struct ymd_case {
	const char *id;
	const char *tz;
	int64_t utc;
	const char *want; /* NULL: rejected zone */
};

static const struct ymd_case ymd_cases[] = {
	{"null-zone", NULL, T_EVENING, NULL},
	{"empty-zone", "", T_EVENING, NULL},
	{"unknown-zone", "Mars/Olympus_Mons", T_EVENING, NULL},
	{"custom-offset", "GMT+8", T_EVENING, NULL},
	{"etc-unknown", "Etc/Unknown", T_EVENING, NULL},
	{"trailing-space", "Asia/Shanghai ", T_EVENING, NULL},
	{"lower-case", "asia/shanghai", T_EVENING, NULL},
	{"shanghai-next-day", "Asia/Shanghai", T_EVENING, "2012-11-30"},
	{"new-york-same-day", "America/New_York", T_EVENING, "2012-11-29"},
	{"utc", "UTC", T_EVENING, "2012-11-29"},
	{"kiritimati-plus-14", "Pacific/Kiritimati", 1354190400, "2012-11-30"},
	/* 2012-11-04 01:30 twice in New York: EDT then EST */
	{"dst-fall-first", "America/New_York", 1352007000, "2012-11-04"},
	{"dst-fall-second", "America/New_York", 1352010600, "2012-11-04"},
	/* 2012-11-05T04:30Z is 23:30 on the 4th in EST, not yet the 5th */
	{"after-dst-evening", "America/New_York", 1352089800, "2012-11-04"},
	{"epoch", "UTC", 0, "1970-01-01"},
};

static void test_fmt_local_ymd_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(ymd_cases); i++) {
		const struct ymd_case *c = &ymd_cases[i];
		const char *got = fmt_local_ymd(&a, c->tz, c->utc);
		if (!c->want) {
			if (got)
				fail_msg("row %s: accepted as %s", c->id, got);
		} else if (!got || strcmp(got, c->want) != 0) {
			fail_msg("row %s: got %s, want %s", c->id, got ? got : "NULL", c->want);
		}
		if (tz_valid(c->tz) != (c->want != NULL))
			fail_msg("row %s: tz_valid disagrees", c->id);
	}
	arena_free(&a);
}

static void test_fmt_cache_eviction_keeps_answers(void **state)
{
	(void)state;
	/* more zones than a thread caches, twice round: entries are closed and
	 * reopened, and every answer stays right */
	static const char *const zones[] = {
		"Africa/Abidjan", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos",
		"Africa/Nairobi", "America/Bogota", "America/Chicago", "America/Denver",
		"America/Lima", "America/Los_Angeles", "America/Mexico_City", "America/New_York",
		"America/Sao_Paulo", "America/Toronto", "Asia/Bangkok", "Asia/Dhaka",
		"Asia/Dubai", "Asia/Jakarta", "Asia/Karachi", "Asia/Kolkata", "Asia/Manila",
		"Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Tehran", "Asia/Tokyo",
		"Atlantic/Reykjavik", "Australia/Sydney", "Europe/Berlin", "Europe/Istanbul",
		"Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris",
		"Pacific/Auckland", "Pacific/Honolulu", "Pacific/Kiritimati", "Pacific/Pago_Pago",
		"UTC", "Asia/Kathmandu"};
	struct arena a;
	arena_init(&a);
	const char *first[HM_ARRAY_LEN(zones)];
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < HM_ARRAY_LEN(zones); i++) {
			const char *ymd = fmt_local_ymd(&a, zones[i], T_EVENING);
			const char *dt = fmt_datetime(&a, "en", zones[i], T_EVENING, FMT_SHORT);
			if (!ymd || !dt)
				fail_msg("%s: NULL", zones[i]);
			/* the short date-time starts with the same day, as dd/mm/yyyy */
			char want[16];
			snprintf(want, sizeof(want), "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
			if (!str_starts_with(dt, want))
				fail_msg("%s: %s does not match %s", zones[i], dt, ymd);
			if (round == 0)
				first[i] = ymd;
			else if (strcmp(first[i], ymd) != 0)
				fail_msg("%s: %s then %s", zones[i], first[i], ymd);
		}
	}
	/* east of Shanghai it is already the 30th */
	assert_string_equal(first[25], "2012-11-30"); /* Tokyo */
	assert_string_equal(first[5], "2012-11-29");  /* Bogota */
	arena_free(&a);
}

static void test_tz_valid_rejects_overlong(void **state)
{
	(void)state;
	char tz[200];
	memset(tz, 'A', sizeof(tz) - 1);
	tz[sizeof(tz) - 1] = '\0';
	assert_false(tz_valid(tz));
	assert_false(tz_valid("Asia/Shanghai\xC3\xA9"));
	assert_true(tz_valid("Europe/Geneva") || tz_valid("Europe/Zurich"));
	assert_true(tz_valid("Asia/Kolkata"));
}

struct dt_case {
	const char *id;
	const char *lang, *tz;
	int64_t utc;
	enum fmt_style st;
	const char *want; /* after fold_spaces; NULL: rejected */
};

static const struct dt_case dt_cases[] = {
	{"unknown-zone", "en", "Nowhere/City", T_EVENING, FMT_LONG, NULL},
	{"null-zone", "en", NULL, T_EVENING, FMT_LONG, NULL},
	{"bad-style", "en", "UTC", T_EVENING, (enum fmt_style)-1, NULL},
	{"shanghai-next-day", "en", "Asia/Shanghai", T_EVENING, FMT_MEDIUM, "30 Nov 2012, 04:00 GMT+8"},
	{"new-york-same-day", "en", "America/New_York", T_EVENING, FMT_MEDIUM,
	 "29 Nov 2012, 15:00 GMT-5"},
	{"short-has-no-zone", "en", "Asia/Shanghai", T_EVENING, FMT_SHORT, "30/11/2012, 04:00"},
	{"dst-fall-first", "en", "America/New_York", 1352007000, FMT_MEDIUM, "4 Nov 2012, 01:30 GMT-4"},
	{"dst-fall-second", "en", "America/New_York", 1352010600, FMT_MEDIUM,
	 "4 Nov 2012, 01:30 GMT-5"},
	{"dst-spring-before", "en", "America/New_York", 1331449140, FMT_MEDIUM,
	 "11 Mar 2012, 01:59 GMT-5"},
	{"dst-spring-after", "en", "America/New_York", 1331449200, FMT_MEDIUM,
	 "11 Mar 2012, 03:00 GMT-4"},
	{"london-summer", "en", "Europe/London", 1332637200, FMT_MEDIUM, "25 Mar 2012, 02:00 BST"},
	{"american-twelve-hour", "en-US", "America/New_York", T_EVENING, FMT_MEDIUM,
	 "Nov 29, 2012, 3:00 PM EST"},
};

static void test_fmt_datetime_table(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(dt_cases); i++) {
		const struct dt_case *c = &dt_cases[i];
		const char *got = fmt_datetime(&a, c->lang, c->tz, c->utc, c->st);
		if (!c->want) {
			if (got)
				fail_msg("row %s: accepted as \"%s\"", c->id, got);
		} else if (!got || strcmp(fold_spaces(&a, got), c->want) != 0) {
			fail_msg("row %s: got \"%s\", want \"%s\"", c->id, got ? got : "NULL", c->want);
		}
	}
	arena_free(&a);
}

static void test_fmt_datetime_long_names_day_and_time(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* The words joining date and time ("at", ",") differ between CLDR
	 * versions, so only the parts that matter are checked. */
	const char *s = fmt_datetime(&a, "en", "Asia/Shanghai", T_EVENING, FMT_LONG);
	assert_non_null(s);
	assert_true(str_starts_with(s, "30 November 2012"));
	assert_non_null(strstr(s, "04:00"));
	assert_non_null(strstr(s, "GMT+8"));
	load_empty("zh");
	s = fmt_datetime(&a, "zh", "Asia/Shanghai", T_EVENING, FMT_LONG);
	assert_non_null(s);
	assert_true(str_starts_with(s, "2012年11月30日"));
	assert_non_null(strstr(s, "04:00"));
	arena_free(&a);
}

/* --------------------------------------------------------------- numbers */

struct num_case {
	const char *lang;
	long long n;
	const char *want; /* after fold_spaces */
};

static const struct num_case num_cases[] = {
	{"en", 0, "0"},
	{"en", 150, "150"},
	{"en", 1500, "1,500"},
	{"en", 1234567, "1,234,567"},
	{"en", -1500, "-1,500"},
	{"en", 9223372036854775807LL, "9,223,372,036,854,775,807"},
	{"de", 1500, "1,500"}, /* no German catalogue: English */
	{"zh", 1500, "1,500"},
	{"fr", 1500, "1 500"},
	{"fr", 150, "150"},
	{"ar", 1500, "١٬٥٠٠|1,500"}, /* Arabic-Indic or Latin digits, see dates */
};

static void test_fmt_number_table(void **state)
{
	(void)state;
	load_empty("fr");
	load_empty("zh");
	load_empty("ar");
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(num_cases); i++) {
		const struct num_case *c = &num_cases[i];
		const char *got = fmt_number(&a, c->lang, c->n);
		if (!got || !matches_any(fold_spaces(&a, got), c->want))
			fail_msg("%s %lld: got \"%s\", want \"%s\"", c->lang, c->n, got ? got : "NULL",
				 c->want);
	}
	arena_free(&a);
}

/* ---------------------------------------------------------------- RFC 3339 */

struct rfc_case {
	const char *id;
	const char *s;
	int64_t want; /* -1: rejected */
};

static const struct rfc_case rfc_cases[] = {
	{"null", NULL, -1},
	{"empty", "", -1},
	{"date-only", "2012-11-12", -1},
	{"space-separator", "2012-11-12 00:00:00Z", -1},
	{"no-zone", "2012-11-12T00:00:00", -1},
	{"hour-24", "2012-11-12T24:00:00Z", -1},
	{"minute-60", "2012-11-12T00:60:00Z", -1},
	{"leap-second", "2012-06-30T23:59:60Z", -1},
	{"feb-30", "2012-02-30T00:00:00Z", -1},
	{"before-epoch", "1969-12-31T23:59:59Z", -1},
	{"offset-before-epoch", "1970-01-01T00:00:00+01:00", -1},
	{"trailing", "2012-11-12T00:00:00Zjunk", -1},
	{"empty-fraction", "2012-11-12T00:00:00.Z", -1},
	{"short-offset", "2012-11-12T00:00:00+08", -1},
	{"offset-hour-24", "2012-11-12T00:00:00+24:00", -1},
	{"one-digit-hour", "2012-11-12T0:00:00Z", -1},
	{"epoch", "1970-01-01T00:00:00Z", 0},
	{"utc", "2012-11-12T00:00:00Z", 1352678400},
	{"lower-case", "2012-11-12t00:00:00z", 1352678400},
	{"fraction-dropped", "2012-11-12T00:00:00.999Z", 1352678400},
	{"positive-offset", "2012-11-12T08:00:00+08:00", 1352678400},
	{"negative-offset", "2012-11-11T19:00:00-05:00", 1352678400},
	{"leap-day", "2012-02-29T12:00:00Z", 1330516800},
};

static void test_time_parse_rfc3339_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(rfc_cases); i++) {
		const struct rfc_case *c = &rfc_cases[i];
		int64_t got = time_parse_rfc3339(c->s);
		if (got != c->want)
			fail_msg("row %s: got %lld, want %lld", c->id, (long long)got,
				 (long long)c->want);
	}
}

static void test_time_format_rfc3339_round_trips(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	static const int64_t ts[] = {0, 1352678400, 1330516800, 951782400 /* 2000-02-29 */,
				     253402300799 /* 9999-12-31T23:59:59Z */};
	for (size_t i = 0; i < HM_ARRAY_LEN(ts); i++) {
		const char *s = time_format_rfc3339(&a, ts[i]);
		if (time_parse_rfc3339(s) != ts[i])
			fail_msg("%lld -> %s does not round-trip", (long long)ts[i], s);
	}
	assert_string_equal(time_format_rfc3339(&a, 1352678400), "2012-11-12T00:00:00Z");
	assert_string_equal(time_format_rfc3339(&a, -1), "1969-12-31T23:59:59Z");
	arena_free(&a);
}

/* ---------------------------------------------------------------- threads */

/* Each thread formats with its own cached ICU objects and reads the
 * shared catalogues; results must match what one thread computes. */
struct thread_job {
	const char *lang, *tz;
	const char *want_date, *want_dt, *want_msg;
	int ok;
};

static void *thread_run(void *p)
{
	struct thread_job *j = p;
	struct arena a;
	arena_init(&a);
	j->ok = 1;
	for (int i = 0; i < 40 && j->ok; i++) {
		const char *d = fmt_date(&a, j->lang, "2012-11-29", FMT_LONG);
		const char *t = fmt_datetime(&a, j->lang, j->tz, T_EVENING, FMT_MEDIUM);
		const char *m = i18n_gettext(j->lang, "Yes");
		if (!d || !t || strcmp(d, j->want_date) != 0 || strcmp(t, j->want_dt) != 0 ||
		    strcmp(m, j->want_msg) != 0)
			j->ok = 0;
	}
	arena_free(&a);
	return NULL; /* the thread's formatters close as it ends */
}

static void test_fmt_threads_agree(void **state)
{
	(void)state;
	load("fr", "msgid \"Yes\"\nmsgstr \"Oui\"\n");
	load("zh", "msgid \"Yes\"\nmsgstr \"是\"\n");
	struct thread_job jobs[] = {
		{"en", "Asia/Shanghai", NULL, NULL, NULL, 0},
		{"fr", "America/New_York", NULL, NULL, NULL, 0},
		{"zh", "Europe/London", NULL, NULL, NULL, 0},
		{"en", "America/New_York", NULL, NULL, NULL, 0},
	};
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(jobs); i++) {
		jobs[i].want_date = fmt_date(&a, jobs[i].lang, "2012-11-29", FMT_LONG);
		jobs[i].want_dt = fmt_datetime(&a, jobs[i].lang, jobs[i].tz, T_EVENING, FMT_MEDIUM);
		jobs[i].want_msg = i18n_gettext(jobs[i].lang, "Yes");
		assert_non_null(jobs[i].want_date);
		assert_non_null(jobs[i].want_dt);
	}
	pthread_t th[HM_ARRAY_LEN(jobs)];
	for (size_t i = 0; i < HM_ARRAY_LEN(jobs); i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_run, &jobs[i]), 0);
	for (size_t i = 0; i < HM_ARRAY_LEN(jobs); i++) {
		pthread_join(th[i], NULL);
		if (!jobs[i].ok)
			fail_msg("thread %zu (%s, %s) disagreed", i, jobs[i].lang, jobs[i].tz);
	}
	arena_free(&a);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_po_rejects_malformed),
		T(test_po_rejects_nul_byte),
		T(test_po_rejects_bad_language_code),
		T(test_po_failed_reload_keeps_old),
		T(test_po_parses_good_catalogue),
		T(test_gettext_falls_back),
		T(test_po_reload_replaces),
		T(test_po_many_messages_all_found),
		T(test_plural_english_and_arabic),
		T(test_plural_empty_form_falls_back),
		T(test_plural_rules_table),
		T(test_plural_russian_forms),
		T(test_init_loads_embedded_catalogues),
		T(test_shipped_catalogues_and_their_plurals),
		T(test_supported),
		T(test_dir_table),
		T(test_negotiate_table),
		T(test_negotiate_rejects_huge_header),
		T(test_fmt_date_table),
		T(test_fmt_date_ignores_process_time_zone),
		T(test_fmt_date_range_table),
		T(test_fmt_date_range_other_languages),
		T(test_fmt_local_ymd_table),
		T(test_tz_valid_rejects_overlong),
		T(test_fmt_cache_eviction_keeps_answers),
		T(test_fmt_datetime_table),
		T(test_fmt_datetime_long_names_day_and_time),
		T(test_fmt_number_table),
		T(test_time_parse_rfc3339_table),
		T(test_time_format_rfc3339_round_trips),
		T(test_fmt_threads_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
