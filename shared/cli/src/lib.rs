//! `leadflow` on a laptop: the dev server (the same routes as API Gateway, on embedded
//! adapters), the preview of a lead's days (`simulate`), and the benchmark that measures the
//! dev server.

#![warn(missing_docs)]

pub mod bench;
pub mod cli;
pub mod dev;
pub mod dnc;
pub mod import;
mod sandbox;
pub mod simulate;
