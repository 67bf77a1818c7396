//! The load client of `benches/serve.sh`: CLIENTS clients at once, each with
//! its own connection kept open (as a browser keeps one), ask for the pages
//! listed in FILE (one path a line, taken in turn, round and round) until
//! REQUESTS answers came or SECONDS passed, and print how long the answers
//! took: count, median, 90th and 99th percentile and slowest, in milliseconds.
//! Any answer but 200 is counted and makes the exit status 1.
//!
//!   cargo run --release --example serveload -- BASE FILE [CLIENTS] [REQUESTS] [SECONDS]
//!
//! BASE is the server's address (`http://127.0.0.1:PORT`). Uses tokio and
//! reqwest (already errata's), so it needs nothing but Rust to build.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: serveload BASE FILE [CLIENTS] [REQUESTS] [SECONDS]";
    let (Some(base), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let num = |i: usize, default: usize| -> usize {
        args.get(i).map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("{usage}: {a} is not a number");
                std::process::exit(2)
            })
        })
    };
    let (clients, requests, seconds) = (num(2, 20), num(3, 2000), num(4, 120));
    let paths: Vec<String> = std::fs::read_to_string(file)
        .unwrap_or_else(|e| {
            eprintln!("cannot read {file}: {e}");
            std::process::exit(2)
        })
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{base}{}", l.trim()))
        .collect();
    if paths.is_empty() {
        eprintln!("{file} lists no paths");
        std::process::exit(2);
    }
    let paths = Arc::new(paths);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (paths, next, failed) = (paths.clone(), next.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            // One connection per client, kept open between its requests.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client");
            let mut took = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests || Instant::now() >= deadline {
                    break;
                }
                let url = &paths[n % paths.len()];
                let t = Instant::now();
                let ok = match http.get(url).send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                took.push(t.elapsed());
                if !ok {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            took
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("a client finished"));
    }
    let wall = started.elapsed();
    if all.is_empty() {
        eprintln!("no request was made");
        std::process::exit(1);
    }
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(all[((all.len() as f64 * q).ceil() as usize).clamp(1, all.len()) - 1]);
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "{} requests, {clients} clients, {:.1} s ({:.0}/s): median {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms{}",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        at(0.5),
        at(0.9),
        at(0.99),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        if failed > 0 {
            format!(", {failed} FAILED")
        } else {
            String::new()
        }
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
