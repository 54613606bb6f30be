//! Saved designs: `POST /api/v1/designs` (and `save: true` on `POST /api/v1/design`),
//! `GET /api/v1/designs?cursor=&limit=` (newest first), `GET /api/v1/designs/{id}` (inputs
//! and result), `GET /api/v1/designs/{id}/section.svg` and `…/mesh.stl`.
//!
//! A save stores the compact stored result (protocol's `StoredResult`: the beam as designed and
//! its verdict, ~50–90 bytes) and announces `new_design` on the `designs` channel in the same
//! broker step. Reads rebuild the result by re-running the design (about a microsecond).
//! Creating needs the `design` scope; reading needs any valid token. Errors: 400 malformed
//! JSON or cursor, 404 unknown (or trimmed) id, 422 invalid beam, 429 rate limited, 503 broker
//! unavailable. Layout, API examples and drawing conventions: `docs/designs.md`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use broker::{Broker, DesignSpec, SavedDesign, StoredDesign};
use protocol::event::{DESIGNS_PATH, NewDesign};
use protocol::server::rfc3339_utc;
use protocol::stored::{StoredResult, StoredStatus};
use protocol::{BeamRecord, DesignResult, ParsedBeam, StoredEvent, StoredObject};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::body::read_capped;
use super::context::RestContext;
use crate::GatewayError;
use crate::auth::{Authenticated, Principal, Scope};
use crate::design::{Designed, design_beam};
use crate::drawing;
use crate::rate_limit::RateLimitStatus;

/// Designs per page when `limit` is not given.
const DEFAULT_PAGE: usize = 20;

/// `POST /api/v1/designs`: design one beam (the body of `POST /api/v1/design`) and save it.
pub async fn create(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    payload: web::Payload,
) -> Result<HttpResponse, GatewayError> {
    principal.require(Scope::Design)?;
    let state = RestContext::from_app_data(&req)?;
    let rate = state.admit(&req, &principal).await?;
    let body = read_capped(payload, state.settings.limits.max_frame_bytes).await?;
    let parsed: ParsedBeam = serde_json::from_slice(&body)
        .map_err(|e| GatewayError::BadRequest(format!("malformed JSON: {e}")))?;
    let designed = design_beam(&parsed, &state.defaults.current(), &state.metrics)
        .map_err(GatewayError::Validation)?;
    let response = save(&state.broker, &principal, &designed).await?;
    Ok(with_rate(response, rate))
}

/// Saves `designed` for `principal` and answers 201 with its id, links and result. Shared by
/// `POST /api/v1/designs` and `save: true` on `POST /api/v1/design`.
pub async fn save(
    broker: &Broker,
    principal: &Principal,
    designed: &Designed,
) -> Result<HttpResponse, GatewayError> {
    let stored = store(broker, principal, designed)
        .await
        .map_err(unavailable)?;
    let id = &stored.announcement.id;
    let body = json!({
        "id": id,
        "kind": "design",
        "owner": stored.saved.design.owner,
        "created": rfc3339_utc(stored.saved.design.created_ms),
        "status": stored.announcement.status,
        "links": stored.announcement.links(),
        "result": designed.result(),
    });
    let location = format!("{DESIGNS_PATH}/{id}");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body))
}

/// A design [`store`] saved: what the broker stored and the `new_design` it announced.
#[derive(Debug)]
pub struct Stored {
    /// The stored design (owner, time, sequence).
    pub saved: SavedDesign,
    /// The announcement published on `designs` (id, verdict, drawing links).
    pub announcement: NewDesign,
}

/// Stores `designed` for `principal` under a new id and announces it on `designs`, in one
/// broker step. The one store path of REST (`save`) and the WebSocket's `save: true`.
pub async fn store(
    broker: &Broker,
    principal: &Principal,
    designed: &Designed,
) -> Result<Stored, broker::BrokerError> {
    let id = Uuid::now_v7();
    let stored = StoredResult {
        index: None,
        status: StoredStatus(designed.design.status),
        record: designed.valid.record.clone(),
    };
    let spec = DesignSpec {
        id,
        owner: principal.user().to_owned(),
        record: StoredEvent::Result(stored).encode().into(),
    };
    let announcement = NewDesign::design(&id.to_string(), designed.design.status.as_str());
    let event = StoredEvent::Object(StoredObject::NewDesign(announcement.clone()));
    let saved = broker.design_save(&spec, event.encode().into()).await?;
    Ok(Stored {
        saved,
        announcement,
    })
}

/// `?cursor=&limit=` of the list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// The `next` of the previous page.
    cursor: Option<String>,
    /// Designs per page, 1–1000 (default 20).
    limit: Option<usize>,
}

