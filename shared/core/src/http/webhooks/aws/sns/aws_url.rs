//! Which URLs in an SNS message leadflow may fetch: the signing certificate (`SigningCertURL`)
//! and the confirmation link (`SubscribeURL`). Both come from the message itself, before
//! (or, for the link, after) its signature is checked, so both must be SNS's own: `https`,
//! host `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`, no credentials, no
//! port. Otherwise anyone could sign a forged message with their own key and name their own
//! certificate, or make leadflow GET a URL of their choice.

use axum::http::Uri;
use std::net::IpAddr;

/// Where SNS URLs may point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlPolicy {
    /// SNS's hosts only: what every Lambda function uses (nothing in its environment changes it).
    #[default]
    Aws,
    /// Also `http(s)://` on a loopback address (`127.0.0.0/8`, `::1`, `localhost`), any port:
    /// for tests and `leadflow dev --sns-loopback`, whose "SNS" is a server on the same machine.
    AwsOrLoopback,
}

/// A URL of SNS's, checked by [`UrlPolicy::check`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AwsUrl(String);

impl AwsUrl {
    /// The URL, to fetch.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl UrlPolicy {
    /// Accepts `raw` if it points at SNS (or, where allowed, at loopback); else says why not.
    pub fn check(self, raw: &str) -> Result<AwsUrl, String> {
        let uri: Uri = raw.parse().map_err(|_| format!("{raw:?} is not a URL"))?;
        let authority = uri.authority().ok_or_else(|| format!("{raw:?} is not an absolute URL"))?;
        if authority.as_str().contains('@') {
            return Err(format!("{raw:?} carries credentials"));
        }
        let host = authority.host();
        let loopback = self == UrlPolicy::AwsOrLoopback && is_loopback(host);
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            _ => return Err(format!("{raw:?} is not https")),
        }
        if loopback || (is_sns_host(host) && authority.port().is_none()) {
            Ok(AwsUrl(raw.to_owned()))
        } else {
            Err(format!("{host:?} is not an Amazon SNS host (sns.<region>.amazonaws.com)"))
        }
    }
}

/// `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`, `<region>` being
/// lowercase letters, digits and dashes (`us-east-1`, `cn-north-1`, `us-gov-west-1`).
fn is_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else { return false };
    let region = rest.strip_suffix(".amazonaws.com").or_else(|| rest.strip_suffix(".amazonaws.com.cn"));
    region.is_some_and(|region| {
        !region.is_empty()
            && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !region.starts_with('-')
    })
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snss_own_https_hosts_are_accepted() {
        for url in [
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
            "https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-2:1:t&Token=ab",
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
            "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        ] {
            assert_eq!(UrlPolicy::Aws.check(url).map(|u| u.as_str().to_owned()), Ok(url.to_owned()), "{url}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for url in [
            "http://sns.us-east-1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com@evil.example/cert.pem",
            "https://evil.example@sns.us-east-1.amazonaws.com/cert.pem",
            "https://sqs.us-east-1.amazonaws.com/cert.pem",
            "https://sns.amazonaws.com/cert.pem",
            "https://sns..amazonaws.com/cert.pem",
            "https://sns.US-EAST-1.amazonaws.com/cert.pem",
            "https://sns.us_east_1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
            "https://x.sns.us-east-1.amazonaws.com/cert.pem",
            "ftp://sns.us-east-1.amazonaws.com/cert.pem",
            "/SimpleNotificationService-abc.pem",
            "not a url",
            "",
            "http://127.0.0.1:9000/cert.pem",
            "https://localhost/cert.pem",
        ] {
            assert!(UrlPolicy::Aws.check(url).is_err(), "{url}");
        }
    }

    #[test]
    fn loopback_is_accepted_only_where_the_policy_allows_it() {
        for url in
            ["http://127.0.0.1:9000/cert.pem", "http://localhost:80/c", "https://[::1]:443/c", "http://127.0.0.2/c"]
        {
            assert!(UrlPolicy::AwsOrLoopback.check(url).is_ok(), "{url}");
            assert!(UrlPolicy::Aws.check(url).is_err(), "{url}");
        }
        for url in ["http://10.0.0.1/cert.pem", "http://169.254.169.254/latest/meta-data", "http://example.com/c"] {
            assert!(UrlPolicy::AwsOrLoopback.check(url).is_err(), "{url}");
        }
        assert!(UrlPolicy::AwsOrLoopback.check("https://sns.us-east-1.amazonaws.com/c.pem").is_ok());
    }
}
