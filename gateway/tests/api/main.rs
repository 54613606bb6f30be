//! Integration tests: the real gateway on port 0, driven over HTTP through `helpers::spawn_app`.

mod batch_client;
mod batches;
mod cluster;
mod design;
mod designs;
mod embedded;
mod health;
mod helpers;
mod items;
mod presence;
mod shutdown;
mod sse;
mod sse_limits;
mod sync;
mod ws;
mod ws_batch;
mod ws_client;
mod ws_limits;
mod ws_save;
mod ws_socket;