/// `GET /api/v1/designs`: newest first; `next` is the cursor of the following page.
pub async fn list(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, GatewayError> {
    let state = RestContext::from_app_data(&req)?;
    let rate = state.admit(&req, &principal).await?;
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(c.parse::<u64>().map_err(|_| {
            GatewayError::BadRequest(format!("cursor must be a `next` value, got {c:?}"))
        })?),
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    let page = state
        .broker
        .design_list(before, limit)
        .await
        .map_err(unavailable)?;
    let designs: Vec<_> = page.designs.iter().filter_map(summary).collect();
    let next = page.next.map(|n| n.to_string());
    Ok(with_rate(
        HttpResponse::Ok().json(json!({ "designs": designs, "next": next })),
        rate,
    ))
}

/// `GET /api/v1/designs/{id}`: the beam as sent, the beam as designed and the result.
pub async fn get(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, GatewayError> {
    let (design, record, rate) = load(&req, &principal, &path).await?;
    let (_, result) = rebuild(&record)?;
    let announcement = NewDesign::design(&design.id.to_string(), &result.status);
    let body = json!({
        "id": design.id,
        "kind": "design",
        "owner": design.owner,
        "created": rfc3339_utc(design.created_ms),
        "status": result.status,
        "links": announcement.links(),
        "beam": record.to_params(),
        "result": result,
    });
    Ok(with_rate(HttpResponse::Ok().json(body), rate))
}

/// `GET /api/v1/designs/{id}/section.svg`.
pub async fn section_svg(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, GatewayError> {
    let (_, record, rate) = load(&req, &principal, &path).await?;
    Ok(with_rate(
        drawing_response(&record, Drawing::Section)?,
        rate,
    ))
}

/// `GET /api/v1/designs/{id}/mesh.stl`.
pub async fn mesh_stl(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, GatewayError> {
    let (_, record, rate) = load(&req, &principal, &path).await?;
    Ok(with_rate(drawing_response(&record, Drawing::Mesh)?, rate))
}

/// Which drawing to answer.
#[derive(Debug, Clone, Copy)]
pub enum Drawing {
    /// `section.svg` (`image/svg+xml`).
    Section,
    /// `mesh.stl` (`model/stl`, binary).
    Mesh,
}

/// The drawing of a stored beam, with its media type. Designs never change once saved, so
/// clients may cache it.
pub fn drawing_response(record: &BeamRecord, which: Drawing) -> Result<HttpResponse, GatewayError> {
    let (design, _) = rebuild(record)?;
    let input = &record.input;
    let (body, media) = match which {
        Drawing::Section => (
            drawing::section_svg(input, &design).into_bytes(),
            "image/svg+xml",
        ),
        Drawing::Mesh => (drawing::mesh_stl(input, &design), "model/stl"),
    };
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(body))
}

/// Re-runs the design of a stored beam: the engine's design and the wire result.
pub fn rebuild(record: &BeamRecord) -> Result<(beam_design::Design, DesignResult), GatewayError> {
    let beam = beam_design::Beam::try_from(&record.input).map_err(|e| {
        GatewayError::Internal(anyhow::anyhow!("a stored beam no longer validates: {e}"))
    })?;
    let design = beam_design::design(&beam);
    let result = DesignResult::new(&design, record.id.as_deref(), record.assumed);
    Ok((design, result))
}

/// The design `id` and its beam record (404 for an unknown id or a malformed one).
async fn load(
    req: &HttpRequest,
    principal: &Principal,
    id: &str,
) -> Result<(StoredDesign, BeamRecord, Option<RateLimitStatus>), GatewayError> {
    let state = RestContext::from_app_data(req)?;
    let rate = state.admit(req, principal).await?;
    let not_found = || GatewayError::NotFound(format!("no design {id}"));
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let design = state
        .broker
        .design_get(id)
        .await
        .map_err(unavailable)?
        .ok_or_else(not_found)?;
    let record = decode(&design.record)?;
    Ok((design, record, rate))
}

/// The beam record of a stored design's bytes.
fn decode(bytes: &[u8]) -> Result<BeamRecord, GatewayError> {
    match StoredEvent::decode(bytes) {
        Ok(StoredEvent::Result(r)) => Ok(r.record),
        other => Err(GatewayError::Internal(anyhow::anyhow!(
            "a stored design is not a stored result: {other:?}"
        ))),
    }
}

/// One design of the list: id, owner, time, verdict, the client's label, links.
fn summary(design: &StoredDesign) -> Option<serde_json::Value> {
    let Ok(StoredEvent::Result(r)) = StoredEvent::decode(&design.record) else {
        tracing::warn!(id = %design.id, "unreadable stored design left out of the list");
        return None;
    };
    let announcement = NewDesign::design(&design.id.to_string(), r.status.0.as_str());
    Some(json!({
        "id": design.id,
        "owner": design.owner,
        "created": rfc3339_utc(design.created_ms),
        "status": announcement.status,
        "label": r.record.id,
        "links": announcement.links(),
    }))
}

/// A broker failure as a 503 (its cause logged).
pub fn unavailable(e: broker::BrokerError) -> GatewayError {
    tracing::warn!(error = %e, "designs store unavailable");
    GatewayError::Unavailable {
        message: "the designs store is unavailable".to_owned(),
        retry_after: None,
    }
}

/// `response` with the caller's rate-limit headers (shared with the batch items routes).
pub fn with_rate(mut response: HttpResponse, rate: Option<RateLimitStatus>) -> HttpResponse {
    if let Some(rate) = rate {
        rate.write_headers(response.headers_mut());
    }
    response
}

/// The `save` flag of a design request body, and the body without it (the beam object).
/// Only a body that mentions `"save"` is parsed twice.
pub fn take_save_flag(body: &[u8]) -> Result<(Option<Vec<u8>>, bool), GatewayError> {
    if !body.windows(6).any(|w| w == b"\"save\"") {
        return Ok((None, false));
    }
    let mut object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| GatewayError::BadRequest(format!("malformed JSON: {e}")))?;
    let save = match object.remove("save") {
        None => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(_) => {
            let e = protocol::ValidationError::new("save", "must be true or false");
            return Err(GatewayError::Validation(vec![e]));
        }
    };
    // unwrap: a map of JSON values always serialises.
    let rest = serde_json::to_vec(&object).unwrap();
    Ok((Some(rest), save))
}
