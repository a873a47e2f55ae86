/*
 * test_media.c — the image sniffer (one table of headers, refusals first),
 * stored names, the default folder, and (when built with libgd) storing:
 * decoding checks, content-hash names, thumbnails turned upright by the
 * EXIF orientation, metadata stripped before storing, limits, reading
 * back, and the answer when libgd
 * cannot be loaded; and the sweep of files nothing refers to (kept while
 * referenced or recent, removed with their thumbnails once old, orphan
 * thumbnails, other files untouched, dry runs) on a real SQLite database.
 * libgd is reached through media's own loader, as the
 * binary is not linked with it. Fixture images are the fuzz
 * seeds in tests/fuzz/corpus/image/ (made with libgd; the EXIF ones have
 * an APP1 segment added by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/auth.h"
#include "db/db.h"
#include "media/gd_load.h"
#include "media/media.h"
#include "site/web.h"

#define SEEDS "tests/fuzz/corpus/image/"

/* The whole file; *len its size. Caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *p = xmalloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read of %s", path);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* ------------------------------------------------------------ headers */

/* A PNG signature and IHDR for w × h (nothing after it). */
static size_t png_header(unsigned char *b, uint32_t w, uint32_t h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	memcpy(b, sig, 8);
	const unsigned char ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
	memcpy(b + 8, ihdr, 8);
	for (int i = 0; i < 4; i++) {
		b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
		b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	memset(b + 24, 0, 9); /* depth, colour type… and the CRC, unread */
	b[24] = 8;
	b[25] = 2;
	return 33;
}

/* A RIFF/WEBP file with one VP8X chunk: flags and canvas w × h. */
static size_t webp_vp8x(unsigned char *b, unsigned flags, uint32_t w, uint32_t h)
{
	memcpy(b, "RIFF", 4);
	uint32_t riff = 4 + 8 + 10;
	for (int i = 0; i < 4; i++)
		b[4 + i] = (unsigned char)(riff >> (8 * i));
	memcpy(b + 8, "WEBPVP8X", 8);
	b[16] = 10;
	b[17] = b[18] = b[19] = 0;
	memset(b + 20, 0, 10);
	b[20] = (unsigned char)flags;
	for (int i = 0; i < 3; i++) {
		b[24 + i] = (unsigned char)((w - 1) >> (8 * i));
		b[27 + i] = (unsigned char)((h - 1) >> (8 * i));
	}
	return 30;
}

struct sniff_case {
	const char *id;
	const unsigned char *data;
	size_t len;
	enum hm_err want;
	enum media_type type;
	uint32_t w, h;
	int orientation;
};

static void check_sniff(const struct sniff_case *c)
{
	struct media_info info;
	const char *why = NULL;
	/* An exact-size copy, so ASan sees any read past the end. */
	unsigned char *copy = c->len ? xmalloc(c->len) : NULL;
	if (c->len)
		memcpy(copy, c->data, c->len);
	enum hm_err e = media_sniff(copy, c->len, &info, &why);
	if (e != c->want)
		fail_msg("%s: media_sniff gave %s, want %s", c->id, hm_err_str(e), hm_err_str(c->want));
	if (e == HM_OK) {
		if (info.type != c->type || info.width != c->w || info.height != c->h ||
		    info.orientation != c->orientation)
			fail_msg("%s: got type %d %ux%u orientation %d", c->id, info.type,
				 info.width, info.height, info.orientation);
	} else {
		if (!why || !*why)
			fail_msg("%s: no reason given", c->id);
		if (info.type != MEDIA_NONE || info.width || info.height)
			fail_msg("%s: info not cleared on error", c->id);
	}
	free(copy);
}

static void test_sniff_refuses_what_is_not_an_image(void **state)
{
	(void)state;
	unsigned char png[64], webp[64], jpeg[64];
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
	static const unsigned char html[] = "<!doctype html><script>alert(1)</script>";
	static const unsigned char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
	static const unsigned char soi_only[] = {0xFF, 0xD8, 0xFF};
	static const unsigned char sos_first[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02};
	static const unsigned char seg_past_end[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x40, 0x00, 0x4A};
	static const unsigned char dnl_height[] = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 0,
						   0, 16, 1, 1, 0x11, 0};
	static const unsigned char eoi_early[] = {0xFF, 0xD8, 0xFF, 0xD9};
	static const unsigned char no_marker[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12, 0x34};
	static const unsigned char vp8_bad_code[] = {
		'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 10, 0, 0, 0,
		0x10, 0x05, 0x00, 0x9D, 0x01, 0x2B, 40, 0, 20, 0};
	static const unsigned char vp8_interframe[] = {
		'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 10, 0, 0, 0,
		0x11, 0x05, 0x00, 0x9D, 0x01, 0x2A, 40, 0, 20, 0};
	static const unsigned char vp8l_bad_sig[] = {
		'R', 'I', 'F', 'F', 17, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 5, 0, 0, 0,
		0x2E, 0x27, 0xC0, 0x04, 0x00};
	static const unsigned char vp8l_version[] = {
		'R', 'I', 'F', 'F', 17, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 5, 0, 0, 0,
		0x2F, 0x27, 0xC0, 0x04, 0x20};
	static const unsigned char webp_unknown[] = {
		'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '9', ' ', 10, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const unsigned char riff_too_long[] = {
		'R', 'I', 'F', 'F', 0xFF, 0xFF, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 5, 0, 0,
		0, 0x2F, 0x27, 0xC0, 0x04, 0x00};
	static const unsigned char chunk_past_riff[] = {
		'R', 'I', 'F', 'F', 17, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 50, 0, 0, 0,
		0x2F, 0x27, 0xC0, 0x04, 0x00};
	static const unsigned char wave[] = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E',
					     'f', 'm', 't', ' ', 0, 0, 0, 0};

	size_t n_png_zero = png_header(png, 0, 10);
	struct sniff_case cases[] = {
		{"empty", (const unsigned char *)"", 0, HM_EINVAL},
		{"gif", gif, sizeof(gif) - 1, HM_EINVAL},
		{"html", html, sizeof(html) - 1, HM_EINVAL},
		{"svg", svg, sizeof(svg) - 1, HM_EINVAL},
		{"jpeg-soi-only", soi_only, sizeof(soi_only), HM_EINVAL},
		{"jpeg-scan-before-frame", sos_first, sizeof(sos_first), HM_EINVAL},
		{"jpeg-segment-past-end", seg_past_end, sizeof(seg_past_end), HM_EINVAL},
		{"jpeg-height-from-dnl", dnl_height, sizeof(dnl_height), HM_EINVAL},
		{"jpeg-eoi-before-frame", eoi_early, sizeof(eoi_early), HM_EINVAL},
		{"jpeg-no-marker-after-segment", no_marker, sizeof(no_marker), HM_EINVAL},
		{"png-width-zero", png, n_png_zero, HM_EINVAL},
		{"png-signature-only", png, 8, HM_EINVAL},
		{"webp-vp8-bad-start-code", vp8_bad_code, sizeof(vp8_bad_code), HM_EINVAL},
		{"webp-vp8-not-key-frame", vp8_interframe, sizeof(vp8_interframe), HM_EINVAL},
		{"webp-vp8l-bad-signature", vp8l_bad_sig, sizeof(vp8l_bad_sig), HM_EINVAL},
		{"webp-vp8l-version-1", vp8l_version, sizeof(vp8l_version), HM_EINVAL},
		{"webp-unknown-chunk", webp_unknown, sizeof(webp_unknown), HM_EINVAL},
		{"webp-riff-longer-than-file", riff_too_long, sizeof(riff_too_long), HM_EINVAL},
		{"webp-chunk-past-riff", chunk_past_riff, sizeof(chunk_past_riff), HM_EINVAL},
		{"riff-wave", wave, sizeof(wave), HM_EINVAL},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++)
		check_sniff(&cases[i]);

	/* Animated WebP: refused with its own reason. */
	const char *why = NULL;
	struct media_info info;
	size_t n = webp_vp8x(webp, 0x02, 100, 100);
	assert_int_equal(media_sniff(webp, n, &info, &why), HM_EINVAL);
	assert_string_equal(why, "Animated images are not accepted.");
	/* NULL data with a length is nothing, not a crash. */
	assert_int_equal(media_sniff(NULL, 10, &info, NULL), HM_EINVAL);
	(void)jpeg;
}

