//! The committed JSON Schema (docs/schema/protocol.schema.json) matches the code.
//!
//! Regenerate after changing a wire type: `UPDATE_SCHEMA=1 cargo test -p protocol --test schema`.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schema/protocol.schema.json")
}

fn generated() -> String {
    let mut text = serde_json::to_string_pretty(&protocol::schema::document()).unwrap();
    text.push('\n');
    text
}

#[test]
fn committed_schema_matches_the_code() {
    let path = committed_path();
    let fresh = generated();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date: run `UPDATE_SCHEMA=1 cargo test -p protocol --test schema` and commit it",
        path.display()
    );
}

#[test]
fn schema_names_every_role_and_close_code() {
    let doc = protocol::schema::document();
    for role in [
        "client_message",
        "client_action_design",
        "server_message",
        "channel_event",
        "stored_result",
        "stored_object",
        "job_chunk",
        "http_error",
        "design_config",
    ] {
        assert!(doc["properties"].get(role).is_some(), "{role}");
    }
    assert_eq!(doc["x-close-codes"].as_array().unwrap().len(), 10);
    let defs = doc["$defs"].as_object().unwrap();
    assert!(
        !defs.contains_key("BeamParams2"),
        "ParsedBeam and BeamParams share one definition"
    );
    for def in [
        "BeamParams",
        "DesignResult",
        "ValidationError",
        "Channel",
        "BeamRecord",
        "StoredResult",
    ] {
        assert!(
            defs.contains_key(def),
            "{def} missing from $defs: {:?}",
            defs.keys().collect::<Vec<_>>()
        );
    }
}
