/*
 * pdf.h — registration's printed matter as PDF: name badges (four A6 on
 * an A4 sheet, with cut lines and a QR check-in code) and letters (visa
 * support, invitations). Pure rendering: the caller passes texts already
 * translated; no database, no HTTP.
 *
 * Text is shaped by pango (so Arabic joins and runs right to left,
 * Devanagari forms its conjuncts) in Debian's Noto fonts, drawn by cairo.
 * All texts are plain UTF-8, never markup; NULL and "" mean "none".
 *
 * Ownership: everything is borrowed. On success the PDF is appended to
 * out; on error nothing is appended.
 * Errors: HM_EINVAL for a NULL argument, a text that is not UTF-8 or a QR
 * text too long to encode; HM_EINTERNAL when cairo fails (logged).
 * Thread-safe: each thread uses its own font map (pango's default one is
 * per thread), so calls on several threads run side by side.
 */
#ifndef HM_REG_PDF_H
#define HM_REG_PDF_H

#include <stddef.h>

#include "core/core.h"

struct badge {
	const char *name, *organisation, *country;
	const char *role; /* "Participant", "Speaker", …: the band at the foot; NULL: none */
	const char *qr;   /* encoded as a QR code (a signed check-in code); NULL: none */
};

struct badge_sheet {
	const char *lang; /* BCP 47 of the sheet's texts: direction ("ar": right to left), fonts */
	const char *event_title, *event_dates, *event_place;
};

/* n badges, four to an A4 page (n == 0: one empty page). */
enum hm_err pdf_badges(const struct badge_sheet *s, const struct badge *b, size_t n,
		       struct buf *out);

struct letter {
	const char *lang;                   /* as badge_sheet's: "ar" mirrors the whole letter */
	const char *org_name, *org_address; /* the letterhead; lines separated by '\n' */
	const char *place_date;             /* "Geneva, 3 March 2025" */
	const char *recipient;              /* lines */
	const char *subject;                /* in bold */
	const char *body;                   /* paragraphs separated by blank lines */
	const char *signatory, *signatory_title;
};

/* An A4 letter, on as many pages as its body needs. */
enum hm_err pdf_letter(const struct letter *l, struct buf *out);

#endif
