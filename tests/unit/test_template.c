/*
 * test_template.c — the template engine beyond the Mustache spec: the HTML
 * escaper, harmony's rules for values and falsiness, a layout extended by a
 * page, the translation hook, syntax errors with their line numbers, limits,
 * and concurrent renders of one set. Tables carry row IDs for failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view/template.h"

#define L(s) s, sizeof(s) - 1

/* Adds src under name and fails the test with the compiler's message. */
static void add(struct tpl_set *set, const char *name, const char *src)
{
	char err[256];
	if (tpl_set_add(set, name, src, strlen(src), err, sizeof(err)) != HM_OK)
		fail_msg("template %s does not compile: %s", name, err);
}

static json_t *model(const char *text)
{
	json_error_t jerr;
	json_t *m = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!m)
		fail_msg("bad test model %s: %s", text, jerr.text);
	return m;
}

/* Renders name against the JSON text m; returns a malloc'd string. */
static char *render(struct tpl_set *set, const char *name, const char *m, const char *lang)
{
	struct buf out;
	json_t *j = model(m);
	buf_init(&out);
	enum hm_err rc = tpl_render(set, name, j, lang, &out);
	json_decref(j);
	if (rc != HM_OK)
		fail_msg("render %s: %s", name, hm_err_str(rc));
	return buf_steal(&out);
}

/* ========================================================= html_escape */

static const struct {
	const char *id;
	const char *in;
	size_t len;
	const char *out;
} esc_rows[] = {
	{"E01 all five", L("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;"},
	{"E02 already escaped is escaped again", L("&amp;"), "&amp;amp;"},
	{"E03 script tag", L("<script>alert('x')</script>"),
	 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
	{"E04 attribute breakout", L("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x"},
	{"E05 plain text untouched", L("Shanghai 2012"), "Shanghai 2012"},
	{"E06 empty", L(""), ""},
	{"E07 UTF-8 untouched", L("上海 · مرحبا · नमस्ते"), "上海 · مرحبا · नमस्ते"},
	{"E08 escape at both ends", L("<a>"), "&lt;a&gt;"},
	{"E09 only the given length", "a<b", 1, "a"},
	{"E10 slash and equals untouched", L("a/b=c`d"), "a/b=c`d"},
};

static void test_html_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HM_ARRAY_LEN(esc_rows); i++) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "[");
		html_escape(&b, esc_rows[i].in, esc_rows[i].len);
		buf_puts(&b, "]");
		char want[256];
		snprintf(want, sizeof(want), "[%s]", esc_rows[i].out);
		if (strcmp(b.data, want) != 0)
			fail_msg("row %s: got %s, want %s", esc_rows[i].id, b.data, want);
		buf_free(&b);
	}
}

/* The escaper the fast one must agree with: one byte at a time. */
static void escape_slowly(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, s[i]);
		}
	}
}

/* Every special byte, and every byte next to one in value, at every
 * position of strings up to 40 bytes: the word-at-a-time scan must miss
 * none and invent none. */
static void test_html_escape_every_position(void **state)
{
	(void)state;
	static const char probe[] = "&<>\"'%()=;?!#$" "\x21\x23\x25\x28\x3b\x3d\x3f\xa6\xbc\xbe";
	char s[41];
	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof(probe) - 1; k++) {
				memset(s, 'a', len);
				s[at] = probe[k];
				if (at + 3 < len)
					s[at + 3] = '<';
				struct buf fast, slow;
				buf_init(&fast);
				buf_init(&slow);
				html_escape(&fast, s, len);
				escape_slowly(&slow, s, len);
				if (fast.len != slow.len || memcmp(fast.data, slow.data, slow.len) != 0)
					fail_msg("len %zu, byte 0x%02x at %zu: got %s, want %s", len,
						 (unsigned char)probe[k], at, fast.data, slow.data);
				buf_free(&fast);
				buf_free(&slow);
			}
		}
	}
}

/* ========================================================== rendering */

struct render_row {
	const char *id;
	const char *tpl;
	const char *model;
	const char *out;
};

