//! A minimal HTTP/1.1 server on `std::net` (keep-alive, `Content-Length` and chunked request
//! bodies, `Expect: 100-continue`). tiny_http can't drop a connection without answering or stall
//! in the middle of a body (it owns the socket and answers 500 on drop), and those are exactly
//! the faults the connector's transport must survive, so the fake speaks HTTP itself.
//! One thread per connection; Drop closes the listener and every open socket and joins threads.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

pub struct HttpRequest {
    pub method: String,
    /// Raw request target (path + query).
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Send headers and `body[..split]`, pause, then the rest.
    Stall {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        split: usize,
        pause: Duration,
    },
    /// Send headers, then the body one byte every `every` (steady enough that no between-bytes
    /// timeout fires).
    Trickle {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        every: Duration,
    },
    /// Close the connection without writing anything.
    Close,
}

pub type Handler = Arc<dyn Fn(HttpRequest) -> Reply + Send + Sync>;

struct Shared {
    shutdown: AtomicBool,
    conns: Mutex<Vec<(u64, TcpStream)>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_conn: AtomicU64,
    /// Requests being handled now, and the most ever handled at once.
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

impl Shared {
    /// Sleeps up to `d`, waking early on shutdown so Drop never waits for an injected stall.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.shutdown.load(Ordering::SeqCst) {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
    }
}

pub struct HttpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Serves `handler` on `127.0.0.1:port` (`0`: an ephemeral port).
    pub fn start(port: u16, handler: Handler) -> io::Result<HttpServer> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            next_conn: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
        });
        let sh = shared.clone();
        let accept = std::thread::Builder::new()
            .name("fake-intercom-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if sh.shutdown.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    let id = sh.next_conn.fetch_add(1, Ordering::SeqCst);
                    if let Ok(clone) = stream.try_clone() {
                        lock(&sh.conns).push((id, clone));
                    }
                    let (sh2, h2) = (sh.clone(), handler.clone());
                    let t = std::thread::Builder::new()
                        .name("fake-intercom-conn".into())
                        .spawn(move || {
                            serve_connection(stream, &sh2, &h2);
                            lock(&sh2.conns).retain(|(i, _)| *i != id);
                        });
                    if let Ok(t) = t {
                        let mut threads = lock(&sh.threads);
                        threads.retain(|t| !t.is_finished());
                        threads.push(t);
                    }
                }
            })?;
        Ok(HttpServer {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The most requests that were being handled at the same time.
    pub fn peak_concurrent_requests(&self) -> u64 {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.next_conn.load(Ordering::SeqCst)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Wake the accept loop with a throwaway connection.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for (_, s) in lock(&self.shared.conns).iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
        let threads: Vec<_> = lock(&self.shared.threads).drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn serve_connection(stream: TcpStream, sh: &Shared, handler: &Handler) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut out = write_half;
    loop {
        if sh.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let req = match read_request(&mut reader, &mut out) {
            Ok(Some(r)) => r,
            Ok(None) => return, // clean EOF between requests
            Err(_) => {
                let _ = out.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                let _ = out.shutdown(Shutdown::Both);
                return;
            }
        };
        let close_after = req.version_10_or_close;
        let now = sh.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        sh.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        let reply = handler(req.req);
        sh.in_flight.fetch_sub(1, Ordering::SeqCst);
        let ok = match reply {
            Reply::Close => {
                let _ = out.shutdown(Shutdown::Both);
                return;
            }
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let head = response_head(status, &headers, body.len(), close_after);
                out.write_all(&head)
                    .and_then(|_| out.write_all(&body))
                    .and_then(|_| out.flush())
            }
            Reply::Stall {
                status,
                headers,
                body,
                split,
                pause,
            } => {
                let head = response_head(status, &headers, body.len(), close_after);
                let split = split.min(body.len());
                let first = out
                    .write_all(&head)
                    .and_then(|_| out.write_all(&body[..split]))
                    .and_then(|_| out.flush());
                first.and_then(|_| {
                    sh.sleep(pause);
                    out.write_all(&body[split..]).and_then(|_| out.flush())
                })
            }
            Reply::Trickle {
                status,
                headers,
                body,
                every,
            } => {
                let head = response_head(status, &headers, body.len(), close_after);
                out.write_all(&head)
                    .and_then(|_| out.flush())
                    .and_then(|_| {
                        body.iter().try_for_each(|b| {
                            sh.sleep(every);
                            out.write_all(&[*b]).and_then(|_| out.flush())
                        })
                    })
            }
        };
        if ok.is_err() || close_after {
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

struct Parsed {
    req: HttpRequest,
    version_10_or_close: bool,
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

fn read_line(r: &mut BufReader<TcpStream>, budget: &mut usize) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = r
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget {
        return Err(bad("header too large"));
    }
    *budget -= n;
    if buf.last() != Some(&b'\n') {
        return Err(bad("unexpected EOF"));
    }
    while matches!(buf.last(), Some(b'\n') | Some(b'\r')) {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| bad("header not UTF-8"))
}

fn read_request(r: &mut BufReader<TcpStream>, out: &mut TcpStream) -> io::Result<Option<Parsed>> {
    let mut budget = MAX_HEADER_BYTES;
    // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
    let line = loop {
        match read_line(r, &mut budget)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("bad request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad("unsupported version"));
    }
    let mut headers = Vec::new();
    loop {
        let l = read_line(r, &mut budget)?.ok_or_else(|| bad("EOF in headers"))?;
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').ok_or_else(|| bad("bad header"))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    let conn = get("connection").unwrap_or("").to_ascii_lowercase();
    let close = conn.contains("close") || (version == "HTTP/1.0" && !conn.contains("keep-alive"));
    if get("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let chunked =
        get("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(r)?
    } else if let Some(len) = get("content-length") {
        let n: usize = len.parse().map_err(|_| bad("bad content-length"))?;
        if n > MAX_BODY_BYTES {
            return Err(bad("body too large"));
        }
        let mut b = vec![0; n];
        r.read_exact(&mut b)?;
        b
    } else {
        Vec::new()
    };
    Ok(Some(Parsed {
        req: HttpRequest {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body,
        },
        version_10_or_close: close,
    }))
}

fn read_chunked(r: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut budget = MAX_HEADER_BYTES;
    loop {
        let line = read_line(r, &mut budget)?.ok_or_else(|| bad("EOF in chunk size"))?;
        let size_s = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_s, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers until the empty line.
            loop {
                let t = read_line(r, &mut budget)?.ok_or_else(|| bad("EOF in trailers"))?;
                if t.is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(bad("body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(bad("missing CRLF after chunk"));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn response_head(status: u16, headers: &[(String, String)], len: usize, close: bool) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!("Content-Length: {len}\r\n"));
    h.push_str(if close {
        "Connection: close\r\n"
    } else {
        "Connection: keep-alive\r\n"
    });
    h.push_str("\r\n");
    h.into_bytes()
}
