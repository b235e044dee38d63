//! MappaTU: the open map of social services of Siena's *Sportello Famiglia*.
//!
//! The crate is organised by area: [`domain`] holds the typed values, [`store`] the
//! persistent source of truth (SQLite or PostgreSQL), [`index`] the in-memory R-tree of
//! published services, [`directory`] ties the two together, [`api`] serves them over HTTP,
//! [`import`] and [`synthetic`] fill the store, [`search`] holds the language tools of
//! search by need, and [`config`] reads the settings.

pub mod api;
pub mod auth;
pub mod cli;
pub mod directory;
pub mod domain;
pub mod geocode;
pub mod import;
pub mod index;
pub mod moderation;
pub mod net;
pub mod notify;
pub mod search;
pub mod store;
pub mod web;