static const struct render_row render_rows[] = {
	/* escaping */
	{"R01 escaped by default", "{{x}}", "{\"x\":\"<b>&'\\\"\"}", "&lt;b&gt;&amp;&#39;&quot;"},
	{"R02 triple is raw", "{{{x}}}", "{\"x\":\"<b>\"}", "<b>"},
	{"R03 ampersand is raw", "{{& x }}", "{\"x\":\"<b>\"}", "<b>"},
	{"R04 no re-interpolation", "{{x}}", "{\"x\":\"{{y}}\",\"y\":\"no\"}", "{{y}}"},
	{"R05 escaped inside a section", "{{#a}}{{.}}{{/a}}", "{\"a\":[\"<i>\"]}", "&lt;i&gt;"},
	/* values */
	{"R06 integer", "{{n}}", "{\"n\":150}", "150"},
	{"R07 negative integer", "{{n}}", "{\"n\":-7}", "-7"},
	{"R08 real shortest", "{{r}}", "{\"r\":1.21}", "1.21"},
	{"R09 real third", "{{r}}", "{\"r\":0.3333333333333333}", "0.3333333333333333"},
	{"R10 true and false", "{{t}}/{{f}}", "{\"t\":true,\"f\":false}", "true/false"},
	{"R11 null is empty", "[{{z}}]", "{\"z\":null}", "[]"},
	{"R12 object renders nothing", "[{{o}}]", "{\"o\":{\"a\":1}}", "[]"},
	{"R13 array renders nothing", "[{{a}}]", "{\"a\":[1,2]}", "[]"},
	{"R14 missing is empty", "[{{nope}}]", "{}", "[]"},
	{"R15 UTF-8 value", "{{city}}", "{\"city\":\"上海\"}", "上海"},
	/* names */
	{"R16 dotted", "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep"},
	{"R17 dotted broken", "[{{a.x.c}}]", "{\"a\":{\"b\":1}}", "[]"},
	{"R18 array index", "{{items.1.t}}", "{\"items\":[{\"t\":\"a\"},{\"t\":\"b\"}]}", "b"},
	{"R19 array index out of range", "[{{items.5}}]", "{\"items\":[1]}", "[]"},
	{"R20 index section", "{{#items.0}}first={{t}}{{/items.0}}",
	 "{\"items\":[{\"t\":\"a\"}]}", "first=a"},
	{"R21 index section on empty", "{{#items.0}}x{{/items.0}}{{^items.0}}none{{/items.0}}",
	 "{\"items\":[]}", "none"},
	{"R22 parent context", "{{#a}}{{b}}{{/a}}", "{\"a\":{\"x\":1},\"b\":\"up\"}", "up"},
	{"R23 implicit iterator", "{{#a}}({{.}}){{/a}}", "{\"a\":[1,\"two\",3.5]}", "(1)(two)(3.5)"},
	/* sections: truthiness */
	{"R24 empty string is falsy", "{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\":\"\"}", "no"},
	{"R25 string is truthy and pushed", "{{#s}}[{{.}}]{{/s}}", "{\"s\":\"pic.jpg\"}", "[pic.jpg]"},
	{"R26 zero is truthy", "{{#n}}yes{{/n}}", "{\"n\":0}", "yes"},
	{"R27 empty object is truthy", "{{#o}}yes{{/o}}", "{\"o\":{}}", "yes"},
	{"R28 empty array is falsy", "{{#a}}yes{{/a}}{{^a}}no{{/a}}", "{\"a\":[]}", "no"},
	{"R29 false is falsy", "{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":false}", "no"},
	{"R30 null is falsy", "{{#z}}yes{{/z}}{{^z}}no{{/z}}", "{\"z\":null}", "no"},
	{"R31 missing is falsy", "{{#m}}yes{{/m}}{{^m}}no{{/m}}", "{}", "no"},
	{"R32 list repeats", "{{#l}}<{{n}}>{{/l}}", "{\"l\":[{\"n\":1},{\"n\":2}]}", "<1><2>"},
	{"R33 nested lists", "{{#a}}{{#b}}{{.}}{{/b}};{{/a}}",
	 "{\"a\":[{\"b\":[1,2]},{\"b\":[3]}]}", "12;3;"},
	/* whitespace */
	{"R34 standalone section lines vanish", "<ul>\n{{#l}}\n  <li>{{.}}</li>\n{{/l}}\n</ul>\n",
	 "{\"l\":[\"a\",\"b\"]}", "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n"},
	{"R35 inline section keeps spaces", " {{#t}}x{{/t}} \n", "{\"t\":true}", " x \n"},
	{"R36 comment line vanishes", "a\n  {{! note }}\nb", "{}", "a\nb"},
	{"R37 CRLF standalone", "a\r\n{{#t}}\r\nb\r\n{{/t}}\r\n", "{\"t\":1}", "a\r\nb\r\n"},
	/* delimiters and partials */
	{"R38 set delimiters", "{{=<% %>=}}<% x %>{{x}}", "{\"x\":1}", "1{{x}}"},
	{"R39 set back", "{{=| |=}}|x||={{ }}=|{{x}}", "{\"x\":2}", "22"},
	{"R40 partial", "[{{>p}}]", "{\"v\":\"in\"}", "[partial in]"},
	{"R41 missing partial is nothing", "[{{>nope}}]", "{}", "[]"},
	{"R42 standalone partial indented", "<div>\n  {{>lines}}\n</div>",
	 "{}", "<div>\n  one\n  two\n</div>"},
	{"R43 partial in a list", "{{#l}}{{>p}};{{/l}}", "{\"l\":[{\"v\":1},{\"v\":2}]}",
	 "partial 1;partial 2;"},
	{"R44 root array", "{{#.}}{{.}}{{/.}}", "[1,2,3]", "123"},
	{"R45 root scalar", "{{.}}", "\"s\"", "s"},
};

