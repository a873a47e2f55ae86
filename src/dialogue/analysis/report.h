/*
 * report.h — an analysis as JSON (keys of Pol.is's math blob, plus a
 * "harmony" section) or as a readable text report. Output is byte-stable:
 * fixed key and list orders, doubles in shortest round-trip form.
 * Schema: docs/ANALYZE.md.
 */
#ifndef HM_DIALOGUE_REPORT_H
#define HM_DIALOGUE_REPORT_H

#include "core/core.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/declared.h"
#include "dialogue/analysis/import.h"

/* Declared-group results, one per attribute of a --groups-from file. */
struct report_declared {
	const struct declared_attrs *attrs;
	const struct declared_result *res; /* n_attrs results */
};

/* Comparison with Pol.is's own groups (participants-votes.csv group-id),
 * over the participants both cluster. */
struct report_compare {
	uint32_t n_common;
	uint32_t n_groups_harmony, n_groups_polis;
	double ari;
	double silhouette_harmony; /* both in harmony's projection */
	double silhouette_polis;
};

struct report_in {
	const struct dataset *d;
	const struct analysis_result *r;
	const struct bridging_result *bridging; /* NULL: not computed */
	const struct report_declared *declared; /* NULL: no declared groups */
	const struct report_compare *compare;   /* NULL: no Pol.is groups known */
	const char *source;                     /* input folder, shown as given */
};

/* Appends the JSON document (one line per top-level key) to out. */
void report_json(struct buf *out, const struct report_in *in);
/* Appends the text report to out. */
void report_text(struct buf *out, const struct report_in *in);

/* Shortest "%.*g" form of x that reads back as x ("null" for NaN/inf). */
void report_double(struct buf *out, double x);

#endif
