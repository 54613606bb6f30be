//! Small typed configuration values: durations with units, the WebSocket Origin allow-list, and
//! the log format.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration written with its unit: `250ms`, `25s`, `2m` or `24h` (a bare number is refused, so
/// nobody has to guess the unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let n: u64 = digits
            .parse()
            .map_err(|_| "expected a number with a unit: 250ms, 25s, 2m or 24h".to_owned())?;
        let duration = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            _ => return Err("expected a unit of ms, s, m or h (e.g. 25s)".to_owned()),
        };
        Ok(Self(duration))
    }
}

/// Origins allowed to open a WebSocket (the defence against cross-site WebSocket hijacking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// `*`: any origin.
    Any,
    /// These exact origins (`scheme://host[:port]`); when empty, only an origin whose host equals
    /// the request's `Host` header.
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Whether an upgrade with this `Origin` header (if any) to this `Host` is allowed. Requests
    /// without `Origin` come from non-browser clients, which cross-site hijacking cannot use.
    pub fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        let origin = normalise(origin);
        match self {
            Self::Any => true,
            Self::List(list) if list.is_empty() => {
                let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
                host.is_some_and(|h| h.eq_ignore_ascii_case(origin_host))
            }
            Self::List(list) => list.contains(&origin),
        }
    }
}

fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

impl FromStr for AllowedOrigins {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let items: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .collect();
        if items == ["*"] {
            return Ok(Self::Any);
        }
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            if !(item.starts_with("http://") || item.starts_with("https://")) {
                return Err(format!(
                    "origin {item:?} must be `*` or start with http:// or https://"
                ));
            }
            list.push(normalise(item));
        }
        Ok(Self::List(list))
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (containers).
    Json,
    /// Human-readable (a terminal).
    Pretty,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            _ => Err("expected json or pretty".to_owned()),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Pretty => "pretty",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(
            "250ms".parse(),
            Ok(HumanDuration(Duration::from_millis(250)))
        );
        assert_eq!("25s".parse(), Ok(HumanDuration(Duration::from_secs(25))));
        assert_eq!("2m".parse(), Ok(HumanDuration(Duration::from_secs(120))));
        assert!("25".parse::<HumanDuration>().is_err());
        assert!("s".parse::<HumanDuration>().is_err());
        assert_eq!(
            "5h".parse(),
            Ok(HumanDuration(Duration::from_secs(5 * 3600)))
        );
        assert!("5d".parse::<HumanDuration>().is_err());
    }

    #[test]
    fn empty_origin_list_allows_only_the_same_host() {
        let same_host: AllowedOrigins = "".parse().unwrap();
        assert!(same_host.allows(Some("http://localhost:8080"), Some("localhost:8080")));
        assert!(!same_host.allows(Some("https://evil.example"), Some("localhost:8080")));
        assert!(same_host.allows(None, Some("localhost:8080")));
    }

    #[test]
    fn listed_origins_match_exactly_ignoring_case_and_trailing_slash() {
        let list: AllowedOrigins = "https://app.example, http://localhost:3000"
            .parse()
            .unwrap();
        assert!(list.allows(Some("https://APP.example/"), Some("gw.example")));
        assert!(!list.allows(Some("https://app.example.evil"), Some("gw.example")));
        assert_eq!("*".parse(), Ok(AllowedOrigins::Any));
        assert!("app.example".parse::<AllowedOrigins>().is_err());
    }

    #[test]
    fn log_format_is_json_or_pretty() {
        assert_eq!("JSON".parse(), Ok(LogFormat::Json));
        assert!("xml".parse::<LogFormat>().is_err());
    }
}