static void test_render_table(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "p", "partial {{v}}");
	add(set, "lines", "one\ntwo\n");
	for (size_t i = 0; i < HM_ARRAY_LEN(render_rows); i++) {
		const struct render_row *r = &render_rows[i];
		char err[256];
		if (tpl_set_add(set, "t", r->tpl, strlen(r->tpl), err, sizeof(err)) != HM_OK)
			fail_msg("row %s: does not compile: %s", r->id, err);
		char *got = render(set, "t", r->model, NULL);
		if (strcmp(got, r->out) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", r->id, got, r->out);
		free(got);
	}
	tpl_set_free(set);
}

static void test_render_unknown_template_is_not_found(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	struct buf out;
	buf_init(&out);
	assert_int_equal(tpl_render(set, "nope", NULL, NULL, &out), HM_ENOTFOUND);
	add(set, "yes", "ok");
	assert_int_equal(tpl_render(set, "nope", NULL, NULL, &out), HM_ENOTFOUND);
	assert_int_equal(tpl_render(set, "yes", NULL, NULL, &out), HM_OK);
	assert_string_equal(out.data, "ok");
	buf_free(&out);
	tpl_set_free(set);
}

static void test_render_appends_to_buffer(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	struct buf out;
	buf_init(&out);
	buf_puts(&out, "before|");
	add(set, "t", "{{x}}");
	json_t *m = model("{\"x\":\"after\"}");
	assert_int_equal(tpl_render(set, "t", m, NULL, &out), HM_OK);
	assert_string_equal(out.data, "before|after");
	json_decref(m);
	buf_free(&out);
	tpl_set_free(set);
}

static void test_set_add_replaces_template(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "t", "first");
	add(set, "t", "second");
	char *got = render(set, "t", "{}", NULL);
	assert_string_equal(got, "second");
	free(got);
	/* a failed add leaves the old one in place */
	char err[128];
	assert_int_equal(tpl_set_add(set, "t", L("{{#x}}"), err, sizeof(err)), HM_EINVAL);
	got = render(set, "t", "{}", NULL);
	assert_string_equal(got, "second");
	free(got);
	tpl_set_free(set);
}

