//! Channel names, ids, epochs and positions: parsing, display and serde round trips.

use protocol::{BatchId, Channel, ChannelError, Epoch, Position, SessionId};

const UUID: &str = "0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00";

#[test]
fn batch_id_displays_lowercase_hyphenated_and_parses_back() {
    let id: BatchId = UUID.to_uppercase().parse().unwrap();
    assert_eq!(id.to_string(), UUID);
    assert_eq!(UUID.parse::<BatchId>().unwrap(), id);
}

#[test]
fn batch_id_new_is_a_uuid_v7() {
    let id = BatchId::new();
    assert_eq!(id.0.get_version_num(), 7);
    assert_eq!(id.to_string().parse::<BatchId>().unwrap(), id);
}

#[test]
fn batch_id_refuses_simple_and_braced_forms() {
    let simple = UUID.replace('-', "");
    assert!(matches!(
        simple.parse::<BatchId>(),
        Err(ChannelError::BatchId { .. })
    ));
    let braced = format!("{{{UUID}}}");
    assert!(matches!(
        braced.parse::<BatchId>(),
        Err(ChannelError::BatchId { .. })
    ));
    assert!(matches!(
        "zz90f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00".parse::<BatchId>(),
        Err(ChannelError::BatchId { .. })
    ));
}

#[test]
fn session_id_accepts_its_alphabet_up_to_64_characters() {
    let id = SessionId::try_from("Tab-1_a.b".to_owned()).unwrap();
    assert_eq!(id.as_str(), "Tab-1_a.b");
    assert_eq!(id.to_string(), "Tab-1_a.b");
    assert!("x".repeat(64).parse::<SessionId>().is_ok());
}

#[test]
fn session_id_refuses_empty_long_and_foreign_characters() {
    for bad in ["", "a b", "a:b", "é", "a/b"] {
        assert!(
            matches!(
                bad.parse::<SessionId>(),
                Err(ChannelError::SessionId { .. })
            ),
            "{bad:?}"
        );
    }
    let err = "x".repeat(65).parse::<SessionId>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "session id must be 1..=64 characters of [A-Za-z0-9_.-], got 65 bytes"
    );
}

#[test]
fn channel_names_round_trip() {
    let names = [
        format!("batch:{UUID}"),
        "session:abc-1".into(),
        "config".into(),
        "designs".into(),
    ];
    for name in names {
        let ch: Channel = name.parse().unwrap();
        assert_eq!(ch.to_string(), name);
    }
    assert_eq!("config".parse::<Channel>().unwrap(), Channel::Config);
    assert_eq!(
        "session:s1".parse::<Channel>().unwrap(),
        Channel::Session("s1".parse().unwrap())
    );
    assert_eq!(Channel::Designs.kind(), "designs");
}

#[test]
fn channel_errors_name_the_wrong_part() {
    assert_eq!("".parse::<Channel>(), Err(ChannelError::Empty));
    assert_eq!(
        "batch".parse::<Channel>(),
        Err(ChannelError::MissingId { kind: "batch" })
    );
    assert_eq!(
        "config:1".parse::<Channel>(),
        Err(ChannelError::UnexpectedId { kind: "config" })
    );
    assert_eq!(
        "job:1".parse::<Channel>(),
        Err(ChannelError::UnknownKind { kind: "job".into() })
    );
    assert_eq!(
        "batch:nope".parse::<Channel>(),
        Err(ChannelError::BatchId {
            value: "nope".into()
        })
    );
    assert!(matches!(
        "session:".parse::<Channel>(),
        Err(ChannelError::SessionId { .. })
    ));
}

#[test]
fn epoch_is_1_to_16_alphanumerics() {
    assert_eq!(Epoch::new("k3Jd9aQ2").unwrap().as_str(), "k3Jd9aQ2");
    assert!(Epoch::new(&"a".repeat(16)).is_ok());
    for bad in ["", "a-b", "a:b", &"a".repeat(17)] {
        assert!(
            matches!(Epoch::new(bad), Err(ChannelError::Epoch { .. })),
            "{bad:?}"
        );
    }
    let random = Epoch::random();
    assert_eq!(random.as_str().len(), 16);
    assert!(Epoch::new(random.as_str()).is_ok());
}

#[test]
fn position_is_epoch_colon_offset() {
    let p: Position = "k3Jd9aQ2:42".parse().unwrap();
    assert_eq!(p.epoch.as_str(), "k3Jd9aQ2");
    assert_eq!(p.offset, 42);
    assert_eq!(p.to_string(), "k3Jd9aQ2:42");
    assert_eq!(p.next().offset, 43);
    let start = Position::start(Epoch::new("e1").unwrap());
    assert_eq!(start.to_string(), "e1:0");
    let max = format!("e:{}", u64::MAX);
    assert_eq!(max.parse::<Position>().unwrap().offset, u64::MAX);
}

#[test]
fn position_errors_name_the_wrong_part() {
    assert_eq!(
        "e1".parse::<Position>(),
        Err(ChannelError::Position { value: "e1".into() })
    );
    assert_eq!(
        "e1:".parse::<Position>(),
        Err(ChannelError::Offset { value: "".into() })
    );
    assert_eq!(
        "e1:+3".parse::<Position>(),
        Err(ChannelError::Offset { value: "+3".into() })
    );
    assert_eq!(
        "e1:18446744073709551616".parse::<Position>(),
        Err(ChannelError::Offset {
            value: "18446744073709551616".into()
        })
    );
    assert!(matches!(
        ":3".parse::<Position>(),
        Err(ChannelError::Epoch { .. })
    ));
}

#[test]
fn all_serialise_as_their_strings() {
    let ch: Channel = format!("batch:{UUID}").parse().unwrap();
    let json = serde_json::to_string(&ch).unwrap();
    assert_eq!(json, format!("\"batch:{UUID}\""));
    assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), ch);

    let p: Position = "e9:7".parse().unwrap();
    assert_eq!(serde_json::to_string(&p).unwrap(), "\"e9:7\"");
    assert_eq!(serde_json::from_str::<Position>("\"e9:7\"").unwrap(), p);

    let s: SessionId = serde_json::from_str("\"tab.1\"").unwrap();
    assert_eq!(s.as_str(), "tab.1");
    let e: Epoch = serde_json::from_str("\"abc\"").unwrap();
    assert_eq!(serde_json::to_string(&e).unwrap(), "\"abc\"");
    let b: BatchId = serde_json::from_str(&format!("\"{UUID}\"")).unwrap();
    assert_eq!(b.to_string(), UUID);

    let err = serde_json::from_str::<Channel>("\"bogus:1\"").unwrap_err();
    assert!(
        err.to_string().contains("unknown channel kind `bogus`"),
        "{err}"
    );
    assert!(serde_json::from_str::<Position>("12").is_err());
}
