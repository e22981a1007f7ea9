//! The engine's tests: examples of each decision (`decide`), and property tests that drive
//! thousands of random leads across DST changes (`props`).

mod decide;
mod props;
mod signals;