static void test_set_holds_many_templates(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	char name[32], src[64];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		snprintf(src, sizeof(src), "[%d {{>t%d}}]", i, i + 1 < 300 ? i + 1 : 0);
		if (i == 299)
			snprintf(src, sizeof(src), "[%d]", i);
		add(set, name, src);
	}
	char *got = render(set, "t280", "{}", NULL);
	assert_string_equal(got, "[280 [281 [282 [283 [284 [285 [286 [287 [288 [289 [290 [291 "
				 "[292 [293 [294 [295 [296 [297 [298 [299]]]]]]]]]]]]]]]]]]]]");
	free(got);
	tpl_set_free(set);
}

static void test_partial_indentation_nests(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "b", "1\n2\n");
	add(set, "a", "x\n  {{>b}}\ny\n");
	add(set, "inline", "x {{>b}}y\n");
	add(set, "t", "<div>\n  {{>a}}\n</div>\n");
	add(set, "u", "<div>\n  {{>inline}}\n</div>\n");
	add(set, "v", "<pre>\n  {{>value}}\n</pre>\n");
	add(set, "value", "{{{text}}}\n");
	char *got = render(set, "t", "{}", NULL);
	assert_string_equal(got, "<div>\n  x\n    1\n    2\n  y\n</div>\n");
	free(got);
	/* a partial inside an indented one keeps the indentation it is in */
	got = render(set, "u", "{}", NULL);
	assert_string_equal(got, "<div>\n  x 1\n  2\n  y\n</div>\n");
	free(got);
	/* newlines in values are data, not template lines: never indented */
	got = render(set, "v", "{\"text\":\"a\\nb\"}", NULL);
	assert_string_equal(got, "<pre>\n  a\nb\n</pre>\n");
	free(got);
	tpl_set_free(set);
}

/* ======================================================== inheritance */

static const char layout_src[] =
	"<!doctype html>\n"
	"<title>{{$title}}harmony{{/title}}</title>\n"
	"{{$head}}{{/head}}\n"
	"<body>\n"
	"  <main>\n"
	"    {{$content}}\n"
	"    <p>Nothing here.</p>\n"
	"    {{/content}}\n"
	"  </main>\n"
	"  <footer>{{site}}</footer>\n"
	"</body>\n";

static const char page_src[] =
	"{{<layout}}\n"
	"{{$title}}{{event.title}} · harmony{{/title}}\n"
	"{{$content}}\n"
	"<h1>{{event.title}}</h1>\n"
	"<ul>\n"
	"  {{#event.sessions}}\n"
	"  <li>{{.}}</li>\n"
	"  {{/event.sessions}}\n"
	"</ul>\n"
	"{{/content}}\n"
	"{{/layout}}\n";

static const char page_model[] = "{\"site\":\"UN\",\"event\":{\"title\":\"Shanghai <2012>\","
				 "\"sessions\":[\"Opening\",\"Dialogue\"]}}";

static void test_inheritance_page_fills_layout(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "layout", layout_src);
	add(set, "page", page_src);
	char *got = render(set, "page", page_model, NULL);
	assert_string_equal(got, "<!doctype html>\n"
				 "<title>Shanghai &lt;2012&gt; · harmony</title>\n"
				 "\n"
				 "<body>\n"
				 "  <main>\n"
				 "    <h1>Shanghai &lt;2012&gt;</h1>\n"
				 "    <ul>\n"
				 "      <li>Opening</li>\n"
				 "      <li>Dialogue</li>\n"
				 "    </ul>\n"
				 "  </main>\n"
				 "  <footer>UN</footer>\n"
				 "</body>\n");
	free(got);
	tpl_set_free(set);
}

static void test_inheritance_layout_alone_renders_defaults(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "layout", layout_src);
	char *got = render(set, "layout", "{\"site\":\"UN\"}", NULL);
	assert_string_equal(got, "<!doctype html>\n"
				 "<title>harmony</title>\n"
				 "\n"
				 "<body>\n"
				 "  <main>\n"
				 "    <p>Nothing here.</p>\n"
				 "  </main>\n"
				 "  <footer>UN</footer>\n"
				 "</body>\n");
	free(got);
	tpl_set_free(set);
}

