//! Channel names and positions: what a client follows and where it is in it.
//!
//! Every stream a client can follow is a [`Channel`]: `batch:<uuid>`, `session:<id>`, `config`
//! or `designs`. Each channel has a history (a Redis Stream) and a current [`Position`]
//! `(epoch, offset)`, Centrifugo's model:
//!
//! - `offset` counts publications: 0 means nothing has been published yet in this epoch, the
//!   first publication of an epoch has offset 1, and each later one has the previous offset + 1.
//! - `epoch` names one life of the history. When the history is lost (expired, recreated), the
//!   broker picks a new epoch; offsets from another epoch mean nothing in the new one.
//!
//! A position is written `<epoch>:<offset>` (e.g. `k3Jd9aQ2:42`). That same string is the SSE
//! event `id`, so a reconnecting SSE client's `Last-Event-ID` resumes exactly where it stopped;
//! an id from another epoch is answered with `recovered: false` (the client reloads over REST).
//!
//! All these types serialise as their string form.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Longest [`SessionId`], in characters.
pub const SESSION_ID_MAX_LEN: usize = 64;
/// Longest [`Epoch`], in characters.
pub const EPOCH_MAX_LEN: usize = 16;

/// Why a channel name, id, epoch or position string was refused; each variant names the part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The channel name was empty.
    #[error("channel name is empty")]
    Empty,
    /// The part before `:` is not a channel kind.
    #[error(
        "unknown channel kind `{kind}`: expected batch:<uuid>, session:<id>, config or designs"
    )]
    UnknownKind {
        /// The kind received (truncated to 64 characters).
        kind: String,
    },
    /// `batch` or `session` without `:<id>`.
    #[error("channel `{kind}` needs an id: `{kind}:<id>`")]
    MissingId {
        /// `batch` or `session`.
        kind: &'static str,
    },
    /// `config` or `designs` followed by `:<something>`.
    #[error("channel `{kind}` takes no id")]
    UnexpectedId {
        /// `config` or `designs`.
        kind: &'static str,
    },
    /// The batch id is not a hyphenated UUID.
    #[error("batch id must be a hyphenated UUID (8-4-4-4-12 hex digits), got `{value}`")]
    BatchId {
        /// The value received (truncated to 64 characters).
        value: String,
    },
    /// The session id breaks its rule.
    #[error("session id {reason}")]
    SessionId {
        /// The rule broken, with what was received.
        reason: String,
    },
    /// The epoch breaks its rule.
    #[error("epoch {reason}")]
    Epoch {
        /// The rule broken, with what was received.
        reason: String,
    },
    /// A position is not `<epoch>:<offset>`.
    #[error("position must be `<epoch>:<offset>`, got `{value}`")]
    Position {
        /// The value received (truncated to 64 characters).
        value: String,
    },
    /// The offset of a position is not a decimal u64.
    #[error("offset must be a decimal integer 0..=18446744073709551615, got `{value}`")]
    Offset {
        /// The value received (truncated to 64 characters).
        value: String,
    },
}

/// At most 64 characters of `s`, so that errors never echo a huge input.
fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Checks `s` is 1..=`max` characters, each accepted by `ok`; returns the broken rule.
fn check_token(s: &str, max: usize, alphabet: &str, ok: impl Fn(u8) -> bool) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!(
            "must be 1..={max} characters of {alphabet}, got an empty string"
        ));
    }
    if s.len() > max {
        return Err(format!(
            "must be 1..={max} characters of {alphabet}, got {} bytes",
            s.len()
        ));
    }
    if let Some(c) = s.chars().find(|c| !c.is_ascii() || !ok(*c as u8)) {
        return Err(format!(
            "must be 1..={max} characters of {alphabet}, got {c:?} in `{}`",
            clip(s)
        ));
    }
    Ok(())
}

