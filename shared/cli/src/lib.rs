//! `leadflow` on a laptop: the dev server (the same routes as API Gateway, on embedded
//! adapters), and the benchmark that measures it.

#![warn(missing_docs)]

pub mod bench;
pub mod cli;
pub mod dev;
