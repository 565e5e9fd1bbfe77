//! The demo's tour of the triggers.

use super::Demo;
use anyhow::Result;

pub fn tour(_demo: &Demo) -> Result<()> {
    Ok(())
}
