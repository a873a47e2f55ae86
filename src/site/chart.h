/*
 * chart.h — horizontal bar charts as inline SVG, drawn by harmony (no
 * chart library at run time): one row per category, its series stacked in
 * one bar, an optional cap (a solid line) and target (a dashed line), the
 * total at the bar's end. Colours come from assets/site.css through
 * classes (.chart .bar.s1 … .s4); every text is escaped; the chart scales
 * to its container's width. Accessible as an image with a title and a
 * description — the caller shows the same numbers as a table beside it.
 */
#ifndef HM_SITE_CHART_H
#define HM_SITE_CHART_H

#include <stddef.h>

#include "core/core.h"

#define CHART_SERIES_MAX 4

struct chart_row {
	const char *label;             /* the category, translated: "NGO", "China" */
	long values[CHART_SERIES_MAX]; /* one per series; below 0 counts as 0 */
	int has_cap, has_target;       /* 0: no such marker */
	long cap;                      /* a solid line: the most allowed */
	long target;                   /* a dashed line: the number aimed at */
};

struct chart {
	const char *title;        /* plain text, translated: the chart's name */
	const char *desc;         /* plain text: what it shows, in a sentence */
	/* The series, in the order they are stacked from the bar's start and
	 * listed in the legend. Parts of one whole (approved, waitlisted,
	 * pending): a count in two series would be drawn twice. With one
	 * series there is no legend. */
	const char *series[CHART_SERIES_MAX];
	size_t nseries;           /* 1–CHART_SERIES_MAX */
	const char *cap_label;    /* "Cap", for the marker's tooltip; NULL: none */
	const char *target_label; /* "Target", likewise */
	const struct chart_row *rows;
	size_t nrows;
	int rtl;                  /* bars start at the right; texts anchor there */
};

/* Appends <svg class="chart" …>…</svg> to out. The scale runs from 0 to the
 * largest of every row's total, cap and target (at least 1), the same for
 * all rows so they compare. */
void chart_bars(struct buf *out, const struct chart *c);

#endif
