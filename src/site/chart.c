/*
 * chart.c — the SVG bar chart of chart.h. Layout, in viewBox units: the
 * legend on one line at the top, then per row its label on a line of its
 * own (so long names and phones need no label column) and the bar below,
 * which leaves the whole width to the bars. Right to left mirrors every x
 * (x becomes W - x) and sets direction="rtl", so text-anchor="start"
 * anchors each text at its right end.
 */
#include "site/chart.h"

#include <stdio.h>
#include <string.h>

#include "view/template.h"

enum {
	W = 520,        /* viewBox width: about 1:1 at its CSS max-width */
	SCALE_W = 460,  /* the bars' room; the rest is for the value text */
	LEGEND_H = 26,
	ROW_H = 40,
	LABEL_Y = 14,   /* baselines and boxes, from a row's top */
	BAR_Y = 20,
	BAR_H = 14,
	VALUE_Y = 31,
	MARK_Y1 = 16,
	MARK_Y2 = 38,
};

static void esc(struct buf *out, const char *s)
{
	if (s)
		html_escape(out, s, strlen(s));
}

static double mirror(const struct chart *c, double x)
{
	return c->rtl ? W - x : x;
}

static long row_total(const struct chart *c, const struct chart_row *r)
{
	long t = 0;
	for (size_t s = 0; s < c->nseries; s++)
		t += r->values[s] > 0 ? r->values[s] : 0;
	return t;
}

static void text(struct buf *out, const struct chart *c, const char *cls, double x, double y,
		 const char *s)
{
	buf_printf(out, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, mirror(c, x), y);
	esc(out, s);
	buf_puts(out, "</text>");
}

/* A box from x to x + w, mirrored whole in rtl. */
static void rect(struct buf *out, const struct chart *c, const char *cls, double x, double y,
		 double w, double h)
{
	buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
		   cls, c->rtl ? W - x - w : x, y, w, h);
}

/* A line across row y at value v (the scale's unit given). */
static void marker(struct buf *out, const struct chart *c, const char *cls, double unit, double y,
		   const char *label, long v)
{
	if (v < 0)
		v = 0;
	double x = mirror(c, (double)v * unit);
	/* a halo of the page's colour first, so the line shows across a bar */
	buf_printf(out, "<line class=\"halo\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x, x,
		   y + MARK_Y1, y + MARK_Y2);
	buf_printf(out, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"%s>", cls,
		   x, x, y + MARK_Y1, y + MARK_Y2,
		   strcmp(cls, "target") == 0 ? " stroke-dasharray=\"4 3\"" : "");
	if (label) {
		buf_puts(out, "<title>");
		esc(out, label);
		buf_printf(out, ": %ld</title>", v);
	}
	buf_puts(out, "</line>");
}

void chart_bars(struct buf *out, const struct chart *c)
{
	size_t nseries = c->nseries < 1 ? 1 : c->nseries > CHART_SERIES_MAX ? CHART_SERIES_MAX : c->nseries;
	struct chart cc = *c;
	cc.nseries = nseries;
	c = &cc;

	long max = 1;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct chart_row *r = &c->rows[i];
		long t = row_total(c, r);
		if (t > max)
			max = t;
		if (r->has_cap && r->cap > max)
			max = r->cap;
		if (r->has_target && r->target > max)
			max = r->target;
	}
	double unit = (double)SCALE_W / (double)max;
	int top = nseries > 1 ? LEGEND_H : 0;
	int height = top + (int)c->nrows * ROW_H + 4;

	buf_printf(out,
		   "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		   "viewBox=\"0 0 %d %d\" width=\"100%%\" font-size=\"14\" direction=\"%s\">",
		   W, height, c->rtl ? "rtl" : "ltr");
	buf_puts(out, "<title>");
	esc(out, c->title);
	buf_puts(out, "</title><desc>");
	esc(out, c->desc);
	buf_puts(out, "</desc>");

	if (nseries > 1) {
		buf_puts(out, "<g class=\"legend\">");
		for (size_t s = 0; s < nseries; s++) {
			double x = (double)s * W / (double)nseries;
			char cls[16];
			snprintf(cls, sizeof(cls), "bar s%zu", s + 1);
			rect(out, c, cls, x, 6, 12, 12);
			buf_puts(out, "</rect>");
			text(out, c, "key", x + 18, 17, c->series[s]);
		}
		buf_puts(out, "</g>");
	}

	for (size_t i = 0; i < c->nrows; i++) {
		const struct chart_row *r = &c->rows[i];
		double y = top + (double)i * ROW_H, x = 0;
		buf_puts(out, "<g class=\"row\">");
		text(out, c, "label", 0, y + LABEL_Y, r->label);
		for (size_t s = 0; s < nseries; s++) {
			long v = r->values[s] > 0 ? r->values[s] : 0;
			if (!v)
				continue;
			char cls[16];
			snprintf(cls, sizeof(cls), "bar s%zu", s + 1);
			rect(out, c, cls, x, y + BAR_Y, (double)v * unit, BAR_H);
			buf_puts(out, "<title>");
			esc(out, c->series[s]);
			buf_printf(out, "%s%ld</title></rect>", c->series[s] ? ": " : "", v);
			x += (double)v * unit;
		}
		char total[24];
		snprintf(total, sizeof(total), "%ld", row_total(c, r));
		text(out, c, "value", x + 6, y + VALUE_Y, total);
		if (r->has_target)
			marker(out, c, "target", unit, y, c->target_label, r->target);
		if (r->has_cap)
			marker(out, c, "cap", unit, y, c->cap_label, r->cap);
		buf_puts(out, "</g>");
	}
	buf_puts(out, "</svg>");
}
