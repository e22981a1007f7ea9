//! A form post's body as name/value pairs: `application/x-www-form-urlencoded` (a plain
//! `<form>`) or `multipart/form-data` (a `<form enctype=...>` or `fetch()` with `FormData`).
//! Files are not leads' data: a file part is skipped, never kept.

use crate::http::common::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use bytes::Bytes;

const READS: &str = "application/x-www-form-urlencoded or multipart/form-data";

/// The pairs of a form body of `content_type`, in the order posted.
pub(crate) async fn form_values(content_type: &str, body: Bytes) -> Result<Vec<(String, String)>, ApiError> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => {
            Ok(form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        }
        "multipart/form-data" => multipart(content_type, body).await,
        _ => Err(ApiError::UnsupportedMediaType(READS)),
    }
}

async fn multipart(content_type: &str, body: Bytes) -> Result<Vec<(String, String)>, ApiError> {
    let malformed = |e: &dyn std::fmt::Display| ApiError::BadRequest(format!("the multipart body is malformed: {e}"));
    let request =
        Request::builder().header(CONTENT_TYPE, content_type).body(Body::from(body)).map_err(|e| malformed(&e))?;
    let mut parts = Multipart::from_request(request, &()).await.map_err(|e| malformed(&e))?;
    let mut values = Vec::new();
    while let Some(part) = parts.next_field().await.map_err(|e| malformed(&e))? {
        let Some(name) = part.name().map(str::to_owned) else { continue };
        if part.file_name().is_some() {
            continue;
        }
        let text = part.text().await.map_err(|e| malformed(&e))?;
        values.push((name, text));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_urlencoded_body_reads_in_order_with_its_escapes() {
        let body = Bytes::from_static(b"name=Zo%C3%AB+Smith&email=zoe%40example.com&consent=on");
        let values = form_values("application/x-www-form-urlencoded; charset=UTF-8", body).await.unwrap();
        let expected = [("name", "Zoë Smith"), ("email", "zoe@example.com"), ("consent", "on")];
        assert_eq!(values, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }

    #[tokio::test]
    async fn a_multipart_body_reads_its_fields_and_skips_files() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n+14155550123\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n\
                    Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ--\r\n";
        let values = form_values("multipart/form-data; boundary=XyZ", Bytes::from(body)).await.unwrap();
        assert_eq!(values, [("phone".to_owned(), "+14155550123".to_owned())]);
    }

    #[tokio::test]
    async fn another_format_or_a_broken_multipart_is_refused_clearly() {
        let json = form_values("application/json", Bytes::from_static(b"{}")).await.unwrap_err();
        assert_eq!(json.status(), axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let broken = form_values("multipart/form-data", Bytes::from_static(b"--x\r\n")).await.unwrap_err();
        assert_eq!(broken.status(), axum::http::StatusCode::BAD_REQUEST);
    }
}
