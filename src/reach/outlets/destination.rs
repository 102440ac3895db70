//! Outbound safety: an outlet's or webhook's address is typed by a person and
//! a push endpoint comes from a visitor, so either could point at the
//! server's own network. Hosts that are, or resolve to, loopback, private,
//! link-local or unspecified addresses are refused unless the configuration
//! allows them: when the address is given ([`check_destination`]), and again
//! when a connection is opened ([`PublicResolver`]), so that a name resolving
//! elsewhere by then (DNS rebinding) is still refused.

use super::SendError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Refuses `url` unless it is `http(s)` and its host is public (every
/// address it resolves to). With `allow_private`, only the URL's form is
/// checked. A failed lookup is retryable; a refused address is permanent.
pub async fn check_destination(url: &str, allow_private: bool) -> Result<(), SendError> {
    let parsed = checked(url, allow_private)?;
    let host = parsed.host_str().unwrap_or_default();
    if allow_private || literal_ip(host).is_some() {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| SendError::retryable(format!("cannot resolve {host}: {e}"), None))?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(SendError::retryable(format!("{host} has no address"), None));
    }
    match addresses.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(refused(host, ip)),
        None => Ok(()),
    }
}

/// Refuses `url` unless it is `http(s)` with a host that is not a private
/// address literal: the check before each send, without a lookup (the
/// client's [`PublicResolver`] checks names as it connects).
pub fn check_url(url: &str, allow_private: bool) -> Result<(), SendError> {
    checked(url, allow_private).map(drop)
}

/// [`check_url`], giving back the parsed URL.
fn checked(url: &str, allow_private: bool) -> Result<reqwest::Url, SendError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| SendError::permanent(format!("not a valid URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SendError::permanent("only http and https URLs are allowed"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| SendError::permanent("the URL has no host"))?;
    match literal_ip(host) {
        Some(ip) if !allow_private && !is_public(ip) => Err(refused(host, ip)),
        _ => Ok(parsed),
    }
}

/// The address a host is written as, if it is one (`[::1]` too).
fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn refused(host: &str, ip: IpAddr) -> SendError {
    SendError::permanent(refused_reason(host, ip))
}

fn refused_reason(host: &str, ip: IpAddr) -> String {
    format!("{host} is {ip}, a private address (allow private addresses to send there)")
}

/// The DNS resolver of the outbound HTTP clients: the system's, refusing a
/// name with a non-public address unless private targets are allowed.
#[derive(Debug, Clone, Copy)]
pub struct PublicResolver {
    pub allow_private: bool,
}

/// A name refused by [`PublicResolver`], found in a request's error chain by
/// [`refusal`].
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str();
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
            if !allow_private {
                if let Some(a) = addresses.iter().find(|a| !is_public(a.ip())) {
                    let reason = refused_reason(host, a.ip());
                    return Err(Box::new(Refused(reason)) as Box<_>);
                }
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The refusal of [`PublicResolver`] behind a failed request, if that is why
/// it failed.
pub fn refusal(e: &reqwest::Error) -> Option<SendError> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(r) = cause.downcast_ref::<Refused>() {
            return Some(SendError::permanent(r.0.clone()));
        }
        source = cause.source();
    }
    None
}

/// Whether `ip` is reachable on the public internet: not loopback, private,
/// shared (carrier-grade NAT), link-local, unspecified or broadcast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_unique_local() || ip.is_unicast_link_local())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_public_from_private() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "100.128.0.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn refuses_private_hosts_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/x",
            "https://[::1]/",
            "http://localhost/",
        ] {
            let err = check_destination(url, false).await.unwrap_err();
            assert!(!err.is_retryable(), "{url}: {err}");
            assert!(check_destination(url, true).await.is_ok());
        }
        assert!(check_destination("https://93.184.216.34/", false)
            .await
            .is_ok());
        assert!(check_destination("file:///etc/passwd", true).await.is_err());
        assert!(check_destination("not a url", true).await.is_err());
    }
}