/// Implements `Serialize` (as the `Display` string) and `Deserialize` (through `FromStr`).
macro_rules! string_serde {
    ($ty:ty, $expecting:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// A batch's id: a UUID (v7 when we mint it, so ids sort by creation time).
///
/// Written lowercase hyphenated (`0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(pub Uuid);

impl BatchId {
    /// A fresh id, UUID v7 (time-ordered).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for BatchId {
    /// Same as [`BatchId::new`]: a fresh id.
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl FromStr for BatchId {
    type Err = ChannelError;

    /// Accepts only the 36-character hyphenated form (either case), so each batch has one name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ChannelError::BatchId { value: clip(s) };
        if s.len() != 36 {
            return Err(bad());
        }
        Uuid::try_parse(s).map(Self).map_err(|_| bad())
    }
}

string_serde!(BatchId, "a hyphenated UUID");

/// A design session's id: 1..=64 characters of `[A-Za-z0-9_.-]` (it appears in URLs and keys).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

impl SessionId {
    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionId {
    type Error = ChannelError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        check_token(&s, SESSION_ID_MAX_LEN, "[A-Za-z0-9_.-]", |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
        })
        .map_err(|reason| ChannelError::SessionId { reason })?;
        Ok(Self(s))
    }
}

impl FromStr for SessionId {
    type Err = ChannelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::try_from(s.to_owned())
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_serde!(
    SessionId,
    "a session id of 1..=64 characters [A-Za-z0-9_.-]"
);

/// A stream a client can follow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Channel {
    /// `batch:<uuid>`: start, progress, per-beam results, errors and the end of one batch.
    Batch(BatchId),
    /// `session:<id>`: interactive designs of one session, shared by all its connections.
    Session(SessionId),
    /// `config`: design-default changes (`config_updated`).
    Config,
    /// `designs`: the feed of saved designs and finished batches (`new_design`).
    Designs,
}

impl Channel {
    /// The kind: `batch`, `session`, `config` or `designs`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Batch(_) => "batch",
            Self::Session(_) => "session",
            Self::Config => "config",
            Self::Designs => "designs",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Batch(id) => write!(f, "batch:{id}"),
            Self::Session(id) => write!(f, "session:{id}"),
            Self::Config => f.write_str("config"),
            Self::Designs => f.write_str("designs"),
        }
    }
}

impl FromStr for Channel {
    type Err = ChannelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, id) = match s.split_once(':') {
            Some((kind, id)) => (kind, Some(id)),
            None => (s, None),
        };
        match (kind, id) {
            ("", None) => Err(ChannelError::Empty),
            ("batch", Some(id)) => id.parse().map(Self::Batch),
            ("session", Some(id)) => id.parse().map(Self::Session),
            ("batch", None) => Err(ChannelError::MissingId { kind: "batch" }),
            ("session", None) => Err(ChannelError::MissingId { kind: "session" }),
            ("config", None) => Ok(Self::Config),
            ("designs", None) => Ok(Self::Designs),
            ("config", Some(_)) => Err(ChannelError::UnexpectedId { kind: "config" }),
            ("designs", Some(_)) => Err(ChannelError::UnexpectedId { kind: "designs" }),
            (kind, _) => Err(ChannelError::UnknownKind { kind: clip(kind) }),
        }
    }
}

string_serde!(
    Channel,
    "a channel name: batch:<uuid>, session:<id>, config or designs"
);

/// One life of a channel's history: 1..=16 characters of `[A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Epoch(String);

impl Epoch {
    /// Validates `s` as an epoch.
    pub fn new(s: &str) -> Result<Self, ChannelError> {
        check_token(s, EPOCH_MAX_LEN, "[A-Za-z0-9]", |b| {
            b.is_ascii_alphanumeric()
        })
        .map_err(|reason| ChannelError::Epoch { reason })?;
        Ok(Self(s.to_owned()))
    }

    /// A fresh random epoch: 16 lowercase hex digits (64 random bits from a UUID v4).
    pub fn random() -> Self {
        let mut hex = Uuid::new_v4().simple().to_string();
        hex.truncate(EPOCH_MAX_LEN);
        Self(hex)
    }

    /// The epoch as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Epoch {
    type Err = ChannelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_serde!(Epoch, "an epoch of 1..=16 characters [A-Za-z0-9]");

/// Where a channel (or a client in it) is: `<epoch>:<offset>`; also the SSE event `id`.
///
/// `offset` 0 means nothing published yet in `epoch`; the first publication has offset 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    /// The history's life this offset belongs to.
    pub epoch: Epoch,
    /// Number of publications up to and including this one (0: none yet).
    pub offset: u64,
}

impl Position {
    /// The position of an epoch before its first publication (offset 0).
    pub fn start(epoch: Epoch) -> Self {
        Self { epoch, offset: 0 }
    }

    /// The position of the publication after this one (same epoch, offset + 1).
    pub fn next(&self) -> Self {
        Self {
            epoch: self.epoch.clone(),
            offset: self.offset.saturating_add(1),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.epoch, self.offset)
    }
}

impl FromStr for Position {
    type Err = ChannelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (epoch, offset) = s
            .split_once(':')
            .ok_or_else(|| ChannelError::Position { value: clip(s) })?;
        let epoch = Epoch::new(epoch)?;
        let bad_offset = || ChannelError::Offset {
            value: clip(offset),
        };
        if offset.is_empty() || !offset.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_offset());
        }
        let offset = offset.parse().map_err(|_| bad_offset())?;
        Ok(Self { epoch, offset })
    }
}

string_serde!(Position, "a position `<epoch>:<offset>`");
