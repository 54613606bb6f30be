//! Raw configuration: `BEAMSTREAM_*` environment variables overlaid by `--flags`, every key with
//! its documented default in one table, and typed parsing that records every bad value instead of
//! stopping at the first (linkerd's env.rs does the same).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use super::keys::{KEYS, Key};
use super::{ConfigError, SettingsError};

/// Prefix of every environment variable the gateway reads.
pub const ENV_PREFIX: &str = "BEAMSTREAM_";

/// Configuration values by key name, flags winning over environment variables, plus the errors
/// met so far.
#[derive(Debug)]
pub(crate) struct Values {
    raw: HashMap<&'static str, String>,
    errors: Vec<ConfigError>,
}

impl Values {
    /// Collects values from `env` (every `(name, value)` pair; only `BEAMSTREAM_*` names are read)
    /// and `args` (command-line arguments without the program name). `--help` stops here.
    pub(crate) fn collect<E, A>(env: E, args: A) -> Result<Self, SettingsError>
    where
        E: IntoIterator<Item = (String, String)>,
        A: IntoIterator<Item = String>,
    {
        let mut values = Values {
            raw: HashMap::new(),
            errors: Vec::new(),
        };
        for (name, value) in env {
            let Some(suffix) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            // Unknown BEAMSTREAM_* variables are ignored: other beamstream binaries (workers)
            // share an environment with the gateway in docker-compose.
            if let Some(key) = find_key(|k| k.name == suffix) {
                values.raw.insert(key.name, value);
            }
        }
        values.overlay_flags(args.into_iter())?;
        Ok(values)
    }

    fn overlay_flags(
        &mut self,
        mut args: impl Iterator<Item = String>,
    ) -> Result<(), SettingsError> {
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Err(SettingsError::Help(usage()));
            }
            let Some(flag) = arg.strip_prefix("--") else {
                self.errors.push(ConfigError::new(
                    &arg,
                    "unexpected argument (flags start with --)",
                ));
                continue;
            };
            let (flag, inline) = match flag.split_once('=') {
                Some((f, v)) => (f, Some(v.to_owned())),
                None => (flag, None),
            };
            let Some(key) = find_key(|k| k.flag() == flag) else {
                self.errors
                    .push(ConfigError::new(&arg, "unknown flag (see --help)"));
                continue;
            };
            let value = match inline {
                Some(v) => v,
                None if key.switch => "true".to_owned(),
                None => match args.next() {
                    Some(v) => v,
                    None => {
                        self.errors.push(ConfigError::new(&arg, "needs a value"));
                        continue;
                    }
                },
            };
            self.raw.insert(key.name, value);
        }
        Ok(())
    }

    /// The value of a key that has a default: the configured value if it parses, else the default
    /// (and the error is recorded, so loading fails at the end).
    pub(crate) fn get<T>(&mut self, name: &'static str) -> T
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let key = key(name);
        if let Some(v) = self.parse_configured(key) {
            return v;
        }
        let default = key.default.unwrap_or_default();
        // unwrap: every default in KEYS parses as its type (tested by settings'
        // `defaults_load_without_any_configuration`).
        default.parse().ok().expect("defaults in KEYS parse")
    }

    /// The value of a key without a default: `None` when absent, empty, or invalid (recorded).
    pub(crate) fn get_opt<T>(&mut self, name: &'static str) -> Option<T>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.parse_configured(key(name))
    }

    fn parse_configured<T>(&mut self, key: &'static Key) -> Option<T>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        let raw = self.raw.get(key.name)?.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!("{e} (got {:?})", redacted(key, raw));
                self.errors.push(ConfigError::for_key(key, message));
                None
            }
        }
    }

    /// Records a rule broken by a combination of values.
    pub(crate) fn reject(&mut self, name: &'static str, message: impl Into<String>) {
        self.errors
            .push(ConfigError::for_key(key(name), message.into()));
    }

    /// Every error met, or `Ok` when there were none.
    pub(crate) fn finish(self) -> Result<(), SettingsError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::Invalid(self.errors))
        }
    }
}

fn find_key(pred: impl Fn(&Key) -> bool) -> Option<&'static Key> {
    KEYS.iter().find(|k| pred(k))
}

fn key(name: &'static str) -> &'static Key {
    // unwrap: names passed here are the constants of `keys`, all listed in KEYS (tested).
    find_key(|k| k.name == name).expect("key listed in KEYS")
}

fn redacted<'a>(key: &Key, raw: &'a str) -> &'a str {
    if key.secret { "<redacted>" } else { raw }
}

/// The `--help` text: every key with its env var, flag, default and meaning.
pub fn usage() -> String {
    let mut out = String::from(
        "beamstream gateway\n\nEvery setting is an environment variable and a flag (the flag wins).\n\n",
    );
    for key in KEYS {
        let default = key
            .default
            .map(|d| format!(" [default: {d}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  --{:<34} {ENV_PREFIX}{}\n      {}{default}\n",
            key.flag(),
            key.name,
            key.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_unique() {
        let mut flags: Vec<String> = KEYS.iter().map(Key::flag).collect();
        flags.sort();
        flags.dedup();
        assert_eq!(flags.len(), KEYS.len());
    }

    #[test]
    fn flags_win_over_environment_variables() {
        let env = vec![("BEAMSTREAM_NODE_ID".to_owned(), "from-env".to_owned())];
        let args = vec!["--node-id".to_owned(), "from-flag".to_owned()];
        let mut values = Values::collect(env, args).unwrap();
        assert_eq!(
            values.get_opt::<String>("NODE_ID").as_deref(),
            Some("from-flag")
        );
    }

    #[test]
    fn switch_flags_need_no_value_and_unknown_flags_are_errors() {
        let args = ["--insecure-allow-no-auth", "--no-such-flag", "stray"].map(String::from);
        let mut values = Values::collect(Vec::new(), args).unwrap();
        assert!(values.get::<bool>("INSECURE_ALLOW_NO_AUTH"));
        let Err(SettingsError::Invalid(errors)) = values.finish() else {
            panic!("unknown flag and stray argument must fail");
        };
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn help_lists_every_environment_variable() {
        let Err(SettingsError::Help(text)) = Values::collect(Vec::new(), ["-h".to_owned()]) else {
            panic!("-h must ask for help");
        };
        for key in KEYS {
            assert!(
                text.contains(&format!("{ENV_PREFIX}{}", key.name)),
                "{}",
                key.name
            );
        }
    }
}
