/*
 * feature.c — the programme as the site sees it: an event's rooms and
 * sessions, edited by its organisers (a tab of the event's admin pages),
 * their JSON API, and the labels of the values it stores.
 */
#include "features/programme/prog_internal.h"

#include "media/media.h"

static const struct route *const routes[] = {
	/* before the public pages: /sessions/{id}.ics is the calendar's */
	prog_calendar_routes,
	prog_public_routes,
	prog_frab_routes,
	prog_now_routes,
	prog_people_routes,
	prog_agenda_routes,
	prog_check_routes,
	prog_admin_routes,
	NULL,
};

static const struct nav_item event_tabs[] = {
	{"programme", N_("Programme")},
	{NULL, NULL},
};

static const struct kind *const kinds[] = {&session_kind, NULL};

const struct vocab prog_vocab[] = {
	{"opening", N_("Opening"), N_("Openings")},
	{"plenary", N_("Plenary"), N_("Plenaries")},
	{"panel", N_("Panel"), N_("Panels")},
	{"workshop", N_("Workshop"), N_("Workshops")},
	{"roundtable", N_("Round table"), N_("Round tables")},
	{"break", N_("Break"), N_("Breaks")},
	{"reception", N_("Reception"), N_("Receptions")},
	{"closing", N_("Closing"), N_("Closings")},
	{"participants-only", N_("Participants only"), N_("Participants only")},
	{"speaker", N_("Speaker"), N_("Speakers")},
	{"moderator", N_("Moderator"), N_("Moderators")},
	{"chair", N_("Chair"), N_("Chairs")},
	{"rapporteur", N_("Rapporteur"), N_("Rapporteurs")},
	{NULL, NULL, NULL},
};

static const struct media_ref media_refs[] = {
	{"SELECT photo FROM programme_person WHERE photo IS NOT NULL",
	 "SELECT 1 FROM programme_person WHERE photo = ? LIMIT 1"},
};

const struct feature programme_feature = {
	.name = "programme",
	.routes = routes,
	.kinds = kinds,
	.vocab = prog_vocab,
	.demo = "src/features/programme/demo.sql",
	.event_tabs = event_tabs,
	.event_page = prog_event_page,
	.media_refs = media_refs,
	.nmedia_refs = HM_ARRAY_LEN(media_refs),
};
