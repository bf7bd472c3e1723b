//! Structured logs to stderr (stdout carries only the startup lines that
//! scripts read), with IP addresses shortened in every line.

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

pub fn init(config: &LogConfig) -> anyhow::Result<()> {
    // str0m is chatty at info; its warnings are what an operator needs.
    let filter = EnvFilter::try_new(format!("str0m=warn,dimpl=warn,{}", config.filter))
        .map_err(|e| anyhow::anyhow!("invalid log filter {:?}: {e}", config.filter))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Every line with IP addresses shortened (crate::pii).
        .with_writer(crate::pii::ShortenIps(std::io::stderr));
    match config.format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}
