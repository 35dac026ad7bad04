//! `promo-server`: serves the in-memory [`promo_server::Store`] over HTTP
//! through [`promo_server::app`]. It listens on 127.0.0.1:12111 unless told
//! otherwise (`--host`, `--port`; `--port 0` takes a free port), prints one
//! line `promo-server listening on http://HOST:PORT` to stdout before anything
//! else, logs one line per request to stderr (method, path, status,
//! duration), and shuts down cleanly on Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use clap::Parser;

/// The reference server for the generated `promo-api` crate.
#[derive(Debug, Parser)]
#[command(name = "promo-server", version, about)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 12111)]
    port: u16,
}

/// Logs `METHOD PATH STATUS DURATION` to stderr for every request.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!(
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("promo-server: cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                eprintln!("promo-server: cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    eprintln!("promo-server: shutting down");
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "promo-server: cannot listen on {}:{}: {error}",
                args.host, args.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let address: SocketAddr = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => {
            eprintln!("promo-server: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The first line on stdout is the address; tests read it, so flush it now.
    let mut stdout = std::io::stdout().lock();
    let announced = writeln!(stdout, "promo-server listening on http://{address}")
        .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(error) = announced {
        eprintln!("promo-server: cannot write to stdout: {error}");
        return std::process::ExitCode::FAILURE;
    }

    let app = promo_server::app(promo_server::Store::new()).layer(middleware::from_fn(log_request));
    match axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("promo-server: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
