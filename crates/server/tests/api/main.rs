//! The server's integration tests: the real server over HTTP on SQLite and PostgreSQL, in
//! one test binary (one link of the server instead of one per file).

mod common;
mod mailbox;
mod openapi;
mod reports;

mod access;
mod browser;
mod browser_admin;
mod browser_forms;
mod browser_forms_triage;
mod browser_portal;
mod browser_sla;
mod browser_workspace;
mod calendar_schedule;
mod channels_inbound;
mod channels_mail;
mod channels_mail_tls;
mod clusters;
mod doc_forms_triage;
mod documents_versions;
mod errors;
mod export;
mod forms;
mod fuzz;
mod lifecycle;
mod live;
mod portal_status;
mod problems;
mod problems_effect;
mod problems_resolve;
mod retrain;
mod security;
mod sla;
mod spikes;
mod summaries;
mod timers;
mod totp;
mod triage;
mod triage_rules;
mod uploads;
mod users;
mod web;
mod wechat_media;
mod workflow;
mod workspace;
