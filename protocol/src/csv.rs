//! Batches as CSV: reading beams from CSV, and exporting results as CSV.
//!
//! # Input
//! The first row is a header of beam field names (the JSON names: `width`, `depth`, `length`,
//! `Mu` or `moment`, `Vu`, `fck`, `fy`, `cover`, `d`, `d_prime`, `exposure`, `support`, `bars`,
//! `stirrup_dia`, `stirrup_legs`, `aggregate`, `id`, `tension`, `compression`, `stirrups`), in
//! any order; an unknown header is refused with a suggestion. Each following row is one beam;
//! its `index` is its 0-based position among the data rows. An empty cell means absent.
//! Cells in text notation: `bars` `12 16 20` (spaces or `;`), `tension`/`compression`
//! `3-16+2-12` (count-diameter groups joined by `+`), `stirrups` `2-8@150` (legs-diameter@spacing).
//!
//! Quoting (RFC 4180): a cell may be wrapped in double quotes, and must be when it holds a
//! comma, a quote or a line break; inside quotes `""` is one quote. Rows end with LF or CRLF;
//! blank lines are skipped; a UTF-8 byte-order mark is ignored; spaces around unquoted cells
//! are trimmed. A row with more cells than the header is an error for that row.
//!
//! # Export
//! [`EXPORT_HEADER`] then one row per beam ([`result_row`] or [`error_row`]), quoted by the
//! same rules.

use serde_json::{Map, Number, Value};

use crate::beam::{BEAM_FIELDS, BeamParams};
use crate::params::ParsedBeam;
use crate::result::DesignResult;
use crate::validation::{ValidationError, unknown_field_message};

/// Splits CSV text into rows of cells and hands each row to `row` as it is read (one row's
/// buffers are reused for the next: a million-row batch is never held as strings); `Err`
/// names the 1-based line of an unclosed quote (rows before it were already handed out).
fn for_each_row(text: &str, mut row_fn: impl FnMut(&[String])) -> Result<(), ValidationError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `row[..used]` are this row's cells; the strings past `used` keep their capacity.
    let (mut row, mut used, mut cell) = (Vec::<String>::new(), 0usize, String::new());
    let (mut quoted, mut was_quoted, mut line, mut quote_line) = (false, false, 1usize, 0usize);
    let finish_cell =
        |cell: &mut String, was_quoted: &mut bool, row: &mut Vec<String>, used: &mut usize| {
            let value = if *was_quoted {
                cell.as_str()
            } else {
                cell.trim()
            };
            if *used == row.len() {
                row.push(String::new());
            }
            row[*used].clear();
            row[*used].push_str(value);
            *used += 1;
            cell.clear();
            *was_quoted = false;
        };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                line += usize::from(c == '\n');
                cell.push(c);
            }
            (false, '"') if cell.trim().is_empty() => {
                (quoted, was_quoted, quote_line) = (true, true, line);
                cell.clear();
            }
            (false, ',') => finish_cell(&mut cell, &mut was_quoted, &mut row, &mut used),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                line += 1;
                finish_cell(&mut cell, &mut was_quoted, &mut row, &mut used);
                if !(used == 1 && row[0].is_empty()) {
                    row_fn(&row[..used]);
                }
                used = 0;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(ValidationError::new(
            "csv",
            format!("quote opened on line {quote_line} is never closed"),
        ));
    }
    finish_cell(&mut cell, &mut was_quoted, &mut row, &mut used);
    if !(used == 1 && row[0].is_empty()) {
        row_fn(&row[..used]);
    }
    Ok(())
}

/// A cell as the JSON value the beam reader expects; `Err` is the message for a bad notation.
fn cell_value(field: &str, cell: &str) -> Result<Value, String> {
    let num = |s: &str| s.trim().parse::<f64>().ok().and_then(Number::from_f64);
    let groups = |s: &str| -> Option<Value> {
        s.split('+')
            .map(|g| {
                let (count, dia) = g.trim().split_once('-')?;
                Some(serde_json::json!({"count": num(count)?, "dia": num(dia)?}))
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::Array)
    };
    match field {
        "id" | "exposure" | "support" => Ok(Value::String(cell.to_owned())),
        "bars" => cell
            .split([' ', ';'])
            .filter(|s| !s.is_empty())
            .map(|s| num(s).map(Value::Number))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array)
            .ok_or_else(|| {
                format!("must be diameters separated by spaces, e.g. `12 16 20`, got {cell:?}")
            }),
        "tension" | "compression" => groups(cell).ok_or_else(|| {
            format!("must be count-diameter groups joined by `+`, e.g. `3-16+2-12`, got {cell:?}")
        }),
        "stirrups" => (|| {
            let (legs_dia, spacing) = cell.split_once('@')?;
            let (legs, dia) = legs_dia.trim().split_once('-')?;
            Some(
                serde_json::json!({"legs": num(legs)?, "dia": num(dia)?, "spacing": num(spacing)?}),
            )
        })()
        .ok_or_else(|| format!("must be legs-diameter@spacing, e.g. `2-8@150`, got {cell:?}")),
        _ => Ok(num(cell)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(cell.to_owned()))),
    }
}

