//! The demo's tour of the actions.

use super::Demo;
use anyhow::Result;

pub fn tour(_demo: &Demo) -> Result<()> {
    Ok(())
}
