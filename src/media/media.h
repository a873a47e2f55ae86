/*
 * media.h — uploaded images: what a file is (JPEG, PNG or WebP, told by
 * its bytes, never by its name or declared type), storing it under its
 * SHA-256 with a 640-pixel-wide WebP thumbnail in a folder outside the web
 * root, and reading stored files back for serving. Decoding is libgd's;
 * this module only reads the few header bytes that give type and size, so
 * a decompression bomb is refused before any pixel is allocated.
 *
 * Files nothing refers to any more are removed by media_prune (prune.c),
 * run by `harmony media prune` and hourly by the server's scheduler.
 *
 * Threads: media_init runs once before the server starts its threads; the
 * other functions may then run in any thread.
 */
#ifndef HM_MEDIA_H
#define HM_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "jobs/jobs.h"

struct db;
struct principal;
struct auth_scope;

/* Limits. The server takes bodies up to 10 MiB; an image may be 8. Pixels
 * are limited because decoding costs 4 bytes each (36 MP: 144 MiB). */
#define MEDIA_MAX_BYTES (8u * 1024u * 1024u)
#define MEDIA_MAX_SIDE 12000u
#define MEDIA_MAX_PIXELS 36000000u
#define MEDIA_THUMB_WIDTH 640u

/* "<64 hex>.jpg" or "<64 hex>-w640.webp", with the NUL. */
#define MEDIA_NAME_SIZE 80

enum media_type { MEDIA_NONE, MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP };

struct media_info {
	enum media_type type;
	uint32_t width, height; /* as stored, before any EXIF rotation */
	int orientation;        /* EXIF orientation 1–8 (JPEG only), 1 when absent */
};

/* Reads the type and pixel size from the first bytes of an image. Pure:
 * no allocation, no I/O, reads only data[0..len).
 *   HM_OK       *out filled; the size is within the limits above
 *   HM_EINVAL   not a JPEG, PNG or WebP, a malformed header, or an
 *               animated WebP
 *   HM_ETOOBIG  a side over MEDIA_MAX_SIDE or more than MEDIA_MAX_PIXELS
 * On error *out is zeroed and *why (when given) is a msgid for the user. */
enum hm_err media_sniff(const void *data, size_t len, struct media_info *out, const char **why);

/* The image that media_sniff described as info, without its metadata,
 * into out (reset first). Kept: what changes the picture shown — JPEG
 * frame and tables, JFIF and Adobe headers (cut to their fixed part: no
 * JFIF thumbnail), ICC profile; PNG critical chunks and the colour,
 * transparency and aspect ones; WebP image, alpha and ICC chunks — and,
 * for a JPEG not upright, its orientation in a minimal Exif segment. ICC
 * profiles are kept whole, their text tags included.
 * Dropped: everything else (EXIF with GPS, XMP, IPTC, comments, text and
 * time chunks, private chunks, bytes after the image's end). The
 * compressed pixels are copied unchanged. Pure: reads only data[0..len).
 *   HM_OK      out holds the image
 *   HM_EINVAL  a segment or chunk runs past the end; out is empty */
enum hm_err media_strip(const void *data, size_t len, const struct media_info *info, struct buf *out);

/* "image/jpeg", "image/png", "image/webp"; NULL for MEDIA_NONE. */
const char *media_type_mime(enum media_type t);
/* "jpg", "png", "webp"; NULL for MEDIA_NONE. */
const char *media_type_ext(enum media_type t);

/* 1 if name is a stored original ("<64 lower-case hex>.jpg|png|webp") or
 * thumbnail ("<64 hex>-w640.webp"), else 0. Anything else (paths, dots,
 * upper case) is refused, so a valid name is also a safe file name. */
int media_name_valid(const char *name);
/* 1 for a valid original's name (not a thumbnail). */
int media_name_is_original(const char *name);
/* The Content-Type of a valid name, from its extension (which the store
 * chose from the bytes); NULL for an invalid name. */
const char *media_name_mime(const char *name);
/* The thumbnail's name of a valid original into out; "" if invalid. */
void media_thumb_name(const char *original, char out[MEDIA_NAME_SIZE]);

/* Sets the folder files are stored in, creating it (mode 0750) when it
 * does not exist. HM_EIO with a message on stderr when it cannot be made
 * or written. Until it is called, storing fails with HM_EINTERNAL. */
enum hm_err media_init(const char *dir);
/* The folder "media" beside the database file: malloc'd, caller frees. */
char *media_default_dir(const char *db_path);
/* The folder set by media_init, or NULL. */
const char *media_dir(void);

struct media_stored {
	char name[MEDIA_NAME_SIZE];  /* the original, "<sha256>.<ext>" */
	char thumb[MEDIA_NAME_SIZE]; /* "<sha256>-w640.webp" */
	char sha256[65];
	enum media_type type;
	uint32_t width, height; /* of the original as stored */
	uint32_t thumb_width, thumb_height; /* upright, EXIF rotation applied */
	size_t bytes;
	int existed; /* the same bytes were stored before */
};

