//! Checking an SNS signature against SNS's signing certificate: RSA PKCS#1 v1.5 with SHA-1
//! (`SignatureVersion` 1) or SHA-256 (2), by the public key of the X.509 certificate at
//! `SigningCertURL`. webpki reads the certificate, ring checks the signature.
//!
//! The certificate's chain is not validated here: it is trusted because it came over TLS
//! (the OS trust store) from SNS's own host, which `aws_url` insists on — as AWS's SDK
//! validators do.

use super::envelope::SignatureVersion;
use ring::signature::{RsaParameters, UnparsedPublicKey};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm};
use webpki::EndEntityCert;

/// A signing certificate, read from the PEM SNS serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCert(CertificateDer<'static>);

/// Why a signature is not SNS's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signing certificate is not a PEM X.509 certificate: {0}")]
    Certificate(String),
    #[error("the signature does not match the message and the signing certificate")]
    Mismatch,
}

impl SigningCert {
    /// Reads the first certificate of a PEM document; refuses one webpki cannot parse.
    pub fn from_pem(pem: &[u8]) -> Result<Self, SignatureError> {
        let der = CertificateDer::from_pem_slice(pem).map_err(|e| SignatureError::Certificate(e.to_string()))?;
        EndEntityCert::try_from(&der).map_err(|e| SignatureError::Certificate(e.to_string()))?;
        Ok(Self(der))
    }

    /// Checks that `signature` is this certificate's key's signature of `message`.
    pub fn verify(&self, version: SignatureVersion, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        let cert = EndEntityCert::try_from(&self.0).map_err(|e| SignatureError::Certificate(e.to_string()))?;
        let algorithm = match version {
            SignatureVersion::Sha1 => &RSA_SHA1,
            SignatureVersion::Sha256 => &RSA_SHA256,
        };
        cert.verify_signature(algorithm, message, signature).map_err(|_| SignatureError::Mismatch)
    }
}

/// An RSA PKCS#1 v1.5 verification by ring, in the shape webpki asks for. webpki's own ring
/// algorithms leave out SHA-1, which SignatureVersion 1 still uses.
#[derive(Debug)]
struct RsaPkcs1 {
    parameters: &'static RsaParameters,
    signature_alg_id: AlgorithmIdentifier,
}

/// sha1WithRSAEncryption (1.2.840.113549.1.1.5) with NULL parameters, as webpki writes its
/// identifiers: the DER contents of the AlgorithmIdentifier sequence.
const RSA_PKCS1_SHA1: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00]);

static RSA_SHA1: RsaPkcs1 = RsaPkcs1 {
    parameters: &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    signature_alg_id: RSA_PKCS1_SHA1,
};

static RSA_SHA256: RsaPkcs1 =
    RsaPkcs1 { parameters: &ring::signature::RSA_PKCS1_2048_8192_SHA256, signature_alg_id: alg_id::RSA_PKCS1_SHA256 };

impl SignatureVerificationAlgorithm for RsaPkcs1 {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        UnparsedPublicKey::new(self.parameters, public_key).verify(message, signature).map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::RsaPrivateKey;

    /// The key and self-signed certificate the tests sign with (`openssl req -x509 -newkey
    /// rsa:2048 -nodes`), and a certificate of another key.
    pub const KEY_PEM: &str = include_str!("testdata/signing-key.pem");
    pub const CERT_PEM: &str = include_str!("testdata/signing-cert.pem");
    pub const OTHER_CERT_PEM: &str = include_str!("testdata/other-cert.pem");

    /// `message` signed as SNS signs it with `version`.
    pub fn sign(version: SignatureVersion, message: &[u8]) -> Vec<u8> {
        let key = RsaPrivateKey::from_pkcs8_pem(KEY_PEM).unwrap();
        match version {
            SignatureVersion::Sha1 => SigningKey::<sha1::Sha1>::new(key).sign(message).to_vec(),
            SignatureVersion::Sha256 => SigningKey::<sha2::Sha256>::new(key).sign(message).to_vec(),
        }
    }

    const MESSAGE: &[u8] =
        b"Message\nSTOP\nMessageId\n1\nTimestamp\n2026-03-05T15:00:00Z\nTopicArn\na\nType\nNotification\n";

    #[test]
    fn both_signature_versions_verify_with_the_certificates_key() {
        let cert = SigningCert::from_pem(CERT_PEM.as_bytes()).unwrap();
        for version in [SignatureVersion::Sha1, SignatureVersion::Sha256] {
            assert_eq!(cert.verify(version, MESSAGE, &sign(version, MESSAGE)), Ok(()), "{version:?}");
        }
    }

    #[test]
    fn a_signature_under_the_other_version_does_not_verify() {
        let cert = SigningCert::from_pem(CERT_PEM.as_bytes()).unwrap();
        let sha1 = sign(SignatureVersion::Sha1, MESSAGE);
        assert_eq!(cert.verify(SignatureVersion::Sha256, MESSAGE, &sha1), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_changed_message_or_another_certificate_does_not_verify() {
        let cert = SigningCert::from_pem(CERT_PEM.as_bytes()).unwrap();
        let signature = sign(SignatureVersion::Sha256, MESSAGE);
        let changed = String::from_utf8(MESSAGE.to_vec()).unwrap().replace("STOP", "START");
        assert_eq!(
            cert.verify(SignatureVersion::Sha256, changed.as_bytes(), &signature),
            Err(SignatureError::Mismatch)
        );
        let other = SigningCert::from_pem(OTHER_CERT_PEM.as_bytes()).unwrap();
        assert_eq!(other.verify(SignatureVersion::Sha256, MESSAGE, &signature), Err(SignatureError::Mismatch));
        assert_eq!(cert.verify(SignatureVersion::Sha256, MESSAGE, &[]), Err(SignatureError::Mismatch));
    }

    #[test]
    fn what_is_not_a_certificate_is_refused() {
        for pem in
            [&b""[..], b"hello", KEY_PEM.as_bytes(), b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
        {
            assert!(matches!(SigningCert::from_pem(pem), Err(SignatureError::Certificate(_))));
        }
    }
}
