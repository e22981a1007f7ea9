//! The links in leadflow's own messages, opened by a lead's browser or mail client: tracked
//! links (`/r/{token}`) and one-click unsubscribe (`/u/{token}`). They answer HTML pages, not
//! JSON: a person reads them.

pub(crate) mod clicks;
pub(crate) mod unsubscribe;
