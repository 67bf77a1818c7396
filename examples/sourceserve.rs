//! The benchmark's web: HOSTS local hosts (127.0.0.2, 127.0.0.3, ...: all of
//! 127/8 is the loopback) on one port, each page answering after LATENCY
//! milliseconds with a page that holds the excerpt `benches/sources.sh` cites.
//! Prints the port, then serves until killed. The server is the one the tests
//! use (`tests/it/http_server.rs`).
//!
//!   cargo run --release --example sourceserve -- [HOSTS] [LATENCY_MS]

#[path = "../tests/it/http_server.rs"]
mod http_server;

use std::time::Duration;

use http_server::{Reply, Server};

fn main() {
    let mut args = std::env::args().skip(1);
    let hosts: u8 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let latency: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let page = move |_: &str| {
        Reply::html(
            200,
            "<!doctype html><html><head><title>Q3 FY24</title></head><body><p>Revenue was a record. GAAP gross margin was 74.0%, up from 70.1%.</p></body></html>",
        )
        .delayed(Duration::from_millis(latency))
    };
    let first = Server::start_at("127.0.0.2", 0, page);
    let port = first.addr.port();
    let mut servers = vec![first];
    for i in 1..hosts {
        servers.push(Server::start_at(
            &format!("127.0.0.{}", 2 + u16::from(i)),
            port,
            page,
        ));
    }
    println!("{port}");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
