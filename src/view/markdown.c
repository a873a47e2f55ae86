/*
 * markdown.c — GitHub-flavoured Markdown through cmark-gfm with safe
 * defaults (no CMARK_OPT_UNSAFE: raw HTML dropped, javascript:/vbscript:/
 * data: links neutralised), smart punctuation off so authors' quotes stay
 * as typed. Extensions: tables and strikethrough (block quotes are
 * CommonMark's own).
 */
#include "view/markdown.h"
#include "core/core.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdlib.h>

#define MD_OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* The registry of extensions is a process-wide list that
 * cmark_gfm_core_extensions_ensure_registered fills without a lock. */
static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static const char *const extensions[] = {"table", "strikethrough"};

char *markdown_to_html(const char *md, size_t len)
{
	pthread_once(&registered, register_extensions);
	cmark_parser *p = cmark_parser_new(MD_OPTS);
	for (size_t i = 0; i < HM_ARRAY_LEN(extensions); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);
		if (ext)
			cmark_parser_attach_syntax_extension(p, ext);
	}
	cmark_parser_feed(p, md ? md : "", md ? len : 0);
	cmark_node *doc = cmark_parser_finish(p);
	char *html = doc ? cmark_render_html(doc, MD_OPTS, cmark_parser_get_syntax_extensions(p))
			 : NULL;
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(p);
	return html ? html : xstrdup("");
}
