//! Many planners at once, some of whom give up: 64 concurrent requests for
//! distinct compare and grant pages (so no page cache answers them), half
//! of them abandoned by their client a moment after sending. Every request
//! whose client waits must get a whole page with status 200, and the server
//! must go on answering. (Abandoned server-side renders once panicked with
//! "reactive value already disposed" and dropped other connections.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use capacity_e2e::{Result, Server, ensure, http_get};

/// Distinct pages of the compare section: the grant simulation with
/// different pools, and the compare page with different filters.
fn path(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!(
            "/comparer/subventions?pool={}&threshold=50",
            1_000_000 + i * 1000
        )
    } else {
        format!("/comparer?region=Mopti&n={i}")
    }
}

#[test]
fn abandoned_requests_do_not_hurt_the_others() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let cookie = server.login("admin")?;
    let mut waiting = Vec::new();
    let mut abandoned = Vec::new();
    for i in 0..64 {
        let addr = addr.clone();
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            path(i)
        );
        if i.is_multiple_of(2) {
            waiting.push(std::thread::spawn(move || -> Result<(u16, usize)> {
                let mut s = TcpStream::connect(&addr)?;
                s.set_read_timeout(Some(Duration::from_secs(120)))?;
                s.write_all(request.as_bytes())?;
                let mut body = Vec::new();
                s.read_to_end(&mut body)?;
                let text = String::from_utf8_lossy(&body);
                let status = text
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                ensure!(text.contains("</html>"), "request {i}: the page is whole");
                Ok((status, body.len()))
            }));
        } else {
            abandoned.push(std::thread::spawn(move || -> Result {
                let mut s = TcpStream::connect(&addr)?;
                s.write_all(request.as_bytes())?;
                std::thread::sleep(Duration::from_millis(20 + (i as u64 % 7) * 15));
                drop(s);
                Ok(())
            }));
        }
    }
    for t in abandoned {
        t.join().map_err(|_| "an abandoning client panicked")??;
    }
    let mut answered = 0;
    for (n, t) in waiting.into_iter().enumerate() {
        let (status, len) = t.join().map_err(|_| "a waiting client panicked")??;
        ensure!(
            status == 200,
            "waiting request {n}: status {status} ({len} bytes)"
        );
        answered += 1;
    }
    ensure!(answered == 32, "every waiting client got its page");
    let (status, _) = http_get(&addr, "/health")?;
    ensure!(status == 200, "the server still answers: {status}");
    Ok(())
}
