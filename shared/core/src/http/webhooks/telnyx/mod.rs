//! Telnyx's messaging webhook, each event signed with ed25519 by the account's key and checked
//! with the public key of the tenant whose number it names.

pub(crate) mod messages;
mod signature;
