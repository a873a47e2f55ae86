/*
 * template.h — a small template engine with Mustache semantics over jansson
 * models: {{x}} HTML-escaped, {{{x}}} / {{&x}} raw (for content already made
 * safe, such as Markdown rendered by cmark in safe mode), sections, inverted
 * sections, partials, set delimiters, comments, and template inheritance
 * ({{<parent}}{{$block}}…{{/block}}{{/parent}}) for the one site layout.
 *
 * Extension for translation: a section named "_" ({{#_}}Posted on{{/_}})
 * passes its raw text, trimmed of surrounding white space, to the set's
 * translator; the translated text is itself rendered as a template against
 * the current context (so "Posted on {{date}}" works), compiled once and
 * cached. Msgids and translations use the default {{ }} delimiters, and a
 * {{#_}} may not hold another. A translation that does not compile is
 * logged once and the msgid is rendered instead.
 *
 * Whitespace follows the spec: a non-variable tag alone on its line takes
 * the whole line with it, and a partial, parent or block alone on its line
 * indents each line it renders as the tag was indented. In inheritance the
 * outermost override of a block wins (a page over the layouts it extends).
 *
 * Names: a.b looks a up the context stack, then b inside it; a segment
 * of digits indexes an array (items.0 is the first item); {{.}} is the
 * current context.
 *
 * Sections: false, null, a missing name, the empty array and the empty
 * string are falsy (so {{#image}}…{{/image}} skips an empty field); 0 and {}
 * are truthy. A non-empty array repeats the section once per element; any
 * other truthy value is pushed on the context stack for one pass. Integers
 * render as integers, reals in the shortest form that reads back the same
 * (1.21), true/false as words; null, arrays and objects render as nothing.
 *
 * Ownership: a tpl_set owns its compiled templates. Rendering never changes
 * the set except for the translation cache (guarded by a mutex), so one set
 * may be rendered from many threads at once. Models are borrowed.
 */
#ifndef HM_TEMPLATE_H
#define HM_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/core.h"

struct tpl_set;

/* Returns the translation of msgid for the language named by lang (may be
 * NULL), or msgid itself. The result must live as long as the set. */
typedef const char *(*tpl_translate_fn)(const char *lang, const char *msgid);

struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *set);
void tpl_set_translator(struct tpl_set *set, tpl_translate_fn fn);

/* Compiles src under name (replacing any template of that name). On a syntax
 * error returns HM_EINVAL, writes "name:line: message" into err and leaves
 * the set as it was. Add every template before rendering starts: adding
 * while other threads render is not safe. */
enum hm_err tpl_set_add(struct tpl_set *set, const char *name, const char *src,
			size_t len, char *err, size_t errlen);

/* Renders the template called name against model, appending to out.
 * lang is handed to the translator. Unknown partials render as nothing
 * (as Mustache says); an unknown top-level name returns HM_ENOTFOUND.
 * Partials, parents and blocks nested deeper than 32 levels, or a render
 * over the set's limits, return HM_ETOOBIG with out partly written. */
enum hm_err tpl_render(struct tpl_set *set, const char *name, const json_t *model,
		       const char *lang, struct buf *out);

/* Bounds one render: about max_steps compiled ops walked (sections count
 * once per pass) and about max_out bytes appended, else tpl_render stops
 * with HM_ETOOBIG (a runaway template or model must not hold a worker).
 * 0 keeps the default (20 million steps, 256 MiB). Call before rendering
 * starts. */
void tpl_set_limits(struct tpl_set *set, unsigned long max_steps, size_t max_out);

/* Calls fn for every msgid of every {{#_}} section in the set (for checking
 * that catalogues cover the templates). */
void tpl_set_foreach_msgid(const struct tpl_set *set,
			   void (*fn)(const char *msgid, void *arg), void *arg);

/* Appends s to out with & < > " ' escaped (the one HTML escaper). */
void html_escape(struct buf *out, const char *s, size_t len);

#endif
