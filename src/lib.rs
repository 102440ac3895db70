//! Relais keeps a business's line to its audience open when a channel fails.

pub mod cli;
pub mod config;
pub mod demo;
pub mod detect;
pub mod domain;
pub mod maintenance;
pub mod reach;
pub mod render;
pub mod server;
pub mod storage;
pub mod web;
