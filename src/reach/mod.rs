//! Reach: telling the audience, everywhere that still works, what happened
//! and where to reach the business instead.

pub mod delivery;
pub mod fanout;
pub mod message;
pub mod outlets;
pub mod push;
