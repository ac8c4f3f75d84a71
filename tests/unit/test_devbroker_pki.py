"""The secured local broker's CA and settings: certificates a strict client accepts for the
loopback names (hostname verification on), secrets readable by the owner only, made once."""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from newswire import devbroker
from newswire.devbroker.secure import secure_properties


def _certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_the_broker_certificate_names_the_loopback_and_chains_to_the_ca(tmp_path: Path) -> None:
    pki = devbroker.ensure_pki(tmp_path / "pki")
    (ca,) = _certs(pki.ca)
    leaf, chained_ca = _certs(pki.broker_keystore)
    assert chained_ca == ca
    assert leaf.issuer == ca.subject
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == {"localhost"}
    assert {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    (client,) = _certs(pki.client_cert)
    usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
    # Kafka's PEM keystore reads an unencrypted key only in PKCS#8 form.
    assert pki.broker_keystore.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    # Python's own TLS stack loads them as a client would (CA, client key pair).
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.load_cert_chain(str(pki.client_cert), str(pki.client_key))
    assert context.check_hostname


def test_secrets_are_owner_only_and_made_once(tmp_path: Path) -> None:
    pki = devbroker.ensure_pki(tmp_path / "pki")
    for path in (pki.broker_keystore, pki.client_key, pki.password_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    before = {p: p.read_bytes() for p in pki.files()}
    again = devbroker.ensure_pki(tmp_path / "pki")
    assert {p: p.read_bytes() for p in again.files()} == before
    assert len(pki.password_file.read_text().strip()) >= 20


def test_listeners_and_exports(tmp_path: Path) -> None:
    pki = devbroker.ensure_pki(tmp_path / "pki")
    props = secure_properties("127.0.0.1", 9092, 9093, pki)
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,"
        "SASL_SSL://127.0.0.1:9094,SSL://127.0.0.1:9095"
    )
    assert props["listener.name.ssl.ssl.client.auth"] == "required"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    lines = devbroker.exports({"NEWSWIRE_SSL_CAFILE": "/a b/ca.pem", "X": "k://h:1"})
    assert lines == ["export NEWSWIRE_SSL_CAFILE='/a b/ca.pem'", "export X=k://h:1"]
