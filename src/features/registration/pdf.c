/*
 * pdf.c — badges and letters (pdf.h): cairo draws into a PDF held in a
 * buf, pango lays out and shapes the text, libqrencode makes the QR code.
 * Lengths are PDF points (1/72 inch); the page plans are in millimetres.
 */
#include "features/registration/pdf.h"

#include "core/text.h"
#include "view/i18n.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <string.h>
#include <strings.h>

#define MM (72.0 / 25.4)
#define PT(pango_units) ((double)(pango_units) / PANGO_SCALE)

/* ------------------------------------------------------------ documents */

struct doc {
	cairo_surface_t *sf;
	cairo_t *cr;
	PangoContext *pc;
	char fonts[128];
	int rtl;
	struct buf *out;
	size_t start; /* out->len before: what an error truncates it back to */
};

static cairo_status_t doc_write(void *closure, const unsigned char *data, unsigned int len)
{
	buf_append(closure, data, len); /* aborts rather than fail, as every buf */
	return CAIRO_STATUS_SUCCESS;
}

/* lang is tag or starts with tag and a subtag ("zh-TW" is "zh-tw"). */
static int lang_is(const char *lang, const char *tag)
{
	size_t n = strlen(tag);
	return strncasecmp(lang, tag, n) == 0 &&
	       (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

/* One code point of Han is drawn differently in China, in Taiwan and
 * Hong Kong, in Japan and in Korea: the page's language picks the CJK
 * face, simplified Chinese otherwise. The other scripts have one. */
static void doc_fonts(struct doc *d, const char *lang)
{
	static const struct {
		const char *tag, *cjk;
	} cjk[] = {
		{"ja", "JP"},    {"ko", "KR"},    {"zh-hant", "TC"},
		{"zh-tw", "TC"}, {"zh-hk", "HK"}, {"zh-mo", "HK"},
	};
	const char *face = "SC";
	for (size_t i = 0; i < HM_ARRAY_LEN(cjk); i++)
		if (lang_is(lang, cjk[i].tag))
			face = cjk[i].cjk;
	snprintf(d->fonts, sizeof(d->fonts),
		 "Noto Sans, Noto Sans CJK %s, Noto Sans Arabic, Noto Sans Devanagari", face);
}

/* A PDF of pages w × h points in lang (direction, fonts) into out. Cairo
 * keeps its first error and ignores what follows, so only doc_close checks. */
static void doc_open(struct doc *d, const char *lang, double w, double h, const char *title,
		     struct buf *out)
{
	if (!lang || !*lang)
		lang = "en";
	d->out = out;
	d->start = out->len;
	d->sf = cairo_pdf_surface_create_for_stream(doc_write, out, w, h);
	if (title && *title)
		cairo_pdf_surface_set_metadata(d->sf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(d->sf, CAIRO_PDF_METADATA_CREATOR, "harmony");
	d->cr = cairo_create(d->sf);
	/* pango's default font map is the calling thread's own (pango >=
	 * 1.32.6): each server thread loads the fonts once, and no two
	 * threads share a context. */
	d->pc = pango_cairo_create_context(d->cr);
	pango_context_set_language(d->pc, pango_language_from_string(lang));
	d->rtl = strcmp(i18n_dir(lang), "rtl") == 0;
	pango_context_set_base_dir(d->pc, d->rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
	/* a PDF is scaled by whoever reads it: exact advances, not whole pixels */
	pango_context_set_round_glyph_positions(d->pc, FALSE);
	doc_fonts(d, lang);
}

static enum hm_err doc_close(struct doc *d, enum hm_err rc)
{
	g_object_unref(d->pc);
	cairo_status_t st = cairo_status(d->cr);
	cairo_destroy(d->cr);
	cairo_surface_finish(d->sf); /* writes the rest of the file */
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(d->sf);
	cairo_surface_destroy(d->sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_error("cairo: %s", cairo_status_to_string(st));
		rc = HM_EINTERNAL;
	}
	if (rc != HM_OK && d->out->data) {
		d->out->len = d->start;
		d->out->data[d->start] = '\0';
	}
	return rc;
}

/* A layout of text w points wide, size points high, in the document's
 * fonts and language. Text goes in as text, never as markup. */
static PangoLayout *doc_layout(struct doc *d, const char *text, double size, int bold, double w)
{
	PangoLayout *l = pango_layout_new(d->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, d->fonts);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double layout_height(PangoLayout *l)
{
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	return PT(r.height);
}

/* Draws l with its top left corner at (x, y); frees it; returns its height. */
static double draw_layout(struct doc *d, PangoLayout *l, double x, double y)
{
	double h = layout_height(l);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
	g_object_unref(l);
	return h;
}

/* text centred in (x, y, w), at most max_lines lines, the rest ellipsized.
 * Each line finds its direction in its own words (an Arabic name on an
 * English badge runs right to left). Returns the height drawn. */
static double draw_centred(struct doc *d, const char *text, double size, int bold, double x,
			   double y, double w, int max_lines)
{
	if (!text || !*text)
		return 0;
	PangoLayout *l = doc_layout(d, text, size, bold, w);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	pango_layout_set_height(l, -max_lines);
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	return draw_layout(d, l, x, y);
}

/* ------------------------------------------------------------ QR codes */

#define QR_QUIET 4 /* modules of white around the code, as ISO 18004 asks */

/* text as a QR code (level M) in the square (x, y, side), quiet zone
 * included, each row's runs of dark modules one rectangle. HM_EINVAL when
 * text is too long for a QR code. */
static enum hm_err draw_qr(cairo_t *cr, const char *text, double x, double y, double side)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return HM_EINVAL;
	int w = qr->width;
	double m = side / (w + 2 * QR_QUIET);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, side, side);
	cairo_fill(cr);
	for (int r = 0; r < w; r++)
		for (int c = 0; c < w;) {
			int c0 = c;
			while (c < w && (qr->data[r * w + c] & 1))
				c++;
			if (c > c0)
				cairo_rectangle(cr, x + (c0 + QR_QUIET) * m, y + (r + QR_QUIET) * m,
						(c - c0) * m, m);
			else
				c++;
		}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_fill(cr); /* one path: no seams between modules in a viewer */
	QRcode_free(qr);
	return HM_OK;
}

/* ------------------------------------------------------------ badges */

/* The plan of a badge, in millimetres from its top left corner. */
enum {
	BADGE_W = 105, /* A6 */
	BADGE_H = 148,
	PAD = 7,
	RULE_Y = 29,
	NAME_Y = 32,
	NAME_H = 36,
	ORG_Y = 71,
	QR_SIDE = 30,
	QR_Y = 99,
	BAND_Y = 132,
};
#define NAME_PT_MAX 30.0
#define NAME_PT_MIN 11.0

/* 1 if l fits h points and max_lines, each line break where a line may
 * break (between words, between Han characters), none inside a word. */
static int name_fits(PangoLayout *l, double h, int max_lines)
{
	if (layout_height(l) > h || pango_layout_get_line_count(l) > max_lines)
		return 0;
	int n;
	const PangoLogAttr *attrs = pango_layout_get_log_attrs_readonly(l, &n);
	const char *text = pango_layout_get_text(l);
	for (GSList *it = pango_layout_get_lines_readonly(l); it; it = it->next) {
		const PangoLayoutLine *line = it->data;
		long off = g_utf8_pointer_to_offset(text, text + line->start_index);
		if (off > 0 && off < n && !attrs[off].is_line_break)
			return 0;
	}
	return 1;
}

/* The name as large as fits the box w × h: shrunk step by step until it
 * takes at most two lines broken between words (three once it is small,
 * so a long name stays readable); ellipsized at the end if it does not
 * fit even at the smallest size. */
static PangoLayout *name_layout(struct doc *d, const char *name, double w, double h)
{
	for (double size = NAME_PT_MAX;; size *= 0.92) {
		PangoLayout *l = doc_layout(d, name, size, 1, w);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		if (size * 0.92 < NAME_PT_MIN) {
			pango_layout_set_height(l, (int)(h * PANGO_SCALE));
			pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
			return l;
		}
		if (name_fits(l, h, size < 16 ? 3 : 2))
			return l;
		g_object_unref(l);
	}
}

/* A badge with its top left corner at (x, y) points, and its cut line. */
static enum hm_err draw_badge(struct doc *d, const struct badge_sheet *s, const struct badge *b,
			      double x, double y)
{
	cairo_t *cr = d->cr;
	double w = BADGE_W * MM, inner = (BADGE_W - 2 * PAD) * MM, left = x + PAD * MM;

	cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
	cairo_set_line_width(cr, 0.3);
	cairo_rectangle(cr, x, y, w, BADGE_H * MM);
	cairo_stroke(cr);

	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	double ty = y + PAD * MM;
	ty += draw_centred(d, s->event_title, 11, 1, left, ty, inner, 2);
	ty += draw_centred(d, s->event_dates, 8.5, 0, left, ty + 0.5 * MM, inner, 1);
	draw_centred(d, s->event_place, 8.5, 0, left, ty + 0.5 * MM, inner, 1);
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_move_to(cr, left, y + RULE_Y * MM);
	cairo_rel_line_to(cr, inner, 0);
	cairo_stroke(cr);

	cairo_set_source_rgb(cr, 0, 0, 0);
	if (b->name && *b->name) {
		PangoLayout *l = name_layout(d, b->name, inner, NAME_H * MM);
		double h = layout_height(l);
		draw_layout(d, l, left, y + NAME_Y * MM + (NAME_H * MM - h) / 2);
	}
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	double oy = y + ORG_Y * MM;
	oy += draw_centred(d, b->organisation, 12, 0, left, oy, inner, 2);
	draw_centred(d, b->country, 10, 0, left, oy + 1 * MM, inner, 1);

	if (b->qr && *b->qr) {
		enum hm_err rc =
			draw_qr(cr, b->qr, x + (w - QR_SIDE * MM) / 2, y + QR_Y * MM, QR_SIDE * MM);
		if (rc != HM_OK)
			return rc;
		/* the code in print too, for a desk that types it */
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		draw_centred(d, b->qr, 6, 0, left, y + (QR_Y + QR_SIDE + 0.2) * MM, inner, 1);
	}
	if (b->role && *b->role) {
		double band = (BADGE_H - BAND_Y) * MM;
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2); /* dark grey prints on any printer */
		cairo_rectangle(cr, x, y + BAND_Y * MM, w, band);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		PangoLayout *l = doc_layout(d, b->role, 16, 1, inner);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		pango_layout_set_height(l, -1);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		draw_layout(d, l, left, y + BAND_Y * MM + (band - layout_height(l)) / 2);
	}
	return HM_OK;
}

static int utf8_ok(const char *s)
{
	return !s || utf8_valid(s, strlen(s));
}

enum hm_err pdf_badges(const struct badge_sheet *s, const struct badge *b, size_t n,
		       struct buf *out)
{
	if (!s || (!b && n) || !out ||
	    !(utf8_ok(s->lang) && utf8_ok(s->event_title) && utf8_ok(s->event_dates) &&
	      utf8_ok(s->event_place)))
		return HM_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(utf8_ok(b[i].name) && utf8_ok(b[i].organisation) && utf8_ok(b[i].country) &&
		      utf8_ok(b[i].role) && utf8_ok(b[i].qr)))
			return HM_EINVAL;

	struct doc d;
	doc_open(&d, s->lang, 210 * MM, 297 * MM, s->event_title, out);
	/* two by two on A4 (210 × 297 mm), the half millimetre left over
	 * shared above and below */
	enum hm_err rc = HM_OK;
	for (size_t i = 0; i < n && rc == HM_OK; i++) {
		if (i > 0 && i % 4 == 0)
			cairo_show_page(d.cr);
		rc = draw_badge(&d, s, &b[i], (double)(i % 2) * BADGE_W * MM,
				(0.5 + (double)(i / 2 % 2) * BADGE_H) * MM);
	}
	return doc_close(&d, rc);
}

/* ------------------------------------------------------------ letters */

/* The plan of a letter, in millimetres. */
enum { L_SIDE = 25, L_TOP = 20, L_BOTTOM = 20 };
#define L_PT 10.5

/* Where the next line goes; pages are added as the text flows down. */
struct flow {
	struct doc *d;
	double x, w, y, top, bottom;
};

/* Starts a new page unless h points fit below y (or y is at the top). */
static void flow_need(struct flow *f, double h)
{
	if (f->y + h > f->bottom && f->y > f->top) {
		cairo_show_page(f->d->cr);
		f->y = f->top;
	}
}

/* Draws l line by line, breaking pages between lines; frees it. */
static void flow_layout(struct flow *f, PangoLayout *l, double gap_after)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		int y0, y1;
		PangoRectangle r;
		pango_layout_iter_get_line_yrange(it, &y0, &y1);
		pango_layout_iter_get_line_extents(it, NULL, &r);
		flow_need(f, PT(y1 - y0));
		cairo_move_to(f->d->cr, f->x + PT(r.x),
			      f->y + PT(pango_layout_iter_get_baseline(it) - y0));
		pango_cairo_show_layout_line(f->d->cr, pango_layout_iter_get_line_readonly(it));
		f->y += PT(y1 - y0);
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	g_object_unref(l);
	f->y += gap_after;
}

