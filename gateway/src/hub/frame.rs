//! A stored publication as clients see it: the broker's payload ([`StoredEvent`]) expanded into
//! its client-facing event and encoded once as the WebSocket frame every local subscriber gets
//! (`{type, channel, epoch, offset, …}`).

use bytestring::ByteString;
use protocol::event::Publication;
use protocol::{Channel, DecodeError, Position, ServerMessage, StoredEvent};

/// The text frame of the publication at `position` on `channel`.
pub fn client_frame(
    channel: &Channel,
    position: &Position,
    payload: &[u8],
) -> Result<ByteString, DecodeError> {
    let event = StoredEvent::decode(payload)?.expand(channel)?;
    let publication = Publication {
        channel: channel.clone(),
        epoch: position.epoch.clone(),
        offset: position.offset,
        event,
    };
    Ok(ByteString::from(
        ServerMessage::Publication(publication).encode(),
    ))
}

#[cfg(test)]
mod tests {
    use protocol::{DesignConfig, Epoch, StoredObject};

    use super::*;

    #[test]
    fn a_config_update_becomes_a_config_updated_frame_with_its_position() {
        let config = DesignConfig {
            version: 3,
            ..DesignConfig::default()
        };
        let payload = StoredEvent::Object(StoredObject::ConfigUpdated { config }).encode();
        let position = Position {
            epoch: Epoch::new("abc").unwrap(),
            offset: 7,
        };
        let frame = client_frame(&Channel::Config, &position, &payload).unwrap();
        let json: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(json["type"], "config_updated");
        assert_eq!(json["channel"], "config");
        assert_eq!(json["epoch"], "abc");
        assert_eq!(json["offset"], 7);
        assert_eq!(json["config"]["version"], 3);
    }

    #[test]
    fn an_unreadable_payload_is_an_error_not_a_panic() {
        let position = Position {
            epoch: Epoch::new("abc").unwrap(),
            offset: 1,
        };
        assert!(client_frame(&Channel::Config, &position, b"garbage").is_err());
    }
}
