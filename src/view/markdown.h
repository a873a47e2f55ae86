/*
 * markdown.h — Markdown to HTML through cmark in its safe mode: raw HTML
 * in the source is dropped and javascript:/vbscript:/data: links are
 * neutralised, so the output may be emitted unescaped. This is the one
 * source of trusted HTML in templates.
 */
#ifndef HM_MARKDOWN_H
#define HM_MARKDOWN_H

#include <stddef.h>

/* Returns malloc'd HTML (caller frees), never NULL. */
char *markdown_to_html(const char *md, size_t len);

#endif
