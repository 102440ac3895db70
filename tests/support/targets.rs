//! Real local targets for monitors: an HTTP server whose answers a test
//! controls, a TCP listener, a DNS server, a TLS server with a short-lived
//! certificate and a provider's Statuspage `summary.json`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

/// How the HTTP target answers.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The next this many requests get 503, whatever `status` says.
    pub fail_next: u32,
    pub status: u16,
    pub body: String,
    pub delay_ms: u64,
}

impl Default for Answer {
    fn default() -> Self {
        Answer {
            fail_next: 0,
            status: 200,
            body: "{\"status\": {\"indicator\": \"none\"}, \"shop\": \"open\"}".into(),
            delay_ms: 0,
        }
    }
}

/// An HTTP server on loopback; `set` changes its answer, `stop` takes it down
/// (connections refused), `start` brings it back on the same port.
pub struct HttpTarget {
    pub addr: SocketAddr,
    answer: Arc<Mutex<Answer>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

async fn answer(State(a): State<Arc<Mutex<Answer>>>) -> impl IntoResponse {
    let current = {
        let mut a = a.lock().unwrap();
        let mut current = a.clone();
        if a.fail_next > 0 {
            a.fail_next -= 1;
            current.status = 503;
        }
        current
    };
    if current.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(current.delay_ms)).await;
    }
    (
        StatusCode::from_u16(current.status).unwrap(),
        [("content-type", "application/json")],
        current.body,
    )
}

impl HttpTarget {
    pub async fn start_new() -> HttpTarget {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let target = HttpTarget {
            addr,
            answer: Arc::new(Mutex::new(Answer::default())),
            task: Mutex::new(None),
        };
        target.serve(listener);
        target
    }

    fn serve(&self, listener: TcpListener) {
        let app = Router::new()
            .route("/", get(answer).post(answer))
            .route("/{*rest}", get(answer))
            .with_state(self.answer.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        *self.task.lock().unwrap() = Some(task);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// Fails exactly the next `n` requests.
    pub fn fail_next(&self, n: u32) {
        self.answer.lock().unwrap().fail_next = n;
    }

    pub fn set_status(&self, status: u16) {
        self.answer.lock().unwrap().status = status;
    }

    /// Closes the port: checks now get "connection refused".
    pub fn stop(&self) {
        if let Some(t) = self.task.lock().unwrap().take() {
            t.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn start(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot listen again on {}: {e}", self.addr),
            }
        };
        self.serve(listener);
    }
}

/// A provider status page in Statuspage's format with one "Messaging" component.
pub async fn upstream(status: Arc<Mutex<String>>) -> SocketAddr {
    async fn summary(State(s): State<Arc<Mutex<String>>>) -> impl IntoResponse {
        let status = s.lock().unwrap().clone();
        axum::Json(serde_json::json!({
            "page": {"id": "up", "name": "Provider"},
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": [
                {"id": "web1", "name": "Website", "status": "operational"},
                {"id": "msg1", "name": "Messaging", "status": status},
            ],
            "incidents": [],
            "scheduled_maintenances": [],
        }))
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/api/v2/summary.json", get(summary))
        .with_state(status);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A DNS server on loopback UDP answering `shop.test.` A 192.0.2.10 and
/// `shop.test.` TXT "v=ok"; every other name is NXDOMAIN.
pub async fn dns_server() -> SocketAddr {
    use hickory_proto::op::{Message, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::{A, TXT};
    use hickory_proto::rr::{Name, RData, Record, RecordType};
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let mut reply = Message::new();
            reply
                .set_id(query.id())
                .set_message_type(MessageType::Response)
                .set_op_code(query.op_code())
                .set_recursion_desired(query.recursion_desired())
                .set_recursion_available(true)
                .set_authoritative(true);
            let shop = Name::from_ascii("shop.test.").unwrap();
            for q in query.queries() {
                reply.add_query(q.clone());
                if q.name().to_lowercase() != shop {
                    reply.set_response_code(ResponseCode::NXDomain);
                    continue;
                }
                match q.query_type() {
                    RecordType::A => {
                        reply.add_answer(Record::from_rdata(
                            shop.clone(),
                            60,
                            RData::A(A::new(192, 0, 2, 10)),
                        ));
                    }
                    RecordType::TXT => {
                        reply.add_answer(Record::from_rdata(
                            shop.clone(),
                            60,
                            RData::TXT(TXT::new(vec!["v=ok".into()])),
                        ));
                    }
                    _ => {}
                }
            }
            if let Ok(bytes) = reply.to_vec() {
                let _ = socket.send_to(&bytes, peer).await;
            }
        }
    });
    addr
}

/// A TLS server on loopback whose self-signed certificate for `localhost`
/// expires in `days` days (negative: already expired).
pub async fn tls_server(days: i64) -> SocketAddr {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(30);
    params.not_after = now + time::Duration::days(days);
    let cert = params.self_signed(&key).unwrap();
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    use tokio::io::AsyncWriteExt;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    addr
}
