/*
 * test_pdf.c — registration's badges and letters
 * (src/features/registration/pdf.c), read back with poppler's tools: the names
 * in five scripts come out of pdftotext, the pages carry ink where the plan
 * puts it (the QR code's modules, an Arabic letter's start at the right), a
 * long letter takes two pages, bad input is refused with nothing written, and
 * threads render at once. Without poppler-utils the reading tests are skipped,
 * under CI=true they fail (scripts/deps --test installs it).
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
#include <time.h>
#include <unistd.h>

#include "features/registration/pdf.h"
#include "test_shared.h"

#define MM_PX(mm, dpi) ((int)((mm) / 25.4 * (dpi)))

static const struct badge_sheet sheet = {"en", "Regional Consultation on Water and Cities",
					 "3–5 March 2025", "Palais des Nations, Geneva"};

#define LONG_NAME "Maximiliana Theodora Wilhelmina von Hohenzollern-Sigmaringen Aldobrandini"

/* the QR texts are as long as a signed check-in code */
static const struct badge people[] = {
	{"张伟", "清华大学", "China", "Participant",
	 "HM1.ci.000001.6b1f0a9c2d4e8f7a1b3c5d7e9f0a2b4c"},
	{"محمد عبد الله", "جامعة القاهرة", "Egypt", "Speaker",
	 "HM1.ci.000002.0a9c2d4e8f7a1b3c5d7e9f0a2b4c6b1f"},
	{"अनन्या शर्मा", "Indian Institute of Science", "India", "Participant",
	 "HM1.ci.000003.2d4e8f7a1b3c5d7e9f0a2b4c6b1f0a9c"},
	{"Ольга Иванова", "МГУ", "Russia", NULL, NULL}, /* no role, no QR: the control */
	{LONG_NAME, "Universidad Nacional Autónoma de México", "Mexico", "Organiser",
	 "HM1.ci.000005.8f7a1b3c5d7e9f0a2b4c6b1f0a9c2d4e"},
};

/* ---------------------------------------------------------------- helpers */

/* Ends the test when poppler's tools (pdftotext, pdftoppm, pdfinfo) are
 * not installed: skipped on a developer's machine, failed under CI. */
#define need_poppler()                                                                             \
	do {                                                                                       \
		if (system("{ command -v pdftotext && command -v pdftoppm && "                     \
			   "command -v pdfinfo; } >/dev/null 2>&1") != 0) {                        \
			if (ts_in_ci())                                                            \
				fail_msg("poppler-utils not installed (CI=true needs it)");        \
			print_message("skipped: poppler-utils not installed\n");                   \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

struct tmp {
	char dir[64], pdf[96], img[96];
};

static void tmp_write(struct tmp *t, const struct buf *pdf)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/hm-pdf-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->pdf, sizeof(t->pdf), "%s/out.pdf", t->dir);
	snprintf(t->img, sizeof(t->img), "%s/page", t->dir);
	FILE *f = fopen(t->pdf, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
	assert_int_equal(fclose(f), 0);
}

static void tmp_remove(struct tmp *t)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* What cmd prints; the caller frees it. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	if (pclose(p) != 0)
		fail_msg("failed: %s", cmd);
	buf_putc(&b, '\0');
	return buf_steal(&b);
}

/* s as compared: without white space, hyphens and full stops, and
 * without the bidi controls pdftotext puts around right-to-left runs
 * (U+200E/F, U+202A–E, U+2066–9). What remains is the letters in logical
 * order, which pdftotext recovers only when the glyphs were placed right
 * to left. A name broken over two lines still matches (pdftotext also
 * drops the hyphen at a line's end), and so does an Arabic sentence whose
 * full stop pdftotext puts at the other end of a number. In place. */
static char *squeeze(char *s)
{
	char *w = s;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == 0xE2 && p[1] == 0x80 &&
		    (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE)))
			p += 3;
		else if (*p == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			p += 3;
		else if (strchr(" \n\t\f\r-.", *p))
			p++;
		else
			*w++ = (char)*p++;
	}
	*w = '\0';
	return s;
}

/* pdftotext gives the letters of a right-to-left ligature in reverse:
 * lam-alef (one glyph in every Arabic font) comes out alef-lam. The
 * expected text is put the same way. In place. */
