//! A real HTTP/1.1 server on 127.0.0.1 for the source checks (and the
//! benchmark, which includes this file): one thread per connection, every
//! answer closing its connection, with a route table the caller gives. It
//! counts requests per path and the most connections open at once, so a test
//! can see the per-host cap hold and a cached run ask nothing.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One answer.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Waited before the answer is written.
    pub delay: Duration,
}

impl Reply {
    pub fn html(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(status: u16, to: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Location".into(), to.into())],
            ..Reply::default()
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Routes = dyn Fn(&str) -> Reply + Send + Sync;

/// What the server saw.
#[derive(Default)]
pub struct Counters {
    pub requests: Mutex<HashMap<String, usize>>,
    pub open: AtomicUsize,
    pub max_open: AtomicUsize,
    pub total: AtomicUsize,
    pub user_agents: Mutex<Vec<String>>,
}

impl Counters {
    pub fn hits(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
    pub fn total(&self) -> usize {
        self.total.load(Ordering::SeqCst)
    }
    pub fn max_open(&self) -> usize {
        self.max_open.load(Ordering::SeqCst)
    }
}

/// A running server; it stops with the test process.
pub struct Server {
    pub addr: SocketAddr,
    pub counters: Arc<Counters>,
}

impl Server {
    /// Serve `routes` on `ip` at an ephemeral port.
    pub fn start(ip: &str, routes: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_at(ip, 0, routes)
    }

    /// Serve `routes` on `ip` at `port` (0: an ephemeral one).
    pub fn start_at(
        ip: &str,
        port: u16,
        routes: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind((ip, port)).expect("bind a local port");
        let addr = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        let routes: Arc<Routes> = Arc::new(routes);
        let c = counters.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (c, routes) = (c.clone(), routes.clone());
                std::thread::spawn(move || serve(stream, &c, &*routes));
            }
        });
        Server { addr, counters }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn serve(stream: TcpStream, c: &Counters, routes: &Routes) {
    let now = c.open.fetch_add(1, Ordering::SeqCst) + 1;
    c.max_open.fetch_max(now, Ordering::SeqCst);
    let _ = answer(stream, c, routes);
}

fn answer(mut stream: TcpStream, c: &Counters, routes: &Routes) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        c.open.fetch_sub(1, Ordering::SeqCst);
        return Ok(());
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("user-agent")
        {
            c.user_agents.lock().unwrap().push(v.trim().to_owned());
        }
    }
    c.total.fetch_add(1, Ordering::SeqCst);
    *c.requests.lock().unwrap().entry(path.clone()).or_default() += 1;
    let reply = routes(&path);
    if !reply.delay.is_zero() {
        std::thread::sleep(reply.delay);
    }
    // The connection stops counting as open once its answer is decided: the
    // client cannot start another before it has this one, so the count is exact.
    c.open.fetch_sub(1, Ordering::SeqCst);
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&reply.body)?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}
