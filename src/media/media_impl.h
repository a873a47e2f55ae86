/*
 * media_impl.h — what the files of src/media/ share and nobody else
 * needs: the lock that keeps storing (media.c) and removing (prune.c) a
 * file pair from overlapping within one process, and the byte readers and
 * JPEG segment walk of the header parsers (sniff.c, strip.c).
 */
#ifndef HM_MEDIA_IMPL_H
#define HM_MEDIA_IMPL_H

#include <stddef.h>
#include <stdint.h>

void media_store_lock(void);
void media_store_unlock(void);

static inline uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static inline uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint32_t le32(const unsigned char *p) { return le24(p) | (uint32_t)p[3] << 24; }

/* The length of the JPEG segment whose length field is at d[pos] (it
 * counts itself), or 0 when the field or the segment runs past len. */
static inline size_t jpeg_seglen(const unsigned char *d, size_t len, size_t pos)
{
	if (len - pos < 2)
		return 0;
	size_t n = be16(d + pos);
	return n >= 2 && n <= len - pos ? n : 0;
}

#endif