static void test_sniff_refuses_decompression_bombs(void **state)
{
	(void)state;
	unsigned char png[64], webp[64];
	struct { const char *id; uint32_t w, h; enum hm_err want; } rows[] = {
		{"side-over-limit", MEDIA_MAX_SIDE + 1, 10, HM_ETOOBIG},
		{"height-over-limit", 10, MEDIA_MAX_SIDE + 1, HM_ETOOBIG},
		{"pixels-over-limit", 7000, 7000, HM_ETOOBIG},
		{"huge", 0x7fffffff, 0x7fffffff, HM_ETOOBIG},
		{"png-over-31-bits", 0x80000000u, 1, HM_EINVAL},
		{"at-the-limits", MEDIA_MAX_SIDE, MEDIA_MAX_PIXELS / MEDIA_MAX_SIDE, HM_OK},
		{"one-pixel", 1, 1, HM_OK},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		size_t n = png_header(png, rows[i].w, rows[i].h);
		struct sniff_case c = {rows[i].id, png, n, rows[i].want, MEDIA_PNG, rows[i].w,
				       rows[i].h, 1};
		check_sniff(&c);
	}
	size_t n = webp_vp8x(webp, 0, 16384, 16384);
	struct sniff_case c = {"webp-vp8x-16384", webp, n, HM_ETOOBIG};
	check_sniff(&c);
	n = webp_vp8x(webp, 0x10, 640, 480); /* alpha flag: fine */
	struct sniff_case ok = {"webp-vp8x-alpha", webp, n, HM_OK, MEDIA_WEBP, 640, 480, 1};
	check_sniff(&ok);
}

static void test_sniff_reads_real_images(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		enum media_type type;
		uint32_t w, h;
		int orientation;
	} rows[] = {
		{"red-blue.jpg", MEDIA_JPEG, 40, 20, 1},
		{"red-blue-exif6.jpg", MEDIA_JPEG, 40, 20, 6},
		{"red-blue-exif8-le.jpg", MEDIA_JPEG, 40, 20, 8},
		{"red-blue.png", MEDIA_PNG, 40, 20, 1},
		{"alpha.png", MEDIA_PNG, 16, 16, 1},
		{"red-blue.webp", MEDIA_WEBP, 40, 20, 1},
		{"red-blue-lossless.webp", MEDIA_WEBP, 40, 20, 1},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		size_t len;
		char path[256];
		snprintf(path, sizeof(path), SEEDS "%s", rows[i].file);
		unsigned char *d = slurp(path, &len);
		struct sniff_case c = {rows[i].file, d, len, HM_OK, rows[i].type, rows[i].w,
				       rows[i].h, rows[i].orientation};
		check_sniff(&c);
		/* Every prefix is either refused or read the same: never more. */
		for (size_t cut = 0; cut < len && cut < 200; cut++) {
			struct media_info info;
			enum hm_err e = media_sniff(d, cut, &info, NULL);
			if (e == HM_OK && (info.width != rows[i].w || info.height != rows[i].h))
				fail_msg("%s cut at %zu: read %ux%u", rows[i].file, cut, info.width,
					 info.height);
		}
		free(d);
	}
}

/* -------------------------------------------------------------- names */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_media_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int valid, original;
		const char *mime;
	} rows[] = {
		{NULL, 0, 0, NULL},
		{"", 0, 0, NULL},
		{"../" HEX64 ".jpg", 0, 0, NULL},
		{HEX64 ".JPG", 0, 0, NULL},
		{HEX64 ".jpeg", 0, 0, NULL},
		{HEX64 ".gif", 0, 0, NULL},
		{HEX64 ".svg", 0, 0, NULL},
		{HEX64 ".jpg/", 0, 0, NULL},
		{HEX64 ".jpg.html", 0, 0, NULL},
		{HEX64 "0.jpg", 0, 0, NULL},
		{"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.png", 0, 0, NULL},
		{"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.png", 0, 0, NULL},
		{HEX64 "-w640.jpg", 0, 0, NULL},
		{HEX64 "-w320.webp", 0, 0, NULL},
		{HEX64 "-w640.webp.", 0, 0, NULL},
		{"." HEX64 ".jpg.XXXXXX", 0, 0, NULL},
		{HEX64 ".jpg", 1, 1, "image/jpeg"},
		{HEX64 ".png", 1, 1, "image/png"},
		{HEX64 ".webp", 1, 1, "image/webp"},
		{HEX64 "-w640.webp", 1, 0, "image/webp"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		const char *n = rows[i].name;
		if (media_name_valid(n) != rows[i].valid)
			fail_msg("row %zu (%s): valid %d", i, n ? n : "NULL", !rows[i].valid);
		if (media_name_is_original(n) != rows[i].original)
			fail_msg("row %zu (%s): original %d", i, n ? n : "NULL", !rows[i].original);
		const char *m = media_name_mime(n);
		if (!str_eq(m, rows[i].mime))
			fail_msg("row %zu (%s): mime %s", i, n ? n : "NULL", m ? m : "NULL");
	}
	char t[MEDIA_NAME_SIZE];
	media_thumb_name(HEX64 ".png", t);
	assert_string_equal(t, HEX64 "-w640.webp");
	media_thumb_name(HEX64 "-w640.webp", t);
	assert_string_equal(t, "");
	media_thumb_name("x.png", t);
	assert_string_equal(t, "");
	assert_null(media_type_mime(MEDIA_NONE));
	assert_string_equal(media_type_ext(MEDIA_WEBP), "webp");
}

