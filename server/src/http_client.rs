//! A minimal HTTP/1.1 client for JSON over a kept-alive TCP connection: a server copy
//! forwarding device messages to the copy that runs the ingest engine, the simulator, the
//! benchmarks and the tests that drive a real server process.

use std::collections::HashMap;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A kept-alive connection to a server.
pub struct HttpClient {
    stream: BufReader<TcpStream>,
    headers: String,
}

impl HttpClient {
    /// Connects to `addr`; `headers` are sent with every request (`Authorization: …\r\n`).
    pub async fn connect(addr: &str, headers: &str) -> std::io::Result<HttpClient> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(HttpClient { stream: BufReader::new(s), headers: headers.to_string() })
    }

    /// Sends a request; the status, the headers (lower-case names) and the body.
    pub async fn request(&mut self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, HashMap<String, String>, String)> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n{}Content-Length: {}\r\n\r\n",
            self.headers,
            body.len()
        );
        let s = self.stream.get_mut();
        s.write_all(head.as_bytes()).await?;
        s.write_all(body.as_bytes()).await?;
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = HashMap::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut buf = vec![0; len];
        self.stream.read_exact(&mut buf).await?;
        Ok((status, headers, String::from_utf8_lossy(&buf).into_owned()))
    }
}

