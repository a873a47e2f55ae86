/*
 * fuzz_image.c — libFuzzer target for media_sniff, the header reader that
 * decides whether an upload may reach the image decoder, and for the
 * stored-name rules (the input as a name). An accepted header must be
 * within the limits, with a known type and orientation, and the image
 * media_strip makes of it must sniff the same and strip to itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What media_strip keeps is the same image to the sniffer (type, size,
 * orientation), at most one small Exif segment longer, and stripping it
 * again changes nothing. */
static void strip_check(const unsigned char *d, size_t size, const struct media_info *info)
{
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	enum hm_err e = media_strip(d, size, info, &a);
	if (e == HM_OK) {
		struct media_info again;
		unsigned char *exact = xmalloc(a.len ? a.len : 1);
		memcpy(exact, a.data, a.len);
		if (a.len > size + 36 || media_sniff(exact, a.len, &again, NULL) != HM_OK ||
		    again.type != info->type || again.width != info->width ||
		    again.height != info->height || again.orientation != info->orientation)
			__builtin_trap();
		if (media_strip(exact, a.len, &again, &b) != HM_OK || b.len != a.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			__builtin_trap();
		free(exact);
	} else if (e != HM_EINVAL || a.len != 0) {
		__builtin_trap();
	}
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read past the end is caught. */
	unsigned char *copy = xmalloc(size ? size : 1);
	memcpy(copy, data, size);
	struct media_info info;
	const char *why = NULL;
	enum hm_err e = media_sniff(copy, size, &info, &why);
	if (e == HM_OK) {
		if (info.type != MEDIA_JPEG && info.type != MEDIA_PNG && info.type != MEDIA_WEBP)
			__builtin_trap();
		if (!info.width || !info.height || info.width > MEDIA_MAX_SIDE ||
		    info.height > MEDIA_MAX_SIDE ||
		    (uint64_t)info.width * info.height > MEDIA_MAX_PIXELS)
			__builtin_trap();
		if (info.orientation < 1 || info.orientation > 8)
			__builtin_trap();
		if (info.type != MEDIA_JPEG && info.orientation != 1)
			__builtin_trap();
		strip_check(copy, size, &info);
	} else if ((e != HM_EINVAL && e != HM_ETOOBIG) || !why || info.type != MEDIA_NONE) {
		__builtin_trap();
	}

	char *name = xmalloc(size + 1);
	memcpy(name, data, size);
	name[size] = '\0';
	if (media_name_valid(name)) {
		if (strchr(name, '/') || name[0] == '.' || !media_name_mime(name))
			__builtin_trap();
		char thumb[MEDIA_NAME_SIZE];
		media_thumb_name(name, thumb);
		if (media_name_is_original(name) != media_name_valid(thumb))
			__builtin_trap();
	} else if (media_name_mime(name) || media_name_is_original(name)) {
		__builtin_trap();
	}
	free(name);
	free(copy);
	return 0;
}
