//! Reading script replies: small typed accessors over [`redis::Value`].

use bytes::Bytes;
use redis::Value;

use crate::error::BrokerError;

fn unexpected(what: &str, v: &Value) -> BrokerError {
    BrokerError::Unexpected(format!("{what}: {v:?}"))
}

/// The elements of an array reply.
pub(crate) fn array(v: Value) -> Result<Vec<Value>, BrokerError> {
    match v {
        Value::Array(items) | Value::Set(items) => Ok(items),
        other => Err(unexpected("expected an array", &other)),
    }
}

/// A string reply (bulk or simple) as text.
pub(crate) fn text(v: &Value) -> Result<String, BrokerError> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).map_err(|_| unexpected("utf-8", v)),
        Value::SimpleString(s) => Ok(s.clone()),
        Value::Okay => Ok("OK".into()),
        other => Err(unexpected("expected a string", other)),
    }
}

/// An integer reply (or a string holding one).
pub(crate) fn int(v: &Value) -> Result<i64, BrokerError> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::BulkString(_) | Value::SimpleString(_) => text(v)?
            .parse()
            .map_err(|_| unexpected("expected an integer", v)),
        other => Err(unexpected("expected an integer", other)),
    }
}

/// A non-negative integer that fits `T` (u32, u64).
pub(crate) fn uint<T: TryFrom<i64>>(v: &Value) -> Result<T, BrokerError> {
    T::try_from(int(v)?).map_err(|_| unexpected("integer out of range", v))
}

/// A bulk reply as bytes.
pub(crate) fn bytes(v: Value) -> Result<Bytes, BrokerError> {
    match v {
        Value::BulkString(b) => Ok(b.into()),
        other => Err(unexpected("expected bytes", &other)),
    }
}
