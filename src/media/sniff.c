/*
 * sniff.c — the type and pixel size of an uploaded image from its first
 * header bytes (JPEG SOF, PNG IHDR, WebP VP8/VP8L/VP8X), the EXIF
 * orientation of a JPEG, and the rules for stored file names. Pure
 * functions over bytes: the fuzz target drives media_sniff directly.
 */
#include "media/media.h"
#include "media/media_impl.h"

#include <string.h>

/* ------------------------------------------------------------------ JPEG */

/* The orientation tag (0x0112) of IFD0 in a TIFF block (the APP1 "Exif"
 * payload); 1 when absent or malformed. */
static int exif_orientation(const unsigned char *t, size_t len)
{
	if (len < 8)
		return 1;
	int le;
	if (memcmp(t, "II*\0", 4) == 0)
		le = 1;
	else if (memcmp(t, "MM\0*", 4) == 0)
		le = 0;
	else
		return 1;
	uint32_t ifd = le ? le32(t + 4) : be32(t + 4);
	if (ifd > len - 2)
		return 1;
	uint32_t n = le ? le16(t + ifd) : be16(t + ifd);
	for (uint32_t i = 0; i < n; i++) {
		size_t at = (size_t)ifd + 2 + (size_t)i * 12;
		if (at + 12 > len)
			return 1;
		const unsigned char *e = t + at;
		uint32_t tag = le ? le16(e) : be16(e);
		uint32_t type = le ? le16(e + 2) : be16(e + 2);
		uint32_t count = le ? le32(e + 4) : be32(e + 4);
		if (tag != 0x0112)
			continue;
		if (type != 3 || count != 1)
			return 1;
		uint32_t v = le ? le16(e + 8) : be16(e + 8);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

static int is_sof(unsigned m)
{
	/* SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static enum hm_err sniff_jpeg(const unsigned char *d, size_t len, struct media_info *out,
			      const char **why)
{
	size_t pos = 2;
	int orientation = 1, exif_seen = 0;
	*why = "The image file is damaged or incomplete.";
	for (;;) {
		if (pos >= len || d[pos] != 0xFF)
			return HM_EINVAL;
		while (pos < len && d[pos] == 0xFF) /* fill bytes */
			pos++;
		if (pos >= len)
			return HM_EINVAL;
		unsigned m = d[pos++];
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue; /* markers without a length */
		if (m == 0xD8 || m == 0xD9 || m == 0xDA || m == 0x00)
			return HM_EINVAL; /* SOI again, EOI or scan data before the frame header */
		size_t seglen = jpeg_seglen(d, len, pos);
		if (!seglen)
			return HM_EINVAL;
		const unsigned char *seg = d + pos + 2;
		size_t slen = seglen - 2;
		/* the first Exif block is the one viewers read */
		if (m == 0xE1 && slen >= 6 && memcmp(seg, "Exif\0\0", 6) == 0 && !exif_seen) {
			orientation = exif_orientation(seg + 6, slen - 6);
			exif_seen = 1;
		}
		if (is_sof(m)) {
			if (slen < 6)
				return HM_EINVAL;
			out->height = be16(seg + 1);
			out->width = be16(seg + 3);
			/* A height of 0 is set later by a DNL marker: not worth the trouble. */
			if (out->width == 0 || out->height == 0)
				return HM_EINVAL;
			out->type = MEDIA_JPEG;
			out->orientation = orientation;
			return HM_OK;
		}
		pos += seglen;
	}
}

/* ------------------------------------------------------------------- PNG */

static enum hm_err sniff_png(const unsigned char *d, size_t len, struct media_info *out,
			     const char **why)
{
	/* signature (8), IHDR length (4) and type (4), width, height */
	if (len < 8 + 8 + 13 || be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0) {
		*why = "The image file is damaged or incomplete.";
		return HM_EINVAL;
	}
	out->width = be32(d + 16);
	out->height = be32(d + 20);
	if (out->width == 0 || out->height == 0 || out->width > 0x7fffffffu ||
	    out->height > 0x7fffffffu) {
		*why = "The image file is damaged or incomplete.";
		return HM_EINVAL;
	}
	out->type = MEDIA_PNG;
	out->orientation = 1;
	return HM_OK;
}

/* ------------------------------------------------------------------ WebP */

static enum hm_err sniff_webp(const unsigned char *d, size_t len, struct media_info *out,
			      const char **why)
{
	*why = "The image file is damaged or incomplete.";
	if (len < 20)
		return HM_EINVAL;
	uint32_t riff = le32(d + 4);
	/* The RIFF size counts from byte 8 and covers the whole file. */
	if (riff < 12 || riff > len - 8)
		return HM_EINVAL;
	const unsigned char *c = d + 12;
	uint32_t csize = le32(c + 4);
	const unsigned char *p = c + 8;
	size_t avail = (size_t)riff + 8 - 20;
	if (csize > avail)
		return HM_EINVAL;
	if (memcmp(c, "VP8 ", 4) == 0) {
		/* frame tag (3 bytes; bit 0 clear on a key frame), start code, sizes */
		if (csize < 10 || (p[0] & 1) || p[3] != 0x9D || p[4] != 0x01 || p[5] != 0x2A)
			return HM_EINVAL;
		out->width = le16(p + 6) & 0x3fff;
		out->height = le16(p + 8) & 0x3fff;
	} else if (memcmp(c, "VP8L", 4) == 0) {
		if (csize < 5 || p[0] != 0x2F)
			return HM_EINVAL;
		uint32_t bits = le32(p + 1);
		if (bits >> 29)
			return HM_EINVAL; /* version must be 0 */
		out->width = (bits & 0x3fff) + 1;
		out->height = ((bits >> 14) & 0x3fff) + 1;
	} else if (memcmp(c, "VP8X", 4) == 0) {
		if (csize < 10)
			return HM_EINVAL;
		if (p[0] & 0x02) {
			*why = "Animated images are not accepted.";
			return HM_EINVAL;
		}
		out->width = le24(p + 4) + 1;
		out->height = le24(p + 7) + 1;
	} else {
		return HM_EINVAL;
	}
	if (out->width == 0 || out->height == 0)
		return HM_EINVAL;
	out->type = MEDIA_WEBP;
	out->orientation = 1;
	return HM_OK;
}

/* ----------------------------------------------------------------- sniff */

enum hm_err media_sniff(const void *data, size_t len, struct media_info *out, const char **why)
{
	static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	const unsigned char *d = data;
	const char *msg = N_("Only JPEG, PNG and WebP images are accepted.");
	enum hm_err e = HM_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!d)
		len = 0;
	if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		e = sniff_jpeg(d, len, out, &msg);
	else if (len >= 8 && memcmp(d, png_sig, 8) == 0)
		e = sniff_png(d, len, out, &msg);
	else if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		e = sniff_webp(d, len, out, &msg);
	if (e == HM_OK && (out->width > MEDIA_MAX_SIDE || out->height > MEDIA_MAX_SIDE ||
			   (uint64_t)out->width * out->height > MEDIA_MAX_PIXELS)) {
		msg = N_("The image has too many pixels: at most 12,000 on a side and 36 megapixels.");
		e = HM_ETOOBIG;
	}
	if (e != HM_OK) {
		memset(out, 0, sizeof(*out));
		if (why)
			*why = msg;
	}
	return e;
}

