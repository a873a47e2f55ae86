/*
 * feature.c — registration as the site sees it: registering for an event
 * and one's own registration, the organisers' settings, registrations,
 * the balance of the room, exports and check-in; its tabs over an event's
 * admin pages, its box on an event's page, its jobs and its demo.
 */
#include "features/registration/reg_web.h"

#include "jobs/jobs.h"

static const struct route *const routes[] = {
	reg_public_routes,
	reg_admin_routes,
	reg_desk_routes,
	reg_delegation_routes,
	NULL,
};

static const struct nav_item event_tabs[] = {
	{"registration", N_("Registration")},
	{"registrations", N_("Registrations")},
	{"delegations", N_("Delegations")},
	{"invitations", N_("Invitations")},
	{"logistics", N_("Logistics")},
	{"diversity", N_("Diversity")},
	{NULL, NULL},
};

static const struct job jobs[] = {
	{"registration.seats", 300, reg_job_seats},
	{"registration.retention", 6 * 3600, reg_job_retention},
	{"registration.reminders", 3600, reg_job_reminders},
};

const struct feature registration_feature = {
	.name = "registration",
	.routes = routes,
	.vocab = reg_vocab,
	.jobs = jobs,
	.njobs = HM_ARRAY_LEN(jobs),
	.demo = "src/features/registration/demo.sql",
	.event_page = reg_event_page,
	.event_tabs = event_tabs,
};
