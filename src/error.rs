//! The typed error every operation returns; mirrors the WIT `error` variant one to one, so a host
//! can decide to fix input, reconnect, retry later or report.

use std::fmt;

/// A failure a host can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input does not fit the schema; `field` is the path of the offending field.
    InvalidInput {
        field: String,
        message: String,
    },
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    /// The write meets an existing record; `existing_id` names it when Intercom says which.
    Conflict {
        message: String,
        existing_id: Option<String>,
    },
    RateLimited {
        retry_after_ms: u64,
        message: String,
    },
    Upstream {
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    Transport(String),
    Internal(String),
}

impl Error {
    pub fn conflict(message: impl Into<String>, existing_id: Option<String>) -> Self {
        Error::Conflict {
            message: message.into(),
            existing_id,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The kind as the runner and logs print it (`invalid-input`, `not-found`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid-input",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not-found",
            Error::Conflict { .. } => "conflict",
            Error::RateLimited { .. } => "rate-limited",
            Error::Upstream { .. } => "upstream",
            Error::Transport(_) => "transport",
            Error::Internal(_) => "internal",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, message } if field.is_empty() => {
                write!(f, "invalid input: {message}")
            }
            Error::InvalidInput { field, message } => {
                write!(f, "invalid input `{field}`: {message}")
            }
            Error::RateLimited {
                retry_after_ms,
                message,
            } => {
                write!(
                    f,
                    "rate limited, retry after {retry_after_ms} ms: {message}"
                )
            }
            Error::Upstream {
                status,
                code,
                message,
                ..
            } => {
                write!(f, "Intercom answered {status}")?;
                if let Some(code) = code {
                    write!(f, " ({code})")?;
                }
                write!(f, ": {message}")
            }
            Error::Unauthorized(m)
            | Error::Forbidden(m)
            | Error::NotFound(m)
            | Error::Conflict { message: m, .. }
            | Error::Transport(m)
            | Error::Internal(m) => write!(f, "{}: {m}", self.kind()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
