//! TCP: the port accepts a connection.

use super::{elapsed_ms, timed};
use crate::domain::monitor::{split_host_port, Monitor, Outcome};
use std::time::Instant;

pub async fn check(m: &Monitor) -> Outcome {
    let Some((host, port)) = split_host_port(&m.target, 443) else {
        return Outcome::down(m.down_status, None, "target is not host:port");
    };
    let started = Instant::now();
    match tokio::net::TcpStream::connect((host.as_str(), port)).await {
        Ok(_) => timed(m, elapsed_ms(started)),
        Err(e) => Outcome::down(
            m.down_status,
            Some(elapsed_ms(started)),
            format!("cannot connect to {host}:{port}: {e}"),
        ),
    }
}
