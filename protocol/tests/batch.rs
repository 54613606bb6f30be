//! Batch input as JSON and CSV, per-row errors, chunking and CSV export.

use protocol::batch::{self, MAX_REPORTED_ERRORS};
use protocol::csv::{self, EXPORT_HEADER};
use protocol::{BatchId, DesignConfig, DesignResult, ValidationError};

#[test]
fn json_and_csv_batches_read_the_same_beams() {
    let json = r#"[{"id":"A","width":300,"depth":450,"Mu":150,"bars":[16,20]},
                   {"id":"B, second","width":230,"depth":400,"length":4000,"Mu":60,"tension":[{"count":3,"dia":16},{"count":2,"dia":12}],"stirrups":{"legs":2,"dia":8,"spacing":150}}]"#;
    let csv_text = "\u{feff}id,width,depth,length,Mu,bars,tension,stirrups\r\n\
                    A,300,450,,150,16 20,,\r\n\
                    \r\n\
                    \"B, second\", 230 ,400,4000,60,,3-16+2-12,2-8@150\r\n";
    let from_json = batch::parse_json_beams(json).unwrap();
    let from_csv = csv::parse_beams(csv_text).unwrap();
    assert_eq!(from_csv.len(), 2);
    for (j, c) in from_json.iter().zip(&from_csv) {
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(j.params, c.params);
    }
}

#[test]
fn quoted_cells_keep_commas_quotes_and_line_breaks() {
    let text = "id,width,depth,Mu\n\"say \"\"hi\"\",\nthere\",300,450,150\n";
    let beams = csv::parse_beams(text).unwrap();
    assert_eq!(beams[0].params.id.as_deref(), Some("say \"hi\",\nthere"));
    let unclosed = csv::parse_beams("id,width\n\"open,300\n").unwrap_err();
    assert_eq!(
        unclosed,
        [ValidationError::new(
            "csv",
            "quote opened on line 2 is never closed"
        )]
    );
}

#[test]
fn unknown_csv_columns_are_refused_with_a_suggestion() {
    let errors = csv::parse_beams("widht,depth,Mu\n300,450,150\n").unwrap_err();
    assert_eq!(
        errors,
        [ValidationError::new(
            "widht",
            "unknown CSV column; unknown field; did you mean `width`?"
        )]
    );
    assert_eq!(csv::parse_beams("").unwrap_err()[0].field, "csv");
}

#[test]
fn every_row_error_is_reported_with_its_index() {
    let text =
        "width,depth,Mu,fck,tension\n300,450,150,25,\nabc,450,150,22,\n300,450,150,25,3x16\n";
    let beams = csv::parse_beams(text).unwrap();
    let errors = batch::validate(&beams, &DesignConfig::default()).unwrap_err();
    let got: Vec<(Option<u64>, &str)> =
        errors.iter().map(|e| (e.index, e.field.as_str())).collect();
    assert_eq!(
        got,
        [(Some(1), "width"), (Some(1), "fck"), (Some(2), "tension")]
    );
    assert_eq!(
        errors[0].message,
        "must be a number (mm), got a string \"abc\""
    );
    assert!(
        errors[2].message.contains("3-16+2-12"),
        "{}",
        errors[2].message
    );
}

#[test]
fn error_lists_are_capped_with_a_count_of_the_rest() {
    let beams = batch::parse_json_beams(&format!(
        "[{}]",
        vec![r#"{"width":1}"#; MAX_REPORTED_ERRORS].join(",")
    ))
    .unwrap();
    let errors = batch::validate(&beams, &DesignConfig::default()).unwrap_err();
    assert_eq!(errors.len(), MAX_REPORTED_ERRORS + 1);
    let last = errors.last().unwrap();
    assert_eq!(last.field, "batch");
    assert!(
        last.message.ends_with("more errors not listed"),
        "{}",
        last.message
    );
}

#[test]
fn json_batches_must_be_arrays() {
    let err = batch::parse_json_beams(r#"{"width":1}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 invalid field(s): beams: must be a JSON array of beam objects"
    );
    assert!(batch::validate(&[], &DesignConfig::default()).is_err());
}

#[test]
fn validated_beams_split_into_indexed_chunks() {
    let beams = batch::parse_json_beams(&format!(
        "[{}]",
        [r#"{"width":300,"depth":450,"Mu":150}"#; 5].join(",")
    ))
    .unwrap();
    let records = batch::validate(&beams, &DesignConfig::default()).unwrap();
    let id = BatchId::new();
    let chunks = batch::chunks(id, 3, records, 2);
    let shape: Vec<(u32, u64, usize)> = chunks
        .iter()
        .map(|c| (c.chunk, c.first_index, c.beams.len()))
        .collect();
    assert_eq!(shape, [(0, 0, 2), (1, 2, 2), (2, 4, 1)]);
    assert!(
        chunks
            .iter()
            .all(|c| c.batch_id == id && c.config_version == 3)
    );
}

#[test]
fn results_export_as_quoted_csv_rows() {
    let beams = batch::parse_json_beams(
        r#"[{"id":"B, 1","width":300,"depth":450,"length":5000,"Mu":150,"fck":25,"fy":500}]"#,
    )
    .unwrap();
    let valid = beams[0].validate(&DesignConfig::default()).unwrap();
    let result = DesignResult::new(
        &beam_design::design(&valid.beam),
        Some("B, 1"),
        valid.record.assumed,
    );
    let row = csv::result_row(0, &beams[0].params, &result);
    assert!(row.starts_with("0,\"B, 1\","), "{row}");
    let columns = EXPORT_HEADER.split(',').count();
    // Quoted cells here hold no commas except the id's one.
    assert_eq!(row.split(',').count(), columns + 1, "{row}");
    assert!(
        row.contains(&format!(
            ",{},design,300,450,5000,150,,25,500,",
            result.status
        )),
        "{row}"
    );
    let err = csv::error_row(9, "bad \"beam\"");
    assert_eq!(err.split(',').count(), columns);
    assert!(
        err.starts_with("9,,ERROR,") && err.ends_with(",\"bad \"\"beam\"\"\""),
        "{err}"
    );
}