static char *lam_alef_as_pdftotext(char *s)
{
	for (unsigned char *p = (unsigned char *)s; p[0] && p[1] && p[2] && p[3]; p++)
		if (p[0] == 0xD9 && p[1] == 0x84 && p[2] == 0xD8 &&
		    (p[3] == 0xA2 || p[3] == 0xA3 || p[3] == 0xA5 || p[3] == 0xA7)) {
			p[0] = 0xD8, p[1] = p[3], p[2] = 0xD9, p[3] = 0x84;
			p += 3;
		}
	return s;
}

static char *pdf_text(const struct tmp *t)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", t->pdf);
	return run(cmd);
}

static int pdf_pages(const struct tmp *t)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "pdfinfo '%s'", t->pdf);
	char *info = run(cmd);
	const char *p = strstr(info, "\nPages:");
	int n = p ? atoi(p + strlen("\nPages:")) : -1;
	free(info);
	return n;
}

static void assert_has_text(const char *text, const char *id, const char *want)
{
	char *w = squeeze(lam_alef_as_pdftotext(xstrdup(want)));
	if (!strstr(text, w))
		fail_msg("%s: \"%s\" not in pdftotext's output:\n%s", id, want, text);
	free(w);
}

/* A page as grey pixels (pdftoppm -gray: a binary PGM). */
struct gray {
	int w, h;
	unsigned char *px;
};

static struct gray page_gray(const struct tmp *t, int page, int dpi)
{
	char cmd[256], path[128];
	snprintf(cmd, sizeof(cmd), "pdftoppm -gray -r %d -f %d -l %d -singlefile '%s' '%s'", dpi,
		 page, page, t->pdf, t->img);
	free(run(cmd));
	snprintf(path, sizeof(path), "%s.pgm", t->img);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct gray g;
	int max;
	assert_int_equal(fscanf(f, "P5 %d %d %d", &g.w, &g.h, &max), 3);
	fgetc(f); /* the one white space after the header */
	g.px = xmalloc((size_t)g.w * g.h);
	assert_int_equal(fread(g.px, 1, (size_t)g.w * g.h, f), (size_t)g.w * g.h);
	fclose(f);
	return g;
}

/* Dark pixels in the rectangle (x0, y0)–(x1, y1), pixels. */
static long dark(const struct gray *g, int x0, int y0, int x1, int y1)
{
	long n = 0;
	for (int y = y0; y < y1 && y < g->h; y++)
		for (int x = x0; x < x1 && x < g->w; x++)
			n += g->px[(size_t)y * g->w + x] < 128;
	return n;
}

/* The leftmost and rightmost columns with ink between rows y0 and y1. */
static void ink_columns(const struct gray *g, int y0, int y1, int *left, int *right)
{
	*left = g->w;
	*right = -1;
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < g->w; x++)
			if (g->px[(size_t)y * g->w + x] < 128) {
				if (x < *left)
					*left = x;
				if (x > *right)
					*right = x;
			}
}

/* ---------------------------------------------------------------- badges */

static void test_pdf_badges_show_names_in_every_script(void **state)
{
	(void)state;
	need_poppler();
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_badges(&sheet, people, HM_ARRAY_LEN(people), &out), HM_OK);
	assert_true(out.len > 1000 && memcmp(out.data, "%PDF-", 5) == 0);
	struct tmp t;
	tmp_write(&t, &out);
	assert_int_equal(pdf_pages(&t), 2);

	char *text = squeeze(pdf_text(&t));
	for (size_t i = 0; i < HM_ARRAY_LEN(people); i++) {
		assert_has_text(text, people[i].name, people[i].name);
		assert_has_text(text, people[i].name, people[i].organisation);
	}
	assert_has_text(text, "title", sheet.event_title);
	assert_has_text(text, "role", "Speaker");
	/* the Chinese name exactly, not only its characters somewhere */
	char *raw = pdf_text(&t);
	assert_non_null(strstr(raw, "张伟\n"));
	free(raw);
	free(text);
	buf_free(&out);
	tmp_remove(&t);
}

