//! `GET /api/v1/batches/{id}/results`: the polling fallback. JSON pages
//! `{job_id, status, results: [{index, beam, result} | {index, error}], next}` walked with
//! `?after=<next>&limit=` (default 1000, at most 5000 publications per page), or the whole set
//! as CSV (`?format=csv`, or `…/results.csv`) streamed page by page: the export's header row,
//! then one row per beam in the order results landed (sort by `index` in the spreadsheet). An
//! export cut by a broker failure ends early (the response is aborted, never silently short).

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use broker::Broker;
use bytes::Bytes;
use protocol::csv::EXPORT_HEADER;
use protocol::{BatchId, Epoch};
use serde::Deserialize;
use serde_json::json;

use crate::GatewayError;
use crate::auth::Authenticated;
use crate::batch::access::parse_id;
use crate::batch::authorize;
use crate::batch::results::{DEFAULT_PAGE, MAX_PAGE, page};
use crate::routes::context::RestContext;

/// The query of a results request.
#[derive(Debug, Deserialize)]
struct ResultsQuery {
    after: Option<u64>,
    limit: Option<usize>,
    format: Option<String>,
}

/// `GET /api/v1/batches/{id}/results`.
pub async fn results(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
    ctx: RestContext,
) -> Result<HttpResponse, GatewayError> {
    let id = parse_id(&path)?;
    let query = web::Query::<ResultsQuery>::from_query(req.query_string())
        .map_err(|e| GatewayError::BadRequest(format!("invalid query: {e}")))?
        .into_inner();
    let state = authorize(&ctx.broker, &principal, id).await?;
    // Pages cost a re-design per result: they count against the REST allowance.
    ctx.admit(&req, &principal).await?;
    let after = query.after.unwrap_or(0);
    let epoch = state.position.epoch.clone();
    match query.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return Ok(csv_response(&ctx.broker, id, epoch, after)),
        Some(other) => {
            return Err(GatewayError::BadRequest(format!(
                "format must be json or csv, got `{other}`"
            )));
        }
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(GatewayError::BadRequest(format!(
            "limit must be 1..={MAX_PAGE}, got {limit}"
        )));
    }
    let page = page(&ctx.broker, id, &epoch, after, limit).await?;
    Ok(HttpResponse::Ok().json(json!({
        "job_id": id,
        "status": state.status.as_str(),
        "total": state.total,
        "results": page.items,
        "next": page.next,
    })))
}

/// `GET /api/v1/batches/{id}/results.csv`: the export (the same as `?format=csv`).
pub async fn results_csv(
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
    ctx: RestContext,
) -> Result<HttpResponse, GatewayError> {
    let id = parse_id(&path)?;
    let state = authorize(&ctx.broker, &principal, id).await?;
    Ok(csv_response(&ctx.broker, id, state.position.epoch, 0))
}

/// Where an export stands.
struct Export {
    broker: Broker,
    id: BatchId,
    epoch: Epoch,
    /// The next page starts after this offset; `None` once the end was reached.
    after: Option<u64>,
    header: bool,
}

fn csv_response(broker: &Broker, id: BatchId, epoch: Epoch, after: u64) -> HttpResponse {
    let export = Export {
        broker: broker.clone(),
        id,
        epoch,
        after: Some(after),
        header: true,
    };
    let chunks = futures_util::stream::unfold(export, |mut export| async move {
        let chunk = export.next_chunk().await?;
        Some((chunk, export))
    });
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"batch-{id}.csv\""),
        ))
        .streaming(chunks)
}

impl Export {
    /// The header, then one page of rows per call.
    async fn next_chunk(&mut self) -> Option<Result<Bytes, GatewayError>> {
        if std::mem::take(&mut self.header) {
            return Some(Ok(Bytes::from(format!("{EXPORT_HEADER}\n"))));
        }
        let after = self.after?;
        let page = match page(&self.broker, self.id, &self.epoch, after, MAX_PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(job_id = %self.id, error = %e, "CSV export aborted");
                self.after = None;
                return Some(Err(e));
            }
        };
        self.after = page.next;
        let mut rows = String::new();
        for item in &page.items {
            rows.push_str(&item.csv_row());
            rows.push('\n');
        }
        Some(Ok(Bytes::from(rows)))
    }
}
