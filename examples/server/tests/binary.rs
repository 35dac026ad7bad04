//! The `promo-server` binary as a user runs it: `--port 0` takes a free
//! port, the first stdout line is `promo-server listening on http://HOST:PORT`,
//! each request is logged to stderr (method, path, status, duration), and
//! SIGTERM shuts it down cleanly (exit status 0). Also a chunked body over
//! 1 MiB (no Content-Length) is refused with 413.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_promo-server");

/// Sends one raw HTTP/1.1 request and returns the whole response text.
fn raw_request(address: &str, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before it has read everything.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn serves_logs_and_stops_on_sigterm() {
    let mut child = Command::new(BINARY)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line
        .trim_end()
        .strip_prefix("promo-server listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let port: u16 = address.parse().unwrap();
    assert_ne!(port, 0);
    let address = format!("127.0.0.1:{port}");

    let response = raw_request(
        &address,
        "GET /v1/coupons?limit=3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_bin\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""url":"/v1/coupons""#), "{response}");

    // A chunked body over the 1 MiB limit, with no Content-Length to go by.
    let chunk = vec![b'x'; 64 * 1024];
    let mut body = Vec::new();
    body.extend_from_slice(b"5\r\nname=\r\n");
    for _ in 0..20 {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let response = raw_request(
        &address,
        "POST /v1/coupons HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_bin\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        &body,
    );
    assert!(response.starts_with("HTTP/1.1 413"), "{response:.200}");
    assert!(
        response.contains(r#""type":"invalid_request_error""#),
        "{response:.400}"
    );

    // Still serving.
    let response = raw_request(
        &address,
        "POST /v1/coupons HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_bin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\nConnection: close\r\n\r\n",
        b"percent_off=10",
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "one line on stdout only");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].starts_with("GET /v1/coupons 200 "), "{log}");
    assert!(lines[0].ends_with("ms"), "{log}");
    assert!(lines[1].starts_with("POST /v1/coupons 413 "), "{log}");
    assert!(lines[2].starts_with("POST /v1/coupons 200 "), "{log}");
    assert_eq!(lines.last(), Some(&"promo-server: shutting down"), "{log}");
}

#[test]
fn a_taken_port_is_an_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(BINARY)
        .args(["--host", "127.0.0.1", "--port", &port])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot listen on 127.0.0.1:"),
        "{output:?}"
    );
}