static void test_inheritance_two_levels_page_wins(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "base", "[{{$a}}base-a{{/a}}|{{$b}}base-b{{/b}}]");
	add(set, "section", "{{<base}}{{$a}}section-a{{/a}}{{$b}}section-b{{/b}}{{/base}}");
	add(set, "page", "{{<section}}{{$b}}page-b{{/b}}{{/section}}");
	char *got = render(set, "page", "{}", NULL);
	assert_string_equal(got, "[section-a|page-b]");
	free(got);
	got = render(set, "section", "{}", NULL);
	assert_string_equal(got, "[section-a|section-b]");
	free(got);
	tpl_set_free(set);
}

static void test_inheritance_missing_parent_renders_nothing(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "page", "a{{<nope}}{{$x}}y{{/x}}{{/nope}}b");
	char *got = render(set, "page", "{}", NULL);
	assert_string_equal(got, "ab");
	free(got);
	tpl_set_free(set);
}

/* ========================================================= translation */

static const char *stub_translate(const char *lang, const char *msgid)
{
	static const struct {
		const char *lang, *msgid, *msgstr;
	} cat[] = {
		{"fr", "Home", "Accueil"},
		{"fr", "Posted on {{date}}", "Publié le {{date}}"},
		{"fr", "Broken", "Cassé {{#x}}"},
		{"fr", "", "Project-Id-Version: harmony"}, /* a .po header */
		{"zh", "Home", "首页"},
		{"zh", "Posted on {{date}}", "发布于 {{date}}"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cat); i++)
		if (lang && strcmp(lang, cat[i].lang) == 0 && strcmp(msgid, cat[i].msgid) == 0)
			return cat[i].msgstr;
	return msgid;
}

static const char tr_src[] = "<a>{{#_}}Home{{/_}}</a> <p>{{#_}}\n  Posted on {{date}}\n{{/_}}</p>"
			     " {{#_}}Broken{{/_}}";

static void test_translate_renders_catalogue_text(void **state)
{
	(void)state;
	static const struct {
		const char *id, *lang, *out;
	} rows[] = {
		{"T01 no language", NULL, "<a>Home</a> <p>Posted on 12 &lt;Nov&gt;</p> Broken"},
		{"T02 french", "fr", "<a>Accueil</a> <p>Publié le 12 &lt;Nov&gt;</p> Broken"},
		{"T03 chinese", "zh", "<a>首页</a> <p>发布于 12 &lt;Nov&gt;</p> Broken"},
		{"T04 unknown language", "xx", "<a>Home</a> <p>Posted on 12 &lt;Nov&gt;</p> Broken"},
		{"T05 french again, from the cache", "fr",
		 "<a>Accueil</a> <p>Publié le 12 &lt;Nov&gt;</p> Broken"},
	};
	struct tpl_set *set = tpl_set_new();
	tpl_set_translator(set, stub_translate);
	add(set, "t", tr_src);
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char *got = render(set, "t", "{\"date\":\"12 <Nov>\"}", rows[i].lang);
		if (strcmp(got, rows[i].out) != 0)
			fail_msg("row %s: got \"%s\", want \"%s\"", rows[i].id, got, rows[i].out);
		free(got);
	}
	tpl_set_free(set);
}

static void test_translate_without_translator_renders_msgid(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "t", tr_src);
	char *got = render(set, "t", "{\"date\":\"today\"}", "fr");
	assert_string_equal(got, "<a>Home</a> <p>Posted on today</p> Broken");
	free(got);
	tpl_set_free(set);
}

static void test_translate_inside_sections_uses_current_context(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	tpl_set_translator(set, stub_translate);
	add(set, "t", "{{#posts}}{{#_}}Posted on {{date}}{{/_}};{{/posts}}");
	char *got = render(set, "t", "{\"posts\":[{\"date\":\"1\"},{\"date\":\"2\"}]}", "fr");
	assert_string_equal(got, "Publié le 1;Publié le 2;");
	free(got);
	tpl_set_free(set);
}

static void test_translate_empty_msgid_is_not_looked_up(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	tpl_set_translator(set, stub_translate);
	add(set, "t", "[{{#_}}  \n {{/_}}]");
	char *got = render(set, "t", "{}", "fr");
	assert_string_equal(got, "[]");
	free(got);
	tpl_set_free(set);
}

