//! Request bodies read with a byte cap, so an oversize body is refused with the JSON 413 of
//! [`GatewayError::PayloadTooLarge`] as soon as it crosses the cap.

use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;

use crate::GatewayError;

/// The whole body, refused with 413 past `limit_bytes`.
pub async fn read_capped(
    mut payload: web::Payload,
    limit_bytes: usize,
) -> Result<Bytes, GatewayError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| GatewayError::BadRequest(format!("cannot read the body: {e}")))?;
        if body.len() + chunk.len() > limit_bytes {
            return Err(GatewayError::PayloadTooLarge { limit_bytes });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