/* Checks that data is an image (media_sniff, then a full decode by libgd
 * whose size must match the header), writes it unchanged under its
 * SHA-256 name and a thumbnail at most MEDIA_THUMB_WIDTH wide (upright,
 * as WebP), each through a temporary file renamed into place, so a
 * reader never sees half a file. Storing the same bytes again changes
 * nothing and sets existed.
 *   HM_ETOOBIG  over MEDIA_MAX_BYTES or the pixel limits
 *   HM_EINVAL   not an image we take, or it does not decode
 *   HM_EIO      the folder could not be written
 *   HM_EINTERNAL no folder set, built without image support, or libgd
 *               could not be loaded (*why then names the library)
 * On error *why (when given) is a msgid for the user. */
enum hm_err media_store(const void *data, size_t len, struct media_stored *out, const char **why);

/* media_store for a person: checks AUTH_NEWS_EDIT in scope (NULL: site
 * news, admins only; HM_EFORBIDDEN otherwise) and records
 * "media.upload" in the audit log unless the file existed. */
enum hm_err media_upload(struct db *db, const struct principal *actor,
			 const struct auth_scope *scope, const void *data, size_t len,
			 struct media_stored *out, const char **why);

/* 1 if a file of that (valid) name is stored. */
int media_exists(const char *name);

/* Reads a stored file into out (appended). HM_ENOTFOUND for an invalid
 * name or a missing file, HM_EIO if it cannot be read. */
enum hm_err media_read(const char *name, struct buf *out);

/* ============================================================ pruning */

/* How long a file nothing refers to is kept after it was written or last
 * uploaded again: an upload comes before the post or organisation that
 * uses it is saved. */
#define MEDIA_PRUNE_GRACE_DEFAULT (24 * 3600)

/* A column that holds stored media names, as two statements: every name
 * it holds ("SELECT image FROM post WHERE image IS NOT NULL"), and whether
 * it holds one ("SELECT 1 FROM post WHERE image = ? LIMIT 1"). Each
 * feature with images declares its columns (struct feature). */
struct media_ref {
	const char *all_sql;
	const char *one_sql;
};

struct media_prune_opts {
	int64_t now;   /* Unix seconds */
	int64_t grace; /* seconds; see MEDIA_PRUNE_GRACE_DEFAULT */
	int dry_run;   /* report, remove nothing, record nothing */
	/* Recorded in the audit log as having removed the files ("media.remove"
	 * per original or orphan thumbnail); NULL: "system". */
	const struct principal *actor;
	/* Asked between files: non-zero ends the sweep early. May be NULL. */
	int (*stop)(void);
	/* Told of each file removed (or that would be, with dry_run), with
	 * its size in bytes. May be NULL. */
	void (*each)(const char *name, int64_t bytes, void *ctx);
	void *ctx;
};

struct media_prune_result {
	size_t removed;       /* files, thumbnails included */
	int64_t bytes;        /* their sizes added up */
	size_t in_use;        /* originals kept because a row refers to them */
	size_t recent;        /* files kept because they are within the grace */
};

/* Removes from the media folder (media_init) each original that no row
 * refers to (the nrefs columns of refs: web_media_refs gives the site's) and
 * that was not written or uploaded again for opts->grace seconds, with its
 * thumbnail; and each thumbnail older than the grace whose original is
 * gone. Names that are not valid media names are never touched. The
 * references are read in one read transaction before any file is looked
 * at; the audit entries are written in one transaction after.
 *   HM_OK          done (or stopped early); *out says what
 *   HM_EINTERNAL   no folder set
 *   HM_EDB         the references could not be read: nothing removed;
 *                  or the audit entries could not be written (files
 *                  removed, *out says which)
 *   HM_EIO         the folder could not be read */
enum hm_err media_prune(struct db *db, const struct media_ref *refs, size_t nrefs,
			const struct media_prune_opts *opts, struct media_prune_result *out);

/* The server's sweep: media_prune of refs with the default grace as
 * "system", logging one line when it removed something. Does nothing
 * without a folder (uploads off). */
void media_prune_sweep(struct db *db, const struct media_ref *refs, size_t nrefs, int64_t now,
		       int (*stop)(void));

/* The columns the server's hourly sweep keeps (refs must outlive the
 * scheduler: a static table). Set before the scheduler starts; until it
 * is, the sweep job does nothing, so a server that forgot it never takes
 * every upload for unused. */
void media_sweep_refs_set(const struct media_ref *refs, size_t nrefs);

/* Media's jobs for the scheduler (src/jobs/jobs.h): "media.prune", the
 * sweep at start and hourly. */
extern const struct job media_jobs[];
extern const size_t media_njobs;

#endif
