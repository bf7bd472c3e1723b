//! Structured logs to stderr (stdout carries only the startup lines that
//! scripts read), with IP addresses shortened in every line.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

pub fn init(config: &LogConfig) -> anyhow::Result<()> {
    // str0m is chatty at info; its warnings are what an operator needs.
    let filter = EnvFilter::try_new(format!("str0m=warn,dimpl=warn,{}", config.filter))
        .map_err(|e| anyhow::anyhow!("invalid log filter {:?}: {e}", config.filter))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        // Every line with IP addresses shortened (crate::pii).
        .with_writer(crate::pii::ShortenIps(std::io::stderr));
    match config.format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

/// Colour codes only for a person at a terminal: a file, a pipe or the
/// journal would keep them as bytes, and log tools would have to read
/// around them.
fn colours(stderr_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(colours(true, None));
        assert!(
            !colours(false, None),
            "a file or the journal gets plain text"
        );
        assert!(!colours(true, Some("1".into())), "NO_COLOR is honoured");
        assert!(colours(true, Some("".into())), "an empty NO_COLOR is unset");
    }
}