/// Reads a CSV batch: one [`ParsedBeam`] per data row (each with its own errors), or the
/// errors of the header or of the file's structure (those have no `index`).
pub fn parse_beams(text: &str) -> Result<Vec<ParsedBeam>, Vec<ValidationError>> {
    let mut beams = Vec::new();
    read_beams(text, |beam| beams.push(beam))?;
    Ok(beams)
}

/// [`parse_beams`] handing each beam to `each` as its row is read (in row order), so a large
/// batch is never held as parsed beams; the rows read, or the errors of the header or of the
/// file's structure (then `each` may have seen the rows before an unclosed quote).
pub fn read_beams(
    text: &str,
    mut each: impl FnMut(ParsedBeam),
) -> Result<u64, Vec<ValidationError>> {
    let mut header: Option<Vec<String>> = None;
    let mut header_errors = Vec::new();
    let mut rows = 0u64;
    for_each_row(text, |row| match &header {
        None => {
            header_errors = row
                .iter()
                .filter(|h| !BEAM_FIELDS.contains(&h.as_str()) && h.as_str() != "moment")
                .map(|h| {
                    ValidationError::new(
                        h.clone(),
                        format!(
                            "unknown CSV column; {}",
                            unknown_field_message(h, &BEAM_FIELDS)
                        ),
                    )
                })
                .collect();
            header = Some(row.to_vec());
        }
        // Rows are read only under a valid header.
        Some(_) if !header_errors.is_empty() => {}
        Some(header) => {
            rows += 1;
            each(parse_row(header, row));
        }
    })
    .map_err(|e| vec![e])?;
    if header.is_none() {
        return Err(vec![ValidationError::new(
            "csv",
            "empty: a header row of field names is required",
        )]);
    }
    if !header_errors.is_empty() {
        return Err(header_errors);
    }
    Ok(rows)
}

fn parse_row(header: &[String], row: &[String]) -> ParsedBeam {
    let mut object = Map::new();
    let mut errors = Vec::new();
    if row.len() > header.len() {
        errors.push(ValidationError::new(
            "csv",
            format!("{} cells for {} columns", row.len(), header.len()),
        ));
    }
    for (field, cell) in header.iter().zip(row) {
        if cell.is_empty() {
            continue;
        }
        match cell_value(field, cell) {
            Ok(v) => {
                object.insert(field.clone(), v);
            }
            Err(m) => errors.push(ValidationError::new(field.clone(), m)),
        }
    }
    // A map of JSON values always reads as a beam object: the reader never fails on one.
    let mut parsed: ParsedBeam = serde_json::from_value(Value::Object(object)).unwrap_or_default();
    parsed.errors.extend(errors);
    parsed
        .errors
        .sort_by_key(|e| crate::params::field_rank(&e.field));
    parsed
}

/// Columns of a results export.
pub const EXPORT_HEADER: &str = "index,id,status,mode,width,depth,length,Mu,Vu,fck,fy,d_mm,\
tension_bars,tension_required_mm2,tension_provided_mm2,compression_bars,stirrups,\
flexure_utilization,shear_utilization,messages";

/// A cell quoted when it must be (comma, quote, line break, or edge spaces).
fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) || cell.trim() != cell {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// The export row of beam `index` with its result; `messages` are codes joined by `;`.
pub fn result_row(index: u64, beam: &BeamParams, result: &DesignResult) -> String {
    let codes: Vec<&str> = result.messages.iter().map(|m| m.code.as_str()).collect();
    let cells = [
        index.to_string(),
        quote(beam.id.as_deref().unwrap_or("")),
        result.status.clone(),
        result.mode.clone(),
        num(beam.width),
        num(beam.depth),
        num(beam.length),
        num(beam.mu),
        num(beam.vu),
        num(beam.fck),
        num(beam.fy),
        result.d_mm.to_string(),
        quote(&result.tension.bars),
        result.tension.required_mm2.to_string(),
        result.tension.provided_mm2.to_string(),
        quote(result.compression.as_ref().map_or("", |c| c.bars.as_str())),
        quote(
            result
                .shear
                .stirrups
                .as_ref()
                .map_or("", |s| s.text.as_str()),
        ),
        result.capacity.flexure_utilization.to_string(),
        result.capacity.shear_utilization.to_string(),
        codes.join(";"),
    ];
    cells.join(",")
}

/// The export row of beam `index` that failed: status `ERROR`, the reason in `messages`.
pub fn error_row(index: u64, error: &str) -> String {
    let mut cells = vec![String::new(); EXPORT_HEADER.split(',').count()];
    cells[0] = index.to_string();
    cells[2] = "ERROR".to_owned();
    if let Some(last) = cells.last_mut() {
        *last = quote(error);
    }
    cells.join(",")
}