static void collect_msgid(const char *msgid, void *arg)
{
	struct buf *b = arg;
	buf_puts(b, msgid);
	buf_putc(b, '|');
}

static void test_translate_foreach_msgid_lists_every_msgid(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	add(set, "t", tr_src);
	struct buf b;
	buf_init(&b);
	tpl_set_foreach_msgid(set, collect_msgid, &b);
	assert_string_equal(b.data, "Home|Posted on {{date}}|Broken|");
	buf_free(&b);
	/* a template without any adds nothing */
	add(set, "u", "{{#x}}{{/x}}");
	buf_init(&b);
	tpl_set_foreach_msgid(set, collect_msgid, &b);
	assert_int_equal(b.len, strlen("Home|Posted on {{date}}|Broken|"));
	buf_free(&b);
	tpl_set_free(set);
}

/* ============================================================== errors */

static const struct {
	const char *id;
	const char *src;
	const char *err;
} err_rows[] = {
	{"X01 unclosed section", "a\n{{#items}}\nb\n", "page:2: unclosed section 'items'"},
	{"X02 unclosed inverted", "{{^x}}", "page:1: unclosed section 'x'"},
	{"X03 mismatched close", "{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", "page:3: close tag 'a' does not match 'b'"},
	{"X04 close without open", "x\n\n{{/a}}", "page:3: unexpected close tag 'a'"},
	{"X05 unclosed tag", "hello {{name", "page:1: unclosed tag"},
	{"X06 unclosed triple", "{{{name}}", "page:1: unclosed tag"},
	{"X07 empty tag", "{{ }}", "page:1: empty tag"},
	{"X08 empty section name", "{{#}}{{/}}", "page:1: empty tag"},
	{"X09 space in name", "\n{{a b}}", "page:2: bad tag name 'a b'"},
	{"X10 empty name segment", "{{a..b}}", "page:1: bad name 'a..b'"},
	{"X11 trailing dot", "{{a.}}", "page:1: bad name 'a.'"},
	{"X12 bad delimiter one part", "{{=<%=}}", "page:1: bad delimiters '<%'"},
	{"X13 bad delimiter three parts", "{{=< % >=}}", "page:1: bad delimiters '< % >'"},
	{"X14 bad delimiter empty", "{{= =}}", "page:1: bad delimiters"},
	{"X15 delimiter with equals", "{{=<= =>=}}", "page:1: bad delimiters '<= =>'"},
	{"X16 unclosed after new delimiters", "{{=<% %>=}}\n<% x", "page:2: unclosed tag"},
	{"X17 unclosed parent", "{{<layout}}{{$a}}x{{/a}}", "page:1: unclosed section 'layout'"},
	{"X18 unclosed block", "{{$a}}x", "page:1: unclosed section 'a'"},
	{"X19 block closed by other", "{{<l}}{{$a}}x{{/b}}{{/l}}", "page:1: close tag 'b' does not match 'a'"},
	{"X20 nested translation", "{{#_}}a {{#_}}b{{/_}}{{/_}}",
	 "page:1: translatable text inside translatable text"},
	{"X21 unclosed translation", "{{#_}}Home", "page:1: unclosed section '_'"},
	{"X22 close in a partial tag", "{{>}}", "page:1: empty tag"},
	{"X23 error on a later line", "ok\nok\nok\n{{#a}}{{/b}}", "page:4: close tag 'b' does not match 'a'"},
};

static void test_errors_name_template_and_line(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	for (size_t i = 0; i < HM_ARRAY_LEN(err_rows); i++) {
		char err[256] = "untouched";
		/* an exact-length copy, so a read past the end is caught */
		size_t len = strlen(err_rows[i].src);
		char *src = malloc(len ? len : 1);
		memcpy(src, err_rows[i].src, len);
		enum hm_err rc = tpl_set_add(set, "page", src, len, err, sizeof(err));
		free(src);
		if (rc != HM_EINVAL)
			fail_msg("row %s: rc %d, want HM_EINVAL", err_rows[i].id, rc);
		if (strcmp(err, err_rows[i].err) != 0)
			fail_msg("row %s: message \"%s\", want \"%s\"", err_rows[i].id, err,
				 err_rows[i].err);
	}
	/* none of them was added */
	struct buf out;
	buf_init(&out);
	assert_int_equal(tpl_render(set, "page", NULL, NULL, &out), HM_ENOTFOUND);
	buf_free(&out);
	tpl_set_free(set);
}