static void test_pdf_badges_draw_qr_modules_where_asked(void **state)
{
	(void)state;
	need_poppler();
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_badges(&sheet, people, 4, &out), HM_OK);
	struct tmp t;
	tmp_write(&t, &out);
	int dpi = 100;
	struct gray g = page_gray(&t, 1, dpi);

	/* the page has ink at all */
	assert_true(dark(&g, 0, 0, g.w, g.h) > (long)g.w * g.h / 50);
	/* the QR code: 30 mm square, centred, 99 mm below a badge's top;
	 * inside its quiet zone (4 of about 33 modules) some 40–60 % dark */
	for (int i = 0; i < 4; i++) {
		double bx = (i % 2) * 105, by = 0.5 + (i / 2) * 148;
		int x0 = MM_PX(bx + 37.5 + 4.5, dpi), x1 = MM_PX(bx + 67.5 - 4.5, dpi);
		int y0 = MM_PX(by + 99 + 4.5, dpi), y1 = MM_PX(by + 129 - 4.5, dpi);
		long n = dark(&g, x0, y0, x1, y1), all = (long)(x1 - x0) * (y1 - y0);
		if (people[i].qr) {
			if (n < all / 4 || n > all * 3 / 4)
				fail_msg("badge %d: %ld of %ld QR pixels dark", i, n, all);
			/* the quiet zone's top stripe is white */
			assert_int_equal(
				dark(&g, x0, MM_PX(by + 99.3, dpi), x1, MM_PX(by + 101.5, dpi)), 0);
		} else {
			assert_int_equal(n, 0);
		}
	}
	free(g.px);
	buf_free(&out);
	tmp_remove(&t);
}

/* A long name shrinks into its box: it neither spills into the
 * organisation below nor is ellipsized. */
static void test_pdf_badges_long_name_is_shrunk_to_fit(void **state)
{
	(void)state;
	need_poppler();
	struct badge b = {LONG_NAME " " LONG_NAME, "Org", NULL, NULL, NULL};
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_badges(&sheet, &b, 1, &out), HM_OK);
	struct tmp t;
	tmp_write(&t, &out);
	char *text = squeeze(pdf_text(&t));
	assert_has_text(text, "doubled name", b.name);
	assert_null(strstr(text, "…"));
	free(text);
	/* nothing drawn between the name's box (to 68 mm) and the organisation (71 mm) */
	struct gray g = page_gray(&t, 1, 100);
	assert_int_equal(dark(&g, MM_PX(7, 100), MM_PX(0.5 + 68.3, 100), MM_PX(98, 100),
			      MM_PX(0.5 + 70.8, 100)),
			 0);
	free(g.px);
	buf_free(&out);
	tmp_remove(&t);
}

/* Names are text, not pango markup. */
static void test_pdf_badges_text_is_not_markup(void **state)
{
	(void)state;
	need_poppler();
	struct badge b = {"<b>Tom &amp; Jerry</b>", "<i>A & B</i>", NULL, NULL, NULL};
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_badges(&sheet, &b, 1, &out), HM_OK);
	struct tmp t;
	tmp_write(&t, &out);
	char *text = squeeze(pdf_text(&t));
	assert_has_text(text, "name", b.name);
	assert_has_text(text, "organisation", b.organisation);
	free(text);
	buf_free(&out);
	tmp_remove(&t);
}

static void test_pdf_badges_take_nulls_and_empty_texts(void **state)
{
	(void)state;
	static const struct badge_sheet empty_sheet = {0};
	static const struct badge blanks[] = {{0}, {"", "", "", "", ""}};
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_badges(&empty_sheet, blanks, 2, &out), HM_OK);
	assert_true(out.len > 0 && memcmp(out.data, "%PDF-", 5) == 0);
	buf_reset(&out);
	assert_int_equal(pdf_badges(&sheet, NULL, 0, &out), HM_OK); /* one empty page */
	assert_true(out.len > 0);
	buf_free(&out);
}

