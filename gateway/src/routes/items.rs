//! Batch items, addressable like saved designs: `GET /api/v1/batches/{id}/items/{index}`
//! (the beam as sent and its rebuilt result, or its `error`), `…/section.svg` and `…/mesh.stl`
//! (the same drawings as `/api/v1/designs/{id}/…`).
//!
//! Access follows [`crate::batch::access`]: the batch's owner or an admin; an unknown batch
//! answers as a foreign one. The broker finds beam `index` through the batch's items index
//! (`broker::items`), never by scanning a channel of up to a million results. Errors: 400 a
//! malformed batch id; 404 an index that is not a whole number, out of range, or without a
//! result yet (the message says which), and the drawings of a beam that failed; 429 rate
//! limited (each item costs a re-design); 503 broker unavailable. See `docs/designs.md`.

use actix_web::{HttpRequest, HttpResponse, web};
use broker::{BatchItem, BatchState};
use protocol::{BatchId, BeamRecord, StoredEvent, StoredObject};
use serde_json::json;

use super::context::RestContext;
use super::designs::{Drawing, drawing_response, rebuild, with_rate};
use crate::GatewayError;
use crate::auth::{Authenticated, Principal};
use crate::batch::access::parse_id;
use crate::batch::{authorize, store_error};
use crate::rate_limit::RateLimitStatus;

/// What a landed beam's payload holds.
#[expect(
    clippy::large_enum_variant,
    reason = "one per request, moved once; boxing would only add an allocation"
)]
enum Outcome {
    /// The beam as designed (rebuilt on read).
    Designed(BeamRecord),
    /// Why the beam could not be designed.
    Failed(String),
}

/// One beam of a batch that the caller may read.
struct Item {
    id: BatchId,
    index: u32,
    offset: u64,
    outcome: Outcome,
    rate: Option<RateLimitStatus>,
}

/// `GET /api/v1/batches/{id}/items/{index}`.
pub async fn get(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, GatewayError> {
    let item = load(&req, &principal, &path).await?;
    let base = format!("/api/v1/batches/{}/items/{}", item.id, item.index);
    let mut body = json!({
        "job_id": item.id,
        "index": item.index,
        "kind": "batch_item",
        "offset": item.offset,
        "links": {
            "self": base,
            "batch": format!("/api/v1/batches/{}", item.id),
        },
    });
    match &item.outcome {
        Outcome::Designed(record) => {
            let (_, result) = rebuild(record)?;
            body["status"] = json!(result.status);
            body["links"]["section"] = json!(format!("{base}/section.svg"));
            body["links"]["mesh"] = json!(format!("{base}/mesh.stl"));
            body["beam"] = json!(record.to_params());
            body["result"] = json!(result);
        }
        Outcome::Failed(error) => body["error"] = json!(error),
    }
    Ok(with_rate(HttpResponse::Ok().json(body), item.rate))
}

/// `GET /api/v1/batches/{id}/items/{index}/section.svg`.
pub async fn section_svg(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, GatewayError> {
    drawing(&req, &principal, &path, Drawing::Section).await
}

/// `GET /api/v1/batches/{id}/items/{index}/mesh.stl`.
pub async fn mesh_stl(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, GatewayError> {
    drawing(&req, &principal, &path, Drawing::Mesh).await
}

async fn drawing(
    req: &HttpRequest,
    principal: &Principal,
    path: &(String, String),
    which: Drawing,
) -> Result<HttpResponse, GatewayError> {
    let item = load(req, principal, path).await?;
    match &item.outcome {
        Outcome::Designed(record) => Ok(with_rate(drawing_response(record, which)?, item.rate)),
        Outcome::Failed(error) => Err(GatewayError::NotFound(format!(
            "beam {} could not be designed, so it has no drawing: {error}",
            item.index
        ))),
    }
}

/// The item at `(batch id, index)`, after the ownership check and the rate limit.
async fn load(
    req: &HttpRequest,
    principal: &Principal,
    (raw_id, raw_index): &(String, String),
) -> Result<Item, GatewayError> {
    let id = parse_id(raw_id)?;
    let state = RestContext::from_app_data(req)?;
    let batch = authorize(&state.broker, principal, id).await?;
    let rate = state.admit(req, principal).await?;
    let index: u32 = raw_index.parse().map_err(|_| {
        GatewayError::NotFound(format!(
            "no item `{raw_index}`: an item is a beam index 0, 1, 2, …"
        ))
    })?;
    let found = state
        .broker
        .batch_item(id, index)
        .await
        .map_err(store_error)?;
    let (offset, payload) = match found {
        BatchItem::Landed { offset, payload } => (offset, payload),
        other => return Err(absent(&batch, index, &other)),
    };
    Ok(Item {
        id,
        index,
        offset,
        outcome: outcome(&payload)?,
        rate,
    })
}

/// The 404 for an index without a result, saying why.
fn absent(batch: &BatchState, index: u32, found: &BatchItem) -> GatewayError {
    let why = match found {
        BatchItem::OutOfRange { total } => format!(
            "index {index} is out of range: the batch has {total} beams (0..={})",
            total.saturating_sub(1)
        ),
        BatchItem::NotLanded { status } if status.is_terminal() => {
            format!("beam {index} has no result: the batch ended ({status}) without it")
        }
        _ => format!(
            "beam {index} has no result yet: the batch is {} ({} of {} done)",
            batch.status, batch.done, batch.total
        ),
    };
    GatewayError::NotFound(why)
}

/// A landed payload: a stored result or an `error` event (anything else is a broker bug: 500).
fn outcome(payload: &[u8]) -> Result<Outcome, GatewayError> {
    match StoredEvent::decode(payload) {
        Ok(StoredEvent::Result(r)) => Ok(Outcome::Designed(r.record)),
        Ok(StoredEvent::Object(StoredObject::Error { error, .. })) => Ok(Outcome::Failed(error)),
        other => Err(GatewayError::Internal(anyhow::anyhow!(
            "a batch item is neither a result nor an error: {other:?}"
        ))),
    }
}