static void test_media_default_dir(void **state)
{
	(void)state;
	static const struct { const char *db, *want; } rows[] = {
		{"h.db", "media"},
		{"/srv/harmony/h.db", "/srv/harmony/media"},
		{"/h.db", "/media"},
		{"data/site.db", "data/media"},
		{NULL, "media"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char *d = media_default_dir(rows[i].db);
		if (strcmp(d, rows[i].want) != 0)
			fail_msg("row %zu: %s", i, d);
		free(d);
	}
}

/* -------------------------------------------------------------- store */

static char dir[] = "/tmp/harmony-media-XXXXXX";

static void test_store_refuses_without_folder(void **state)
{
	(void)state;
	size_t len;
	unsigned char *d = slurp(SEEDS "red-blue.png", &len);
	struct media_stored ms;
	const char *why = NULL;
	assert_null(media_dir());
	assert_int_equal(media_store(d, len, &ms, &why), HM_EINTERNAL);
	assert_non_null(why);
	assert_string_equal(ms.name, "");
	free(d);
}

static void test_init_refuses_bad_folders(void **state)
{
	(void)state;
	assert_int_equal(media_init(""), HM_EIO);
	assert_int_equal(media_init("/proc/version/media"), HM_EIO);
	assert_int_equal(media_init("/etc/hostname"), HM_EIO);
}

static int rm_files(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int setup_store(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	char *sub = xasprintf("%s/media", dir);
	enum hm_err e = media_init(sub); /* created here */
	free(sub);
	return e == HM_OK ? 0 : -1;
}

static int teardown_store(void **state)
{
	(void)state;
	return rm_files() == 0 ? 0 : -1;
}

#ifdef HM_HAVE_GD
static int file_exists(const char *name)
{
	char *p = xasprintf("%s/%s", media_dir(), name);
	struct stat sb;
	int ok = stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
	free(p);
	return ok;
}

static int count_files(void)
{
	DIR *d = opendir(media_dir());
	int n = 0;
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
	closedir(d);
	return n;
}

/* libgd's functions, loaded by media (the test fails if it cannot be). */
static const struct gd_fns *gd(void)
{
	const char *why = NULL;
	const struct gd_fns *g = media_gd(&why);
	if (!g)
		fail_msg("%s", why);
	return g;
}

static gdImagePtr load_thumb(const struct media_stored *ms)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(media_read(ms->thumb, &b), HM_OK);
	gdImagePtr im = gd()->ImageCreateFromWebpPtr((int)b.len, b.data);
	buf_free(&b);
	assert_non_null(im);
	return im;
}

/* 1 if the pixel is mostly red (or blue when want_blue). */
static int colour_is(gdImagePtr im, int x, int y, int want_blue)
{
	int c = gd()->ImageGetTrueColorPixel(im, x, y);
	int r = gdTrueColorGetRed(c), b = gdTrueColorGetBlue(c);
	return want_blue ? b > 150 && r < 100 : r > 150 && b < 100;
}

/* Without libgd the upload is refused with a message naming it, and
 * nothing is written. In a child process: libgd loads once per process,
 * and this process needs it for the tests that follow. */
static void test_store_says_when_libgd_cannot_be_loaded(void **state)
{
	(void)state;
	size_t len;
	unsigned char *png = slurp(SEEDS "red-blue.png", &len);
	int before = count_files();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct media_stored ms;
		const char *why = NULL, *again = NULL;
		int rc = 0;
		log_min_level = LOG_ERROR + 1; /* the dlopen error is expected */
		if (media_gd_use_soname("libharmony-missing.so.0") != 0)
			_exit(1);
		if (media_store(png, len, &ms, &why) != HM_EINTERNAL || ms.name[0])
			rc |= 2;
		if (!why || strcmp(why, "Image processing is unavailable: "
				       "libharmony-missing.so.0 could not be loaded.") != 0)
			rc |= 4;
		if (media_store(png, len, &ms, &again) != HM_EINTERNAL || again != why)
			rc |= 8;
		if (media_gd(NULL) != NULL)
			rc |= 16;
		_exit(rc);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: %s %d (1: libgd loaded too early, 2: store, 4: message, "
			 "8: second store, 16: table)",
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	assert_int_equal(count_files(), before);
	free(png);
}

static void test_store_real_images(void **state)
{
	(void)state;
	static const struct {
		const char *file, *ext;
		uint32_t tw, th;
		int top_blue, bottom_blue, left_blue, right_blue; /* -1: not checked */
	} rows[] = {
		{"red-blue.jpg", "jpg", 40, 20, -1, -1, 0, 1},
		{"red-blue.png", "png", 40, 20, -1, -1, 0, 1},
		{"red-blue.webp", "webp", 40, 20, -1, -1, 0, 1},
		{"red-blue-lossless.webp", "webp", 40, 20, -1, -1, 0, 1},
		/* 6: turned clockwise, the red left side comes to the top. */
		{"red-blue-exif6.jpg", "jpg", 20, 40, 0, 1, -1, -1},
		/* 8: turned anticlockwise, the red side goes to the bottom. */
		{"red-blue-exif8-le.jpg", "jpg", 20, 40, 1, 0, -1, -1},
		{"alpha.png", "png", 16, 16, -1, -1, -1, -1},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char path[256];
		size_t len;
		snprintf(path, sizeof(path), SEEDS "%s", rows[i].file);
		unsigned char *d = slurp(path, &len);
		struct media_stored ms;
		const char *why = NULL;
		if (media_store(d, len, &ms, &why) != HM_OK)
			fail_msg("%s: refused: %s", rows[i].file, why ? why : "?");
		assert_int_equal(strlen(ms.sha256), 64);
		char want[MEDIA_NAME_SIZE];
		snprintf(want, sizeof(want), "%s.%s", ms.sha256, rows[i].ext);
		assert_string_equal(ms.name, want);
		assert_true(media_name_is_original(ms.name));
		assert_true(file_exists(ms.name) && file_exists(ms.thumb));
		assert_true(media_exists(ms.name));
		assert_int_equal(ms.existed, 0);
		if (ms.thumb_width != rows[i].tw || ms.thumb_height != rows[i].th)
			fail_msg("%s: thumbnail %ux%u", rows[i].file, ms.thumb_width, ms.thumb_height);
		gdImagePtr t = load_thumb(&ms);
		assert_int_equal(gdImageSX(t), (int)rows[i].tw);
		assert_int_equal(gdImageSY(t), (int)rows[i].th);
		int w = gdImageSX(t), h = gdImageSY(t);
		if (rows[i].top_blue >= 0 && (!colour_is(t, w / 2, 2, rows[i].top_blue) ||
					      !colour_is(t, w / 2, h - 3, rows[i].bottom_blue)))
			fail_msg("%s: thumbnail not upright", rows[i].file);
		if (rows[i].left_blue >= 0 && (!colour_is(t, 2, h / 2, rows[i].left_blue) ||
					       !colour_is(t, w - 3, h / 2, rows[i].right_blue)))
			fail_msg("%s: thumbnail colours moved", rows[i].file);
		gd()->ImageDestroy(t);

		/* The stored original is the upload without its metadata: the
		 * PNG and WebP files carry none and stay byte for byte; the
		 * JPEGs lose libgd's comment and keep their orientation. */
		struct buf b;
		buf_init(&b);
		assert_int_equal(media_read(ms.name, &b), HM_OK);
		assert_int_equal(ms.bytes, b.len);
		if (strcmp(rows[i].ext, "jpg") != 0) {
			assert_int_equal(b.len, len);
			assert_memory_equal(b.data, d, len);
		} else {
			assert_true(b.len < len);
			assert_null(memmem(b.data, b.len, "CREATOR", 7));
		}
		struct media_info was, now;
		assert_int_equal(media_sniff(d, len, &was, NULL), HM_OK);
		assert_int_equal(media_sniff(b.data, b.len, &now, NULL), HM_OK);
		assert_int_equal(now.orientation, was.orientation);
		buf_free(&b);

		/* Again: nothing changes, existed says so. */
		struct media_stored again;
		assert_int_equal(media_store(d, len, &again, NULL), HM_OK);
		assert_int_equal(again.existed, 1);
		assert_string_equal(again.name, ms.name);
		free(d);
	}
}

/* ------------------------------------------------------- metadata */

/* PNG chunk CRC (ISO 3309, as in the PNG spec), so built chunks are valid. */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void put_be32(struct buf *b, uint32_t v)
{
	unsigned char q[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			       (unsigned char)v };
	buf_append(b, q, 4);
}

static void put_le32(struct buf *b, uint32_t v)
{
	unsigned char q[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	buf_append(b, q, 4);
}

static void png_chunk(struct buf *b, const char *type, const void *data, uint32_t n)
{
	put_be32(b, n);
	size_t at = b->len;
	buf_append(b, type, 4);
	buf_append(b, data, n);
	put_be32(b, png_crc((const unsigned char *)b->data + at, (size_t)n + 4));
}

static void jpeg_segment(struct buf *b, unsigned marker, const void *data, size_t n)
{
	unsigned char h[4] = { 0xFF, (unsigned char)marker, (unsigned char)((n + 2) >> 8),
			       (unsigned char)(n + 2) };
	buf_append(b, h, 4);
	buf_append(b, data, n);
}

/* An Exif block (big-endian) with the orientation in IFD0 and a GPS IFD
 * holding a latitude reference, the shape a phone writes. */
static size_t exif_with_gps(unsigned char *e, int orientation)
{
	static const unsigned char t[] = {
		'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, '*', 0, 0, 0, 8,
		0, 2,                                            /* IFD0: two entries */
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0,        /* orientation */
		0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,       /* GPS IFD at 38 */
		0, 0, 0, 0,
		0, 1,                                            /* GPS IFD */
		0x00, 0x01, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0,      /* GPSLatitudeRef */
		0, 0, 0, 0,
		'S', 'E', 'C', 'R', 'E', 'T', '-', 'G', 'P', 'S',
	};
	memcpy(e, t, sizeof(t));
	e[6 + 8 + 2 + 9] = (unsigned char)orientation;
	return sizeof(t);
}

/* What can say where, when or by whom a photo was taken is not stored:
 * EXIF with GPS, XMP, IPTC, comments, PNG text/time/EXIF/private chunks,
 * WebP EXIF and XMP chunks, bytes after the image. The picture is still
 * the same (decodes, same size), and a JPEG taken on its side still
 * shows upright. */
static void test_store_strips_metadata(void **state)
{
	(void)state;
	static const char secret[] = "SECRET";
	size_t len;

	/* JPEG: a JFIF header with a thumbnail and bytes after it; Exif
	 * (orientation 6 and GPS), then a second Exif saying 8 (viewers read
	 * the first); XMP, Photoshop/IPTC, an Adobe header with bytes after
	 * it, a DNL and a comment before the frame; a trailer after EOI */
	unsigned char *j = slurp(SEEDS "red-blue.jpg", &len);
	assert_true(len > 20 && j[0] == 0xFF && j[1] == 0xD8 && j[2] == 0xFF && j[3] == 0xE0);
	size_t app0 = 4 + (size_t)(j[4] << 8 | j[5]);
	struct buf jb;
	buf_init(&jb);
	buf_append(&jb, j, 2);
	jpeg_segment(&jb, 0xE0, "JFIF\0\1\2\0\0\1\0\1\1\1\xAA\xAA\xAASECRET", 23);
	unsigned char exif[96], exif8[96];
	jpeg_segment(&jb, 0xE1, exif, exif_with_gps(exif, 6));
	jpeg_segment(&jb, 0xE1, exif8, exif_with_gps(exif8, 8));
	jpeg_segment(&jb, 0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET</x:xmpmeta>", 59);
	jpeg_segment(&jb, 0xED, "Photoshop 3.0\0SECRET", 20);
	jpeg_segment(&jb, 0xEE, "Adobe\0\x64\0\0\0\0\1SECRET", 18);
	jpeg_segment(&jb, 0xDC, "SECRET-DNL", 10);
	jpeg_segment(&jb, 0xFE, "SECRET comment", 14);
	buf_append(&jb, j + app0, len - app0);
	buf_append(&jb, "SECRET trailer", 14);

	/* PNG: text, EXIF, time and a private chunk; a trailer after IEND */
	unsigned char *p = slurp(SEEDS "red-blue.png", &len);
	size_t plen = len;
	assert_true(plen > 33 && memcmp(p + plen - 8, "IEND", 4) == 0);
	struct buf pb;
	buf_init(&pb);
	buf_append(&pb, p, 33); /* signature and IHDR */
	png_chunk(&pb, "tEXt", "Author\0SECRET", 13);
	png_chunk(&pb, "eXIf", exif + 6, 40);
	png_chunk(&pb, "tIME", "\x07\xEA\x0B\x1C\x0C\x00\x00", 7);
	png_chunk(&pb, "prVt", secret, 6);
	buf_append(&pb, p + 33, plen - 33);
	buf_append(&pb, "SECRET", 6);

	/* WebP: the lossy fixture inside an extended file announcing EXIF and
	 * XMP, with both chunks */
	unsigned char *w = slurp(SEEDS "red-blue.webp", &len);
	size_t wlen = len;
	struct buf wb;
	buf_init(&wb);
	buf_append(&wb, "RIFF\0\0\0\0WEBPVP8X", 16);
	put_le32(&wb, 10);
	buf_append(&wb, "\x0C\0\0\0\x27\0\0\x13\0\0", 10); /* EXIF|XMP, 40 × 20 */
	buf_append(&wb, w + 12, wlen - 12);                  /* its VP8 chunk */
	buf_append(&wb, "EXIF", 4);
	put_le32(&wb, 40);
	buf_append(&wb, exif + 6, 40);
	buf_append(&wb, "XMP ", 4);
	put_le32(&wb, 7);
	buf_append(&wb, "SECRET\0", 7); /* odd size, last: its pad byte left out */
	uint32_t riff = (uint32_t)wb.len - 8;
	memcpy(wb.data + 4, (unsigned char[4]){ (unsigned char)riff, (unsigned char)(riff >> 8), 0, 0 }, 4);

	const struct {
		const char *id;
		struct buf *in;
		int orientation;
		uint32_t tw, th;
	} rows[] = {
		{ "jpeg", &jb, 6, 20, 40 },
		{ "png", &pb, 1, 40, 20 },
		{ "webp", &wb, 1, 40, 20 },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct buf *in = rows[i].in;
		assert_non_null(memmem(in->data, in->len, secret, 6));
		struct media_stored ms;
		const char *why = NULL;
		if (media_store(in->data, in->len, &ms, &why) != HM_OK)
			fail_msg("%s: refused: %s", rows[i].id, why ? why : "?");
		struct buf b;
		buf_init(&b);
		assert_int_equal(media_read(ms.name, &b), HM_OK);
		if (memmem(b.data, b.len, secret, 6))
			fail_msg("%s: the stored file still holds the metadata", rows[i].id);
		assert_null(memmem(b.data, b.len, "\x88\x25", 2)); /* no GPS IFD pointer */
		assert_int_equal(ms.bytes, b.len);
		struct media_info info;
		assert_int_equal(media_sniff(b.data, b.len, &info, NULL), HM_OK);
		assert_int_equal(info.width, 40);
		assert_int_equal(info.height, 20);
		assert_int_equal(info.orientation, rows[i].orientation);
		if (ms.thumb_width != rows[i].tw || ms.thumb_height != rows[i].th)
			fail_msg("%s: thumbnail %ux%u", rows[i].id, ms.thumb_width, ms.thumb_height);
		gdImagePtr t = load_thumb(&ms);
		int tw = gdImageSX(t), th = gdImageSY(t);
		/* the red left half: on top when turned (6), else on the left */
		if (rows[i].orientation == 6 ? !colour_is(t, tw / 2, 2, 0) || !colour_is(t, tw / 2, th - 3, 1)
					     : !colour_is(t, 2, th / 2, 0) || !colour_is(t, tw - 3, th / 2, 1))
			fail_msg("%s: thumbnail colours moved", rows[i].id);
		gd()->ImageDestroy(t);
		if (i == 0) {
			/* JPEG: the JFIF header without its thumbnail (0 × 0) and
			 * the Adobe header alone */
			assert_non_null(memmem(b.data, b.len, "\xFF\xE0\0\x10JFIF\0\1\2\0\0\1\0\1\0\0", 18));
			assert_non_null(memmem(b.data, b.len, "\xFF\xEE\0\x0E" "Adobe\0\x64\0\0\0\0\1", 16));
		}
		if (i == 1) {
			/* PNG: exactly the original file's chunks */
			assert_int_equal(b.len, plen);
			assert_memory_equal(b.data, p, plen);
		}
		if (i == 2) {
			/* WebP: the flags no longer announce EXIF or XMP, the
			 * RIFF size is the file's */
			assert_int_equal((unsigned char)b.data[20] & 0x0C, 0);
			uint32_t r = (uint32_t)(unsigned char)b.data[4] | (uint32_t)(unsigned char)b.data[5] << 8 |
				     (uint32_t)(unsigned char)b.data[6] << 16 | (uint32_t)(unsigned char)b.data[7] << 24;
			assert_int_equal(r, b.len - 8);
		}
		/* the same upload again is the same stored file */
		struct media_stored again;
		assert_int_equal(media_store(in->data, in->len, &again, NULL), HM_OK);
		assert_int_equal(again.existed, 1);
		assert_string_equal(again.name, ms.name);
		buf_free(&b);
		buf_free(in);
	}
	free(j);
	free(p);
	free(w);
}

/* A segment or chunk that runs past the end is refused, and nothing is
 * kept of it. */
static void test_strip_refuses_truncated_structure(void **state)
{
	(void)state;
	static const unsigned char jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE1, 0x01, 0x00, 'E', 'x' };
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 40, 't', 'E', 'X', 't', 'a' };
	static const unsigned char webp[] = { 'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'E', 'X', 'I', 'F', 9, 0, 0, 0 };
	const struct {
		const unsigned char *d;
		size_t n;
		enum media_type type;
	} rows[] = {
		{ jpeg, sizeof(jpeg), MEDIA_JPEG },
		{ png, sizeof(png), MEDIA_PNG },
		{ webp, sizeof(webp), MEDIA_WEBP },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct media_info info = { .type = rows[i].type, .width = 1, .height = 1, .orientation = 1 };
		struct buf out;
		buf_init(&out);
		buf_append(&out, "old", 3);
		assert_int_equal(media_strip(rows[i].d, rows[i].n, &info, &out), HM_EINVAL);
		assert_int_equal(out.len, 0);
		buf_free(&out);
	}
}

/* A WebP whose last chunk lacks its pad byte (decoders accept it) is
 * stripped with the pad byte written and the RIFF size to match. */
static void test_strip_webp_writes_missing_pad(void **state)
{
	(void)state;
	size_t len;
	unsigned char *w = slurp(SEEDS "red-blue.webp", &len);
	assert_true(len > 40 && memcmp(w + 12, "VP8 ", 4) == 0);
	struct buf in, out;
	buf_init(&in);
	buf_init(&out);
	buf_append(&in, "RIFF\0\0\0\0WEBPVP8 ", 16);
	put_le32(&in, 25); /* odd */
	buf_append(&in, w + 20, 25);
	uint32_t riff = (uint32_t)in.len - 8;
	in.data[4] = (char)riff;
	struct media_info info;
	assert_int_equal(media_sniff(in.data, in.len, &info, NULL), HM_OK);
	assert_int_equal(media_strip(in.data, in.len, &info, &out), HM_OK);
	assert_int_equal(out.len, in.len + 1);
	assert_memory_equal(out.data + 8, in.data + 8, in.len - 8);
	assert_int_equal(out.data[in.len], 0);
	assert_int_equal((unsigned char)out.data[4], out.len - 8);
	buf_free(&in);
	buf_free(&out);
	free(w);
}

static void test_store_makes_640_wide_thumbnails(void **state)
{
	(void)state;
	const struct gd_fns *g = gd();
	gdImagePtr im = g->ImageCreateTrueColor(1000, 501);
	for (int y = 0; y < 501; y++)
		for (int x = 0; x < 1000; x++)
			g->ImageSetPixel(im, x, y, gdTrueColor(10, 200, 30));
	int n;
	void *webp = g->ImageWebpPtrEx(im, &n, gdWebpLossless);
	g->ImageDestroy(im);
	struct media_stored ms;
	assert_int_equal(media_store(webp, (size_t)n, &ms, NULL), HM_OK);
	assert_int_equal(ms.width, 1000);
	assert_int_equal(ms.height, 501);
	assert_int_equal(ms.thumb_width, MEDIA_THUMB_WIDTH);
	assert_int_equal(ms.thumb_height, 321); /* 501 × 640 / 1000, rounded */
	gdImagePtr t = load_thumb(&ms);
	assert_int_equal(gdImageSX(t), 640);
	g->ImageDestroy(t);
	g->Free(webp);
}

static void test_store_refuses_bad_files(void **state)
{
	(void)state;
	size_t len;
	unsigned char *jpg = slurp(SEEDS "red-blue.jpg", &len);
	struct media_stored ms;
	const char *why = NULL;
	int before = count_files();

	/* Cut short: the header reads, the decoder refuses. */
	assert_int_equal(media_store(jpg, len - 40, &ms, &why), HM_EINVAL);
	assert_int_equal(media_store(jpg, len / 2, &ms, &why), HM_EINVAL);
	assert_string_equal(why, "The image file is damaged or incomplete.");
	assert_string_equal(ms.name, "");

	/* Header of a 40 × 20 PNG on the body of a JPEG. */
	unsigned char *mixed = xmalloc(len + 33);
	size_t hn = png_header(mixed, 40, 20);
	memcpy(mixed + hn, jpg + 2, len - 2);
	assert_int_equal(media_store(mixed, hn + len - 2, &ms, &why), HM_EINVAL);
	free(mixed);

	/* A header that lies about the size: the decoder's must match. */
	unsigned char *liar = xmalloc(len);
	memcpy(liar, jpg, len);
	struct media_info info;
	assert_int_equal(media_sniff(liar, len, &info, NULL), HM_OK);
	for (size_t i = 2; i + 9 < len; i++)
		if (liar[i] == 0xFF && liar[i + 1] == 0xC0) {
			liar[i + 7] = 30; /* width 40 → 30 */
			break;
		}
	enum hm_err e = media_store(liar, len, &ms, &why);
	assert_true(e == HM_EINVAL);
	free(liar);

	/* Text that says it is an image. */
	static const char html[] = "<html><body onload=alert(1)>";
	assert_int_equal(media_store(html, sizeof(html) - 1, &ms, &why), HM_EINVAL);
	assert_string_equal(why, "Only JPEG, PNG and WebP images are accepted.");

	/* Over 8 MiB: refused before anything is read. */
	unsigned char *big = xcalloc(MEDIA_MAX_BYTES + 1, 1);
	memcpy(big, jpg, len);
	assert_int_equal(media_store(big, MEDIA_MAX_BYTES + 1, &ms, &why), HM_ETOOBIG);
	assert_string_equal(why, "The image is larger than 8 MiB.");
	free(big);

	/* Nothing of these was written, not even a temporary file. */
	assert_int_equal(count_files(), before);
	free(jpg);
}
#endif

static void test_read_refuses_bad_names(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(media_read("../../etc/passwd", &b), HM_ENOTFOUND);
	assert_int_equal(media_read(HEX64 ".jpg", &b), HM_ENOTFOUND);
	assert_int_equal(media_read(NULL, &b), HM_ENOTFOUND);
	assert_int_equal(b.len, 0);
	assert_false(media_exists(HEX64 ".jpg"));
	assert_false(media_exists("media"));
	buf_free(&b);
}

/* -------------------------------------------------------------- prune */

/* Names of one-off test files: a digit repeated 64 times, then the kind. */
#define HEXN(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define DAY 86400

static char pdir[] = "/tmp/harmony-prune-XXXXXX";
static struct db *pdb;

static int setup_prune(void **state)
{
	(void)state;
	char err[256];
	if (!mkdtemp(pdir))
		return -1;
	char *sub = xasprintf("%s/media", pdir), *path = xasprintf("%s/h.db", pdir);
	enum hm_err e = media_init(sub);
	if (e == HM_OK)
		e = db_open(path, DB_OPEN_CREATE, 1, &pdb, err, sizeof(err));
	free(sub);
	free(path);
	return e == HM_OK ? 0 : -1;
}

static int teardown_prune(void **state)
{
	(void)state;
	char cmd[128];
	db_close(pdb);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", media_dir(), name);
}

/* Sets a file's modification time age seconds back. */
static void age(const char *name, time_t age_s)
{
	char *p = in_dir(name);
	struct timespec t[2] = {{.tv_sec = time(NULL) - age_s}, {.tv_sec = time(NULL) - age_s}};
	if (utimensat(AT_FDCWD, p, t, 0) != 0)
		fail_msg("utimensat %s", p);
	free(p);
}

/* A file of that name in the folder, written age_s seconds ago. */
static void put(const char *name, time_t age_s)
{
	char *p = in_dir(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("not really an image", f);
	fclose(f);
	free(p);
	age(name, age_s);
}

/* An original and its thumbnail, the thumbnail first as media_store does. */
static void put_pair(const char *name, const char *thumb, time_t age_s)
{
	put(thumb, age_s);
	put(name, age_s);
}

static int present(const char *name)
{
	char *p = in_dir(name);
	struct stat sb;
	int ok = lstat(p, &sb) == 0;
	free(p);
	return ok;
}

static time_t mtime_of(const char *name)
{
	char *p = in_dir(name);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	free(p);
	return sb.st_mtime;
}

/* What the sweep reported, one "name\n" each. */
static void collect(const char *name, int64_t bytes, void *ctx)
{
	assert_true(bytes > 0);
	buf_printf(ctx, "%s\n", name);
}

static struct media_prune_result prune(int dry, struct buf *said)
{
	struct media_prune_opts o = {.now = time(NULL), .grace = DAY, .dry_run = dry,
				     .each = collect, .ctx = said};
	struct media_prune_result r;
	size_t nrefs;
	const struct media_ref *refs = web_media_refs(&nrefs); /* the site's columns */
	assert_int_equal(media_prune(pdb, refs, nrefs, &o, &r), HM_OK);
	return r;
}

static int said_has(const struct buf *said, const char *name)
{
	char *line = xasprintf("%s\n", name);
	int ok = said->len && strstr(said->data, line) != NULL;
	free(line);
	return ok;
}

static int count_rows(const char *sql_text)
{
	struct db_stmt *st = db_prepare(pdb, sql_text);
	int n = st && db_step(st) == 1 ? (int)db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

static const char SQL_POST_ADD[] =
	"INSERT INTO post (slug, title, image, created_at, updated_at) VALUES (?, 'P', ?, 'x', 'x')";
static const char SQL_POST_DEL[] = "DELETE FROM post WHERE slug = ?";
static const char SQL_ORG_ADD[] =
	"INSERT INTO organisation (slug, name, logo, created_at, updated_at) VALUES (?, 'O', ?, 'x', 'x')";
static const char SQL_REMOVED[] =
	"SELECT count(*) FROM audit_log WHERE action = 'media.remove' AND actor = 'system'";

static void run_sql(const char *sql_text, const char *a, const char *b)
{
	struct db_stmt *st = db_prepare(pdb, sql_text);
	assert_non_null(st);
	db_bind_text(st, 1, a);
	if (b)
		db_bind_text(st, 2, b);
	assert_int_equal(db_run(st), HM_OK);
}

static void test_prune_keeps_what_a_row_refers_to(void **state)
{
	(void)state;
	const char *post = HEXN("1") ".jpg", *post_t = HEXN("1") "-w640.webp";
	const char *logo = HEXN("2") ".png", *logo_t = HEXN("2") "-w640.webp";
	struct buf said;
	buf_init(&said);
	put_pair(post, post_t, 3 * DAY);
	put_pair(logo, logo_t, 3 * DAY);
	run_sql(SQL_POST_ADD, "with-image", post);
	run_sql(SQL_ORG_ADD, "with-logo", logo);
	struct media_prune_result r = prune(0, &said);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.in_use, 2);
	assert_true(present(post) && present(post_t) && present(logo) && present(logo_t));

	/* The post deleted, its image goes at the next sweep; the logo stays. */
	int before = count_rows(SQL_REMOVED);
	run_sql(SQL_POST_DEL, "with-image", NULL);
	r = prune(0, &said);
	assert_int_equal(r.removed, 2);
	assert_false(present(post) || present(post_t));
	assert_true(present(logo) && present(logo_t));
	assert_int_equal(count_rows(SQL_REMOVED), before + 1); /* one entry: the original */
	buf_free(&said);
}

/* A post saved while the sweep runs (after it read the references, before
 * it reaches the file) keeps its image: the sweep asks again, in the write
 * transaction it removes in. The stop hook, called before each entry,
 * saves the post. */
static const char *late_image;
static int save_post_late(void)
{
	if (late_image) {
		run_sql(SQL_POST_ADD, "saved-late", late_image);
		late_image = NULL;
	}
	return 0;
}

static void test_prune_keeps_a_file_a_row_took_meanwhile(void **state)
{
	(void)state;
	const char *name = HEXN("9") ".jpg", *thumb = HEXN("9") "-w640.webp";
	put_pair(name, thumb, 3 * DAY);
	late_image = name;
	struct media_prune_opts o = {.now = time(NULL), .grace = DAY, .stop = save_post_late};
	struct media_prune_result r;
	size_t nrefs;
	const struct media_ref *refs = web_media_refs(&nrefs); /* the site's columns */
	assert_int_equal(media_prune(pdb, refs, nrefs, &o, &r), HM_OK);
	assert_null(late_image); /* the post was saved during the sweep */
	assert_true(present(name) && present(thumb));
	assert_true(r.in_use >= 1);
	run_sql(SQL_POST_DEL, "saved-late", NULL);
}

static void test_prune_keeps_recent_files_nothing_refers_to(void **state)
{
	(void)state;
	const char *name = HEXN("3") ".webp", *thumb = HEXN("3") "-w640.webp";
	struct buf said;
	buf_init(&said);
	put_pair(name, thumb, DAY - 600); /* an upload saved within the grace, not used yet */
	struct media_prune_result r = prune(0, &said);
	assert_true(r.recent >= 1);
	assert_true(present(name) && present(thumb));
	assert_false(said_has(&said, name));
	buf_free(&said);
}

static void test_prune_removes_old_files_with_their_thumbnail(void **state)
{
	(void)state;
	const char *name = HEXN("4") ".png", *thumb = HEXN("4") "-w640.webp";
	struct buf said;
	buf_init(&said);
	put_pair(name, thumb, DAY + 60);
	int before = count_rows(SQL_REMOVED);
	struct media_prune_result r = prune(0, &said);
	assert_int_equal(r.removed, 2);
	assert_true(said_has(&said, name) && said_has(&said, thumb));
	assert_false(present(name) || present(thumb));
	assert_int_equal(count_rows(SQL_REMOVED), before + 1);
	buf_free(&said);
}

static void test_prune_removes_old_orphan_thumbnails_only(void **state)
{
	(void)state;
	const char *old = HEXN("5") "-w640.webp", *young = HEXN("6") "-w640.webp";
	struct buf said;
	buf_init(&said);
	put(old, 2 * DAY);
	put(young, 60); /* written just before its original: an upload in progress */
	struct media_prune_result r = prune(0, &said);
	assert_int_equal(r.removed, 1);
	assert_true(said_has(&said, old));
	assert_false(present(old));
	assert_true(present(young));
	buf_free(&said);
}

/* Only valid media names are ever touched: not other files, not upper
 * case or other extensions, not folders or links with a media name. */
static void test_prune_leaves_what_is_not_a_media_file(void **state)
{
	(void)state;
	static const char *const others[] = {
		"notes.txt", ".hidden", HEXN("7") ".JPG", HEXN("7") ".gif", HEXN("7") "-w320.webp",
		"." HEXN("7") ".jpg.Ab12Cd", HEXN("7") ".jpg~",
	};
	const char *folder = HEXN("8") ".jpg", *link = HEXN("9") ".png";
	struct buf said;
	buf_init(&said);
	for (size_t i = 0; i < HM_ARRAY_LEN(others); i++)
		put(others[i], 30 * DAY);
	char *p = in_dir(folder), *l = in_dir(link);
	assert_int_equal(mkdir(p, 0750), 0);
	char *target = xasprintf("%s/outside", pdir);
	FILE *f = fopen(target, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(symlink(target, l), 0);
	struct media_prune_result r = prune(0, &said);
	assert_int_equal(r.removed, 0);
	for (size_t i = 0; i < HM_ARRAY_LEN(others); i++)
		if (!present(others[i]))
			fail_msg("%s was removed", others[i]);
	assert_true(present(folder) && present(link));
	assert_int_equal(access(target, F_OK), 0);
	for (size_t i = 0; i < HM_ARRAY_LEN(others); i++) {
		char *o = in_dir(others[i]);
		unlink(o);
		free(o);
	}
	rmdir(p);
	unlink(l);
	free(p);
	free(l);
	free(target);
	buf_free(&said);
}

static void test_prune_dry_run_reports_and_removes_nothing(void **state)
{
	(void)state;
	const char *name = HEXN("a") ".jpg", *thumb = HEXN("a") "-w640.webp";
	const char *orphan = HEXN("b") "-w640.webp";
	struct buf said;
	buf_init(&said);
	put_pair(name, thumb, 2 * DAY);
	put(orphan, 2 * DAY);
	int before = count_rows("SELECT count(*) FROM audit_log");
	struct media_prune_result r = prune(1, &said);
	assert_int_equal(r.removed, 3);
	assert_true(said_has(&said, name) && said_has(&said, thumb) && said_has(&said, orphan));
	assert_true(present(name) && present(thumb) && present(orphan));
	assert_int_equal(count_rows("SELECT count(*) FROM audit_log"), before);
	/* The real run removes what the dry run said. */
	buf_reset(&said);
	r = prune(0, &said);
	assert_int_equal(r.removed, 3);
	assert_false(present(name) || present(thumb) || present(orphan));
	buf_free(&said);
}

/* When the references cannot be read, nothing may go. */
static void test_prune_removes_nothing_when_references_fail(void **state)
{
	(void)state;
	const char *name = HEXN("c") ".png";
	char err[256];
	struct db *broken = NULL;
	char *path = xasprintf("%s/broken.db", pdir);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &broken, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(broken, "DROP TABLE post_category; DROP TABLE post;", err,
					sizeof(err)),
			 HM_OK);
	put(name, 2 * DAY);
	struct media_prune_opts o = {.now = time(NULL), .grace = DAY};
	struct media_prune_result r;
	enum log_level was = log_min_level;
	log_min_level = LOG_ERROR + 1; /* the failure is expected */
	size_t nrefs;
	const struct media_ref *refs = web_media_refs(&nrefs); /* the site's columns */
	assert_int_equal(media_prune(broken, refs, nrefs, &o, &r), HM_EDB);
	log_min_level = was;
	assert_int_equal(r.removed, 0);
	assert_true(present(name));
	db_close(broken);
	free(path);
	char *p = in_dir(name);
	unlink(p);
	free(p);
}

#ifdef HM_HAVE_GD
/* Uploading the same bytes again restarts the grace: an organiser who
 * uploads an old photo anew and then saves the post must find it there. */
static void test_prune_reupload_refreshes_the_time(void **state)
{
	(void)state;
	size_t len;
	unsigned char *png = slurp(SEEDS "red-blue.png", &len);
	struct media_stored ms, again;
	struct buf said;
	buf_init(&said);
	assert_int_equal(media_store(png, len, &ms, NULL), HM_OK);
	age(ms.name, 2 * DAY);
	age(ms.thumb, 2 * DAY);
	assert_true(mtime_of(ms.name) < time(NULL) - DAY);
	assert_int_equal(media_store(png, len, &again, NULL), HM_OK);
	assert_int_equal(again.existed, 1);
	assert_true(mtime_of(ms.name) >= time(NULL) - 60);
	assert_true(mtime_of(ms.thumb) >= time(NULL) - 60);
	prune(0, &said);
	assert_true(present(ms.name) && present(ms.thumb));
	/* Aged again, with nothing referring to it, it goes. */
	age(ms.name, 2 * DAY);
	age(ms.thumb, 2 * DAY);
	prune(0, &said);
	assert_false(present(ms.name) || present(ms.thumb));
	free(png);
	buf_free(&said);
}
#endif

static void test_prune_refuses_without_folder(void **state)
{
	(void)state;
	struct media_prune_opts o = {.now = time(NULL), .grace = DAY};
	struct media_prune_result r;
	assert_null(media_dir());
	size_t nrefs;
	const struct media_ref *refs = web_media_refs(&nrefs); /* the site's columns */
	assert_int_equal(media_prune(NULL, refs, nrefs, &o, &r), HM_EINTERNAL);
	assert_int_equal(r.removed, 0);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_sniff_refuses_what_is_not_an_image),
		cmocka_unit_test(test_sniff_refuses_decompression_bombs),
		cmocka_unit_test(test_sniff_reads_real_images),
		cmocka_unit_test(test_media_names),
		cmocka_unit_test(test_media_default_dir),
		cmocka_unit_test(test_store_refuses_without_folder),
		cmocka_unit_test(test_init_refuses_bad_folders),
		cmocka_unit_test(test_prune_refuses_without_folder),
	};
	const struct CMUnitTest store[] = {
#ifdef HM_HAVE_GD
		cmocka_unit_test(test_store_says_when_libgd_cannot_be_loaded),
		cmocka_unit_test(test_store_real_images),
		cmocka_unit_test(test_store_strips_metadata),
		cmocka_unit_test(test_strip_refuses_truncated_structure),
		cmocka_unit_test(test_strip_webp_writes_missing_pad),
		cmocka_unit_test(test_store_makes_640_wide_thumbnails),
		cmocka_unit_test(test_store_refuses_bad_files),
#endif
		cmocka_unit_test(test_read_refuses_bad_names),
	};
	const struct CMUnitTest prune_tests[] = {
		cmocka_unit_test(test_prune_keeps_what_a_row_refers_to),
		cmocka_unit_test(test_prune_keeps_a_file_a_row_took_meanwhile),
		cmocka_unit_test(test_prune_keeps_recent_files_nothing_refers_to),
		cmocka_unit_test(test_prune_removes_old_files_with_their_thumbnail),
		cmocka_unit_test(test_prune_removes_old_orphan_thumbnails_only),
		cmocka_unit_test(test_prune_leaves_what_is_not_a_media_file),
		cmocka_unit_test(test_prune_dry_run_reports_and_removes_nothing),
		cmocka_unit_test(test_prune_removes_nothing_when_references_fail),
#ifdef HM_HAVE_GD
		cmocka_unit_test(test_prune_reupload_refreshes_the_time),
#endif
	};
	int rc = cmocka_run_group_tests_name("media", pure, NULL, NULL);
	rc |= cmocka_run_group_tests_name("media store", store, setup_store, teardown_store);
	return rc | cmocka_run_group_tests_name("media prune", prune_tests, setup_prune,
						teardown_prune);
}
