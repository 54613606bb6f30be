//! A WebSocket test client over awc with typed helpers: send JSON text, read the next JSON
//! message, read the close code. Every read is bounded.

use actix_codec::Framed;
use awc::BoxedSocket;
use awc::error::WsClientError;
use awc::ws::{Codec, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;

use crate::helpers::{BOUND, TestApp};

/// How the client presents its token.
pub(crate) enum WsAuth<'a> {
    /// `Authorization: Bearer` on the upgrade request.
    Header(&'a str),
    /// No token with the upgrade (first-message auth, or none at all).
    None,
}

/// A connected client.
pub(crate) struct WsClient {
    framed: Framed<BoxedSocket, Codec>,
}

impl TestApp {
    /// Opens `/ws/design/{session}`; `Err(status)` when refused before the upgrade.
    pub(crate) async fn ws(
        &self,
        session: &str,
        auth: WsAuth<'_>,
        origin: Option<&str>,
    ) -> Result<WsClient, u16> {
        let url = format!(
            "{}/ws/design/{session}",
            self.address.replacen("http", "ws", 1)
        );
        let mut request = awc::Client::default().ws(url).max_frame_size(1 << 20);
        if let WsAuth::Header(token) = auth {
            request = request.bearer_auth(token);
        }
        if let Some(origin) = origin {
            request = request.origin(origin);
        }
        match tokio::time::timeout(BOUND, request.connect())
            .await
            .expect("bounded")
        {
            Ok((_, framed)) => Ok(WsClient { framed }),
            Err(WsClientError::InvalidResponseStatus(status)) => Err(status.as_u16()),
            Err(other) => panic!("connect failed: {other}"),
        }
    }
}

impl WsClient {
    /// Sends a text frame.
    pub(crate) async fn send(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        tokio::time::timeout(BOUND, self.framed.send(Message::Text(text.into())))
            .await
            .expect("bounded")
            .expect("sent");
    }

    /// The next text message as JSON (panics on close).
    pub(crate) async fn recv(&mut self) -> Value {
        match self.next_frame().await {
            Frame::Text(bytes) => serde_json::from_slice(&bytes).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// The next text message as JSON, or the close code when the server closed instead.
    pub(crate) async fn recv_or_close(&mut self) -> Result<Value, u16> {
        match self.next_frame().await {
            Frame::Text(bytes) => Ok(serde_json::from_slice(&bytes).unwrap()),
            Frame::Close(reason) => Err(reason.map_or(1005, |r| u16::from(r.code))),
            other => panic!("expected a text or close frame, got {other:?}"),
        }
    }

    /// The next text message whose `type` is `kind`, skipping others.
    pub(crate) async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] == kind {
                return message;
            }
        }
    }

    /// Closes the connection normally (1000) and waits (bounded) until the server has ended it.
    pub(crate) async fn close(mut self) {
        let close = Message::Close(Some(awc::ws::CloseCode::Normal.into()));
        tokio::time::timeout(BOUND, self.framed.send(close))
            .await
            .expect("bounded")
            .expect("sent");
        let ended = async {
            while let Some(Ok(frame)) = self.framed.next().await {
                if matches!(frame, Frame::Close(_)) {
                    break;
                }
            }
        };
        tokio::time::timeout(BOUND, ended).await.expect("bounded");
    }

    /// Reads until the close frame; its code.
    pub(crate) async fn close_code(&mut self) -> u16 {
        loop {
            if let Frame::Close(reason) = self.next_frame().await {
                return reason.map_or(1005, |r| u16::from(r.code));
            }
        }
    }

    async fn next_frame(&mut self) -> Frame {
        loop {
            let frame = tokio::time::timeout(BOUND, self.framed.next())
                .await
                .expect("bounded")
                .expect("stream open")
                .expect("valid frame");
            if !matches!(frame, Frame::Ping(_) | Frame::Pong(_)) {
                return frame;
            }
        }
    }
}
