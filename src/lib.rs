//! Relais keeps a business's line to its audience open when a channel fails.

pub mod domain;
pub mod storage;
pub mod config;
pub mod render;
pub mod web;
pub mod maintenance;
pub mod server;
pub mod cli;
pub mod demo;