static void test_pdf_refuses_bad_input_and_writes_nothing(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out);
	buf_puts(&out, "kept");
	struct badge bad_utf8 = {"Caf\xC3", NULL, NULL, NULL, NULL};
	char *huge = xmalloc(4001); /* beyond any QR code at level M */
	memset(huge, 'x', 4000);
	huge[4000] = '\0';
	struct badge too_long_qr[] = {people[0], {"Ann", NULL, NULL, NULL, huge}};
	struct badge_sheet bad_sheet = sheet;
	bad_sheet.event_place = "\xFF";
	struct letter bad_letter = {.body = "ok\n\n\xED\xA0\x80"};

	struct {
		const char *id;
		enum hm_err rc;
	} rows[] = {
		{"null sheet", pdf_badges(NULL, people, 1, &out)},
		{"null badges", pdf_badges(&sheet, NULL, 1, &out)},
		{"null out", pdf_badges(&sheet, people, 1, NULL)},
		{"bad name", pdf_badges(&sheet, &bad_utf8, 1, &out)},
		{"bad place", pdf_badges(&bad_sheet, people, 1, &out)},
		{"qr too long", pdf_badges(&sheet, too_long_qr, 2, &out)},
		{"null letter", pdf_letter(NULL, &out)},
		{"letter null out", pdf_letter(&bad_letter, NULL)},
		{"bad body", pdf_letter(&bad_letter, &out)},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++)
		if (rows[i].rc != HM_EINVAL)
			fail_msg("row %s: %s", rows[i].id, hm_err_str(rows[i].rc));
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "kept");
	free(huge);
	buf_free(&out);
}

/* ---------------------------------------------------------------- letters */

/* n paragraphs of a visa letter's body in English or Arabic, the
 * paragraph's number first. */
static char *body_of(int arabic, int n)
{
	static const char *const arabic_digits[] = {"٠", "١", "٢", "٣", "٤",
						    "٥", "٦", "٧", "٨", "٩"};
	struct buf b;
	buf_init(&b);
	for (int i = 1; i <= n; i++) {
		if (!arabic) {
			buf_printf(
				&b,
				"Paragraph %d. We are pleased to invite Ms Olga Ivanova to the "
				"Regional Consultation on Water and Cities, to be held in Geneva "
				"from 3 to 5 March 2025. The organisers cover accommodation and "
				"local transport during the meeting; the participant covers "
				"travel to Geneva.\r\n\r\n",
				i);
			continue;
		}
		buf_puts(&b, "الفقرة ");
		if (i >= 10)
			buf_puts(&b, arabic_digits[i / 10]);
		buf_puts(&b, arabic_digits[i % 10]);
		buf_puts(&b, " يسرنا أن ندعو السيدة أولغا إيفانوفا للمشاركة في المشاورة الإقليمية "
			     "حول "
			     "المياه والمدن، التي ستعقد في جنيف من ٣ حتى ٥ مارس ٢٠٢٥. يتحمل "
			     "المنظمون "
			     "تكاليف الإقامة والنقل المحلي طوال الاجتماع، وتتحمل المشاركة تكاليف "
			     "السفر.\n\n");
	}
	return buf_steal(&b);
}

static const struct letter letter_en = {"en",
					"UNEP",
					"Avenue de la Paix 8-14\n1211 Geneva 10",
					"Geneva, 3 February 2025",
					"Embassy of Switzerland\nVisa Section\nMoscow",
					"Visa support for Ms Olga Ivanova",
					NULL,
					"Dr Jane Smith",
					"Head of Events"};

static const struct letter letter_ar = {"ar",
					"برنامج الأمم المتحدة",
					"جنيف\nسويسرا",
					"جنيف، ٣ فبراير ٢٠٢٥",
					"سفارة سويسرا\nالقاهرة",
					"رسالة دعم تأشيرة للسيد محمد عبد الله",
					NULL,
					"د. جين سميث",
					"رئيسة قسم الفعاليات"};

/* A letter of 12 paragraphs: two pages, every paragraph and the
 * signatory there; its letterhead at the start side of the page
 * (left in English, right in Arabic). */
