//! The floor of the load benchmark (`server/bench/load.sh`): a bare poem handler that answers
//! every request, whatever its method and path, with the same status and bytes as orgkit's answer
//! to the scenario being measured. Its figures are what HTTP alone costs on this machine.
//!
//! `floor BIND FILE STATUS`, e.g. `floor 127.0.0.1:9000 answer.json 200`.

use poem::http::StatusCode;
use poem::listener::TcpListener;
use poem::{Response, Server};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bind, file, status] = args.as_slice() else {
        eprintln!("usage: floor BIND FILE STATUS");
        std::process::exit(2);
    };
    // Read once and kept for the process's life: every answer borrows the same bytes.
    let body: &'static [u8] = Vec::leak(std::fs::read(file)?);
    let status = status.parse().ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
    let answer = poem::endpoint::make_sync(move |_| {
        Response::builder().status(status).content_type("application/json").body(body)
    });
    Server::new(TcpListener::bind(bind.as_str())).run(answer).await
}

