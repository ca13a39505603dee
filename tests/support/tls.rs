//! TLS for the loopback index: a certificate authority made afresh for each server (no private
//! key is ever committed) and a server certificate it signs for `127.0.0.1` and `localhost`,
//! served with rustls. Clients trust the server only when given the authority's PEM
//! ([`Authority::pem`]), as a corporate CA would be given with `--cert` or `SSL_CERT_FILE`.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA and the server configuration whose certificate it signed.
pub struct Authority {
    /// The CA certificate, PEM.
    pub pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

impl Authority {
    /// A new CA, and a certificate it signs for `127.0.0.1` and `localhost`.
    pub fn new() -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "pinwheel test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().unwrap();
        let mut leaf =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "pinwheel test index");
        let leaf_cert = leaf.signed_by(&key, &issuer).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf_cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
        Authority {
            pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }
}

impl Default for Authority {
    fn default() -> Self {
        Self::new()
    }
}
