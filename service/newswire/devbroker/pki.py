"""A throwaway certificate authority for the secured local broker: a CA, a broker certificate
for the loopback names, and a client certificate for mutual TLS, all PEM files, so that Kafka
reads them with ``ssl.keystore.type=PEM`` and no keytool or JKS is needed.

Made with ``cryptography`` (the ``devbroker`` extra) rather than the openssl command line, so
that nothing depends on which openssl a machine has. Files are made once per folder and kept:
clients configured with them keep working across broker restarts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from newswire.devbroker.common import BrokerError

# Loopback names the broker certificate is valid for: hostname verification stays on.
BROKER_NAMES = ("localhost", "127.0.0.1", "::1")
_VALID_DAYS = 825  # the longest validity that strict TLS clients accept for a leaf


@dataclass(frozen=True)
class Pki:
    folder: Path

    @property
    def ca(self) -> Path:
        """The CA certificate clients trust (NEWSWIRE_SSL_CAFILE)."""
        return self.folder / "ca.pem"

    @property
    def broker_keystore(self) -> Path:
        """The broker's PKCS#8 key followed by its certificate chain (Kafka PEM keystore)."""
        return self.folder / "broker.pem"

    @property
    def client_cert(self) -> Path:
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.folder / "client-key.pem"

    @property
    def password_file(self) -> Path:
        """The SCRAM password of the broker's user (NEWSWIRE_SASL_PASSWORD_FILE)."""
        return self.folder / "password"

    def files(self) -> tuple[Path, ...]:
        return (
            self.ca,
            self.broker_keystore,
            self.client_cert,
            self.client_key,
            self.password_file,
        )


def ensure_pki(folder: Path, names: tuple[str, ...] = BROKER_NAMES, *, shared: bool = False) -> Pki:
    """Make the CA, certificates and password in ``folder`` unless they are all there.

    ``names``: the host names and addresses the broker certificate is valid for. ``shared``:
    files readable by every user, for containers that run under other uids (compose)."""
    pki = Pki(Path(folder).resolve())
    if all(path.is_file() for path in pki.files()):
        return pki
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:
        raise BrokerError(
            "the secured local broker needs the 'cryptography' package: "
            "pip install 'newswire[devbroker]' (make setup installs it)"
        ) from exc

    def key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "newswire local broker"),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # some clock skew is fine
    ca_key = key()
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name("newswire local CA"))
        .issuer_name(name("newswire local CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(common: str, usage: x509.ObjectIdentifier, sans: list[x509.GeneralName]) -> tuple:
        leaf_key = key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(common))
            .issuer_name(ca_cert.subject)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=_VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return leaf_key, builder.sign(ca_key, hashes.SHA256())

    broker_sans: list[x509.GeneralName] = []
    for host in names:
        try:
            broker_sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            broker_sans.append(x509.DNSName(host))
    broker_key, broker_cert = leaf(names[0], ExtendedKeyUsageOID.SERVER_AUTH, broker_sans)
    client_key, client_cert = leaf("newswire", ExtendedKeyUsageOID.CLIENT_AUTH, [])

    def key_pem(private: rsa.RSAPrivateKey) -> bytes:
        # PKCS#8: the only unencrypted key form Kafka's PEM keystore reads.
        return private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def cert_pem(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    pki.folder.mkdir(parents=True, exist_ok=True)
    os.chmod(pki.folder, 0o755 if shared else 0o700)
    mode = 0o644 if shared else 0o600
    _write(pki.ca, cert_pem(ca_cert), mode)
    keystore = key_pem(broker_key) + cert_pem(broker_cert) + cert_pem(ca_cert)
    _write(pki.broker_keystore, keystore, mode)
    _write(pki.client_cert, cert_pem(client_cert), mode)
    _write(pki.client_key, key_pem(client_key), mode)
    _write(pki.password_file, (secrets.token_urlsafe(18) + "\n").encode(), mode)
    return pki


def _write(path: Path, data: bytes, mode: int) -> None:
    # Keys and the password are secrets: owner-only from the moment they exist (unless shared).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, mode)  # whatever the umask