static void test_errors_fit_small_buffers(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	char err[8];
	memset(err, 'x', sizeof(err));
	assert_int_equal(tpl_set_add(set, "a-long-template-name", L("{{#a}}"), err, sizeof(err)),
			 HM_EINVAL);
	assert_int_equal(err[sizeof(err) - 1], '\0');
	assert_int_equal(tpl_set_add(set, "t", L("{{#a}}"), NULL, 0), HM_EINVAL);
	tpl_set_free(set);
}

static void test_errors_deep_nesting_refused(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	struct buf src;
	char err[256];
	buf_init(&src);
	for (int i = 0; i < 60; i++)
		buf_puts(&src, "{{#a}}");
	for (int i = 0; i < 60; i++)
		buf_puts(&src, "{{/a}}");
	assert_int_equal(tpl_set_add(set, "deep", src.data, src.len, err, sizeof(err)), HM_EINVAL);
	assert_string_equal(err, "deep:1: sections nested too deeply");
	buf_reset(&src);
	for (int i = 0; i < 40; i++)
		buf_puts(&src, "{{#a}}");
	for (int i = 0; i < 40; i++)
		buf_puts(&src, "{{/a}}");
	assert_int_equal(tpl_set_add(set, "ok", src.data, src.len, err, sizeof(err)), HM_OK);
	buf_free(&src);
	tpl_set_free(set);
}

/* ============================================================== limits */

static void test_limits_recursive_partial_stops(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	struct buf out;
	buf_init(&out);
	add(set, "loop", "x{{>loop}}");
	assert_int_equal(tpl_render(set, "loop", NULL, NULL, &out), HM_ETOOBIG);
	buf_reset(&out);
	add(set, "p", "{{<p}}{{/p}}");
	assert_int_equal(tpl_render(set, "p", NULL, NULL, &out), HM_ETOOBIG);
	buf_reset(&out);
	/* a block whose override holds itself */
	add(set, "l", "{{$a}}{{/a}}");
	add(set, "b", "{{<l}}{{$a}}<{{$a}}{{/a}}>{{/a}}{{/l}}");
	assert_int_equal(tpl_render(set, "b", NULL, NULL, &out), HM_ETOOBIG);
	buf_free(&out);
	tpl_set_free(set);
}

static void test_limits_steps_and_output(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	struct buf out;
	buf_init(&out);
	json_t *m = model("{\"l\":[1,2,3,4,5,6,7,8,9,10]}");
	add(set, "t", "{{#l}}{{#l}}{{#l}}{{#l}}0123456789{{/l}}{{/l}}{{/l}}{{/l}}");
	assert_int_equal(tpl_render(set, "t", m, NULL, &out), HM_OK);
	assert_int_equal(out.len, 100000);
	tpl_set_limits(set, 1000, 0);
	buf_reset(&out);
	assert_int_equal(tpl_render(set, "t", m, NULL, &out), HM_ETOOBIG);
	tpl_set_limits(set, 0, 5000);
	buf_reset(&out);
	assert_int_equal(tpl_render(set, "t", m, NULL, &out), HM_ETOOBIG);
	assert_true(out.len <= 5000 + 10);
	tpl_set_limits(set, 0, 0);
	buf_reset(&out);
	assert_int_equal(tpl_render(set, "t", m, NULL, &out), HM_OK);
	json_decref(m);
	buf_free(&out);
	tpl_set_free(set);
}

/* ======================================================== concurrency */

#define THREADS 4
#define ROUNDS 200

static const char *const langs[] = {NULL, "fr", "zh", "xx"};

