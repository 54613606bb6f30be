//! [`Socket`]: a WebSocket served straight on the upgraded TCP stream by the connection's own
//! task — actix-http's frame codec (`ws::Codec`, the one actix-ws wraps) on the read side, and
//! frame headers written in front of shared payloads on the write side.
//!
//! Why not actix-ws: it leaves the socket to actix-http's h1 dispatcher for the whole life of
//! the connection, with an 8 KiB read and an 8 KiB write buffer allocated up front (constants,
//! not settings), a second task, and a channel and two copies per outbound frame. Here one task
//! owns the stream; an idle connection holds no buffer at all (it waits for readiness without
//! one; the buffer a read allocates is reused while the client is active and dropped after a
//! quiet heartbeat interval); an outbound frame is one vectored write of a stack-built header
//! and the payload (the very `ByteString` the hub shared between every subscriber), no copy.

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::time::Duration;

use actix_codec::Decoder as _;
use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::timeout;

pub use actix_http::ws::ProtocolError;
use actix_http::ws::{Codec, Frame};

/// What a read reserves when the buffer has less room than half of it: one read takes most
/// client frames whole (a design request is ~200 bytes); larger frames (up to the frame limit,
/// 64 KiB by default) grow the buffer as they arrive. Small enough for the allocator's
/// per-thread cache.
const READ_CHUNK: usize = 1024;
/// How long a close frame may take to write (the peer may have stopped reading).
const CLOSE_WRITE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long, after our close, unread input is drained before the socket is dropped: closing a
/// socket with unread input sends a reset, which can destroy the close frame on its way.
const LINGER: Duration = Duration::from_secs(1);

/// A message from the client.
#[derive(Debug)]
pub enum Message {
    /// A complete text frame (valid UTF-8).
    Text(ByteString),
    /// A binary frame.
    Binary(Bytes),
    /// A fragment of a fragmented message.
    Continuation,
    /// A ping, to be answered with a pong carrying the same bytes.
    Ping(Bytes),
    /// A pong.
    Pong(Bytes),
    /// The client's close frame (its code, when it sent one).
    Close(Option<u16>),
}

/// One upgraded connection. Reads and writes are cancel-safe: [`Socket::recv`] can lose a
/// `select!` without losing bytes, and a write cut short (a timeout, a slow consumer) keeps the
/// rest of its frame, which [`Socket::close`] finishes before its close frame.
pub struct Socket {
    io: TcpStream,
    read_buf: BytesMut,
    codec: Codec,
    /// The frame being written: its header, its payload, and how much of both is out.
    pending: Option<Pending>,
    /// A write failed: the stream is unusable, only the TCP close is left.
    broken: bool,
}

struct Pending {
    head: [u8; 10],
    head_len: usize,
    payload: Bytes,
    written: usize,
}

impl Pending {
    /// A frame of `payload` with its header, nothing written yet.
    fn new(opcode: u8, payload: Bytes) -> Self {
        let mut head = [0u8; 10];
        let head_len = frame_header(&mut head, opcode, payload.len());
        Self {
            head,
            head_len,
            payload,
            written: 0,
        }
    }

    /// What is left to write: the rest of the header, then the rest of the payload.
    fn rest(&self) -> [IoSlice<'_>; 2] {
        let head = &self.head[self.written.min(self.head_len)..self.head_len];
        let payload = &self.payload[self.written.saturating_sub(self.head_len)..];
        [IoSlice::new(head), IoSlice::new(payload)]
    }

