//! SMTP connections kept open and reused, with Nagle's algorithm off.
//!
//! lettre's own transport writes a message and its closing `.` in two
//! writes on a socket that delays small writes: every message then waits
//! for the server's delayed acknowledgement (about 40 ms), which caps a
//! broadcast near 1,300 emails a second. This pool opens the connections
//! itself (`TCP_NODELAY` set) and lets lettre speak SMTP on them.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// How a connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// `smtp://`: no encryption (a relay on the same machine or network).
    Plain,
    /// `smtp+starttls://`: STARTTLS, required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum Failure {
    /// The server answered with an error (its code tells which kind).
    Smtp(lettre::transport::smtp::Error),
    /// No connection could be made or kept (worth trying again).
    Network(String),
}

/// Open connections to one SMTP server.
pub struct Pool {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    max_idle: usize,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

impl Pool {
    /// A pool for `smtp://`, `smtp+starttls://` or `smtps://` URLs with an
    /// optional `user:password@`, keeping up to `max_idle` connections.
    pub fn from_url(url: &str, max_idle: usize, timeout: Duration) -> anyhow::Result<Pool> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("[email] smtp_url is not a URL: {e}"))?;
        let (security, default_port) = match parsed.scheme() {
            "smtp" => (Security::Plain, 25),
            "smtp+starttls" => (Security::StartTls, 587),
            "smtps" => (Security::Tls, 465),
            _ => anyhow::bail!(
                "[email] smtp_url must start with smtp://, smtp+starttls:// or smtps://"
            ),
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| anyhow::anyhow!("[email] smtp_url has no host"))?
            .trim_matches(['[', ']'])
            .to_string();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .to_string()
        };
        let credentials = (!parsed.username().is_empty()).then(|| {
            Credentials::new(
                decode(parsed.username()),
                decode(parsed.password().unwrap_or_default()),
            )
        });
        Ok(Pool {
            host,
            port: parsed.port().unwrap_or(default_port),
            security,
            credentials,
            hello: ClientId::default(),
            timeout,
            max_idle,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Opens, secures and authenticates one connection.
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let tls =
            || TlsParameters::new(self.host.clone()).map_err(|e| Failure::Network(e.to_string()));
        let mut conn = if self.security == Security::Tls {
            let address = (self.host.as_str(), self.port);
            AsyncSmtpConnection::connect_tokio1(
                address,
                Some(self.timeout),
                &self.hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(Failure::Smtp)?
        } else {
            let tcp = tokio::time::timeout(
                self.timeout,
                TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await
            .map_err(|_| Failure::Network("the SMTP server did not answer in time".into()))?
            .map_err(|e| Failure::Network(format!("cannot reach the SMTP server: {e}")))?;
            tcp.set_nodelay(true)
                .map_err(|e| Failure::Network(e.to_string()))?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                .await
                .map_err(Failure::Smtp)?;
            if self.security == Security::StartTls {
                if !conn.can_starttls() {
                    return Err(Failure::Network(
                        "the SMTP server does not offer STARTTLS".into(),
                    ));
                }
                conn.starttls(tls()?, &self.hello)
                    .await
                    .map_err(Failure::Smtp)?;
            }
            conn
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(Failure::Smtp)?;
        }
        Ok(conn)
    }

    /// Sends one message on an idle connection, or a new one; the
    /// connection goes back to the pool when it is still good.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), Failure> {
        let reused = self.idle.lock().await.pop();
        let mut conn = match reused {
            Some(conn) if !conn.has_broken() => conn,
            _ => self.connect().await?,
        };
        let sent = tokio::time::timeout(self.timeout, conn.send(envelope, message))
            .await
            .map_err(|_| Failure::Network("the SMTP server stopped answering".into()))?;
        match sent {
            Ok(_) => {
                let mut idle = self.idle.lock().await;
                if idle.len() < self.max_idle && !conn.has_broken() {
                    idle.push(conn);
                } else {
                    drop(idle);
                    let _ = conn.quit().await;
                }
                Ok(())
            }
            Err(e) => {
                // A refused recipient leaves the session usable; reset it.
                if !conn.has_broken()
                    && conn
                        .command(lettre::transport::smtp::commands::Rset)
                        .await
                        .is_ok()
                {
                    let mut idle = self.idle.lock().await;
                    if idle.len() < self.max_idle {
                        idle.push(conn);
                    }
                }
                Err(Failure::Smtp(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_say_how_to_connect() {
        let p = Pool::from_url(
            "smtp+starttls://me%40x.org:p%3Ass@mail.example.com",
            4,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.security),
            ("mail.example.com", 587, Security::StartTls)
        );
        assert!(p.credentials.is_some());
        let p = Pool::from_url("smtps://mail.example.com:2465", 4, Duration::from_secs(1)).unwrap();
        assert_eq!(
            (p.port, p.security, p.credentials.is_none()),
            (2465, Security::Tls, true)
        );
        let p = Pool::from_url("smtp://127.0.0.1:2525", 4, Duration::from_secs(1)).unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.security),
            ("127.0.0.1", 2525, Security::Plain)
        );
        assert!(Pool::from_url("http://mail.example.com", 4, Duration::from_secs(1)).is_err());
        assert!(Pool::from_url("smtp://", 4, Duration::from_secs(1)).is_err());
    }
}