static void check_letter(const struct letter *tmpl, int arabic)
{
	need_poppler();
	struct letter l = *tmpl;
	char *body = body_of(arabic, 12);
	l.body = body;
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_letter(&l, &out), HM_OK);
	struct tmp t;
	tmp_write(&t, &out);
	assert_int_equal(pdf_pages(&t), 2);

	char *text = squeeze(pdf_text(&t));
	assert_has_text(text, "subject", l.subject);
	assert_has_text(text, "recipient", l.recipient);
	assert_has_text(text, "signatory", l.signatory_title);
	for (int i = 1; i <= 12; i++) {
		char *para = body_of(arabic, i), *last = para;
		for (char *p; (p = strstr(last + 1, arabic ? "الفقرة" : "Paragraph"));)
			last = p;
		last[strcspn(last, "\r\n")] = '\0';
		assert_has_text(text, "paragraph", last);
		free(para);
	}
	free(text);

	int dpi = 50, left, right;
	struct gray g = page_gray(&t, 1, dpi);
	ink_columns(&g, MM_PX(15, dpi), MM_PX(35, dpi), &left, &right);
	if (arabic ? abs(right - MM_PX(185, dpi)) > 3 || left < MM_PX(60, dpi)
		   : abs(left - MM_PX(25, dpi)) > 3 || right > MM_PX(150, dpi))
		fail_msg("letterhead's ink from column %d to %d (margins %d and %d)", left, right,
			 MM_PX(25, dpi), MM_PX(185, dpi));
	free(g.px);
	free(body);
	buf_free(&out);
	tmp_remove(&t);
}

static void test_pdf_letter_english_flows_over_two_pages(void **state)
{
	(void)state;
	check_letter(&letter_en, 0);
}

static void test_pdf_letter_arabic_is_right_to_left(void **state)
{
	(void)state;
	check_letter(&letter_ar, 1);
}

static void test_pdf_letter_takes_nulls(void **state)
{
	(void)state;
	struct letter l = {0};
	struct buf out;
	buf_init(&out);
	assert_int_equal(pdf_letter(&l, &out), HM_OK);
	assert_true(out.len > 0 && memcmp(out.data, "%PDF-", 5) == 0);
	l.body = "\n\n \n\r\n";
	buf_reset(&out);
	assert_int_equal(pdf_letter(&l, &out), HM_OK);
	buf_free(&out);
}

/* ---------------------------------------------------------------- threads */

#define NTHREADS 4

static void *render_main(void *arg)
{
	(void)arg;
	struct buf out;
	buf_init(&out);
	long ok = 1;
	for (int i = 0; i < 3 && ok; i++) {
		ok = pdf_badges(&sheet, people, HM_ARRAY_LEN(people), &out) == HM_OK &&
		     memcmp(out.data, "%PDF-", 5) == 0;
		buf_reset(&out);
		ok = ok && pdf_letter(&letter_ar, &out) == HM_OK;
		buf_reset(&out);
	}
	buf_free(&out);
	return (void *)ok;
}

static void test_pdf_threads_render_at_once(void **state)
{
	(void)state;
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, render_main, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *ok;
		assert_int_equal(pthread_join(th[i], &ok), 0);
		assert_true(ok == (void *)1);
	}
}

/* Prints how long 150 badges take (a number to watch, not a limit). */
static void test_pdf_badges_150_timing(void **state)
{
	(void)state;
	struct badge b[150];
	for (size_t i = 0; i < HM_ARRAY_LEN(b); i++)
		b[i] = people[i % HM_ARRAY_LEN(people)];
	struct buf out;
	buf_init(&out);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pdf_badges(&sheet, b, HM_ARRAY_LEN(b), &out), HM_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("150 badges: %.2f s, %zu kB\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		      out.len / 1024);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdf_badges_show_names_in_every_script),
		cmocka_unit_test(test_pdf_badges_draw_qr_modules_where_asked),
		cmocka_unit_test(test_pdf_badges_long_name_is_shrunk_to_fit),
		cmocka_unit_test(test_pdf_badges_text_is_not_markup),
		cmocka_unit_test(test_pdf_badges_take_nulls_and_empty_texts),
		cmocka_unit_test(test_pdf_refuses_bad_input_and_writes_nothing),
		cmocka_unit_test(test_pdf_letter_english_flows_over_two_pages),
		cmocka_unit_test(test_pdf_letter_arabic_is_right_to_left),
		cmocka_unit_test(test_pdf_letter_takes_nulls),
		cmocka_unit_test(test_pdf_threads_render_at_once),
		cmocka_unit_test(test_pdf_badges_150_timing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