    fn done(&self) -> bool {
        self.written == self.head_len + self.payload.len()
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("buffered", &self.read_buf.len())
            .field("writing", &self.pending.is_some())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// Serves `io` (already upgraded), starting with whatever the HTTP layer read past the
    /// upgrade request; frames longer than `max_frame` bytes are refused.
    pub fn new(io: TcpStream, read_buf: BytesMut, max_frame: usize) -> Self {
        // The HTTP layer's buffer is 8 KiB; keep only what it holds (usually nothing).
        let read_buf = if read_buf.is_empty() {
            BytesMut::new()
        } else {
            BytesMut::from(&read_buf[..])
        };
        Self {
            io,
            read_buf,
            codec: Codec::new().max_size(max_frame),
            pending: None,
            broken: false,
        }
    }

    /// The next message; `None` once the client has closed the stream. Cancel-safe.
    pub async fn recv(&mut self) -> Option<Result<Message, ProtocolError>> {
        loop {
            if !self.read_buf.is_empty() {
                match self.codec.decode(&mut self.read_buf) {
                    Ok(Some(frame)) => return Some(message(frame)),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
            }
            // Wait without a buffer. `poll_read_ready` (not `readable`) puts this task's waker
            // in the socket's reader slot, replacing the HTTP dispatcher's: a stale waker there
            // would keep the dispatcher's finished task (~4 KiB) alive as long as the socket.
            if let Err(e) = poll_fn(|cx| self.io.poll_read_ready(cx)).await {
                return Some(Err(ProtocolError::Io(e)));
            }
            if self.read_buf.capacity() - self.read_buf.len() < READ_CHUNK / 2 {
                self.read_buf.reserve(READ_CHUNK);
            }
            // A read that does not fill the buffer tells tokio the socket is drained, so the
            // next wait needs no extra (empty) read to find out.
            match self.io.read_buf(&mut self.read_buf).await {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(ProtocolError::Io(e))),
            }
        }
    }

    /// Drops the read buffer if it holds nothing (the connection calls this when it has been
    /// quiet for a heartbeat interval): an active connection reuses its buffer from read to
    /// read, an idle one holds none.
    pub fn release_idle_buffer(&mut self) {
        if self.read_buf.is_empty() && self.read_buf.capacity() > 0 {
            self.read_buf = BytesMut::new();
        }
    }

    /// Starts one text frame and writes what the socket takes at once, without waiting:
    /// `Ok(true)` when all of it went out (the usual case), `Ok(false)` when the rest waits
    /// for [`Socket::flush`]. Nothing may be partly written already (a write cut short ends
    /// the connection).
    pub fn try_text(&mut self, text: &ByteString) -> io::Result<bool> {
        if self.broken || self.pending.is_some() {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        self.pending = Some(Pending::new(OPCODE_TEXT, text.as_bytes().clone()));
        while let Some(p) = &self.pending {
            match self.io.try_write_vectored(&p.rest()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                written => self.record(written)?,
            }
        }
        Ok(true)
    }

    /// Writes one text frame (first finishing one cut short, if any). Cancel-safe.
    pub async fn text(&mut self, text: &ByteString) -> io::Result<()> {
        self.write_frame(OPCODE_TEXT, text.as_bytes().clone()).await
    }

    /// Writes a ping.
    pub async fn ping(&mut self, payload: &[u8]) -> io::Result<()> {
        self.write_frame(OPCODE_PING, Bytes::copy_from_slice(payload))
            .await
    }

    /// Writes a pong.
    pub async fn pong(&mut self, payload: &[u8]) -> io::Result<()> {
        self.write_frame(OPCODE_PONG, Bytes::copy_from_slice(payload))
            .await
    }

    /// Finishes the frame in progress, if any, then sends a close frame with `code` and
    /// `reason` (cut to the protocol's 123 bytes at a char boundary) and ends our side of the
    /// stream. Each step is bounded in time; then [`Socket::linger`].
    pub async fn close(&mut self, code: u16, reason: &str) {
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut payload = BytesMut::with_capacity(2 + end);
        payload.extend_from_slice(&code.to_be_bytes());
        payload.extend_from_slice(&reason.as_bytes()[..end]);
        // The client may already be gone, or not reading: then there is nobody left to tell.
        let _ = timeout(
            CLOSE_WRITE_TIMEOUT,
            self.write_frame(OPCODE_CLOSE, payload.freeze()),
        )
        .await;
        let _ = timeout(CLOSE_WRITE_TIMEOUT, self.io.shutdown()).await;
    }

    /// After [`Socket::close`]: reads and drops what the client still sends, until it closes
    /// or for at most a second, then drops the socket. Closing a socket with unread input
    /// sends a reset, which can destroy the close frame on its way.
    pub async fn linger(mut self) {
        let io = &mut self.io;
        let _ = timeout(LINGER, async move {
            // Small: it lives in every lingering close's future.
            let mut sink = [0u8; 64];
            while matches!(io.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }

    /// Finishes the frame in progress, then writes this one.
    async fn write_frame(&mut self, opcode: u8, payload: Bytes) -> io::Result<()> {
        self.flush().await?;
        self.pending = Some(Pending::new(opcode, payload));
        self.flush().await
    }

    /// Writes what is left of the frame in progress: the header and the payload together, in
    /// as few system calls as the socket allows (one, unless its send buffer is full).
    /// Cancel-safe: progress is recorded after every write.
    pub async fn flush(&mut self) -> io::Result<()> {
        if self.broken {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        while let Some(p) = &self.pending {
            let written = self.io.write_vectored(&p.rest()).await;
            self.record(written)?;
        }
        Ok(())
    }

    /// Records a write of the frame in progress: its progress (the frame is over once all of
    /// it is out), or a broken stream.
    fn record(&mut self, written: io::Result<usize>) -> io::Result<()> {
        match written {
            Ok(0) => {
                self.broken = true;
                Err(io::ErrorKind::WriteZero.into())
            }
            Ok(n) => {
                if let Some(p) = &mut self.pending {
                    p.written += n;
                    if p.done() {
                        self.pending = None;
                    }
                }
                Ok(())
            }
            Err(e) => {
                self.broken = true;
                Err(e)
            }
        }
    }
}

const OPCODE_TEXT: u8 = 0x1;
const OPCODE_CLOSE: u8 = 0x8;
const OPCODE_PING: u8 = 0x9;
const OPCODE_PONG: u8 = 0xA;

/// Writes a server frame's header (FIN set, unmasked) for a payload of `len` bytes into
/// `head` (RFC 6455 §5.2); its length.
fn frame_header(head: &mut [u8; 10], opcode: u8, len: usize) -> usize {
    head[0] = 0x80 | opcode;
    if len < 126 {
        head[1] = len as u8;
        2
    } else if let Ok(len) = u16::try_from(len) {
        head[1] = 126;
        head[2..4].copy_from_slice(&len.to_be_bytes());
        4
    } else {
        head[1] = 127;
        head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    }
}

fn message(frame: Frame) -> Result<Message, ProtocolError> {
    Ok(match frame {
        Frame::Text(bytes) => Message::Text(ByteString::try_from(bytes).map_err(|_| {
            ProtocolError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                "text frame is not valid UTF-8",
            ))
        })?),
        Frame::Binary(bytes) => Message::Binary(bytes),
        Frame::Continuation(_) => Message::Continuation,
        Frame::Ping(bytes) => Message::Ping(bytes),
        Frame::Pong(bytes) => Message::Pong(bytes),
        Frame::Close(reason) => Message::Close(reason.map(|r| u16::from(r.code))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(opcode: u8, len: usize) -> Vec<u8> {
        let mut head = [0u8; 10];
        let n = frame_header(&mut head, opcode, len);
        head[..n].to_vec()
    }

    #[test]
    fn a_frame_cut_anywhere_resumes_at_the_next_byte() {
        let mut frame = Pending::new(OPCODE_TEXT, Bytes::from(vec![b'x'; 300]));
        let whole: Vec<u8> = frame.rest().iter().flat_map(|s| s.to_vec()).collect();
        assert_eq!(whole.len(), 4 + 300);
        for cut in 0..=whole.len() {
            frame.written = cut;
            let rest: Vec<u8> = frame.rest().iter().flat_map(|s| s.to_vec()).collect();
            assert_eq!(rest, whole[cut..], "cut at {cut}");
            assert_eq!(frame.done(), cut == whole.len());
        }
    }

    #[test]
    fn frame_headers_use_the_shortest_length_form() {
        assert_eq!(header(OPCODE_TEXT, 5), [0x81, 5]);
        assert_eq!(header(OPCODE_TEXT, 125), [0x81, 125]);
        assert_eq!(header(OPCODE_TEXT, 126), [0x81, 126, 0, 126]);
        assert_eq!(header(OPCODE_PONG, 65_535), [0x8A, 126, 0xFF, 0xFF]);
        assert_eq!(
            header(OPCODE_TEXT, 65_536),
            [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]
        );
        assert_eq!(header(OPCODE_CLOSE, 0), [0x88, 0]);
    }
}
