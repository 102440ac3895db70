//! Outbound safety: an outlet's address is configured by a person, so it
//! could point at the server's own network. Hosts that are, or resolve to,
//! loopback, private, link-local or unspecified addresses are refused unless
//! the configuration allows them.

use super::SendError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Refuses `url` unless it is `http(s)` and its host is public (every
/// address it resolves to). With `allow_private`, only the URL's form is
/// checked. A failed lookup is retryable; a refused address is permanent.
pub async fn check_destination(url: &str, allow_private: bool) -> Result<(), SendError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| SendError::permanent(format!("not a valid URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SendError::permanent("only http and https URLs are allowed"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| SendError::permanent("the URL has no host"))?;
    if allow_private {
        return Ok(());
    }
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => {
            let port = parsed.port_or_known_default().unwrap_or(443);
            tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| SendError::retryable(format!("cannot resolve {host}: {e}"), None))?
                .map(|a| a.ip())
                .collect()
        }
    };
    if addresses.is_empty() {
        return Err(SendError::retryable(format!("{host} has no address"), None));
    }
    match addresses.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(SendError::permanent(format!(
            "{host} is {ip}, a private address (allow private addresses to send there)"
        ))),
        None => Ok(()),
    }
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
