/*
 * dataset.h — one conversation as read from an export: participants and
 * statements with their external ids, moderation, and the vote log.
 * Readers (import.h) fill it; analysis.h reads it. Dense indices are
 * assigned in order of first appearance and, after dataset_finish(),
 * renumbered so that index order = ascending external id.
 */
#ifndef HM_DIALOGUE_DATASET_H
#define HM_DIALOGUE_DATASET_H

#include "dialogue/analysis/votes.h"

#include <stdint.h>

/* int64 external id -> dense uint32 index, open addressing. */
struct id_map {
	int64_t *keys;
	uint32_t *vals;
	size_t cap; /* power of two, 0 when empty */
	size_t n;
};

void id_map_init(struct id_map *m);
void id_map_free(struct id_map *m);
/* Returns the index of key, or UINT32_MAX when absent. */
uint32_t id_map_get(const struct id_map *m, int64_t key);
/* Returns the index of key, adding it as next_index when absent
 * (*added set to 1 then). */
uint32_t id_map_put(struct id_map *m, int64_t key, uint32_t next_index, int *added);

struct dataset {
	uint32_t n_ptpts;
	int64_t *ptpt_id;     /* external id per participant */
	uint32_t n_stmts;
	int64_t *stmt_id;     /* external id per statement */
	int8_t *stmt_mod;     /* -1 rejected, 0 unmoderated, 1 accepted */
	uint8_t *stmt_meta;   /* 1 when a meta statement */
	char **stmt_text;     /* may hold NULLs */
	int32_t *polis_group; /* Pol.is group-id per participant (-1 none), or NULL */
	struct vote_log log;  /* pid/tid are dense indices */
	/* private: id lookup and capacities */
	struct id_map ptpt_map;
	struct id_map stmt_map;
	uint32_t ptpt_cap;
	uint32_t stmt_cap;
	int have_comments;    /* statements came from a comments file */
};

void dataset_init(struct dataset *d);
void dataset_free(struct dataset *d);
/* Index of a participant / statement, created when absent. */
uint32_t dataset_ptpt(struct dataset *d, int64_t id);
uint32_t dataset_stmt(struct dataset *d, int64_t id, int *added);
/* Lookups without creating: UINT32_MAX when absent. */
uint32_t dataset_find_ptpt(const struct dataset *d, int64_t id);
uint32_t dataset_find_stmt(const struct dataset *d, int64_t id);
/* Renumbers participants and statements in ascending id order. */
void dataset_finish(struct dataset *d);
/* Per statement, 1 when the analysis leaves it out (rejected or meta):
 * the engine's mod_out. malloc'd (n_stmts + 1 bytes); the caller frees. */
uint8_t *dataset_mod_out(const struct dataset *d);

#endif
