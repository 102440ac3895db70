//! TLS: the certificate is valid and not about to expire.

use super::{elapsed_ms, timed};
use crate::domain::monitor::{split_host_port, Monitor, Outcome};
use crate::domain::time::{now, rfc3339};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Instant;

pub async fn check(m: &Monitor) -> Outcome {
    let Some((host, port)) = split_host_port(&m.target, 443) else {
        return Outcome::down(m.down_status, None, "target is not host:port");
    };
    let config = match client_config(m.spec.ignore_tls_errors) {
        Ok(c) => c,
        Err(e) => return Outcome::down(m.down_status, None, format!("TLS setup failed: {e}")),
    };
    let Ok(server_name) = ServerName::try_from(host.clone()) else {
        return Outcome::down(
            m.down_status,
            None,
            format!("`{host}` is not a valid server name"),
        );
    };
    let started = Instant::now();
    let tcp = match tokio::net::TcpStream::connect((host.as_str(), port)).await {
        Ok(s) => s,
        Err(e) => {
            return Outcome::down(
                m.down_status,
                Some(elapsed_ms(started)),
                format!("cannot connect to {host}:{port}: {e}"),
            )
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = match connector.connect(server_name, tcp).await {
        Ok(s) => s,
        Err(e) => {
            return Outcome::down(
                m.down_status,
                Some(elapsed_ms(started)),
                format!("TLS handshake failed: {e}"),
            )
        }
    };
    let latency = elapsed_ms(started);
    let Some(cert) = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
    else {
        return Outcome::down(
            m.down_status,
            Some(latency),
            "the server sent no certificate",
        );
    };
    let not_after = match x509_parser::parse_x509_certificate(cert.as_ref()) {
        Ok((_, parsed)) => parsed.validity().not_after.timestamp() * 1000,
        Err(e) => {
            return Outcome::down(
                m.down_status,
                Some(latency),
                format!("unreadable certificate: {e}"),
            )
        }
    };
    let left = not_after - now();
    let date = rfc3339(not_after);
    if left <= 0 {
        return Outcome::down(
            m.down_status,
            Some(latency),
            format!("certificate expired on {date}"),
        );
    }
    let days = left / 86_400_000;
    if days < i64::from(m.spec.warning_days()) {
        return Outcome::degraded(
            Some(latency),
            format!("certificate expires in {days} days ({date})"),
        );
    }
    timed(m, latency)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(ignore_errors: bool) -> Result<rustls::ClientConfig, rustls::Error> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?;
    let config = if ignore_errors {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider())))
            .with_no_client_auth()
    } else {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(config)
}

/// Accepts any certificate (the expiry is still read and judged).
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
