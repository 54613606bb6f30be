//! A minimal blocking RESP2 client: one command, one reply, for test administration only.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long one admin command may take before it fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`-style simple string.
    Status(String),
    /// `:n` integer.
    Int(i64),
    /// `$n` bulk string (bytes, lossily decoded as UTF-8).
    Bulk(String),
    /// `$-1` or `*-1`.
    Nil,
    /// `*n` array.
    Array(Vec<Reply>),
}

impl Reply {
    /// The reply as text: status, bulk or integer; `None` otherwise.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Self::Status(s) | Self::Bulk(s) => Some(s.clone()),
            Self::Int(n) => Some(n.to_string()),
            Self::Nil | Self::Array(_) => None,
        }
    }
}

/// Why an admin command failed.
#[derive(Debug)]
pub enum RespError {
    /// The socket failed (server down, timeout).
    Io(std::io::Error),
    /// The server answered `-ERR …`.
    Server(String),
    /// The reply was not RESP2.
    Protocol(String),
}

impl std::fmt::Display for RespError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "redis i/o: {e}"),
            Self::Server(e) => write!(f, "redis error: {e}"),
            Self::Protocol(e) => write!(f, "bad RESP reply: {e}"),
        }
    }
}

impl std::error::Error for RespError {}

impl From<std::io::Error> for RespError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// Sends `args` as one command to `127.0.0.1:port` on a fresh connection and reads one reply.
pub fn command(port: u16, args: &[&str]) -> Result<Reply, RespError> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(COMMAND_TIMEOUT))?;
    stream.set_write_timeout(Some(COMMAND_TIMEOUT))?;
    let mut frame = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        frame.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        frame.extend_from_slice(arg.as_bytes());
        frame.extend_from_slice(b"\r\n");
    }
    (&stream).write_all(&frame)?;
    read_reply(&mut BufReader::new(&stream))
}

fn read_line(r: &mut impl BufRead) -> Result<String, RespError> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(RespError::Protocol("connection closed".into()));
    }
    Ok(line.trim_end_matches("\r\n").to_owned())
}

fn parse_len(s: &str) -> Result<i64, RespError> {
    s.parse()
        .map_err(|_| RespError::Protocol(format!("bad length `{s}`")))
}

fn read_reply(r: &mut impl BufRead) -> Result<Reply, RespError> {
    let line = read_line(r)?;
    let (kind, rest) = line.split_at(line.len().min(1));
    match kind {
        "+" => Ok(Reply::Status(rest.to_owned())),
        "-" => Err(RespError::Server(rest.to_owned())),
        ":" => Ok(Reply::Int(parse_len(rest)?)),
        "$" => {
            let len = parse_len(rest)?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            let mut buf = vec![0; len as usize + 2];
            r.read_exact(&mut buf)?;
            buf.truncate(len as usize);
            Ok(Reply::Bulk(String::from_utf8_lossy(&buf).into_owned()))
        }
        "*" => {
            let len = parse_len(rest)?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            (0..len)
                .map(|_| read_reply(r))
                .collect::<Result<_, _>>()
                .map(Reply::Array)
        }
        _ => Err(RespError::Protocol(format!("unexpected line `{line}`"))),
    }
}
