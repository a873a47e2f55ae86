/*
 * strip.c — an uploaded image without the metadata that can tell where,
 * when, with what or by whom a photo was taken (EXIF with its GPS block,
 * XMP, IPTC, comments, text chunks), before it is stored and served to
 * anyone. Only segments and chunks needed to show the picture as sent are
 * kept (a list of what to keep, so an unknown kind of metadata goes too);
 * the compressed pixels are copied byte for byte, never re-encoded. ICC
 * colour profiles stay, whole: they say how to show the colours, though
 * their text tags may name the profile or the device that made it. Pure
 * over bytes: the fuzz target drives it directly.
 */
#include "media/media.h"
#include "media/media_impl.h"

#include <string.h>

static int has_prefix(const unsigned char *p, size_t len, const char *s, size_t n)
{
	return len >= n && memcmp(p, s, n) == 0;
}

/* ------------------------------------------------------------------ JPEG */

/*
 * What of a segment before the scan data is kept: the frame and tables
 * (SOFn, DHT, DAC, DQT, DRI, SOS) whole; JFIF (APP0) and Adobe (APP14,
 * its colour transform) cut to their fixed headers, which drops a JFIF
 * thumbnail (it can be an uncropped preview) and anything appended; the
 * ICC profile (APP2) whole, as it says how to show the colours. Nothing
 * else: Exif, XMP, IPTC, comments, DNL (the sniffer needs the height in
 * the frame header) and unknown markers. 1 to keep the segment, with
 * *keep the bytes of its payload that stay; 0 to drop it.
 */
static int jpeg_keep(unsigned m, const unsigned char *seg, size_t slen, size_t *keep)
{
	*keep = slen;
	if (m == 0xE0) {
		*keep = 14;
		return has_prefix(seg, slen, "JFIF\0", 5) && slen >= 14;
	}
	if (m == 0xE2)
		return has_prefix(seg, slen, "ICC_PROFILE\0", 12);
	if (m == 0xEE) {
		*keep = 12;
		return has_prefix(seg, slen, "Adobe", 5) && slen >= 12;
	}
	return (m >= 0xC0 && m <= 0xCF && m != 0xC8) || m == 0xDB || m == 0xDD || m == 0xDA;
}

/* An Exif segment holding only the orientation tag, so a photo taken on
 * its side still shows upright. */
static void jpeg_orientation(struct buf *out, int orientation)
{
	const unsigned char seg[36] = {
		0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, '*', 0, 0, 0, 8,                            /* TIFF header */
		0, 1,                                                    /* one entry */
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (unsigned char)orientation, 0, 0, /* SHORT */
		0, 0, 0, 0,                                              /* no next IFD */
	};
	buf_append(out, seg, sizeof(seg));
}

static enum hm_err strip_jpeg(const unsigned char *d, size_t len, int orientation, struct buf *out)
{
	size_t pos = 2;
	int oriented = orientation == 1;
	buf_append(out, d, 2);
	while (pos < len) {
		if (d[pos] != 0xFF)
			return HM_EINVAL;
		while (pos < len && d[pos] == 0xFF)
			pos++;
		if (pos >= len)
			return HM_EINVAL;
		unsigned m = d[pos++];
		if (m == 0xD9) {
			/* EOI: what follows is not the picture (appended
			 * previews, videos, trailers) */
			buf_append(out, "\xFF\xD9", 2);
			return HM_OK;
		}
		if (m == 0x00 || m == 0xD8)
			return HM_EINVAL;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			unsigned char mk[2] = { 0xFF, (unsigned char)m };
			buf_append(out, mk, 2);
			continue;
		}
		size_t seglen = jpeg_seglen(d, len, pos);
		if (!seglen)
			return HM_EINVAL;
		const unsigned char *seg = d + pos + 2;
		if (!oriented && m != 0xE0) {
			jpeg_orientation(out, orientation);
			oriented = 1;
		}
		size_t keep;
		if (jpeg_keep(m, seg, seglen - 2, &keep)) {
			unsigned char h[4] = { 0xFF, (unsigned char)m, (unsigned char)((keep + 2) >> 8),
					       (unsigned char)(keep + 2) };
			buf_append(out, h, 4);
			buf_append(out, seg, keep);
			if (m == 0xE0)
				memset(out->data + out->len - 2, 0, 2); /* no thumbnail: 0 × 0 */
		}
		pos += seglen;
		if (m != 0xDA)
			continue;
		/* entropy-coded data runs to the next marker that is neither a
		 * stuffed 0xFF00 nor a restart */
		size_t start = pos;
		for (;;) {
			const unsigned char *ff = pos < len ? memchr(d + pos, 0xFF, len - pos) : NULL;
			if (!ff || (size_t)(ff - d) + 1 >= len) {
				pos = len; /* cut short: the decoder judges it */
				break;
			}
			pos = (size_t)(ff - d);
			unsigned next = d[pos + 1];
			if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
				pos += 2;
				continue;
			}
			if (next == 0xFF) {
				pos++;
				continue;
			}
			break;
		}
		buf_append(out, d + start, pos - start);
	}
	return HM_OK;
}

