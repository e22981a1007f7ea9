//! Who sent a request, as the runtime saw it: the peer's address on `leadflow dev` (which puts
//! it on the request), else the address API Gateway saw, the last entry of `X-Forwarded-For`
//! (API Gateway appends it to whatever the client sent, so only the last one is not the
//! client's own say). A form post keeps it as consent evidence.

use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::net::IpAddr;

/// The client's IP address, put in a request's extensions by a runtime that sees the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client's IP address: the runtime's, else the proxy's last `X-Forwarded-For` entry.
pub(crate) fn client_ip(parts: &Parts) -> Option<IpAddr> {
    if let Some(ClientAddr(ip)) = parts.extensions.get::<ClientAddr>() {
        return Some(*ip);
    }
    // The last header line only: an earlier one may be the client's own.
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    forwarded.rsplit(',').next()?.trim().parse().ok()
}

/// The request's `User-Agent`, if it sent one.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<String> {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::trim)?;
    // Kept as evidence on one line: a control character (a tab) becomes a space.
    (!agent.is_empty()).then(|| agent.chars().take(500).map(|c| if c.is_control() { ' ' } else { c }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(forwarded: &[&str], peer: Option<&str>) -> Parts {
        let mut request = Request::builder();
        for line in forwarded {
            request = request.header("x-forwarded-for", *line);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts.extensions.insert(ClientAddr(peer.parse().unwrap()));
        }
        parts
    }

    #[test]
    fn the_address_is_the_peer_s_else_the_one_the_proxy_appended_never_the_client_s_say() {
        assert_eq!(client_ip(&parts(&["6.6.6.6"], Some("127.0.0.1"))), Some("127.0.0.1".parse().unwrap()));
        let spoofed = parts(&["6.6.6.6, 203.0.113.9"], None);
        assert_eq!(client_ip(&spoofed), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(client_ip(&parts(&["6.6.6.6", "2001:db8::1"], None)), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(client_ip(&parts(&["not an ip"], None)), None);
        assert_eq!(client_ip(&parts(&[], None)), None);
    }
}
