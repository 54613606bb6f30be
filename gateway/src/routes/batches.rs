//! `/api/v1/batches`: submit, status, results (JSON pages or a CSV export) and cancel.
//!
//! - `POST` (scope `batch`): a JSON array of beams, or `Content-Type: text/csv` with a header
//!   row; optional `Idempotency-Key`. Every row is validated before anything is queued: 422
//!   lists the bad rows by `index` with field and rule. 413 over `MAX_BATCH_BODY_BYTES` or
//!   `MAX_BATCH_BEAMS`. 202 `{job_id, total, status, links}` (a repeated key answers with the
//!   first batch and `Idempotent-Replayed: true`).
//! - `GET {id}`: status and progress. `GET {id}/results?after=&limit=`: a page of results with
//!   the `next` cursor; `?format=csv` (or `{id}/results.csv`) streams the export.
//! - `DELETE {id}`: cancel; 409 when it already completed.
//!
//! Reading, streaming and cancelling follow [`crate::batch::access`]: owner or admin, and an
//! unknown id answers as a foreign one does.

pub mod results;

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use broker::{BatchState, BatchStatus, Broker};
use protocol::BatchId;
use serde_json::{Value, json};

use super::body::read_capped;
use super::context::RestContext;
use crate::GatewayError;
use crate::auth::{Authenticated, Principal, Scope};
use crate::batch::access::parse_id;
use crate::batch::{Accepted, BatchInput, authorize, store_error, submit};
use crate::rate_limit::RateLimitStatus;

/// Reads, validates and queues the batch in a request body (also `POST /stream/batch-design`).
pub async fn accept(
    req: &HttpRequest,
    principal: &Principal,
    payload: web::Payload,
    ctx: &RestContext,
) -> Result<(Accepted, Option<RateLimitStatus>), GatewayError> {
    principal.require(Scope::Batch)?;
    let rate = ctx.admit(req, principal).await?;
    let input = body_input(req, payload, ctx.settings.batches.max_body_bytes).await?;
    let key = header(req, "idempotency-key")?;
    let config = ctx.defaults.current();
    let accepted = submit(
        &ctx.broker,
        &ctx.settings.batches,
        config,
        principal.user(),
        input,
        key,
    )
    .await?;
    Ok((accepted, rate))
}

async fn body_input(
    req: &HttpRequest,
    payload: web::Payload,
    limit_bytes: usize,
) -> Result<BatchInput, GatewayError> {
    let content_type = header(req, CONTENT_TYPE.as_str())?.unwrap_or("application/json");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let csv = match essence.to_ascii_lowercase().as_str() {
        "text/csv" => true,
        "application/json" => false,
        other => {
            return Err(GatewayError::BadRequest(format!(
                "Content-Type must be application/json or text/csv, got `{other}`"
            )));
        }
    };
    let body = read_capped(payload, limit_bytes).await?;
    Ok(if csv {
        BatchInput::Csv(body)
    } else {
        BatchInput::Json(body)
    })
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, GatewayError> {
    req.headers()
        .get(name)
        .map(|v| {
            v.to_str()
                .map_err(|_| GatewayError::BadRequest(format!("{name} must be ASCII")))
        })
        .transpose()
}

/// Where a batch's resources are.
pub fn links(id: BatchId) -> Value {
    json!({
        "status": format!("/api/v1/batches/{id}"),
        "stream": format!("/stream/batch/{id}"),
        "results": format!("/api/v1/batches/{id}/results"),
        "csv": format!("/api/v1/batches/{id}/results?format=csv"),
    })
}

/// `POST /api/v1/batches`.
pub async fn create(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    payload: web::Payload,
    ctx: RestContext,
) -> Result<HttpResponse, GatewayError> {
    let (accepted, rate) = accept(&req, &principal, payload, &ctx).await?;
    let body = json!({
        "job_id": accepted.id,
        "total": accepted.total,
        "status": BatchStatus::Queued.as_str(),
        "links": links(accepted.id),
    });
    let mut response = HttpResponse::Accepted();
    response.insert_header((LOCATION, format!("/api/v1/batches/{}", accepted.id)));
    if !accepted.created {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    let mut response = response.json(body);
    if let Some(rate) = rate {
        rate.write_headers(response.headers_mut());
    }
    Ok(response)
}

/// `GET /api/v1/batches/{id}`.
pub async fn status(
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
    ctx: RestContext,
) -> Result<HttpResponse, GatewayError> {
    let id = parse_id(&path)?;
    let state = authorize(&ctx.broker, &principal, id).await?;
    Ok(HttpResponse::Ok().json(status_body(&state)))
}

/// The status document of a batch.
pub fn status_body(state: &BatchState) -> Value {
    let percent = if state.total == 0 {
        0.0
    } else {
        (f64::from(state.done) * 1000.0 / f64::from(state.total)).round() / 10.0
    };
    json!({
        "job_id": state.id,
        "owner": state.owner,
        "status": state.status.as_str(),
        "total": state.total,
        "done": state.done,
        "succeeded": state.done - state.failed.min(state.done),
        "failed": state.failed,
        "percent": percent,
        "position": state.position,
        "links": links(state.id),
    })
}

/// `DELETE /api/v1/batches/{id}`.
pub async fn cancel(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
    ctx: RestContext,
) -> Result<HttpResponse, GatewayError> {
    let id = parse_id(&path)?;
    authorize(&ctx.broker, &principal, id).await?;
    ctx.admit(&req, &principal).await?;
    let status = cancel_batch(&ctx.broker, id).await?;
    tracing::info!(job_id = %id, user = %principal.user(), %status, "batch cancel requested");
    Ok(HttpResponse::Accepted().json(json!({"job_id": id, "status": status.as_str()})))
}

/// Cancels `id`: its status after the request, or 409 when it had already completed.
pub async fn cancel_batch(broker: &Broker, id: BatchId) -> Result<BatchStatus, GatewayError> {
    match broker.cancel(id).await.map_err(store_error)? {
        BatchStatus::Completed => Err(GatewayError::Conflict(format!(
            "batch {id} has already completed"
        ))),
        status => Ok(status),
    }
}
