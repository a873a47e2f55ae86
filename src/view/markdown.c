/*
 * markdown.c — cmark with safe defaults (no CMARK_OPT_UNSAFE), smart
 * punctuation off so authors' quotes stay as typed.
 */
#include "view/markdown.h"
#include "core/core.h"

#include <cmark.h>
#include <stdlib.h>

char *markdown_to_html(const char *md, size_t len)
{
	char *html = cmark_markdown_to_html(md ? md : "", md ? len : 0,
					    CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (!html)
		return xstrdup("");
	return html;
}
