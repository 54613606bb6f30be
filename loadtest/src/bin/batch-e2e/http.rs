//! Just enough HTTP/1.1 over a `TcpStream` to stream a long response: send one request, read
//! the status and headers, then the body decoded (chunked, sized or to the close), piece by
//! piece as it arrives. A general client would buffer or add work per chunk; this one hands the
//! bytes straight to the SSE scanner.

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes read from the socket at a time.
const READ_BYTES: usize = 256 * 1024;

/// A response whose body is still arriving.
pub(crate) struct Response {
    stream: TcpStream,
    /// The status code.
    pub(crate) status: u16,
    /// Header names lowercased, values as sent.
    pub(crate) headers: Vec<(String, String)>,
    /// Bytes read and not yet consumed are `buf[pos..]` (a cursor, not a drain per chunk: a
    /// 256 KiB read holds hundreds of small chunks).
    buf: Vec<u8>,
    pos: usize,
    framing: Framing,
}

enum Framing {
    /// Transfer-Encoding: chunked; the bytes left in the current chunk (None: at a size line).
    Chunked(Option<usize>),
    /// Content-Length: the bytes left.
    Sized(usize),
    /// Until the connection closes.
    Close,
}

/// Sends `head` (request line and headers, without the blank line) and `body`.
pub(crate) async fn request(addr: &str, head: &str, body: &[u8]) -> anyhow::Result<Response> {
    let mut stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let head = format!("{head}\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut buf = Vec::with_capacity(READ_BYTES);
    let end = loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            break end;
        }
        if read_more(&mut stream, &mut buf).await? == 0 {
            bail!("the connection closed before the response headers");
        }
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    buf.drain(..end + 4);
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .context("malformed status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let framing = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        Framing::Chunked(None)
    } else if let Some(len) = header("content-length") {
        Framing::Sized(len.parse().context("bad Content-Length")?)
    } else {
        Framing::Close
    };
    Ok(Response {
        stream,
        status,
        headers,
        buf,
        pos: 0,
        framing,
    })
}

impl Response {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Hands the next decoded body bytes to `sink`; `false` at the end of the body (or when
    /// the connection closed early: the caller tells the two apart by what it received).
    pub(crate) async fn next(&mut self, sink: &mut impl FnMut(&[u8])) -> anyhow::Result<bool> {
        loop {
            let pending = &self.buf[self.pos..];
            match self.framing {
                Framing::Chunked(None) => {
                    let Some(end) = find(pending, b"\r\n") else {
                        if !self.fill().await? {
                            return Ok(false);
                        }
                        continue;
                    };
                    let line = std::str::from_utf8(&pending[..end]).context("chunk size")?;
                    let size = line.split(';').next().unwrap_or("").trim();
                    let size = usize::from_str_radix(size, 16).context("bad chunk size")?;
                    self.pos += end + 2;
                    if size == 0 {
                        return Ok(false);
                    }
                    // The chunk's data plus its trailing CRLF.
                    self.framing = Framing::Chunked(Some(size + 2));
                }
                Framing::Chunked(Some(left)) | Framing::Sized(left) => {
                    if left == 0 {
                        return Ok(false);
                    }
                    if pending.is_empty() {
                        if !self.fill().await? {
                            return Ok(false);
                        }
                        continue;
                    }
                    let take = left.min(pending.len());
                    let chunked = matches!(self.framing, Framing::Chunked(_));
                    // The last two bytes of a chunk are its CRLF, not data.
                    let data = if chunked {
                        take.min(left.saturating_sub(2))
                    } else {
                        take
                    };
                    sink(&pending[..data]);
                    self.pos += take;
                    self.framing = match (chunked, left - take) {
                        (true, 0) => Framing::Chunked(None),
                        (true, rest) => Framing::Chunked(Some(rest)),
                        (false, rest) => Framing::Sized(rest),
                    };
                    return Ok(true);
                }
                Framing::Close => {
                    if pending.is_empty() {
                        if !self.fill().await? {
                            return Ok(false);
                        }
                        continue;
                    }
                    sink(pending);
                    self.pos = self.buf.len();
                    return Ok(true);
                }
            }
        }
    }

    /// The whole remaining body (for error responses).
    pub(crate) async fn text(mut self) -> anyhow::Result<String> {
        let mut body = Vec::new();
        while self.next(&mut |b| body.extend_from_slice(b)).await? {}
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// Reads more bytes, first dropping the consumed ones.
    async fn fill(&mut self) -> anyhow::Result<bool> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        Ok(read_more(&mut self.stream, &mut self.buf).await? > 0)
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<usize> {
    let start = buf.len();
    buf.resize(start + READ_BYTES, 0);
    let n = stream.read(&mut buf[start..]).await?;
    buf.truncate(start + n);
    Ok(n)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