/* ----------------------------------------------------------------- names */

static const struct {
	enum media_type type;
	const char *mime, *ext;
} types[] = {
	{MEDIA_JPEG, "image/jpeg", "jpg"},
	{MEDIA_PNG, "image/png", "png"},
	{MEDIA_WEBP, "image/webp", "webp"},
};

const char *media_type_mime(enum media_type t)
{
	for (size_t i = 0; i < HM_ARRAY_LEN(types); i++)
		if (types[i].type == t)
			return types[i].mime;
	return NULL;
}

const char *media_type_ext(enum media_type t)
{
	for (size_t i = 0; i < HM_ARRAY_LEN(types); i++)
		if (types[i].type == t)
			return types[i].ext;
	return NULL;
}

#define THUMB_SUFFIX "-w640.webp"

static int hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The type of an original's name, MEDIA_NONE if it is not one. */
static enum media_type original_type(const char *name)
{
	if (!name || strlen(name) < 66 || !hex64(name) || name[64] != '.')
		return MEDIA_NONE;
	for (size_t i = 0; i < HM_ARRAY_LEN(types); i++)
		if (strcmp(name + 65, types[i].ext) == 0)
			return types[i].type;
	return MEDIA_NONE;
}

int media_name_is_original(const char *name)
{
	return original_type(name) != MEDIA_NONE;
}

int media_name_valid(const char *name)
{
	if (media_name_is_original(name))
		return 1;
	return name && strlen(name) == 64 + strlen(THUMB_SUFFIX) && hex64(name) &&
	       strcmp(name + 64, THUMB_SUFFIX) == 0;
}

const char *media_name_mime(const char *name)
{
	if (!media_name_valid(name))
		return NULL;
	enum media_type t = original_type(name);
	return media_type_mime(t == MEDIA_NONE ? MEDIA_WEBP : t);
}

void media_thumb_name(const char *original, char out[MEDIA_NAME_SIZE])
{
	out[0] = '\0';
	if (!media_name_is_original(original))
		return;
	memcpy(out, original, 64);
	memcpy(out + 64, THUMB_SUFFIX, sizeof(THUMB_SUFFIX));
}