struct worker {
	struct tpl_set *set;
	json_t *model;
	char *want[HM_ARRAY_LEN(langs)];
	int mismatches;
	int index;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct buf out;
	buf_init(&out);
	for (int r = 0; r < ROUNDS; r++) {
		size_t k = (size_t)(r + w->index) % HM_ARRAY_LEN(langs);
		buf_reset(&out);
		if (tpl_render(w->set, "page", w->model, langs[k], &out) != HM_OK ||
		    strcmp(out.data, w->want[k]) != 0)
			w->mismatches++;
	}
	buf_free(&out);
	return NULL;
}

static void test_concurrent_renders_agree(void **state)
{
	(void)state;
	struct tpl_set *set = tpl_set_new();
	tpl_set_translator(set, stub_translate);
	add(set, "layout", "<nav>{{#_}}Home{{/_}}</nav>\n{{$content}}{{/content}}\n");
	add(set, "page", "{{<layout}}{{$content}}{{#posts}}<p>{{#_}}Posted on {{date}}{{/_}} "
			 "{{title}}</p>{{/posts}}{{/content}}{{/layout}}");
	json_t *m = model("{\"posts\":[{\"date\":\"1\",\"title\":\"<a>\"},"
			  "{\"date\":\"2\",\"title\":\"b\"}]}");
	/* expected texts, from a set that has never been rendered concurrently */
	struct tpl_set *ref = tpl_set_new();
	tpl_set_translator(ref, stub_translate);
	add(ref, "layout", "<nav>{{#_}}Home{{/_}}</nav>\n{{$content}}{{/content}}\n");
	add(ref, "page", "{{<layout}}{{$content}}{{#posts}}<p>{{#_}}Posted on {{date}}{{/_}} "
			 "{{title}}</p>{{/posts}}{{/content}}{{/layout}}");
	struct worker w[THREADS];
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i].set = set;
		w[i].model = m;
		w[i].mismatches = 0;
		w[i].index = i;
		for (size_t k = 0; k < HM_ARRAY_LEN(langs); k++) {
			struct buf out;
			buf_init(&out);
			assert_int_equal(tpl_render(ref, "page", m, langs[k], &out), HM_OK);
			w[i].want[k] = buf_steal(&out);
		}
	}
	assert_string_equal(w[0].want[1], "<nav>Accueil</nav>\n<p>Publié le 1 &lt;a&gt;</p>"
					  "<p>Publié le 2 b</p>\n");
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		if (w[i].mismatches)
			fail_msg("thread %d: %d renders differ", i, w[i].mismatches);
		for (size_t k = 0; k < HM_ARRAY_LEN(langs); k++)
			free(w[i].want[k]);
	}
	json_decref(m);
	tpl_set_free(ref);
	tpl_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape_table),
		cmocka_unit_test(test_html_escape_every_position),
		cmocka_unit_test(test_render_table),
		cmocka_unit_test(test_render_unknown_template_is_not_found),
		cmocka_unit_test(test_render_appends_to_buffer),
		cmocka_unit_test(test_set_add_replaces_template),
		cmocka_unit_test(test_set_holds_many_templates),
		cmocka_unit_test(test_partial_indentation_nests),
		cmocka_unit_test(test_inheritance_page_fills_layout),
		cmocka_unit_test(test_inheritance_layout_alone_renders_defaults),
		cmocka_unit_test(test_inheritance_two_levels_page_wins),
		cmocka_unit_test(test_inheritance_missing_parent_renders_nothing),
		cmocka_unit_test(test_translate_renders_catalogue_text),
		cmocka_unit_test(test_translate_without_translator_renders_msgid),
		cmocka_unit_test(test_translate_inside_sections_uses_current_context),
		cmocka_unit_test(test_translate_empty_msgid_is_not_looked_up),
		cmocka_unit_test(test_translate_foreach_msgid_lists_every_msgid),
		cmocka_unit_test(test_errors_name_template_and_line),
		cmocka_unit_test(test_errors_fit_small_buffers),
		cmocka_unit_test(test_errors_deep_nesting_refused),
		cmocka_unit_test(test_limits_recursive_partial_stops),
		cmocka_unit_test(test_limits_steps_and_output),
		cmocka_unit_test(test_concurrent_renders_agree),
	};
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
