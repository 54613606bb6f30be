//! Embedded mode runs the design-worker in-process: a batch queued on the in-memory broker is
//! designed to completion by the gateway alone, with every beam's result on its channel.

use std::time::Duration;

use broker::{BatchSpec, BatchStatus, ChunkSpec};
use protocol::{BatchId, Channel, DesignConfig, ParsedBeam, StoredEvent};

use crate::helpers::{spawn_app, wait_until};
use crate::sync::BEAM;

fn batch(beams: u32, chunk_size: usize) -> BatchSpec {
    let parsed: ParsedBeam = serde_json::from_str(BEAM).unwrap();
    let record = parsed.validate(&DesignConfig::default()).unwrap().record;
    let id = BatchId::new();
    let records = (0..beams).map(|_| record.clone()).collect();
    let chunks = protocol::batch::chunks(id, 0, records, chunk_size)
        .into_iter()
        .map(|c| ChunkSpec {
            beam_count: c.beams.len() as u32,
            payload: c.encode().into(),
        })
        .collect();
    BatchSpec {
        id,
        owner: "tester".into(),
        chunks,
        idempotency_key: None,
        retention: Duration::from_secs(600),
    }
}

#[actix_web::test]
async fn the_in_process_worker_designs_a_queued_batch_to_completion() {
    let app = spawn_app().await;
    let id = app.broker.submit(batch(300, 64)).await.unwrap().id;

    wait_until("the batch completes", || async {
        app.broker.status(id).await.unwrap().status == BatchStatus::Completed
    })
    .await;

    let state = app.broker.status(id).await.unwrap();
    assert_eq!((state.done, state.failed), (300, 0));
    let history = app
        .broker
        .history(&Channel::Batch(id), None, 10_000)
        .await
        .unwrap();
    let mut indices: Vec<u64> = history
        .publications
        .iter()
        .filter_map(|p| match StoredEvent::decode(&p.payload).unwrap() {
            StoredEvent::Result(r) => r.index,
            StoredEvent::Object(_) => None,
        })
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..300).collect::<Vec<u64>>());
}
