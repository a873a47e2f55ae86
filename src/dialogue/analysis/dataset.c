/*
 * dataset.c — external id maps and the conversation container the
 * readers fill. Renumbering to ascending ids makes every later iteration
 * order (and so the output) independent of the input's line order.
 */
#include "dialogue/analysis/dataset.h"

#include "core/core.h"

#include <stdlib.h>
#include <string.h>

/* ---- id map ---- */

void id_map_init(struct id_map *m)
{
	memset(m, 0, sizeof(*m));
}

void id_map_free(struct id_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t id_hash(int64_t key, size_t cap)
{
	uint64_t x = (uint64_t)key;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

uint32_t id_map_get(const struct id_map *m, int64_t key)
{
	if (!m->cap)
		return UINT32_MAX;
	for (size_t i = id_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->vals[i] == UINT32_MAX)
			return UINT32_MAX;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static void id_map_grow(struct id_map *m)
{
	size_t old_cap = m->cap, cap = old_cap ? old_cap * 2 : 64;
	int64_t *keys = m->keys;
	uint32_t *vals = m->vals;
	m->keys = xmalloc(cap * sizeof(*m->keys));
	m->vals = xmalloc(cap * sizeof(*m->vals));
	memset(m->vals, 0xff, cap * sizeof(*m->vals));
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (vals[i] == UINT32_MAX)
			continue;
		size_t j = id_hash(keys[i], cap);
		while (m->vals[j] != UINT32_MAX)
			j = (j + 1) & (cap - 1);
		m->keys[j] = keys[i];
		m->vals[j] = vals[i];
	}
	free(keys);
	free(vals);
}

uint32_t id_map_put(struct id_map *m, int64_t key, uint32_t next_index, int *added)
{
	if ((m->n + 1) * 2 > m->cap)
		id_map_grow(m);
	size_t i = id_hash(key, m->cap);
	while (m->vals[i] != UINT32_MAX) {
		if (m->keys[i] == key) {
			if (added)
				*added = 0;
			return m->vals[i];
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = next_index;
	m->n++;
	if (added)
		*added = 1;
	return next_index;
}

/* ---- dataset ---- */

void dataset_init(struct dataset *d)
{
	memset(d, 0, sizeof(*d));
	vote_log_init(&d->log);
	id_map_init(&d->ptpt_map);
	id_map_init(&d->stmt_map);
}

void dataset_free(struct dataset *d)
{
	for (uint32_t i = 0; i < d->n_stmts; i++)
		free(d->stmt_text ? d->stmt_text[i] : NULL);
	free(d->ptpt_id);
	free(d->stmt_id);
	free(d->stmt_mod);
	free(d->stmt_meta);
	free(d->stmt_text);
	free(d->polis_group);
	vote_log_free(&d->log);
	id_map_free(&d->ptpt_map);
	id_map_free(&d->stmt_map);
	memset(d, 0, sizeof(*d));
}

uint32_t dataset_ptpt(struct dataset *d, int64_t id)
{
	int added;
	uint32_t i = id_map_put(&d->ptpt_map, id, d->n_ptpts, &added);
	if (!added)
		return i;
	if (d->n_ptpts == d->ptpt_cap) {
		d->ptpt_cap = d->ptpt_cap ? d->ptpt_cap * 2 : 256;
		d->ptpt_id = xrealloc(d->ptpt_id, d->ptpt_cap * sizeof(*d->ptpt_id));
		if (d->polis_group)
			d->polis_group = xrealloc(d->polis_group, d->ptpt_cap * sizeof(*d->polis_group));
	}
	d->ptpt_id[i] = id;
	if (d->polis_group)
		d->polis_group[i] = -1;
	d->n_ptpts++;
	return i;
}

uint32_t dataset_stmt(struct dataset *d, int64_t id, int *added)
{
	int add;
	uint32_t i = id_map_put(&d->stmt_map, id, d->n_stmts, &add);
	if (added)
		*added = add;
	if (!add)
		return i;
	if (d->n_stmts == d->stmt_cap) {
		d->stmt_cap = d->stmt_cap ? d->stmt_cap * 2 : 64;
		d->stmt_id = xrealloc(d->stmt_id, d->stmt_cap * sizeof(*d->stmt_id));
		d->stmt_mod = xrealloc(d->stmt_mod, d->stmt_cap);
		d->stmt_meta = xrealloc(d->stmt_meta, d->stmt_cap);
		d->stmt_text = xrealloc(d->stmt_text, d->stmt_cap * sizeof(*d->stmt_text));
	}
	d->stmt_id[i] = id;
	d->stmt_mod[i] = 0;
	d->stmt_meta[i] = 0;
	d->stmt_text[i] = NULL;
	d->n_stmts++;
	return i;
}

uint32_t dataset_find_ptpt(const struct dataset *d, int64_t id)
{
	return id_map_get(&d->ptpt_map, id);
}

uint32_t dataset_find_stmt(const struct dataset *d, int64_t id)
{
	return id_map_get(&d->stmt_map, id);
}

struct id_ord {
	int64_t id;
	uint32_t old;
};

static int id_ord_cmp(const void *a, const void *b)
{
	const struct id_ord *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Returns new index per old index (caller frees). */
static uint32_t *sorted_renumber(const int64_t *ids, uint32_t n)
{
	struct id_ord *o = xmalloc((n ? n : 1) * sizeof(*o));
	uint32_t *newi = xmalloc((n ? n : 1) * sizeof(*newi));
	for (uint32_t i = 0; i < n; i++) {
		o[i].id = ids[i];
		o[i].old = i;
	}
	qsort(o, n, sizeof(*o), id_ord_cmp);
	for (uint32_t i = 0; i < n; i++)
		newi[o[i].old] = i;
	free(o);
	return newi;
}

#define PERMUTE(arr, type, n, newi)                                      \
	do {                                                             \
		if (arr) {                                               \
			type *tmp_ = xmalloc(((n) ? (n) : 1) * sizeof(type)); \
			for (uint32_t i_ = 0; i_ < (n); i_++)            \
				tmp_[(newi)[i_]] = (arr)[i_];            \
			free(arr);                                       \
			(arr) = tmp_;                                    \
		}                                                        \
	} while (0)

static void rebuild_map(struct id_map *m, const int64_t *ids, uint32_t n)
{
	id_map_free(m);
	for (uint32_t i = 0; i < n; i++)
		id_map_put(m, ids[i], i, NULL);
}

void dataset_finish(struct dataset *d)
{
	uint32_t *np = sorted_renumber(d->ptpt_id, d->n_ptpts);
	uint32_t *ns = sorted_renumber(d->stmt_id, d->n_stmts);
	PERMUTE(d->ptpt_id, int64_t, d->n_ptpts, np);
	PERMUTE(d->polis_group, int32_t, d->n_ptpts, np);
	PERMUTE(d->stmt_id, int64_t, d->n_stmts, ns);
	PERMUTE(d->stmt_mod, int8_t, d->n_stmts, ns);
	PERMUTE(d->stmt_meta, uint8_t, d->n_stmts, ns);
	PERMUTE(d->stmt_text, char *, d->n_stmts, ns);
	for (size_t k = 0; k < d->log.n; k++) {
		d->log.v[k].pid = np[d->log.v[k].pid];
		d->log.v[k].tid = ns[d->log.v[k].tid];
	}
	d->ptpt_cap = d->n_ptpts;
	d->stmt_cap = d->n_stmts;
	rebuild_map(&d->ptpt_map, d->ptpt_id, d->n_ptpts);
	rebuild_map(&d->stmt_map, d->stmt_id, d->n_stmts);
	free(np);
	free(ns);
}

uint8_t *dataset_mod_out(const struct dataset *d)
{
	uint8_t *out = xmalloc((size_t)d->n_stmts + 1);
	for (uint32_t t = 0; t < d->n_stmts; t++)
		out[t] = d->stmt_mod[t] == -1 || d->stmt_meta[t];
	return out;
}