/* ------------------------------------------------------------------- PNG */

/* Critical chunks, and the ancillary ones that change the pixels shown:
 * transparency, colour space and profile, bit depth, background, pixel
 * aspect. Text, time, EXIF and private chunks go. */
static int png_keep(const unsigned char *type)
{
	static const char keep[][5] = { "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT",
					 "bKGD", "pHYs", "cICP", "mDCv", "cLLi" };
	if (!(type[0] & 0x20))
		return 1; /* upper case first letter: critical */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (memcmp(type, keep[i], 4) == 0)
			return 1;
	return 0;
}

static enum hm_err strip_png(const unsigned char *d, size_t len, struct buf *out)
{
	size_t pos = 8;
	buf_append(out, d, 8);
	while (pos < len) {
		if (len - pos < 12)
			return HM_EINVAL;
		uint64_t n = be32(d + pos);
		if (n > len - pos - 12)
			return HM_EINVAL;
		const unsigned char *type = d + pos + 4;
		if (png_keep(type))
			buf_append(out, d + pos, (size_t)n + 12);
		pos += (size_t)n + 12;
		if (memcmp(type, "IEND", 4) == 0)
			break; /* anything after the end is not the picture */
	}
	return HM_OK;
}

/* ------------------------------------------------------------------ WebP */

static enum hm_err strip_webp(const unsigned char *d, size_t len, struct buf *out)
{
	static const char keep[][5] = { "VP8X", "VP8 ", "VP8L", "ALPH", "ICCP" };
	uint32_t riff = le32(d + 4);
	if (riff < 4 || riff > len - 8)
		return HM_EINVAL;
	size_t end = (size_t)riff + 8, pos = 12, vp8x = 0;
	buf_append(out, d, 12);
	while (pos < end) {
		if (end - pos < 8)
			return HM_EINVAL;
		uint64_t n = le32(d + pos + 4), padded = n + (n & 1);
		/* the last chunk's pad byte is often missing; decoders accept it */
		if (n > end - pos - 8)
			return HM_EINVAL;
		if (padded > end - pos - 8)
			padded = n;
		int k = 0;
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]) && !k; i++)
			k = memcmp(d + pos, keep[i], 4) == 0;
		if (k) {
			if (memcmp(d + pos, "VP8X", 4) == 0 && n >= 1 && !vp8x)
				vp8x = out->len + 8;
			buf_append(out, d + pos, 8 + (size_t)n);
			if (n & 1)
				buf_append(out, "", 1); /* the pad byte, written */
		}
		pos += 8 + (size_t)padded;
	}
	if (vp8x) /* the EXIF and XMP chunks it announced are gone */
		((unsigned char *)out->data)[vp8x] &= (unsigned char)~0x0C;
	uint32_t size = (uint32_t)(out->len - 8);
	unsigned char le[4] = { (unsigned char)size, (unsigned char)(size >> 8),
				(unsigned char)(size >> 16), (unsigned char)(size >> 24) };
	memcpy((unsigned char *)out->data + 4, le, 4);
	return HM_OK;
}

enum hm_err media_strip(const void *data, size_t len, const struct media_info *info, struct buf *out)
{
	const unsigned char *d = data;
	enum hm_err e = HM_EINVAL;
	buf_reset(out);
	if (!d)
		len = 0;
	if (info->type == MEDIA_JPEG && len >= 3 && d[0] == 0xFF && d[1] == 0xD8)
		e = strip_jpeg(d, len, info->orientation >= 1 && info->orientation <= 8 ? info->orientation : 1,
			       out);
	else if (info->type == MEDIA_PNG && len >= 8)
		e = strip_png(d, len, out);
	else if (info->type == MEDIA_WEBP && len >= 12)
		e = strip_webp(d, len, out);
	if (e != HM_OK)
		buf_reset(out);
	return e;
}
