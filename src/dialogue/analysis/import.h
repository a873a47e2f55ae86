/*
 * import.h — readers for conversation exports, as pure functions from
 * bytes to structs (the CLI reads the files): Pol.is CSV exports
 * (votes.csv / participants-votes.csv, comments.csv), red-dwarf style JSON
 * (votes.json, comments.json), a Pol.is math blob (math-pca2.json) used as
 * given membership, and a declared-groups CSV. On error each returns
 * HM_EINVAL and fills err with the file name, the line and what was wrong.
 */
#ifndef HM_DIALOGUE_IMPORT_H
#define HM_DIALOGUE_IMPORT_H

#include "core/core.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/kmeans.h"

#include <stddef.h>
#include <stdint.h>

struct import_err {
	char file[96];
	uint64_t line; /* 1-based; 0 when not about one line */
	char msg[256];
};

/* Formats "file:line: msg" into out. */
void import_err_format(const struct import_err *err, char *out, size_t out_len);

/* comments.csv: header row naming at least comment-id; moderated,
 * is-meta and comment-body are read when present. Duplicate ids fail. */
enum hm_err import_comments_csv(struct dataset *d, const char *data, size_t len,
				const char *fname, struct import_err *err);
/* votes.csv: comment-id, voter-id, vote (1 agree, -1 disagree, 0 pass),
 * timestamp optional. With require_known, a vote on a statement that the
 * comments file did not list fails. */
enum hm_err import_votes_csv(struct dataset *d, const char *data, size_t len,
			     const char *fname, int require_known, struct import_err *err);
/* participants-votes.csv: participant, group-id (optional), then one
 * column per statement id holding 1, -1, 0 or empty. Votes get ts 0.
 * With votes_too = 0 only group-id is read (votes come from votes.csv). */
enum hm_err import_participants_votes_csv(struct dataset *d, const char *data, size_t len,
					  const char *fname, int votes_too,
					  struct import_err *err);
/* comments.json: array of {tid|statement_id, mod|moderated, is_meta, txt}. */
enum hm_err import_comments_json(struct dataset *d, const char *data, size_t len,
				 const char *fname, struct import_err *err);
/* votes.json: array of {pid|participant_id, tid|statement_id, vote,
 * modified}. */
enum hm_err import_votes_json(struct dataset *d, const char *data, size_t len,
			      const char *fname, int require_known, struct import_err *err);

/* A vote as exports spell it: 1, 1.0, +1 (agree = VOTE_AGREE), -1, -1.0
 * (disagree), 0, 0.0, -0 (pass); len bytes at s. 0 and *out set, or -1.
 * Both votes.csv readers use it, so they accept the same files. */
int import_parse_vote(const char *s, size_t len, int *out);

/*
 * votes.csv in chunks, straight into a CSR (large conversations): no
 * timestamps are kept, so for a participant who voted twice on a
 * statement the later line wins. Exact when each participant's votes are
 * in time order in the file; otherwise, if such a repeat exists, finish
 * returns HM_ECONFLICT and the full reader must be used. Chunks may split
 * lines anywhere; quoted fields are refused (votes.csv has none).
 * finish renumbers d (as dataset_finish) and fills m.
 */
struct vote_stream;
struct vote_stream *vote_stream_new(struct dataset *d, const char *fname, int require_known);
enum hm_err vote_stream_feed(struct vote_stream *s, const char *data, size_t len, struct import_err *err);
enum hm_err vote_stream_finish(struct vote_stream *s, struct vote_csr *m, struct import_err *err);
void vote_stream_free(struct vote_stream *s);

/*
 * The same file read in parts, each part on a thread of its own. After
 * the header alone was fed to s: vote_stream_part_start finds, in a window
 * buf of the file, where a participant's lines start (after its first line
 * feed; the offset in buf, or SIZE_MAX when it finds none); a part stream
 * (vote_stream_part, NULL when s has no header yet) is fed the bytes from
 * one start to the next, and sizes its arrays for part_len bytes (the
 * first part's arrays hold the joined rows: sized for the whole file, the
 * join need not move them); vote_stream_join appends the
 * parts' rows to s, in order, and frees the parts. Then vote_stream_finish
 * gives what one stream gives. Parts only read s's dataset, so they may be
 * fed at the same time. The join returns HM_EBUSY when the file must be
 * read in one stream instead (a participant in two parts, a participant
 * who voted twice on a statement - parts keep no timestamps to order
 * repeats - or a part with a line one stream would refuse, reported with
 * its line): s is then spent and d holds participants from the parts.
 */
struct vote_stream *vote_stream_part(const struct vote_stream *s, uint64_t part_len);
size_t vote_stream_part_start(const struct vote_stream *s, const char *buf, size_t len);
enum hm_err vote_stream_join(struct vote_stream *s, struct vote_stream **parts, unsigned n_parts,
			     struct import_err *err);

/* Group membership given from outside (a Pol.is math blob): in-conv,
 * base clusters and group clusters, in participant / base ids. */
struct membership {
	uint32_t n_in_conv;
	int64_t *in_conv;      /* participant ids */
	uint32_t n_base;
	int32_t *base_id;
	uint32_t *base_ptr;    /* n_base + 1 */
	int64_t *base_members; /* participant ids */
	uint32_t n_groups;
	int32_t *group_id;
	uint32_t *group_ptr;   /* n_groups + 1 */
	int32_t *group_bases;  /* base ids */
	uint32_t n_comp_tids;  /* warm-start PCA components (Pol.is sign), or 0 */
	int64_t *comp_tid;
	double *comps;         /* 2 × n_comp_tids, row-major */
};

void membership_free(struct membership *m);

/* A membership in the dataset's dense indices, ready for analysis_given.
 * comps are turned to harmony's sign (agree = +1); statements the blob
 * does not cover start at Pol.is's padding value. */
struct membership_dense {
	uint8_t *in_conv;    /* per participant */
	struct kclust base;  /* members: participant indices */
	struct kclust groups;/* members: base ids */
	double *comps;       /* 2 × n_stmts, or NULL */
};

/* Fails (HM_EINVAL, err names fname) when the membership names a
 * participant without votes. */
enum hm_err membership_resolve(const struct membership *mb, const struct dataset *d,
			       struct membership_dense *g, const char *fname, struct import_err *err);
void membership_dense_free(struct membership_dense *g);
enum hm_err import_membership_json(struct membership *m, const char *data, size_t len,
				   const char *fname, struct import_err *err);

/* Declared groups: CSV with a header; the first column is the participant
 * id, every other column a declared attribute (sector, country, …).
 * Values are interned per attribute; an empty cell means "not declared"
 * (group -1). Participants not in the dataset are kept out (counted in
 * n_unknown); duplicate participant rows fail. */
struct declared_attrs {
	uint32_t n_attrs;
	char **attr_name;      /* n_attrs */
	uint32_t *n_values;    /* per attribute */
	char ***value_name;    /* per attribute, n_values[a] names */
	int32_t *group;        /* n_attrs × n_ptpts: value index or -1 */
	uint32_t n_ptpts;
	uint32_t n_unknown;
};

void declared_attrs_free(struct declared_attrs *g);
/* The index of value s of attribute a (g->value_name[a]), added if new. */
int32_t declared_attrs_value(struct declared_attrs *g, uint32_t a, const char *s);
enum hm_err import_groups_csv(struct declared_attrs *g, const struct dataset *d, const char *data,
			      size_t len, const char *fname, struct import_err *err);

#endif