/* A layout in the letter's direction, at its start (or end) side: the
 * paragraph's direction comes from the letter's language, not from its
 * first word, so a line starting with a Latin name stays right to left
 * in an Arabic letter. */
static PangoLayout *flow_text(struct flow *f, const char *text, double size, int bold, int at_end)
{
	PangoLayout *l = doc_layout(f->d, text, size, bold, f->w);
	pango_layout_set_auto_dir(l, FALSE);
	pango_layout_set_alignment(l, (f->d->rtl != at_end) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_line_spacing(l, 1.2);
	return l;
}

static void flow_put(struct flow *f, const char *text, double size, int bold, int at_end,
		     double gap_after)
{
	if (text && *text)
		flow_layout(f, flow_text(f, text, size, bold, at_end), gap_after);
}

/* 1 if the line [p, end) holds nothing but white space. */
static int blank_line(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

/* The body: paragraphs (split at blank lines) justified; a single line
 * break inside one is kept. */
static void flow_body(struct flow *f, const char *body)
{
	struct buf para;
	buf_init(&para);
	for (const char *p = body ? body : "";;) {
		const char *end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (!blank_line(p, end)) {
			if (para.len)
				buf_putc(&para, '\n');
			size_t len = (size_t)(end - p);
			buf_append(&para, p, len && p[len - 1] == '\r' ? len - 1 : len);
		} else if (para.len) {
			PangoLayout *l = flow_text(f, para.data, L_PT, 0, 0);
			pango_layout_set_justify(l, TRUE);
			flow_layout(f, l, 3 * MM);
			buf_reset(&para);
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (para.len) {
		PangoLayout *l = flow_text(f, para.data, L_PT, 0, 0);
		pango_layout_set_justify(l, TRUE);
		flow_layout(f, l, 3 * MM);
	}
	buf_free(&para);
}

enum hm_err pdf_letter(const struct letter *l, struct buf *out)
{
	if (!l || !out ||
	    !(utf8_ok(l->lang) && utf8_ok(l->org_name) && utf8_ok(l->org_address) &&
	      utf8_ok(l->place_date) && utf8_ok(l->recipient) && utf8_ok(l->subject) &&
	      utf8_ok(l->body) && utf8_ok(l->signatory) && utf8_ok(l->signatory_title)))
		return HM_EINVAL;

	struct doc d;
	doc_open(&d, l->lang, 210 * MM, 297 * MM, l->subject, out);
	struct flow f = {.d = &d, .x = L_SIDE * MM, .w = (210 - 2 * L_SIDE) * MM, .y = L_TOP * MM,
			 .top = L_TOP * MM, .bottom = (297 - L_BOTTOM) * MM};

	cairo_set_source_rgb(d.cr, 0.1, 0.1, 0.1);
	flow_put(&f, l->org_name, 15, 1, 0, 1 * MM);
	cairo_set_source_rgb(d.cr, 0.35, 0.35, 0.35);
	flow_put(&f, l->org_address, 9, 0, 0, 0);
	f.y += 3 * MM;
	cairo_move_to(d.cr, f.x, f.y);
	cairo_rel_line_to(d.cr, f.w, 0);
	cairo_set_line_width(d.cr, 0.5);
	cairo_stroke(d.cr);
	f.y += 8 * MM;

	cairo_set_source_rgb(d.cr, 0, 0, 0);
	flow_put(&f, l->place_date, L_PT, 0, 1, 8 * MM);
	flow_put(&f, l->recipient, L_PT, 0, 0, 10 * MM);
	if (l->subject && *l->subject) {
		PangoLayout *s = flow_text(&f, l->subject, L_PT + 0.5, 1, 0);
		flow_need(&f, layout_height(s) + 15 * MM); /* not alone at a page's foot */
		flow_layout(&f, s, 6 * MM);
	}
	flow_body(&f, l->body);

	/* the signature's space, the name and the title stay together */
	PangoLayout *name = flow_text(&f, l->signatory ? l->signatory : "", L_PT, 1, 0);
	PangoLayout *title =
		flow_text(&f, l->signatory_title ? l->signatory_title : "", L_PT, 0, 0);
	flow_need(&f, 15 * MM + layout_height(name) + layout_height(title));
	f.y += 15 * MM;
	flow_layout(&f, name, 0);
	flow_layout(&f, title, 0);
	return doc_close(&d, HM_OK);
}
